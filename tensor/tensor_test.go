package tensor

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nabla-go/nabla/internal/testkit"
)

func seq(shape ...int) *Dense[float64] {
	n := prod(shape)
	d := make([]float64, n)
	for i := range d {
		d[i] = float64(i)
	}
	return New(d, shape...)
}

// requireShapePanic asserts that f panics with an error wrapping
// tensor.ErrShape whose message contains want.
func requireShapePanic(t *testing.T, want string, f func()) {
	testkit.RequirePanicIs(t, ErrShape, want, f)
}

func TestCreation(t *testing.T) {
	require.Equal(t, []float64{0, 0, 0, 0}, Zeros[float64](2, 2).Data())
	require.Equal(t, []float32{1, 1, 1}, Ones[float32](3).Data())
	require.Equal(t, []float64{7, 7}, Full(7.0, 2).Data())
	require.Equal(t, []float64{1, 1.5, 2, 2.5}, Arange(1.0, 3.0, 0.5).Data())
	require.Equal(t, []float64{1, 0, 0, 0, 1, 0, 0, 0, 1}, Eye[float64](3).Data())
	require.Equal(t, 42.0, Scalar(42.0).Item())
	require.Equal(t, []int{}, Scalar(1.0).Shape())

	a := RandN[float64](rand.New(rand.NewPCG(1, 2)), 1000)
	b := RandN[float64](rand.New(rand.NewPCG(1, 2)), 1000)
	require.Equal(t, a.Data(), b.Data(), "same seed, same numbers")
	m := Mean(a, nil, false).Item()
	require.InDelta(t, 0, m, 0.1)
	u := RandUniform(rand.New(rand.NewPCG(3, 4)), -2.0, 3.0, 500)
	require.GreaterOrEqual(t, Min(u, nil, false).Item(), -2.0)
	require.Less(t, Max(u, nil, false).Item(), 3.0)

	requireShapePanic(t, "6 elements do not fill shape [2 2]", func() { New([]float64{1, 2, 3, 4, 5, 6}, 2, 2) })
}

func TestViewsShareStorage(t *testing.T) {
	a := seq(2, 3, 4)
	cases := []struct {
		name  string
		view  *Dense[float64]
		shape []int
		data  []float64
	}{
		{"reshape", a.Reshape(4, -1), []int{4, 6}, seq(24).Data()},
		{"transpose", a.Slice(0, 0, 1).Reshape(3, 4).T(), []int{4, 3}, []float64{0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}},
		{"permute", a.Permute(2, 0, 1).Slice(0, 1, 2).Reshape(6), []int{6}, []float64{1, 5, 9, 13, 17, 21}},
		{"slice", a.Slice(2, 1, 3).Slice(0, 1, 2), []int{1, 3, 2}, []float64{13, 14, 17, 18, 21, 22}},
		{"squeeze", a.Slice(1, 2, 3).Squeeze(1), []int{2, 4}, []float64{8, 9, 10, 11, 20, 21, 22, 23}},
		{"unsqueeze", seq(3).Unsqueeze(1), []int{3, 1}, []float64{0, 1, 2}},
		{"expand", New([]float64{1, 2}, 2, 1).Expand(3, 2, 2), []int{3, 2, 2}, []float64{1, 1, 2, 2, 1, 1, 2, 2, 1, 1, 2, 2}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.Equal(t, c.shape, c.view.Shape())
			require.Equal(t, c.data, c.view.Data())
		})
	}
	// A view writes through to its base.
	v := a.Slice(2, 1, 2)
	v.Set(-1, 1, 2, 0)
	require.Equal(t, -1.0, a.At(1, 2, 1))
	require.False(t, v.IsContiguous())
	require.True(t, v.Clone().IsContiguous())
	c := v.Clone()
	c.Set(5, 0, 0, 0)
	require.Equal(t, 1.0, a.At(0, 0, 1), "a clone shares nothing")

	requireShapePanic(t, "cannot reshape 24 elements to [5 5]", func() { a.Reshape(5, 5) })
	requireShapePanic(t, "cannot expand shape [2 3 4] to [2 5 4]", func() { a.Expand(2, 5, 4) })
	requireShapePanic(t, "axis 1 of shape [2 3 4] is not 1", func() { a.Squeeze(1) })
	requireShapePanic(t, "range [2, 5) out of bounds", func() { a.Slice(1, 2, 5) })
}

