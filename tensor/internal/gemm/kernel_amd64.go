//go:build amd64 && !purego

package gemm

import "golang.org/x/sys/cpu"

// Assembly micro-kernels (kernel_amd64.s). Each computes the mr x nr tile
// C = alpha*Ap*Bp + beta*C (C unread when beta == 0) for packed slivers of
// depth k; ldc is in elements.

//go:noescape
func kernF32AVX512(k int, a, b, c *float32, ldc int, alpha, beta float32)

//go:noescape
func kernF64AVX512(k int, a, b, c *float64, ldc int, alpha, beta float64)

//go:noescape
func kernF32AVX2(k int, a, b, c *float32, ldc int, alpha, beta float32)

//go:noescape
func kernF64AVX2(k int, a, b, c *float64, ldc int, alpha, beta float64)

// The wrappers check the slice bounds the assembly relies on, once per tile.

func f32AVX512(k int, a, b, c []float32, ldc int, alpha, beta float32) {
	_, _, _ = a[14*k-1], b[32*k-1], c[13*ldc+31]
	kernF32AVX512(k, &a[0], &b[0], &c[0], ldc, alpha, beta)
}

func f64AVX512(k int, a, b, c []float64, ldc int, alpha, beta float64) {
	_, _, _ = a[14*k-1], b[16*k-1], c[13*ldc+15]
	kernF64AVX512(k, &a[0], &b[0], &c[0], ldc, alpha, beta)
}

func f32AVX2(k int, a, b, c []float32, ldc int, alpha, beta float32) {
	_, _, _ = a[6*k-1], b[16*k-1], c[5*ldc+15]
	kernF32AVX2(k, &a[0], &b[0], &c[0], ldc, alpha, beta)
}

func f64AVX2(k int, a, b, c []float64, ldc int, alpha, beta float64) {
	_, _, _ = a[6*k-1], b[8*k-1], c[5*ldc+7]
	kernF64AVX2(k, &a[0], &b[0], &c[0], ldc, alpha, beta)
}

// archKernels returns the kernel sets this CPU supports, fastest first.
//
// Blocking for AVX-512 was tuned on a Zen 5 core (48 KiB L1d, 1 MiB L2):
// a deep kc = 512 halves the passes over C, which measured a few percent
// faster than kc = 256 at n = 512 and 1024 even though a B sliver then
// streams from L2; mc keeps the packed A block (mc x kc) within about
// 700 KiB of L2.
func archKernels() []kernelSet {
	var sets []kernelSet
	if cpu.X86.HasAVX512F {
		sets = append(sets, kernelSet{
			&kernel[float32]{name: "avx512", mr: 14, nr: 32, kc: 512, mc: 14 * 24, fn: f32AVX512, sup: f32SupAVX512},
			&kernel[float64]{name: "avx512", mr: 14, nr: 16, kc: 512, mc: 14 * 12, fn: f64AVX512, sup: f64SupAVX512},
		})
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		sets = append(sets, kernelSet{
			&kernel[float32]{name: "avx2", mr: 6, nr: 16, kc: 256, mc: 6 * 40, fn: f32AVX2},
			&kernel[float64]{name: "avx2", mr: 6, nr: 8, kc: 256, mc: 6 * 20, fn: f64AVX2},
		})
	}
	return append(sets, genericKernels())
}
