// Package vec holds the elementwise float32 loops of a training step that Go
// does not vectorise: ReLU and its backward mask, a bias added to a row
// (with or without the ReLU), col2im's adds and the 2x2 max-pool. On amd64
// with AVX2 (AVX-512 for the max-pool) they run in assembly, eight or
// sixteen lanes at a time; elsewhere, and under the purego build tag, Go
// loops run. Both paths do the same IEEE operations, so they give the same
// bits (the tests compare them).
package vec

import "math"

// ReLU sets dst[i] = max(src[i], 0): a positive value or NaN passes
// unchanged (the NaN's bits too), anything else, -0 included, becomes +0.
// dst and src have the same length and may be the same slice.
func ReLU(dst, src []float32) {
	n := len(dst)
	src = src[:n]
	done := reluAsm(dst, src)
	reluGo(dst[done:], src[done:])
}

// MaskPositive sets dst[i] = g[i] * (1 if x[i] > 0 else 0): the gradient of
// ReLU, where a NaN x masks like a non-positive one and a NaN or infinite g
// times 0 stays NaN. All three have the same length.
func MaskPositive(dst, g, x []float32) {
	n := len(dst)
	g, x = g[:n], x[:n]
	done := maskPositiveAsm(dst, g, x)
	maskPositiveGo(dst[done:], g[done:], x[done:])
}

func reluGo(dst, src []float32) {
	src = src[:len(dst)]
	for i, v := range src {
		// Keep the bits where v <= 0 is false (v > 0 or NaN), as the
		// assembly's compare-and-mask does; Go's max would make every NaN
		// the canonical one.
		var keep uint32
		if !(v <= 0) {
			keep = ^uint32(0)
		}
		dst[i] = math.Float32frombits(math.Float32bits(v) & keep)
	}
}

func maskPositiveGo(dst, g, x []float32) {
	g, x = g[:len(dst)], x[:len(dst)]
	for i := range dst {
		var m float32
		if x[i] > 0 {
			m = 1
		}
		dst[i] = g[i] * m
	}
}
