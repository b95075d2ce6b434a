package layers

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nabla-go/nabla/autograd"
	"github.com/nabla-go/nabla/tensor"
)

func TestBatchNormGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, training := range []bool{true, false} {
		b1 := NewBatchNorm1D[float64](3)
		b2 := NewBatchNorm2D[float64](3)
		b1.SetTraining(training)
		b2.SetTraining(training)
		// Non-trivial running statistics for evaluation mode.
		copy(b2.RunningMean.Data(), []float64{0.3, -0.2, 0.1})
		copy(b2.RunningVar.Data(), []float64{0.7, 1.4, 2})
		cases := []struct {
			name string
			x    []int
			set  func(w, b *autograd.Var[float64]) Module[float64]
		}{
			{"1d-NC", []int{5, 3}, func(w, b *autograd.Var[float64]) Module[float64] { b1.Weight, b1.Bias = w, b; return b1 }},
			{"1d-NCL", []int{2, 3, 4}, func(w, b *autograd.Var[float64]) Module[float64] { b1.Weight, b1.Bias = w, b; return b1 }},
			{"2d", []int{2, 3, 3, 2}, func(w, b *autograd.Var[float64]) Module[float64] { b2.Weight, b2.Bias = w, b; return b2 }},
		}
		for _, c := range cases {
			name := c.name + "/eval"
			if training {
				name = c.name + "/train"
			}
			t.Run(name, func(t *testing.T) {
				inputs := []*tensor.Dense[float64]{tensor.RandN[float64](rng, c.x...), tensor.RandN[float64](rng, 3), tensor.RandN[float64](rng, 3)}
				gradCheckLayer(t, func(in []*autograd.Var[float64]) *autograd.Var[float64] {
					return c.set(in[1], in[2]).Forward(in[0])
				}, inputs, false)
			})
		}
	}
}

func TestBatchNormStatistics(t *testing.T) {
	b := NewBatchNorm2D[float32](2)
	require.Equal(t, []string{"weight", "bias"}, []string{b.NamedParameters()[0].Name, b.NamedParameters()[1].Name})
	var bufNames []string
	for _, nb := range Buffers[float32](b) {
		bufNames = append(bufNames, nb.Name)
	}
	require.Equal(t, []string{"running_mean", "running_var", "num_batches_tracked"}, bufNames)
	require.Equal(t, []float32{1, 1}, b.Weight.Value().Data())
	require.Equal(t, []float32{0, 0}, b.Bias.Value().Data())

	// Channel 0 holds 1..8, channel 1 holds 10*(1..8): mean 4.5 and 45,
	// biased variance 5.25 and 525, unbiased 6 and 600.
	x := tensor.Zeros[float32](2, 2, 2, 2)
	for n := range 2 {
		for i := range 4 {
			v := float32(n*4 + i + 1)
			x.Set(v, n, 0, i/2, i%2)
			x.Set(10*v, n, 1, i/2, i%2)
		}
	}
	mean := b.RunningMean // the buffers are updated in place
	y := b.Forward(autograd.Const(x))
	require.InDeltaSlice(t, []float32{0.45, 4.5}, mean.Data(), 1e-5)
	require.InDeltaSlice(t, []float32{0.9 + 0.6, 0.9 + 60}, b.RunningVar.Data(), 1e-4)
	require.Equal(t, float32(1), b.NumBatchesTracked.Item())
	// Each channel of the output has mean 0 and biased variance 1 (up to eps).
	for ch := range 2 {
		var s, s2 float64
		for n := range 2 {
			for i := range 4 {
				v := float64(y.Value().At(n, ch, i/2, i%2))
				s += v
				s2 += v * v
			}
		}
		require.InDelta(t, 0, s/8, 1e-6)
		require.InDelta(t, 1, s2/8, 1e-3)
	}

	b.SetTraining(false)
	before := append([]float32{}, b.RunningMean.Data()...)
	ye := b.Forward(autograd.Const(x))
	require.Equal(t, before, b.RunningMean.Data(), "evaluation leaves the statistics alone")
	require.Equal(t, float32(1), b.NumBatchesTracked.Item())
	want := (1 - 0.45) / math.Sqrt(1.5+1e-5)
	require.InDelta(t, want, float64(ye.Value().At(0, 0, 0, 0)), 1e-5)

	requireShapePanic(t, func() { b.Forward(autograd.Const(tensor.Zeros[float32](2, 2, 4))) })
	requireShapePanic(t, func() { NewBatchNorm1D[float32](3).Forward(autograd.Const(tensor.Zeros[float32](1, 3))) }) // one value per channel
	requireShapePanic(t, func() { NewBatchNorm1D[float32](3).Forward(autograd.Const(tensor.Zeros[float32](4, 2))) })
}

func TestLayerNormGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, c := range []struct {
		name  string
		norm  []int
		shape []int
	}{
		{"last", []int{5}, []int{3, 5}},
		{"last2", []int{3, 4}, []int{2, 3, 4}},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := NewLayerNorm[float64](c.norm...)
			require.Equal(t, c.norm, m.Weight.Shape())
			inputs := []*tensor.Dense[float64]{tensor.RandN[float64](rng, c.shape...), tensor.RandN[float64](rng, c.norm...), tensor.RandN[float64](rng, c.norm...)}
			gradCheckLayer(t, func(in []*autograd.Var[float64]) *autograd.Var[float64] {
				m.Weight, m.Bias = in[1], in[2]
				return m.Forward(in[0])
			}, inputs, false)
		})
	}
	m := NewLayerNorm[float32](4)
	require.Len(t, m.NamedParameters(), 2)
	requireShapePanic(t, func() { m.Forward(autograd.Const(tensor.Zeros[float32](4, 3))) })
}

// TestConvStateDictNames checks that a convolutional Sequential names its
// state as PyTorch does, and that loading a state dict reaches batch norm's
// buffers in place.
func TestConvStateDictNames(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	net := NewSequential[float32](
		NewConv2D[float32](1, 2, [2]int{3, 3}, autograd.Conv2DOptions{}, rng),
		NewBatchNorm2D[float32](2),
		NewMaxPool2D[float32](autograd.Pool2DOptions{Kernel: [2]int{2, 2}}),
		NewLayerNorm[float32](2, 2),
		NewEmbedding[float32](3, 2, rng),
	)
	var names []string
	for _, nt := range StateDict[float32](net) {
		names = append(names, nt.Name)
	}
	require.ElementsMatch(t, []string{
		"0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked",
		"3.weight", "3.bias", "4.weight",
	}, names)

	bn := NewBatchNorm2D[float32](2)
	sd := []NamedTensor[float32]{
		{Name: "weight", Tensor: tensor.New([]float32{2, 1})},
		{Name: "bias", Tensor: tensor.New([]float32{0, 1})},
		{Name: "running_mean", Tensor: tensor.New([]float32{1, -1})},
		{Name: "running_var", Tensor: tensor.New([]float32{4, 1})},
		{Name: "num_batches_tracked", Tensor: tensor.Scalar[float32](7)},
	}
	require.NoError(t, LoadStateDict[float32](bn, sd, true))
	bn.SetTraining(false)
	y := bn.Forward(autograd.Const(tensor.Full[float32](3, 1, 2, 1, 1)))
	require.InDeltaSlice(t, []float32{2 * 2 / float32(math.Sqrt(4+1e-5)), 4/float32(math.Sqrt(1+1e-5)) + 1}, y.Value().Data(), 1e-5)
	require.Equal(t, float32(7), bn.NumBatchesTracked.Item())
}
