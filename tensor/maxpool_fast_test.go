package tensor

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// naiveMaxPool2x2 is the definition: the first maximum of each 2x2 window in
// row-major order, NaN winning.
func naiveMaxPool2x2[T Float](x *Dense[T]) ([]T, []int) {
	n, c, h, w := nchw("test", x.shape)
	oh, ow := h/2, w/2
	var vals []T
	var idx []int
	for p := range n * c {
		for y := range oh {
			for xx := range ow {
				best, at := T(math.Inf(-1)), -1
				for i := range 2 {
					for j := range 2 {
						pos := (2*y+i)*w + 2*xx + j
						v := x.data[p*h*w+pos]
						if at < 0 || v > best || (v != v && best == best) {
							best, at = v, pos
						}
					}
				}
				vals = append(vals, best)
				idx = append(idx, at)
			}
		}
	}
	return vals, idx
}

func TestMaxPool2x2FastPath(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	for _, shape := range [][]int{{2, 3, 4, 4}, {1, 2, 5, 7}, {3, 1, 28, 28}} {
		x := Zeros[float64](shape...)
		for i := range x.data {
			x.data[i] = float64(rng.IntN(5)) // many ties
		}
		x.data[3] = math.NaN()
		x.data[len(x.data)/2] = math.NaN()
		got, gotIdx := MaxPool2D(x, Window2D{Kernel: [2]int{2, 2}, Stride: [2]int{2, 2}})
		want, wantIdx := naiveMaxPool2x2(x)
		require.Equal(t, wantIdx, gotIdx, "shape %v", shape)
		for i, v := range got.Data() {
			if math.IsNaN(want[i]) {
				require.True(t, math.IsNaN(v))
			} else {
				require.Equal(t, want[i], v)
			}
		}
	}
}

// TestMaxPool2x2Float32 checks the float32 path, which runs vec's SIMD
// kernel, on the reference CNN's shapes and odd ones, with ties, both zeros,
// infinities and NaNs whose bits must come through.
func TestMaxPool2x2Float32(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 8))
	special := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)),
		math.Float32frombits(0x7fc00001), math.Float32frombits(0xffc00002)}
	for _, shape := range [][]int{{2, 3, 4, 4}, {1, 2, 5, 7}, {3, 2, 28, 28}, {2, 4, 14, 14}, {1, 3, 3, 35}, {2, 2, 33, 2}} {
		x := Zeros[float32](shape...)
		for i := range x.data {
			if rng.IntN(5) == 0 {
				x.data[i] = special[rng.IntN(len(special))]
			} else {
				x.data[i] = float32(rng.IntN(5)) // many ties
			}
		}
		got, gotIdx := MaxPool2D(x, Window2D{Kernel: [2]int{2, 2}, Stride: [2]int{2, 2}})
		want, wantIdx := naiveMaxPool2x2(x)
		require.Equal(t, wantIdx, gotIdx, "shape %v", shape)
		for i, v := range got.Data() {
			require.Equal(t, math.Float32bits(want[i]), math.Float32bits(v), "shape %v element %d", shape, i)
		}
	}
}

func TestPositive(t *testing.T) {
	x := New([]float64{-1, 0, 2, math.NaN(), math.Inf(1), -0.0}, 2, 3)
	require.Equal(t, []float64{0, 0, 1, 0, 1, 0}, Positive(x).Data())
	require.Equal(t, []float64{0, 0, 0, 1, 1, 0}, Positive(x.T()).Data(), "a transposed view")
	require.Equal(t, []float64{0, 0, 2, 1, 0, 0}, ReLU(New([]float64{-1, 0, 2, 1, -3, -0.0}, 6)).Data())
	require.True(t, math.IsNaN(ReLU(Scalar(math.NaN())).Item()))
}
