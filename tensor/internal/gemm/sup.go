package gemm

import "unsafe"

// The small-product path.
//
// For small and medium products, packing costs as much as it saves: the
// packed blocks are used by few micro-kernel calls, and a parallel run must
// wait at a barrier for op(B) to be packed. When the kernel has a strided
// form (kernel.sup), this path reads the operands in place instead:
//
//   - op(A) is read where it lies, whether transposed (each k step is a
//     contiguous run of rows) or not (each row is a contiguous run of k
//     steps). Only a partial tile of rows at the bottom edge is packed, with
//     zero rows, so that the kernel never reads past A.
//   - op(B) is read in place when not transposed (each k step is a row of
//     B); the partial sliver at the right edge is handled by masking the
//     columns. A transposed B is packed, per k block, by the unit that uses
//     it, so workers never wait for one another.
//   - Workers are long-lived helpers (pool.go), not goroutines started for
//     the call.
//
// Each micro-kernel call computes the same tile over the same k block, with
// the same beta, as the packed path, in the same k-block order: which
// worker runs a unit changes nothing in the result.

// supMax is the largest m*n*k that takes the small-product path. Measured
// on two Zen 4 cores (AVX-512), this path is faster than the packed one up
// to n = 1024 (float32 n = 512: 200 against 170 GFLOPS; n = 1024: 182
// against 165; float64 n = 384: 100 against 75), since it neither packs B
// nor waits at a barrier. The two are even at n = 1536 and 2048, and at
// n = 3072 the packed path's reuse of packed blocks wins (float32: 200
// against 180). It is also the path of the reference models' Linear layers
// (the MLP's 128 x 512 x 784 ran 20% faster for it). BenchmarkPaths times
// both paths, to check the threshold on another machine.
const supMax = 1<<31 - 1

// forcePacked makes every product take the packed path, for tests.
var forcePacked bool

// supBPanel bounds the elements of the B block (k block x column chunk)
// that one unit streams for each row tile; it should stay in L2.
const supBPanel = 1 << 17

// useSup reports whether Gemm takes the small-product path. It depends only
// on the shape and the kernel.
func useSup[T float](kr *kernel[T], m, n, k int) bool {
	return kr.sup != nil && m*n*k <= supMax && !forcePacked
}

// supPlan is the partition of one product into units: rowBlocks bands of
// row tiles times colChunks ranges of column slivers.
type supPlan[T float] struct {
	*problem[T]
	mTiles, slivers      int
	rowBlocks, colChunks int
	directA              bool
	packB                bool
}

