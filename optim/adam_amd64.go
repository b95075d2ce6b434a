//go:build amd64 && !purego

package optim

import "golang.org/x/sys/cpu"

// adamPlainF32AVX2 is adamKernel.plain for float32 over n elements, n a
// multiple of 8, eight at a time (adam_amd64.s). It does the same IEEE
// operations in the same order as the Go loop, without fusing any, so the
// results are the same bits; what it gains is the divider, which takes
// eight square roots or quotients about as fast as one.
//
//go:noescape
func adamPlainF32AVX2(p, grad, m, v *float32, n int, b1, b2, c1, omb2, shrink, stepSize, eps float32)

// useAVX2 selects the assembly loop; the tests turn it off to compare it
// with the Go loop.
var useAVX2 = cpu.X86.HasAVX2

// adamPlainF32 runs the assembly loop over the leading multiple of 8 of the
// elements, when the CPU has AVX2, and returns how many it did.
func adamPlainF32(p, g, m, v []float32, b1, b2, c1, omb2, shrink, stepSize, eps float32) int {
	n := len(p) &^ 7
	if !useAVX2 || n == 0 {
		return 0
	}
	_, _, _ = g[n-1], m[n-1], v[n-1]
	adamPlainF32AVX2(&p[0], &g[0], &m[0], &v[0], n, b1, b2, c1, omb2, shrink, stepSize, eps)
	return n
}