func TestBroadcastingElementwise(t *testing.T) {
	a := New([]float64{1, 2, 3, 4, 5, 6}, 2, 3)
	cases := []struct {
		name string
		got  *Dense[float64]
		want []float64
	}{
		{"add-row", Add(a, New([]float64{10, 20, 30}, 3)), []float64{11, 22, 33, 14, 25, 36}},
		{"sub-col", Sub(a, New([]float64{1, 2}, 2, 1)), []float64{0, 1, 2, 2, 3, 4}},
		{"mul-scalar", Mul(a, Scalar(2.0)), []float64{2, 4, 6, 8, 10, 12}},
		{"div", Div(a, a), []float64{1, 1, 1, 1, 1, 1}},
		{"pow", Pow(a, Scalar(2.0)), []float64{1, 4, 9, 16, 25, 36}},
		{"maximum", Maximum(a, Scalar(3.5)), []float64{3.5, 3.5, 3.5, 4, 5, 6}},
		{"minimum", Minimum(a, Scalar(3.5)), []float64{1, 2, 3, 3.5, 3.5, 3.5}},
		{"gt", Gt(a, Scalar(3.0)), []float64{0, 0, 0, 1, 1, 1}},
		{"le", Le(a, Scalar(3.0)), []float64{1, 1, 1, 0, 0, 0}},
		{"eq-transposed", Eq(a, a.T().T()), []float64{1, 1, 1, 1, 1, 1}},
		{"where", Where(Gt(a, Scalar(3.0)), a, Neg(a)), []float64{-1, -2, -3, 4, 5, 6}},
		{"clamp", Clamp(a, 2, 5), []float64{2, 2, 3, 4, 5, 5}},
		{"relu", ReLU(AddScalar(a, -3)), []float64{0, 0, 0, 1, 2, 3}},
		{"abs", Abs(AddScalar(a, -3)), []float64{2, 1, 0, 1, 2, 3}},
		{"outer", Mul(New([]float64{1, 2}, 2, 1), New([]float64{1, 10, 100}, 3)), []float64{1, 10, 100, 2, 20, 200}},
		{"non-contiguous", Add(a.T(), Zeros[float64](3, 2)), []float64{1, 4, 2, 5, 3, 6}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { require.Equal(t, c.want, c.got.Data()) })
	}
	require.InDelta(t, 1/(1+math.Exp(-1)), Sigmoid(Scalar(1.0)).Item(), 1e-15)
	require.Equal(t, 1.0, Sigmoid(Scalar(1000.0)).Item())
	require.Equal(t, 0.0, Sigmoid(Scalar(-1000.0)).Item())
	requireShapePanic(t, "tensor.Add: shapes [2 3] and [2] do not broadcast", func() { Add(a, Zeros[float64](2)) })
}

func TestReductions(t *testing.T) {
	a := seq(2, 3, 4)
	cases := []struct {
		name  string
		got   *Dense[float64]
		shape []int
		want  []float64
	}{
		{"sum-all", Sum(a, nil, false), []int{}, []float64{276}},
		{"sum-axis0", Sum(a, []int{0}, false), []int{3, 4}, []float64{12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34}},
		{"sum-axes-keep", Sum(a, []int{0, 2}, true), []int{1, 3, 1}, []float64{60, 92, 124}},
		{"sum-rows-2d", Sum(seq(3, 2), []int{0}, true), []int{1, 2}, []float64{6, 9}},
		{"mean-last", Mean(a, []int{-1}, false), []int{2, 3}, []float64{1.5, 5.5, 9.5, 13.5, 17.5, 21.5}},
		{"max-axis1", Max(a, []int{1}, false), []int{2, 4}, []float64{8, 9, 10, 11, 20, 21, 22, 23}},
		{"min-axis1-keep", Min(a, []int{1}, true), []int{2, 1, 4}, []float64{0, 1, 2, 3, 12, 13, 14, 15}},
		{"sum-of-view", Sum(a.Permute(2, 1, 0), []int{2}, false), []int{4, 3}, []float64{12, 20, 28, 14, 22, 30, 16, 24, 32, 18, 26, 34}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.Equal(t, c.shape, c.got.Shape())
			require.Equal(t, c.want, c.got.Data())
		})
	}
	require.Equal(t, []int{3, 3}, ArgMax(New([]float64{1, 5, 2, 9, 0, 0, 0, 1, 3, 3, 3, 4}, 3, 4).T(), 0)[:2])
	require.Equal(t, []int{1, 0}, ArgMax(New([]float64{1, 3, 3, 7, 2, 7}, 2, 3), 1), "first index wins a tie")
	requireShapePanic(t, "axis 3 out of range for 3 dimensions", func() { Sum(a, []int{3}, false) })
}

