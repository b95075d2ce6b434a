//go:build amd64 && !purego

package vec

import "golang.org/x/sys/cpu"

// useAsm selects the AVX2 loops; the tests turn it off to compare paths.
var useAsm = cpu.X86.HasAVX2

// reluAVX2 and maskPositiveAVX2 (vec_amd64.s) process n elements, n a
// positive multiple of 8.
//
//go:noescape
func reluAVX2(dst, src *float32, n int)

//go:noescape
func maskPositiveAVX2(dst, grad, x *float32, n int)

// reluAsm runs the assembly over the leading multiple of 8 of dst and
// returns how many elements it did.
func reluAsm(dst, src []float32) int {
	n := len(dst) &^ 7
	if !useAsm || n == 0 {
		return 0
	}
	reluAVX2(&dst[0], &src[0], n)
	return n
}

func maskPositiveAsm(dst, g, x []float32) int {
	n := len(dst) &^ 7
	if !useAsm || n == 0 {
		return 0
	}
	maskPositiveAVX2(&dst[0], &g[0], &x[0], n)
	return n
}
