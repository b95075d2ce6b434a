package layers_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nabla-go/nabla/autograd"
	"github.com/nabla-go/nabla/internal/testkit"
	"github.com/nabla-go/nabla/layers"
	"github.com/nabla-go/nabla/tensor"
)

// requireShapePanic asserts that f panics with an error wrapping
// tensor.ErrShape.
func requireShapePanic(t *testing.T, f func()) {
	testkit.RequirePanicIs(t, tensor.ErrShape, "", f)
}

func meanStd(xs []float64) (mean, std float64) {
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	for _, x := range xs {
		std += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(std / float64(len(xs)))
}

func TestFans(t *testing.T) {
	for _, c := range []struct {
		shape       []int
		fanIn, fout int
	}{
		{[]int{}, 1, 1},
		{[]int{7}, 7, 7},
		{[]int{3, 5}, 5, 3},
		{[]int{8, 3, 5, 5}, 75, 200},
	} {
		in, out := layers.Fans(c.shape...)
		require.Equal(t, c.fanIn, in, "%v", c.shape)
		require.Equal(t, c.fout, out, "%v", c.shape)
	}
}

// TestInitSchemes draws large weights from each scheme and compares their
// range, mean and standard deviation with the scheme's definition.
func TestInitSchemes(t *testing.T) {
	const out, in = 200, 300
	for _, c := range []struct {
		name  string
		init  layers.Init
		bound float64 // 0: unbounded (normal)
		std   float64
	}{
		{name: "Uniform", init: layers.Uniform(-0.5, 0.5), bound: 0.5, std: 0.5 / math.Sqrt(3)},
		{name: "Normal", init: layers.Normal(0, 0.01), std: 0.01},
		{name: "KaimingUniform(sqrt 5)", init: layers.KaimingUniform(math.Sqrt(5)), bound: 1 / math.Sqrt(in), std: 1 / math.Sqrt(in) / math.Sqrt(3)},
		{name: "KaimingUniform(0)", init: layers.KaimingUniform(0), bound: math.Sqrt(6.0 / in), std: math.Sqrt(2.0 / in)},
		{name: "KaimingNormal(0)", init: layers.KaimingNormal(0), std: math.Sqrt(2.0 / in)},
		{name: "XavierUniform", init: layers.XavierUniform(1), bound: math.Sqrt(6.0 / (in + out)), std: math.Sqrt(2.0 / (in + out))},
		{name: "XavierNormal(2)", init: layers.XavierNormal(2), std: 2 * math.Sqrt(2.0/(in+out))},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := layers.NewWeight[float64](newRNG(), c.init, out, in)
			require.Equal(t, []int{out, in}, w.Shape())
			mean, std := meanStd(w.Data())
			require.InDelta(t, 0, mean, 4*c.std/math.Sqrt(out*in))
			require.InDelta(t, c.std, std, 0.02*c.std)
			if c.bound > 0 {
				for _, v := range w.Data() {
					require.LessOrEqual(t, math.Abs(v), c.bound)
				}
			}
		})
	}
	require.Equal(t, []float64{3, 3}, layers.NewWeight[float64](newRNG(), layers.Constant(3), 2).Data())
}

func TestNewLinear(t *testing.T) {
	l := layers.NewLinear[float32](300, 200, newRNG())
	require.Equal(t, []int{200, 300}, l.Weight.Shape())
	require.Equal(t, []int{200}, l.Bias.Shape())
	require.Equal(t, 300, l.In())
	require.Equal(t, 200, l.Out())
	require.True(t, l.Weight.RequiresGrad())
	bound := 1 / math.Sqrt(300)
	for _, p := range []*autograd.Var[float32]{l.Weight, l.Bias} {
		for _, v := range p.Value().Data() {
			require.LessOrEqual(t, math.Abs(float64(v)), bound)
		}
	}
	_, std := meanStd(toFloat64(l.Weight.Value().Data()))
	require.InDelta(t, bound/math.Sqrt(3), std, 0.02*bound)
	_, bstd := meanStd(toFloat64(l.Bias.Value().Data()))
	require.InDelta(t, bound/math.Sqrt(3), bstd, 0.2*bound)

	again := layers.NewLinear[float32](300, 200, newRNG())
	require.Equal(t, l.Weight.Value().Data(), again.Weight.Value().Data(), "same seed, same weights")

	nb := layers.NewLinear[float64](4, 3, newRNG(), layers.WithoutBias())
	require.Nil(t, nb.Bias)
	require.Len(t, nb.NamedParameters(), 1)
	require.Equal(t, "weight", nb.NamedParameters()[0].Name)

	he := layers.NewLinear[float64](400, 300, newRNG(), layers.WithInit(layers.KaimingNormal(0)), layers.WithBiasInit(layers.Constant(0)))
	_, std = meanStd(he.Weight.Value().Data())
	require.InDelta(t, math.Sqrt(2.0/400), std, 0.02*math.Sqrt(2.0/400))
	require.Equal(t, make([]float64, 300), he.Bias.Value().Data())
}

