//go:build !amd64 || purego

package optim

// useAVX2 is false: there is no assembly on this architecture or under the
// purego build tag.
var useAVX2 = false

// adamPlainF32 does nothing here, leaving every element to the Go loop.
func adamPlainF32(p, g, m, v []float32, b1, b2, c1, omb2, shrink, stepSize, eps float32) int {
	return 0
}