// TestSumOfEveryLength sums runs of every length around the eight partial
// sums of sumSlice (and a long one) in float32, with integer values small
// enough for every order to be exact, and a run whose exact float32 sum a
// single running sum loses.
func TestSumOfEveryLength(t *testing.T) {
	for _, n := range []int{0, 1, 2, 7, 8, 9, 15, 16, 17, 23, 784, 1001} {
		xs := make([]float32, n)
		want := 0
		for i := range xs {
			xs[i] = float32(i%13 - 6)
			want += i%13 - 6
		}
		require.Equal(t, float32(want), Sum(New(xs, n), nil, false).Item(), "length %d", n)
	}
	// 2^24 and fourteen ones: a single running sum stays at 2^24, since
	// each 2^24 + 1 rounds back down to it; the partial sums add the ones
	// among themselves first (the zeros keep them out of 2^24's sum).
	xs := []float32{1 << 24, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1}
	require.Equal(t, float32(1<<24+14), Sum(New(xs, len(xs)), nil, false).Item())
}

func TestLogSumExpAndSoftmaxStable(t *testing.T) {
	x := New([]float64{1000, 0, -1000}, 3)
	require.InDelta(t, 1000, LogSumExp(x, nil, false).Item(), 1e-12)
	require.Equal(t, []float64{1, 0, 0}, Softmax(x, 0).Data())
	ls := LogSoftmax(x, 0).Data()
	require.Equal(t, []float64{0, -1000, -2000}, ls)

	eq := Full(1e4, 4)
	require.InDelta(t, 1e4+math.Log(4), LogSumExp(eq, nil, false).Item(), 1e-9)
	require.Equal(t, []float64{0.25, 0.25, 0.25, 0.25}, Softmax(eq, 0).Data())

	inf := Full(math.Inf(-1), 2, 3)
	require.True(t, math.IsInf(LogSumExp(inf, []int{1}, false).Data()[0], -1))
	require.Equal(t, []float64{0, 0, 0, 0, 0, 0}, Softmax(inf, 1).Data())

	// Along a middle axis.
	y := Softmax(seq(2, 3, 2), 1)
	s := Sum(y, []int{1}, false).Data()
	for _, v := range s {
		require.InDelta(t, 1, v, 1e-12)
	}
	require.InDelta(t, math.Exp(4)/(1+math.Exp(2)+math.Exp(4)), y.At(1, 2, 1), 1e-12)
}

func naiveMatMul(a, b *Dense[float64]) *Dense[float64] {
	m, k, n := a.Dim(0), a.Dim(1), b.Dim(1)
	out := Zeros[float64](m, n)
	for i := range m {
		for j := range n {
			var s float64
			for p := range k {
				s += a.At(i, p) * b.At(p, j)
			}
			out.Set(s, i, j)
		}
	}
	return out
}

func requireClose(t *testing.T, want, got []float64, tol float64) {
	t.Helper()
	require.Equal(t, len(want), len(got))
	for i := range want {
		require.InDelta(t, want[i], got[i], tol*(1+math.Abs(want[i])), "element %d", i)
	}
}