func toFloat64[T tensor.Float](xs []T) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = float64(x)
	}
	return out
}

func TestLinearForward(t *testing.T) {
	l := &layers.Linear[float64]{
		Weight: autograd.Param(tensor.New([]float64{1, 2, 3, 4, 5, 6}, 2, 3)),
		Bias:   autograd.Param(tensor.New([]float64{10, 20}, 2)),
	}
	x := autograd.Const(tensor.New([]float64{1, 0, -1, 2, 1, 0}, 2, 3))
	require.Equal(t, []float64{1 - 3 + 10, 4 - 6 + 20, 2 + 2 + 10, 8 + 5 + 20}, l.Forward(x).Value().Data())
	require.Equal(t, []int{2}, l.Forward(autograd.Const(tensor.New([]float64{1, 1, 1}, 3))).Shape())
	require.Equal(t, []int{4, 5, 2}, l.Forward(autograd.Const(tensor.Zeros[float64](4, 5, 3))).Shape())
	requireShapePanic(t, func() { l.Forward(autograd.Const(tensor.Zeros[float64](2, 4))) })
	requireShapePanic(t, func() { l.Forward(autograd.Scalar[float64](1)) })
}

func TestActivations(t *testing.T) {
	x := autograd.Const(tensor.New([]float64{-2, -0.5, 0, 0.5, 2}, 5))
	for _, c := range []struct {
		name string
		m    layers.Module[float64]
		want func(float64) float64
	}{
		{"ReLU", layers.NewReLU[float64](), func(v float64) float64 { return math.Max(v, 0) }},
		{"LeakyReLU", layers.NewLeakyReLU[float64](0.1), func(v float64) float64 { return math.Max(v, 0.1*v) }},
		{"Sigmoid", layers.NewSigmoid[float64](), func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }},
		{"Tanh", layers.NewTanh[float64](), math.Tanh},
		{"GELU", layers.NewGELU[float64](), func(v float64) float64 { return v * (1 + math.Erf(v/math.Sqrt2)) / 2 }},
		{"GELU/tanh", layers.NewGELUTanh[float64](), func(v float64) float64 {
			return v * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(v+0.044715*v*v*v))) / 2
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			require.Empty(t, c.m.NamedParameters())
			c.m.SetTraining(false)
			for i, v := range c.m.Forward(x).Value().Data() {
				require.InDelta(t, c.want(x.Value().Data()[i]), v, 1e-15)
			}
		})
	}
	// GELU(+Inf) = +Inf, and an ordinary input beside it is unaffected.
	inf := layers.NewGELU[float64]().Forward(autograd.Param(tensor.New([]float64{math.Inf(1), 1}, 2)))
	require.Equal(t, math.Inf(1), inf.Value().At(0))
	require.InDelta(t, 0.8413447460685429, inf.Value().At(1), 1e-15)
	// GELU of a constant records nothing; of a Param it does.
	require.True(t, layers.NewGELU[float64]().Forward(x).IsLeaf())
	require.False(t, layers.NewGELU[float64]().Forward(autograd.Param(x.Value())).IsLeaf())

	s := layers.NewSoftmax[float64](-1).Forward(autograd.Const(tensor.New([]float64{1, 2, 3, 1, 1, 1}, 2, 3)))
	require.InDeltaSlice(t, []float64{0.09003057317038046, 0.24472847105479764, 0.6652409557748219, 1.0 / 3, 1.0 / 3, 1.0 / 3}, s.Value().Data(), 1e-15)
	ls := layers.NewLogSoftmax[float64](1).Forward(autograd.Const(tensor.New([]float64{1, 2, 3, 1, 1, 1}, 2, 3)))
	for i, v := range ls.Value().Data() {
		require.InDelta(t, math.Log(s.Value().Data()[i]), v, 1e-15)
	}
}

