package autograd

import (
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nabla-go/nabla/tensor"
)

func vec(xs ...float64) *tensor.Dense[float64] { return tensor.New(xs, len(xs)) }

func TestDiamondAndSharedOperand(t *testing.T) {
	// y = a*b + a*c with b = a+1, c = 2a: a is reached along three paths.
	a := Param(vec(3))
	b := AddScalar(a, 1)
	c := Scale(a, 2)
	y := Sum(Add(Mul(a, b), Mul(a, c)))
	y.Backward()
	// y = a(a+1) + 2a² = 3a² + a, dy/da = 6a + 1.
	require.Equal(t, []float64{19}, a.Grad().Data())

	x := Param(vec(1.5, -2))
	Sum(Mul(x, x)).Backward()
	require.Equal(t, []float64{3, -4}, x.Grad().Data())
}

func TestDeepChainIsIterative(t *testing.T) {
	x := Param(vec(1))
	y := x
	for range 100_000 {
		y = AddScalar(y, 1e-5)
	}
	Sum(Mul(y, y)).Backward()
	// y = x + 1, so d(y²)/dx = 2(x+1) = 4.
	require.InDelta(t, 4, x.Grad().Item(), 1e-9)
}

func TestGradientsAccumulateUntilZeroGrad(t *testing.T) {
	x := Param(vec(2))
	f := func() *Var[float64] { return Sum(Mul(x, Scalar(3.0))) }
	f().Backward()
	f().Backward()
	require.Equal(t, 6.0, x.Grad().Item())
	x.ZeroGrad()
	require.Nil(t, x.Grad())
	f().Backward()
	require.Equal(t, 3.0, x.Grad().Item())
}

func TestBackwardNeedsScalarOrExplicitGradient(t *testing.T) {
	x := Param(vec(1, 2))
	y := Mul(x, x)
	defer func() {
		r := recover()
		require.NotNil(t, r)
		err := r.(error)
		require.True(t, errors.Is(err, tensor.ErrShape))
		require.Contains(t, err.Error(), "output of shape [2] is not a scalar")
	}()
	y.Backward()
}

func TestBackwardWithOutputGradient(t *testing.T) {
	x := Param(vec(1, 2))
	Mul(x, x).BackwardWith(vec(1, 10))
	require.Equal(t, []float64{2, 40}, x.Grad().Data())
}

func TestNoGradAndDetach(t *testing.T) {
	x := Param(vec(1, 2))
	var y *Var[float64]
	NoGrad(func() { y = Mul(x, x) })
	require.False(t, y.RequiresGrad())
	require.True(t, y.IsLeaf())
	require.True(t, IsRecording())

	z := Mul(x, x).Detach()
	require.False(t, z.RequiresGrad())
	w := Sum(Mul(z, x))
	w.Backward()
	require.Equal(t, []float64{1, 4}, x.Grad().Data(), "no gradient flows through the detached factor")
	require.Equal(t, "Sum", w.Op())
}

func TestBroadcastBackwardReducesToInputShape(t *testing.T) {
	a := Param(tensor.Ones[float64](2, 3))
	b := Param(vec(1, 2, 3))
	c := Param(tensor.Scalar(2.0))
	Sum(Mul(Add(a, b), c)).Backward()
	require.Equal(t, []int{2, 3}, a.Grad().Shape())
	require.Equal(t, []float64{4, 4, 4}, b.Grad().Data())
	require.Equal(t, []int{}, c.Grad().Shape())
	require.Equal(t, 18.0, c.Grad().Item())
}

func TestCreateGraphGivesSecondDerivatives(t *testing.T) {
	x := Param(vec(2))
	y := Mul(Mul(x, x), x) // x³
	g := Grad([]*Var[float64]{y}, []*Var[float64]{x}, GradOptions[float64]{CreateGraph: true})[0]
	require.Equal(t, 12.0, g.Item()) // 3x²
	require.True(t, g.RequiresGrad())
	g2 := Grad([]*Var[float64]{g}, []*Var[float64]{x}, GradOptions[float64]{CreateGraph: true})[0]
	require.Equal(t, 12.0, g2.Item()) // 6x
	g3 := Grad([]*Var[float64]{g2}, []*Var[float64]{x}, GradOptions[float64]{})[0]
	require.Equal(t, 6.0, g3.Item())
	require.False(t, g3.RequiresGrad())
	require.Nil(t, x.Grad(), "Grad leaves accumulated gradients alone")

	// An input the output does not depend on gets zeros.
	u := Param(vec(1, 1))
	require.Equal(t, []float64{0, 0}, Grad([]*Var[float64]{y}, []*Var[float64]{u}, GradOptions[float64]{})[0].Value().Data())
}

