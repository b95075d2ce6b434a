// Package gemm implements general matrix multiplication,
//
//	C = alpha*op(A)*op(B) + beta*C,
//
// for row-major float32 and float64 matrices, where op(X) is X or its
// transpose. It is the kernel behind nabla's MatMul, Linear and im2col
// convolutions.
//
// # Algorithm
//
// Gemm follows the Goto/BLIS scheme. The k dimension is cut into blocks of
// kc and the n dimension into blocks of nc. For each nc block, op(B) is
// packed into slivers of NR columns (kc x NR, contiguous per k step); for each
// mc x kc block of op(A), A is packed into slivers of MR rows. A register
// blocked micro-kernel then multiplies one A sliver by one B sliver, keeping
// the MR x NR tile of C in registers for the whole kc loop. Transposition is
// handled entirely by the packing routines, so callers never copy.
//
// On amd64 the micro-kernels are written in Go assembly: 14x32 (float32) and
// 14x16 (float64) with AVX-512F when the CPU and OS support it, otherwise
// 6x16 and 6x8 with AVX2 and FMA; the choice is made once at start-up with
// golang.org/x/sys/cpu. With AVX-512 the transposing copies of packing (A
// not transposed, B transposed) use in-register 16x16 or 8x8 transposes.
// Elsewhere, or when built with the purego tag, a portable 2x4 Go kernel and
// Go packing are used. Tiles on the bottom and right edges of C are computed
// into a small scratch tile and only the valid part is written back.
//
// # Parallelism and reproducibility
//
// Products with m*n*k of at least 128*128*64 run on up to
// runtime.GOMAXPROCS(0) goroutines. The workers pack op(B) together, then
// claim units of work (a block of micro-tile rows times a range of B
// slivers) from a shared counter, so a worker slowed down by the rest of the
// machine simply takes fewer units. The k dimension is never split, kc and
// nc do not depend on the number of workers, and the micro-tile grid is
// anchored at (0, 0): every element of C is computed by the same micro-kernel
// calls on the same packed data, in the same k-block order, whichever worker
// runs them. Results are therefore bit-identical on 1 or N cores.
//
// Smaller products run on the calling goroutine. Packing buffers are
// recycled through stacks kept by the package, so steady-state calls
// allocate only a few small bookkeeping objects.
//
// # Small products
//
// With AVX-512, products of m*n*k below 2^31 (squares up to n = 1290) skip
// most of the packing (sup.go): strided forms of the micro-kernels read
// op(A) in place, whether transposed or not, and op(B) in place when it is
// not transposed, masking the columns of the right edge; only bottom-edge
// tiles of A and a transposed B are packed. Their units of work go to
// long-lived helper goroutines (pool.go), which a train step's back-to-back
// products find awake, instead of to goroutines started per call. The
// tiles, k blocks and their order are those of the packed path, so this
// path too gives the same bits on any number of cores. Its results can
// differ from the packed path's in the last place (the strided kernels do
// the same sums, not the same instruction sequence), which is why the path
// is chosen from the shape alone.
package gemm