func TestDropout(t *testing.T) {
	x := autograd.Param(tensor.Ones[float64](100, 100))
	d := layers.NewDropout[float64](0.3, newRNG())
	require.True(t, d.Training())
	y := d.Forward(x)
	zeros := 0
	for _, v := range y.Value().Data() {
		if v == 0 {
			zeros++
		} else {
			require.InDelta(t, 1/0.7, v, 1e-15, "survivors are scaled by 1/(1-p)")
		}
	}
	require.InDelta(t, 0.3, float64(zeros)/1e4, 0.02)
	autograd.Sum(y).Backward()
	require.Equal(t, y.Value().Data(), x.Grad().Data(), "the gradient is the mask")

	again := layers.NewDropout[float64](0.3, newRNG()).Forward(x)
	require.Equal(t, y.Value().Data(), again.Value().Data(), "same seed, same mask")
	require.NotEqual(t, y.Value().Data(), d.Forward(x).Value().Data(), "a fresh mask per call")

	d.SetTraining(false)
	require.False(t, d.Training())
	require.Same(t, x, d.Forward(x), "identity in evaluation")
	require.Same(t, x, layers.NewDropout[float64](0, newRNG()).Forward(x))
	require.Equal(t, make([]float64, 1e4), layers.NewDropout[float64](1, newRNG()).Forward(x).Value().Data())
	require.Panics(t, func() { layers.NewDropout[float64](1.5, newRNG()) })
	require.Panics(t, func() { layers.NewDropout[float64](math.NaN(), newRNG()) })
}

func TestFlatten(t *testing.T) {
	f := layers.NewFlatten[float32]()
	require.Equal(t, []int{2, 12}, f.Forward(autograd.Const(tensor.Zeros[float32](2, 3, 4))).Shape())
	require.Equal(t, []int{2, 3}, f.Forward(autograd.Const(tensor.Zeros[float32](2, 3))).Shape())
	require.Equal(t, []int{5, 1}, f.Forward(autograd.Const(tensor.Zeros[float32](5))).Shape())
	requireShapePanic(t, func() { f.Forward(autograd.Scalar[float32](1)) })
}

// buffered is a stand-in for a layer with buffers (batch norm's running
// statistics).
type buffered struct {
	layers.Linear[float64]
	count    *tensor.Dense[float64]
	training bool
}

func (b *buffered) NamedBuffers() []layers.NamedBuffer[float64] {
	return []layers.NamedBuffer[float64]{{Name: "count", Tensor: b.count}}
}

func (b *buffered) SetTraining(training bool) { b.training = training }

func newBuffered(rng *rand.Rand) *buffered {
	return &buffered{Linear: *layers.NewLinear[float64](3, 3, rng), count: tensor.Scalar[float64](0), training: true}
}

func TestSequential(t *testing.T) {
	rng := newRNG()
	drop := layers.NewDropout[float64](0.5, rng)
	bn := newBuffered(rng)
	model := layers.NewSequential[float64](
		layers.NewLinear[float64](4, 3, rng),
		layers.NewReLU[float64](),
		bn,
		drop,
		layers.NewLinear[float64](3, 2, rng, layers.WithoutBias()),
	)
	var names []string
	for _, p := range model.NamedParameters() {
		names = append(names, p.Name)
	}
	require.Equal(t, []string{"0.weight", "0.bias", "2.weight", "2.bias", "4.weight"}, names)
	require.Equal(t, layers.Parameters[float64](model), model.Parameters())
	require.Len(t, model.Parameters(), 5)
	require.Same(t, bn.Weight, model.Parameters()[2])
	bufs := layers.Buffers[float64](model)
	require.Len(t, bufs, 1)
	require.Equal(t, "2.count", bufs[0].Name)
	require.Same(t, bn.count, bufs[0].Tensor)

	model.SetTraining(false)
	require.False(t, drop.Training())
	require.False(t, bn.training)
	model.SetTraining(true)
	require.True(t, drop.Training())
	require.True(t, bn.training)

	require.Len(t, model.Layers(), 5)
	model.Append(layers.NewSigmoid[float64]())
	require.Len(t, model.Layers(), 6)
	require.Equal(t, []int{7, 2}, model.Forward(autograd.Const(tensor.Zeros[float64](7, 4))).Shape())
	require.Empty(t, layers.NewSequential[float64]().NamedParameters())
}
