package tensor

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// refScatter is the definition of the max-pool backward: zeros with each
// gradient added at its index.
func refScatter(g []float64, idx []int, planes, plane, l int) []float64 {
	out := make([]float64, planes*plane)
	for p := range planes {
		for q := range l {
			out[p*plane+idx[p*l+q]] += g[p*l+q]
		}
	}
	return out
}

// requireSameBits compares two slices bit for bit, so that -0 and NaN count.
func requireSameBits(t *testing.T, want, got []float64, msg string) {
	t.Helper()
	require.Len(t, got, len(want), msg)
	for i := range want {
		require.Equal(t, math.Float64bits(want[i]), math.Float64bits(got[i]), "%s: element %d: want %v, got %v", msg, i, want[i], got[i])
	}
}

// awkward fills a gradient with values that a select and a product treat
// differently: -0, NaN and ±Inf among ordinary numbers.
func awkward(rng *rand.Rand, shape ...int) *Dense[float64] {
	g := RandN[float64](rng, shape...)
	special := []float64{math.Copysign(0, -1), 0, math.NaN(), math.Inf(1), math.Inf(-1), -2.5}
	for i := range g.data {
		if rng.IntN(4) == 0 {
			g.data[i] = special[rng.IntN(len(special))]
		}
	}
	return g
}

// ScatterAddPlanes with the indices of MaxPool2D is the max-pool backward;
// check it against the definition on odd sizes, ties, NaN maxima and
// gradients of -0, NaN and ±Inf, for non-overlapping and overlapping windows.
func TestScatterAddPlanesMaxPool(t *testing.T) {
	w2 := func(k, s, p, d [2]int) Window2D { return Window2D{Kernel: k, Stride: s, Padding: p, Dilation: d} }
	two := w2([2]int{2, 2}, [2]int{2, 2}, [2]int{}, [2]int{})
	cases := []struct {
		name  string
		shape []int
		win   Window2D
	}{
		{"2x2/2x2", []int{2, 3, 2, 2}, two},
		{"2x2/5x7", []int{2, 3, 5, 7}, two},
		{"2x2/7x5", []int{1, 2, 7, 5}, two},
		{"2x2/3x2", []int{3, 1, 3, 2}, two},
		{"2x2/28x28", []int{4, 8, 28, 28}, two},
		{"2x2/27x29-parallel", []int{8, 16, 27, 29}, two},
		{"1x2/1x5", []int{2, 2, 1, 5}, w2([2]int{1, 2}, [2]int{1, 2}, [2]int{}, [2]int{})},
		{"1x1/1x1", []int{3, 2, 1, 1}, w2([2]int{1, 1}, [2]int{1, 1}, [2]int{}, [2]int{})},
		{"2x2-pad/5x7", []int{2, 2, 5, 7}, w2([2]int{2, 2}, [2]int{2, 2}, [2]int{1, 1}, [2]int{})},
		{"3x3-stride3/7x7", []int{1, 3, 7, 7}, w2([2]int{3, 3}, [2]int{3, 3}, [2]int{}, [2]int{})},
		{"overlap-3x3-stride2/5x5", []int{2, 2, 5, 5}, w2([2]int{3, 3}, [2]int{2, 2}, [2]int{1, 1}, [2]int{})},
		{"dilation2/5x5", []int{1, 2, 5, 5}, w2([2]int{2, 2}, [2]int{1, 1}, [2]int{}, [2]int{2, 2})},
	}
	for ci, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(ci), 9))
			x := Zeros[float64](c.shape...)
			for i := range x.data {
				x.data[i] = float64(rng.IntN(3)) // many ties
			}
			x.data[0] = math.NaN()
			x.data[len(x.data)-1] = math.NaN()
			y, idx := MaxPool2D(x, c.win)
			g := awkward(rng, y.Shape()...)
			n, ch, h, w := nchw("test", c.shape)
			want := refScatter(g.data, idx, n*ch, h*w, len(idx)/(n*ch))
			got := ScatterAddPlanes(g, idx, h, w)
			require.Equal(t, c.shape, got.Shape())
			requireSameBits(t, want, got.Data(), "ScatterAddPlanes")
			// A gradient that is a view (here an expanded scalar) reads the same.
			s := Scalar(-1.5).Expand(y.Shape()...)
			requireSameBits(t, ScatterAddPlanes(s.Clone(), idx, h, w).Data(), ScatterAddPlanes(s, idx, h, w).Data(), "view")
		})
	}
}

