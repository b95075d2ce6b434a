//go:build amd64 && !purego

package gemm

import "math/bits"

// Strided micro-kernels (kernel_sup_amd64.s); strides and ldc in bytes.

//go:noescape
func supF32AVX512(k int, a *float32, ars, aps int, b *float32, bps int, c *float32, ldc int, alpha, beta float32, rows, mask int)

//go:noescape
func supF64AVX512(k int, a *float64, ars, aps int, b *float64, bps int, c *float64, ldc int, alpha, beta float64, rows, mask int)

// The wrappers check, once per tile, that every element the assembly reads
// or writes is inside its slice, and convert the strides to bytes.

func f32SupAVX512(k int, a []float32, ars, aps int, b []float32, bps int, c []float32, ldc int, alpha, beta float32, rows int, mask uint32) {
	cols := bits.Len32(mask)
	_, _, _ = a[13*ars+(k-1)*aps], b[(k-1)*bps+cols-1], c[(rows-1)*ldc+cols-1]
	supF32AVX512(k, &a[0], 4*ars, 4*aps, &b[0], 4*bps, &c[0], 4*ldc, alpha, beta, rows, int(mask))
}

func f64SupAVX512(k int, a []float64, ars, aps int, b []float64, bps int, c []float64, ldc int, alpha, beta float64, rows int, mask uint32) {
	cols := bits.Len32(mask)
	_, _, _ = a[13*ars+(k-1)*aps], b[(k-1)*bps+cols-1], c[(rows-1)*ldc+cols-1]
	supF64AVX512(k, &a[0], 8*ars, 8*aps, &b[0], 8*bps, &c[0], 8*ldc, alpha, beta, rows, int(mask))
}