// Kinks get exact values instead of a numerical check, which would straddle
// them.
func TestKinkGradients(t *testing.T) {
	cases := []struct {
		name string
		in   *tensor.Dense[float64]
		f    func(*Var[float64]) *Var[float64]
		want []float64
	}{
		{"relu-at-zero", vec(-1, 0, 2), ReLU[float64], []float64{0, 0, 1}},
		{"abs-at-zero", vec(-1, 0, 2), Abs[float64], []float64{-1, 0, 1}},
		{"clamp-at-bounds", vec(-1, -0.5, 0.5, 1), func(v *Var[float64]) *Var[float64] { return Clamp(v, -0.5, 0.5) }, []float64{0, 1, 1, 0}},
		{"max-tie-splits", vec(3, 1, 3), func(v *Var[float64]) *Var[float64] { return Max(v) }, []float64{0.5, 0, 0.5}},
		{"min-tie-splits", vec(1, 1, 1, 5), func(v *Var[float64]) *Var[float64] { return Min(v) }, []float64{1.0 / 3, 1.0 / 3, 1.0 / 3, 0}},
		{"maximum-tie", vec(2, 5), func(v *Var[float64]) *Var[float64] { return Maximum(v, Const(vec(2, 1))) }, []float64{0.5, 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			x := Param(c.in)
			Sum(c.f(x)).Backward()
			require.InDeltaSlice(t, c.want, x.Grad().Data(), 1e-15)
		})
	}
}

func TestSoftmaxFamilyOnLargeInputs(t *testing.T) {
	cases := []struct {
		name           string
		in             []float64
		softmax        []float64
		logSoftmax     []float64
		logSumExp      float64
		lseGrad        []float64
		logSoftmaxGrad []float64 // gradient of sum(logsoftmax * w) for w = (1, 2, 3)
	}{
		{
			name: "spread", in: []float64{1000, 0, -1000},
			softmax: []float64{1, 0, 0}, logSoftmax: []float64{0, -1000, -2000},
			logSumExp: 1000, lseGrad: []float64{1, 0, 0},
			logSoftmaxGrad: []float64{1 - 6, 2, 3},
		},
		{
			name: "all-equal", in: []float64{1e4, 1e4, 1e4},
			softmax: []float64{1.0 / 3, 1.0 / 3, 1.0 / 3}, logSoftmax: []float64{-math.Log(3), -math.Log(3), -math.Log(3)},
			logSumExp: 1e4 + math.Log(3), lseGrad: []float64{1.0 / 3, 1.0 / 3, 1.0 / 3},
			logSoftmaxGrad: []float64{1 - 2, 2 - 2, 3 - 2},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			x := Param(vec(c.in...))
			require.InDeltaSlice(t, c.softmax, Softmax(x, 0).Value().Data(), 1e-12)
			require.InDeltaSlice(t, c.logSoftmax, LogSoftmax(x, 0).Value().Data(), 1e-9)
			lse := LogSumExp(x)
			require.InDelta(t, c.logSumExp, lse.Item(), 1e-9)
			lse.Backward()
			require.InDeltaSlice(t, c.lseGrad, x.Grad().Data(), 1e-12)
			x.ZeroGrad()
			Sum(Mul(LogSoftmax(x, 0), Const(vec(1, 2, 3)))).Backward()
			require.InDeltaSlice(t, c.logSoftmaxGrad, x.Grad().Data(), 1e-9)
			x.ZeroGrad()
			// Softmax's gradient sums to zero along the axis.
			Sum(Mul(Softmax(x, 0), Const(vec(1, 2, 3)))).Backward()
			for _, g := range x.Grad().Data() {
				require.False(t, math.IsNaN(g))
			}
			require.InDelta(t, 0, tensor.Sum(x.Grad(), nil, false).Item(), 1e-12)
		})
	}
}