// Out-of-range or missing indices panic with ErrShape before any work.
func TestScatterAddPlanesBadIndices(t *testing.T) {
	g := New([]float64{1, 2, 3, 4, 5, 6, 7, 8}, 2, 1, 2, 2)
	requireSameBits(t, refScatter(g.data, []int{0, 0, 5, 5, 1, 6, 8, 15}, 2, 16, 4),
		ScatterAddPlanes(g, []int{0, 0, 5, 5, 1, 6, 8, 15}, 4, 4).Data(), "repeats")
	for _, bad := range [][]int{{0, 3, 9, 14, 5, 2, 15, 16}, {0, 3, 9, -1, 5, 2, 15, 11}, {0, 3, 9}} {
		func() {
			defer func() {
				err, _ := recover().(error)
				require.True(t, errors.Is(err, ErrShape), "indices %v: %v", bad, err)
			}()
			ScatterAddPlanes(g, bad, 4, 4)
		}()
	}
}

func TestMaskPositive(t *testing.T) {
	cases := []struct {
		name  string
		shape []int
	}{
		{"scalar", nil},
		{"1", []int{1}},
		{"5", []int{5}},
		{"7x5", []int{7, 5}},
		{"2x3x28x28", []int{2, 3, 28, 28}},
		{"parallel", []int{3, 7, 61, 59}}, // more than two grains
	}
	for ci, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(ci), 5))
			x := awkward(rng, c.shape...)
			g := awkward(rng, c.shape...)
			want := Mul(g, Positive(x))
			requireSameBits(t, want.Data(), MaskPositive(g, x).Data(), "float64")
			require.Equal(t, want.Shape(), MaskPositive(g, x).Shape())

			x32, g32 := Zeros[float32](c.shape...), Zeros[float32](c.shape...)
			for i := range x.data {
				x32.data[i], g32.data[i] = float32(x.data[i]), float32(g.data[i])
			}
			w32, got32 := Mul(g32, Positive(x32)).Data(), MaskPositive(g32, x32).Data()
			for i := range w32 {
				require.Equal(t, math.Float32bits(w32[i]), math.Float32bits(got32[i]), "float32 element %d", i)
			}
		})
	}
	t.Run("fixed", func(t *testing.T) {
		nan, inf, negZero := math.NaN(), math.Inf(1), math.Copysign(0, -1)
		x := New([]float64{1, -1, 0, negZero, nan, 2, -3, inf, nan}, 9)
		g := New([]float64{2, 2, 2, -2, 2, nan, inf, -inf, nan}, 9)
		want := []float64{2, 0, 0, negZero, 0, nan, nan, -inf, nan}
		requireSameBits(t, Mul(g, Positive(x)).Data(), MaskPositive(g, x).Data(), "against Mul")
		got := MaskPositive(g, x).Data()
		for i := range want {
			if math.IsNaN(want[i]) {
				require.True(t, math.IsNaN(got[i]), "element %d", i)
				continue
			}
			require.Equal(t, math.Float64bits(want[i]), math.Float64bits(got[i]), "element %d", i)
		}
	})
	t.Run("views", func(t *testing.T) {
		rng := rand.New(rand.NewPCG(8, 8))
		x := awkward(rng, 5, 7).Transpose(0, 1)
		g := Scalar(3.0).Expand(7, 5)
		requireSameBits(t, Mul(g, Positive(x)).Data(), MaskPositive(g, x).Data(), "views")
	})
	t.Run("shape-mismatch", func(t *testing.T) {
		defer func() {
			err, _ := recover().(error)
			require.True(t, errors.Is(err, ErrShape), "%v", err)
		}()
		MaskPositive(Zeros[float64](3, 4), Zeros[float64](4, 3))
	})
}

// The scatter must clear its output, which empty does not promise to have
// done: run it on planes full of garbage.
func TestScatterPlaneOverwritesGarbage(t *testing.T) {
	for _, hw := range [][2]int{{2, 2}, {5, 7}, {7, 5}, {3, 3}, {28, 28}} {
		h, w := hw[0], hw[1]
		rng := rand.New(rand.NewPCG(uint64(h), uint64(w)))
		x := RandN[float64](rng, 1, 1, h, w)
		y, idx := MaxPool2D(x, Window2D{Kernel: [2]int{2, 2}, Stride: [2]int{2, 2}})
		g := awkward(rng, y.Shape()...)
		plane := make([]float64, h*w)
		for i := range plane {
			plane[i] = math.NaN()
		}
		scatterPlane(plane, g.data, idx)
		requireSameBits(t, refScatter(g.data, idx, 1, h*w, len(idx)), plane, "scatterPlane")
	}
}
