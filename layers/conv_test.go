package layers

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nabla-go/nabla/autograd"
	"github.com/nabla-go/nabla/internal/testkit"
	"github.com/nabla-go/nabla/tensor"
)

// gradCheckLayer checks, in float64 with central differences, the gradients
// of f with respect to all its inputs (the layer's input and parameters),
// first order and, unless firstOnly, second order.
func gradCheckLayer(t *testing.T, f func(in []*autograd.Var[float64]) *autograd.Var[float64], inputs []*tensor.Dense[float64], firstOnly bool) {
	t.Helper()
	require.NoError(t, autograd.GradCheck(f, inputs, autograd.GradCheckOptions{}))
	if !firstOnly {
		require.NoError(t, autograd.GradGradCheck(f, inputs, autograd.GradCheckOptions{}))
	}
}

// requireShapePanic asserts that f panics with an error wrapping
// tensor.ErrShape.
func requireShapePanic(t *testing.T, f func()) {
	testkit.RequirePanicIs(t, tensor.ErrShape, "", f)
}

func TestConv2DGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	cases := []struct {
		name    string
		in, out int
		kernel  [2]int
		opts    autograd.Conv2DOptions
		x       []int
		noBias  bool
	}{
		{"stride2-pad1", 3, 4, [2]int{3, 3}, autograd.Conv2DOptions{Stride: [2]int{2, 2}, Padding: [2]int{1, 1}}, []int{2, 3, 5, 6}, false},
		{"dilation2", 2, 2, [2]int{3, 3}, autograd.Conv2DOptions{Dilation: [2]int{2, 2}, Padding: [2]int{1, 1}}, []int{1, 2, 6, 6}, false},
		{"groups2", 4, 6, [2]int{2, 3}, autograd.Conv2DOptions{Groups: 2}, []int{2, 4, 4, 5}, false},
		{"no-bias", 2, 3, [2]int{1, 1}, autograd.Conv2DOptions{}, []int{2, 2, 3, 3}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var opts []Option
			if c.noBias {
				opts = append(opts, WithoutBias())
			}
			m := NewConv2D[float64](c.in, c.out, c.kernel, c.opts, rng, opts...)
			inputs := []*tensor.Dense[float64]{tensor.RandN[float64](rng, c.x...), m.Weight.Value()}
			if !c.noBias {
				inputs = append(inputs, m.Bias.Value())
			}
			gradCheckLayer(t, func(in []*autograd.Var[float64]) *autograd.Var[float64] {
				m.Weight = in[1]
				if len(in) > 2 {
					m.Bias = in[2]
				}
				return m.Forward(in[0])
			}, inputs, false)
		})
	}
}

func TestConv2DInitAndNames(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	m := NewConv2D[float32](6, 8, [2]int{3, 2}, autograd.Conv2DOptions{Groups: 2}, rng)
	require.Equal(t, []int{8, 3, 3, 2}, m.Weight.Shape())
	require.Equal(t, []int{8}, m.Bias.Shape())
	require.True(t, m.Weight.RequiresGrad())
	bound := 1 / math.Sqrt(3*3*2) // fanIn = in/groups*kH*kW
	for _, p := range []*autograd.Var[float32]{m.Weight, m.Bias} {
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, v := range p.Value().Data() {
			lo, hi = math.Min(lo, float64(v)), math.Max(hi, float64(v))
		}
		require.GreaterOrEqual(t, lo, -bound)
		require.Less(t, hi, bound)
		require.Less(t, lo, -bound/2, "values should spread over the range")
		require.Greater(t, hi, bound/2)
	}
	names := []string{}
	for _, n := range m.NamedParameters() {
		names = append(names, n.Name)
	}
	require.Equal(t, []string{"weight", "bias"}, names)
	require.Len(t, NewConv2D[float32](1, 2, [2]int{3, 3}, autograd.Conv2DOptions{}, rng, WithoutBias()).NamedParameters(), 1)

	// Same seed, same weights.
	a := NewConv2D[float32](2, 3, [2]int{3, 3}, autograd.Conv2DOptions{}, rand.New(rand.NewPCG(9, 9)))
	b := NewConv2D[float32](2, 3, [2]int{3, 3}, autograd.Conv2DOptions{}, rand.New(rand.NewPCG(9, 9)))
	require.Equal(t, a.Weight.Value().Data(), b.Weight.Value().Data())

	var _ Module[float32] = m
	require.Panics(t, func() { NewConv2D[float32](3, 4, [2]int{3, 3}, autograd.Conv2DOptions{Groups: 2}, rng) })
	y := m.Forward(autograd.Const(tensor.Zeros[float32](2, 6, 5, 5)))
	require.Equal(t, []int{2, 8, 3, 4}, y.Shape())
	requireShapePanic(t, func() { m.Forward(autograd.Const(tensor.Zeros[float32](2, 5, 5, 5))) })
	requireShapePanic(t, func() { m.Forward(autograd.Const(tensor.Zeros[float32](6, 5, 5))) })
}

// TestConv2DFloat32MatchesFloat64 runs one convolution in both precisions.
func TestConv2DFloat32MatchesFloat64(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	m64 := NewConv2D[float64](3, 5, [2]int{3, 3}, autograd.Conv2DOptions{Padding: [2]int{1, 1}, Stride: [2]int{2, 1}}, rng)
	m32 := NewConv2D[float32](3, 5, [2]int{3, 3}, autograd.Conv2DOptions{Padding: [2]int{1, 1}, Stride: [2]int{2, 1}}, rng)
	m32.Weight = autograd.Param(toF32(m64.Weight.Value()))
	m32.Bias = autograd.Param(toF32(m64.Bias.Value()))
	x := tensor.RandN[float64](rng, 2, 3, 9, 7)
	y64 := m64.Forward(autograd.Const(x)).Value().Data()
	y32 := m32.Forward(autograd.Const(toF32(x))).Value().Data()
	for i := range y64 {
		require.InDelta(t, y64[i], float64(y32[i]), 1e-5)
	}
}

func toF32(t *tensor.Dense[float64]) *tensor.Dense[float32] {
	d := t.Data()
	out := make([]float32, len(d))
	for i, v := range d {
		out[i] = float32(v)
	}
	return tensor.New(out, t.Shape()...)
}
