package tensor

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAddToReLU(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	nan := math.NaN()
	for _, tc := range []struct {
		name     string
		dst, src *Dense[float64]
	}{
		{"bias row", RandN[float64](rng, 7, 5), RandN[float64](rng, 5)},
		{"parallel rows", RandN[float64](rng, 300, 257), RandN[float64](rng, 257)},
		{"scalar", RandN[float64](rng, 3, 4), Scalar(0.25)},
		{"no bias", RandN[float64](rng, 4, 3), nil},
		{"same shape", RandN[float64](rng, 2, 3), RandN[float64](rng, 2, 3)},
		{"column (general path)", RandN[float64](rng, 3, 4), RandN[float64](rng, 3, 1)},
		{"NaN and infinities", New([]float64{nan, -1, math.Inf(1), 2, 0, math.Inf(-1)}, 2, 3), New([]float64{1, nan, -3}, 3)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, got := addToReLUBothWays(tc.dst, tc.src)
			require.Equal(t, want.Shape(), got.Shape())
			for i, w := range want.Data() {
				g := got.Data()[i]
				if math.IsNaN(w) {
					require.True(t, math.IsNaN(g), "element %d: want NaN, got %v", i, g)
					continue
				}
				require.Equal(t, math.Float64bits(w), math.Float64bits(g), "element %d: want %v, got %v", i, w, g)
			}
		})
	}
}

// TestAddToReLUFloat32 takes the vector loops: a bias row, and no bias or a
// single value over a tensor large enough to be split into blocks.
func TestAddToReLUFloat32(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, tc := range []struct {
		name     string
		dst, src *Dense[float32]
	}{
		{"bias row", RandN[float32](rng, 64, 50), RandN[float32](rng, 50)},
		{"no bias", RandN[float32](rng, 300, 257), nil},
		{"scalar", RandN[float32](rng, 300, 257), Scalar[float32](-0.5)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, got := addToReLUBothWays(tc.dst, tc.src)
			require.Equal(t, want.Data(), got.Data())
		})
	}
}

// addToReLUBothWays returns ReLU(dst + src) made with Add and ReLU (src nil:
// ReLU(dst)), and AddToReLU's result on a copy of dst.
func addToReLUBothWays[T Float](dst, src *Dense[T]) (want, got *Dense[T]) {
	want = dst
	if src != nil {
		want = Add(dst, src)
	}
	got = dst.Clone()
	AddToReLU(got, src)
	return ReLU(want), got
}