func TestMatMul(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, sz := range [][3]int{{1, 1, 1}, {3, 4, 5}, {7, 63, 65}, {65, 1, 7}, {64, 64, 64}} {
		m, k, n := sz[0], sz[1], sz[2]
		a, b := RandN[float64](rng, m, k), RandN[float64](rng, k, n)
		want := naiveMatMul(a, b).Data()
		requireClose(t, want, MatMul(a, b).Data(), 1e-12)
		// Transposed views are read in place.
		at, bt := a.T().Clone(), b.T().Clone()
		requireClose(t, want, MatMul(at.T(), bt.T()).Data(), 1e-12)
		requireClose(t, want, MatMul(at.T(), b).Data(), 1e-12)
	}
	// Batched with a broadcast batch dimension.
	a := RandN[float64](rng, 2, 3, 4, 5)
	b := RandN[float64](rng, 3, 5, 2)
	c := MatMul(a, b)
	require.Equal(t, []int{2, 3, 4, 2}, c.Shape())
	want := naiveMatMul(a.Slice(0, 1, 2).Slice(1, 2, 3).Reshape(4, 5), b.Slice(0, 2, 3).Reshape(5, 2))
	requireClose(t, want.Data(), c.Slice(0, 1, 2).Slice(1, 2, 3).Reshape(4, 2).Data(), 1e-12)
	requireShapePanic(t, "tensor.MatMul: inner dimensions differ: shapes [2 3] and [4 5]", func() {
		MatMul(Zeros[float64](2, 3), Zeros[float64](4, 5))
	})
}

func TestConcatStackIndex(t *testing.T) {
	a, b := seq(2, 2), AddScalar(seq(2, 1), 10)
	require.Equal(t, []float64{0, 1, 10, 2, 3, 11}, Concat(1, a, b).Data())
	require.Equal(t, []int{2, 2, 2}, Stack(0, a, a).Shape())
	require.Equal(t, []float64{0, 0, 1, 1, 2, 2, 3, 3}, Stack(2, a, a).Data())

	x := seq(3, 4)
	require.Equal(t, []float64{2, 4, 11}, Gather(x, 1, []int{2, 0, 3}).Data())
	require.Equal(t, []float64{4, 1, 10, 3}, Gather(x, 0, []int{1, 0, 2, 0}).Data())
	require.Equal(t, []float64{0, 0, 7, 0, 8, 0, 0, 0, 0, 0, 0, 9}, Scatter(New([]float64{7, 8, 9}, 3), 1, []int{2, 0, 3}, []int{3, 4}).Data())
	require.Equal(t, []float64{8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11}, IndexSelect(x, 0, []int{2, 0, 2}).Data())
	require.Equal(t, []float64{1, 1, 0, 0, 2, 2}, IndexAdd(Ones[float64](3, 2), 0, []int{2, 0, 2}, []int{3, 2}).Data())
	requireShapePanic(t, "index 4 out of range [0, 4)", func() { Gather(x, 1, []int{4, 0, 0}) })
	requireShapePanic(t, "shapes [2 2] and [2 1] differ outside axis 0", func() { Concat(0, a, b) })
}

func TestParallelKernelsMatchSerial(t *testing.T) {
	// Large enough to be split into blocks; the result must not depend on it.
	rng := rand.New(rand.NewPCG(9, 9))
	x := RandN[float64](rng, 300, 400)
	y := RandN[float64](rng, 400)
	s := Add(x, y)
	for i := range 300 {
		for j := 0; j < 400; j += 97 {
			require.Equal(t, x.At(i, j)+y.At(j), s.At(i, j))
		}
	}
	rowMaxes := Max(x, []int{1}, false)
	for i := 0; i < 300; i += 37 {
		want := math.Inf(-1)
		for j := range 400 {
			want = math.Max(want, x.At(i, j))
		}
		require.Equal(t, want, rowMaxes.At(i))
	}
}

func TestAddTo(t *testing.T) {
	rows := seq(2, 3)
	AddTo(rows, New([]float64{10, 20, 30}, 3))
	require.Equal(t, []float64{10, 21, 32, 13, 24, 35}, rows.Data(), "a row broadcast down the rows")
	col := seq(2, 3)
	AddTo(col, New([]float64{100, 200}, 2, 1))
	require.Equal(t, []float64{100, 101, 102, 203, 204, 205}, col.Data(), "a column, through the general path")
	base := seq(2, 4)
	view := base.Slice(1, 1, 3)
	AddTo(view, Scalar(1.0))
	require.Equal(t, []float64{0, 2, 3, 3, 4, 6, 7, 7}, base.Data(), "a view writes into its base")
}