// runSup runs the small-product path with up to w workers.
func runSup[T float](p *problem[T], w int) {
	kr := p.kr
	mr, nr, kc := kr.mr, kr.nr, kr.kc
	kb := min(kc, p.k)
	var z T
	sp := &supPlan[T]{problem: p, mTiles: ceilDiv(p.m, mr), slivers: ceilDiv(p.n, nr)}
	// A row-major A is read as mr rows at once; when its row stride is a
	// multiple of 2 KiB those rows fall into one or two sets of the L1
	// cache and evict each other, so it is packed tile by tile instead.
	// Likewise the k steps of a B sliver all fall into two sets when B's row
	// stride is a multiple of 4 KiB (measured 40% slower at n = 512 in
	// float64), so B is then packed.
	sp.directA = p.transA || p.lda*int(unsafe.Sizeof(z))%2048 != 0
	sp.packB = p.transB || p.ldb*int(unsafe.Sizeof(z))%4096 == 0
	// Column chunks keep a unit's B block within supBPanel; then rows or
	// columns are split further, the longer first, until there are about
	// three units per worker (one per worker when B is packed, since each
	// unit packs its own B).
	maxChunk := max(1, supBPanel/(kb*nr))
	sp.rowBlocks, sp.colChunks = 1, ceilDiv(sp.slivers, maxChunk)
	target := 3 * w
	if sp.packB {
		target = w
	}
	for sp.rowBlocks*sp.colChunks < target {
		rowsLeft := ceilDiv(sp.mTiles, sp.rowBlocks)
		colsLeft := ceilDiv(sp.slivers, sp.colChunks)
		switch {
		case rowsLeft >= colsLeft && sp.rowBlocks < sp.mTiles && !sp.packB:
			sp.rowBlocks++
		case sp.colChunks < sp.slivers:
			sp.colChunks++
		case sp.rowBlocks < sp.mTiles:
			sp.rowBlocks++
		}
		if sp.rowBlocks == sp.mTiles && sp.colChunks == sp.slivers {
			break
		}
	}
	units := sp.rowBlocks * sp.colChunks
	nw := min(w, units)
	aLen := mr * kb
	bLen := 0
	if sp.packB {
		bLen = kb * ceilDiv(sp.slivers, sp.colChunks) * nr
	}
	if nw == 1 {
		buf := getBuf[T](roleA, aLen+bLen)
		for u := range units {
			sp.unitN(u, (*buf)[:aLen], (*buf)[aLen:])
		}
		putBuf(roleA, buf)
		return
	}
	// Each unit takes a buffer for its packed tiles from the stack: units
	// may run on any goroutine.
	j := &job{units: units, run: func(u int) {
		buf := getBuf[T](roleA, aLen+bLen)
		sp.unitN(u, (*buf)[:aLen], (*buf)[aLen:])
		putBuf(roleA, buf)
	}}
	runJob(j, nw)
}

// unitN computes unit u with the packing buffers ap and bp.
func (sp *supPlan[T]) unitN(u int, ap, bp []T) {
	rb, cb := u/sp.colChunks, u%sp.colChunks
	sp.unit(ap, bp,
		sp.mTiles*rb/sp.rowBlocks, sp.mTiles*(rb+1)/sp.rowBlocks,
		sp.slivers*cb/sp.colChunks, sp.slivers*(cb+1)/sp.colChunks)
}

// unit computes row tiles t0..t1 of C restricted to slivers s0..s1, for
// all k blocks in order. ap has room for one packed A tile, bp for the
// packed B slivers when B is transposed.
func (sp *supPlan[T]) unit(ap, bp []T, t0, t1, s0, s1 int) {
	p := sp.problem
	kr := p.kr
	mr, nr, kc := kr.mr, kr.nr, kr.kc
	sup := kr.sup
	a, lda, b, ldb, c, ldc := p.a, p.lda, p.b, p.ldb, p.c, p.ldc
	for pc := 0; pc < p.k; pc += kc {
		kb := min(kc, p.k-pc)
		beta := p.beta
		if pc > 0 {
			beta = 1
		}
		if sp.packB {
			for s := s0; s < s1; s++ {
				j := s * nr
				packB(bp[(s-s0)*kb*nr:(s-s0+1)*kb*nr], b, ldb, p.transB, pc, kb, j, min(nr, p.n-j), nr)
			}
		}
		for t := t0; t < t1; t++ {
			i := t * mr
			rows := min(mr, p.m-i)
			var as []T
			var ars, aps int
			switch {
			case rows < mr || !sp.directA:
				packA(ap, a, lda, p.transA, i, rows, pc, kb, mr)
				as, ars, aps = ap, 1, mr
			case p.transA:
				as, ars, aps = a[pc*lda+i:], 1, lda
			default:
				as, ars, aps = a[i*lda+pc:], lda, 1
			}
			for s := s0; s < s1; s++ {
				j := s * nr
				cols := min(nr, p.n-j)
				mask := uint32(1)<<cols - 1 // all ones when cols == 32
				if sp.packB {
					sup(kb, as, ars, aps, bp[(s-s0)*kb*nr:], nr, c[i*ldc+j:], ldc, p.alpha, beta, rows, mask)
				} else {
					sup(kb, as, ars, aps, b[pc*ldb+j:], ldb, c[i*ldc+j:], ldc, p.alpha, beta, rows, mask)
				}
			}
		}
	}
}