func TestLogSumExpOfAllMinusInf(t *testing.T) {
	x := Param(tensor.New([]float64{math.Inf(-1), math.Inf(-1), 0, 1}, 2, 2))
	y := LogSumExp(x, 1)
	require.True(t, math.IsInf(y.Value().At(0), -1))
	require.InDelta(t, math.Log(1+math.E), y.Value().At(1), 1e-12)
	Sum(Mul(y, Const(vec(0, 1)))).Backward()
	g := x.Grad().Data()
	require.Equal(t, []float64{0, 0}, g[:2])
	require.InDelta(t, 1/(1+math.E), g[2], 1e-12)
}

// wrongSquare is x² with a backward that is off by one: GradCheck must catch
// it and say where.
func wrongSquare(a *Var[float64]) *Var[float64] {
	return record("WrongSquare", tensor.Mul(a.value, a.value), []*Var[float64]{a}, func(c *ctx[float64], g *Var[float64]) []*Var[float64] {
		return []*Var[float64]{Mul(g, AddScalar(Scale(c.in[0], 2), 1))}
	})
}

func TestGradCheckCatchesWrongBackward(t *testing.T) {
	in := []*tensor.Dense[float64]{tensor.New([]float64{0.5, -1, 2, 3}, 2, 2)}
	err := GradCheck(func(v []*Var[float64]) *Var[float64] { return wrongSquare(v[0]) }, in, GradCheckOptions{})
	require.Error(t, err)
	var gce *GradCheckError
	require.ErrorAs(t, err, &gce)
	require.Equal(t, 0, gce.Input)
	require.Equal(t, []int{0, 0}, gce.Index)
	// At x = 0.5 the wrong rule gives w·(2x+1) = 2w against the true w·2x = w.
	require.InDelta(t, 2*gce.Numerical, gce.Analytical, 1e-6)
	require.Contains(t, err.Error(), "gradient of input 0 at [0 0]")
	require.Equal(t, []float64{0.5, -1, 2, 3}, in[0].Data(), "GradCheck leaves the inputs as they were")

	// The correct op passes, and so does its second order.
	sq := func(v []*Var[float64]) *Var[float64] { return Mul(v[0], v[0]) }
	require.NoError(t, GradCheck(sq, in, GradCheckOptions{}))
	require.NoError(t, GradGradCheck(sq, in, GradCheckOptions{}))

	// A backward that is right to first order but wrong to second: GradCheck
	// passes, GradGradCheck does not.
	detachedSquare := func(v []*Var[float64]) *Var[float64] {
		return record("DetachedSquare", tensor.Mul(v[0].value, v[0].value), v, func(c *ctx[float64], g *Var[float64]) []*Var[float64] {
			return []*Var[float64]{Mul(g, Const(tensor.Scale(c.in[0].value, 2)))}
		})
	}
	require.NoError(t, GradCheck(detachedSquare, in, GradCheckOptions{}))
	err = GradGradCheck(detachedSquare, in, GradCheckOptions{})
	require.ErrorContains(t, err, "second-order gradient of input 0")
}

func TestDetectAnomaly(t *testing.T) {
	x := Param(vec(1, -1))
	err := DetectAnomaly(func() {
		y := Log(x) // log(-1) is NaN
		Sum(y).Backward()
	})
	var ae *AnomalyError
	require.ErrorAs(t, err, &ae)
	require.True(t, errors.Is(err, ErrAnomaly))
	require.Equal(t, "Log", ae.Op)
	require.Equal(t, "forward", ae.Pass)
	require.Contains(t, ae.Site, "autograd_test.go")

	// Finite forward, infinite backward: sqrt at 0.
	z := Param(vec(0, 4))
	err = DetectAnomaly(func() { Sum(Sqrt(z)).Backward() })
	require.ErrorAs(t, err, &ae)
	require.Equal(t, "Sqrt", ae.Op)
	require.Equal(t, "backward", ae.Pass)
	require.Contains(t, err.Error(), "backward of Sqrt produced Inf")

	require.NoError(t, DetectAnomaly(func() { Sum(Exp(x)).Backward() }))
}
