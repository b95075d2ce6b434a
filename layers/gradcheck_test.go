package layers_test

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nabla-go/nabla/autograd"
	"github.com/nabla-go/nabla/layers"
	"github.com/nabla-go/nabla/tensor"
)

// gradCase is a function of float64 inputs checked against central
// differences: first order always, second order unless firstOrderOnly.
type gradCase struct {
	name           string
	fn             func(in []*autograd.Var[float64]) *autograd.Var[float64]
	inputs         []*tensor.Dense[float64]
	firstOrderOnly bool
}

func runGradCases(t *testing.T, cases []gradCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.NoError(t, autograd.GradCheck(c.fn, c.inputs, autograd.GradCheckOptions{}), "first order")
			if !c.firstOrderOnly {
				require.NoError(t, autograd.GradGradCheck(c.fn, c.inputs, autograd.GradCheckOptions{}), "second order")
			}
		})
	}
}

// Input generators; each draws from its own seeded generator.

func randn(rng *rand.Rand, shape ...int) *tensor.Dense[float64] {
	return tensor.RandN[float64](rng, shape...)
}

// offKink draws values of magnitude in [0.1, 1.1) with random signs: none
// near the kink at 0 of ReLU, LeakyReLU or |x|.
func offKink(rng *rand.Rand, shape ...int) *tensor.Dense[float64] {
	t := tensor.RandUniform[float64](rng, 0.1, 1.1, shape...)
	d := t.Data()
	for i := range d {
		if rng.IntN(2) == 0 {
			d[i] = -d[i]
		}
	}
	return t
}

// shifted returns a + b, for a target that differs from a by b.
func shifted(a, b *tensor.Dense[float64]) *tensor.Dense[float64] { return tensor.Add(a, b) }

func probs(rng *rand.Rand, shape ...int) *tensor.Dense[float64] {
	return tensor.RandUniform[float64](rng, 0.05, 0.95, shape...)
}

func softTargets(rng *rand.Rand, n, c int) *tensor.Dense[float64] {
	return tensor.Softmax(randn(rng, n, c), 1)
}

// hingeScores draws scores whose margins 1 - x[y] + x[j] all stay at least
// 0.05 from the kink at 0.
func hingeScores(rng *rand.Rand, labels []int, c int) *tensor.Dense[float64] {
	for {
		s := randn(rng, len(labels), c)
		ok := true
		for i, y := range labels {
			for j := range c {
				if m := 1 - s.At(i, y) + s.At(i, j); j != y && m > -0.05 && m < 0.05 {
					ok = false
				}
			}
		}
		if ok {
			return s
		}
	}
}

func TestLayerGradients(t *testing.T) {
	rng := newRNG()
	linear := func(in []*autograd.Var[float64]) *layers.Linear[float64] {
		l := &layers.Linear[float64]{Weight: in[1]}
		if len(in) > 2 {
			l.Bias = in[2]
		}
		return l
	}
	module := func(m layers.Module[float64]) func(in []*autograd.Var[float64]) *autograd.Var[float64] {
		return func(in []*autograd.Var[float64]) *autograd.Var[float64] { return m.Forward(in[0]) }
	}
	evalDropout := layers.NewDropout[float64](0.5, newRNG())
	evalDropout.SetTraining(false)
	runGradCases(t, []gradCase{
		{name: "Linear", fn: func(in []*autograd.Var[float64]) *autograd.Var[float64] { return linear(in).Forward(in[0]) },
			inputs: []*tensor.Dense[float64]{randn(rng, 3, 4), randn(rng, 2, 4), randn(rng, 2)}},
		{name: "Linear/no bias", fn: func(in []*autograd.Var[float64]) *autograd.Var[float64] { return linear(in).Forward(in[0]) },
			inputs: []*tensor.Dense[float64]{randn(rng, 3, 4), randn(rng, 2, 4)}},
		{name: "Linear/vector input", fn: func(in []*autograd.Var[float64]) *autograd.Var[float64] { return linear(in).Forward(in[0]) },
			inputs: []*tensor.Dense[float64]{randn(rng, 4), randn(rng, 2, 4), randn(rng, 2)}},
		{name: "Linear/batch of sequences", fn: func(in []*autograd.Var[float64]) *autograd.Var[float64] { return linear(in).Forward(in[0]) },
			inputs: []*tensor.Dense[float64]{randn(rng, 2, 3, 4), randn(rng, 2, 4), randn(rng, 2)}},
		{name: "ReLU", fn: module(layers.NewReLU[float64]()), inputs: []*tensor.Dense[float64]{offKink(rng, 3, 4)}},
		{name: "LeakyReLU/0.01", fn: module(layers.NewLeakyReLU[float64](layers.DefaultLeakySlope)), inputs: []*tensor.Dense[float64]{offKink(rng, 3, 4)}},
		{name: "LeakyReLU/0.2", fn: module(layers.NewLeakyReLU[float64](0.2)), inputs: []*tensor.Dense[float64]{offKink(rng, 3, 4)}},
		{name: "Sigmoid", fn: module(layers.NewSigmoid[float64]()), inputs: []*tensor.Dense[float64]{randn(rng, 3, 4)}},
		{name: "Tanh", fn: module(layers.NewTanh[float64]()), inputs: []*tensor.Dense[float64]{randn(rng, 3, 4)}},
		{name: "GELU", fn: module(layers.NewGELU[float64]()), inputs: []*tensor.Dense[float64]{tensor.Scale(randn(rng, 3, 4), 2)}},
		{name: "GELU/tanh", fn: module(layers.NewGELUTanh[float64]()), inputs: []*tensor.Dense[float64]{tensor.Scale(randn(rng, 3, 4), 2)}},
		{name: "Softmax/axis 1", fn: module(layers.NewSoftmax[float64](1)), inputs: []*tensor.Dense[float64]{randn(rng, 3, 4)}},
		{name: "Softmax/axis 0", fn: module(layers.NewSoftmax[float64](0)), inputs: []*tensor.Dense[float64]{randn(rng, 3, 4)}},
		{name: "LogSoftmax", fn: module(layers.NewLogSoftmax[float64](-1)), inputs: []*tensor.Dense[float64]{randn(rng, 3, 4)}},
		// A fresh layer with the same seed per call: the same mask on every
		// evaluation, so the function is deterministic.
		{name: "Dropout/training", fn: func(in []*autograd.Var[float64]) *autograd.Var[float64] {
			return layers.NewDropout[float64](0.3, newRNG()).Forward(in[0])
		}, inputs: []*tensor.Dense[float64]{randn(rng, 4, 5)}, firstOrderOnly: true},
		{name: "Dropout/eval", fn: module(evalDropout), inputs: []*tensor.Dense[float64]{randn(rng, 4, 5)}},
		{name: "Flatten", fn: module(layers.NewFlatten[float64]()), inputs: []*tensor.Dense[float64]{randn(rng, 2, 3, 4)}},
		{name: "Flatten/transposed view", fn: func(in []*autograd.Var[float64]) *autograd.Var[float64] {
			return layers.NewFlatten[float64]().Forward(autograd.Transpose(in[0], 1, 2))
		}, inputs: []*tensor.Dense[float64]{randn(rng, 2, 3, 4)}},
		{name: "Sequential", fn: func(in []*autograd.Var[float64]) *autograd.Var[float64] {
			return layers.NewSequential[float64](
				&layers.Linear[float64]{Weight: in[1], Bias: in[2]},
				layers.NewTanh[float64](),
				layers.NewGELU[float64](),
				&layers.Linear[float64]{Weight: in[3]},
				layers.NewLogSoftmax[float64](1),
			).Forward(in[0])
		}, inputs: []*tensor.Dense[float64]{randn(rng, 3, 4), randn(rng, 5, 4), randn(rng, 5), randn(rng, 2, 5)}},
	})
}

// TestMLPGradient checks a whole two-layer MLP's cross-entropy loss against
// central differences with respect to all its parameters and its input.
func TestMLPGradient(t *testing.T) {
	rng := newRNG()
	labels := []int{0, 2, 1, 2, 0, 1}
	mlp := func(in []*autograd.Var[float64]) *autograd.Var[float64] {
		model := layers.NewSequential[float64](
			&layers.Linear[float64]{Weight: in[1], Bias: in[2]},
			layers.NewReLU[float64](),
			&layers.Linear[float64]{Weight: in[3], Bias: in[4]},
		)
		return layers.CrossEntropy(model.Forward(in[0]), labels)
	}
	runGradCases(t, []gradCase{{name: "MLP", fn: mlp, inputs: []*tensor.Dense[float64]{
		randn(rng, 6, 4), randn(rng, 8, 4), randn(rng, 8), randn(rng, 3, 8), randn(rng, 3),
	}}})
}

func TestLossGradients(t *testing.T) {
	rng := newRNG()
	const n, c = 5, 4
	labels := []int{1, 0, 3, 3, 2}
	ignored := []int{1, layers.IgnoreIndex, 3, 0, 2}
	weight := []float64{0.5, 2, 1, 1.5}
	posWeight := []float64{3, 0.5, 1, 2}
	var cases []gradCase
	for _, r := range []layers.Reduction{layers.ReduceMean, layers.ReduceSum, layers.ReduceNone} {
		x := randn(rng, n, c)
		add := func(name string, inputs []*tensor.Dense[float64], fn func(in []*autograd.Var[float64]) *autograd.Var[float64]) {
			cases = append(cases, gradCase{name: name + "/" + r.String(), fn: fn, inputs: inputs})
		}
		add("MSE", []*tensor.Dense[float64]{x, randn(rng, n, c)}, func(in []*autograd.Var[float64]) *autograd.Var[float64] {
			return layers.MSEWith(in[0], in[1], r)
		})
		add("L1", []*tensor.Dense[float64]{x, shifted(x, offKink(rng, n, c))}, func(in []*autograd.Var[float64]) *autograd.Var[float64] {
			return layers.L1With(in[0], in[1], r)
		})
		for _, o := range []struct {
			name string
			opts layers.CrossEntropyOptions
			y    []int
		}{
			{"plain", layers.CrossEntropyOptions{}, labels},
			{"weight", layers.CrossEntropyOptions{Weight: weight}, labels},
			{"smoothing", layers.CrossEntropyOptions{LabelSmoothing: 0.1}, labels},
			{"weight+smoothing", layers.CrossEntropyOptions{Weight: weight, LabelSmoothing: 0.2}, labels},
			{"ignore+weight+smoothing", layers.CrossEntropyOptions{Weight: weight, LabelSmoothing: 0.1}, ignored},
		} {
			o.opts.Reduction = r
			add("CrossEntropy/"+o.name, []*tensor.Dense[float64]{tensor.Scale(randn(rng, n, c), 2)}, func(in []*autograd.Var[float64]) *autograd.Var[float64] {
				return layers.CrossEntropyWith(in[0], o.y, o.opts)
			})
			if o.y[1] != layers.IgnoreIndex {
				add("CrossEntropyProbs/"+o.name, []*tensor.Dense[float64]{tensor.Scale(randn(rng, n, c), 2), softTargets(rng, n, c)}, func(in []*autograd.Var[float64]) *autograd.Var[float64] {
					return layers.CrossEntropyProbsWith(in[0], in[1], o.opts)
				})
			}
			if o.opts.LabelSmoothing == 0 {
				add("NLL/"+o.name, []*tensor.Dense[float64]{tensor.LogSoftmax(randn(rng, n, c), 1)}, func(in []*autograd.Var[float64]) *autograd.Var[float64] {
					return layers.NLLWith(in[0], o.y, layers.NLLOptions{Reduction: r, Weight: o.opts.Weight})
				})
			}
		}
		add("NLL/ignore", []*tensor.Dense[float64]{tensor.LogSoftmax(randn(rng, n, c), 1)}, func(in []*autograd.Var[float64]) *autograd.Var[float64] {
			return layers.NLLWith(in[0], ignored, layers.NLLOptions{Reduction: r})
		})
		for _, o := range []struct {
			name string
			w    []float64
		}{{"plain", nil}, {"weight", weight}} {
			add("BCE/"+o.name, []*tensor.Dense[float64]{probs(rng, 3, c), tensor.RandUniform[float64](rng, 0, 1, 3, c)}, func(in []*autograd.Var[float64]) *autograd.Var[float64] {
				return layers.BCEWith(in[0], in[1], layers.BCEOptions{Reduction: r, Weight: o.w})
			})
		}
		for _, o := range []struct {
			name   string
			w, pos []float64
		}{{"plain", nil, nil}, {"weight", weight, nil}, {"pos_weight", nil, posWeight}, {"weight+pos_weight", weight, posWeight}} {
			add("BCEWithLogits/"+o.name, []*tensor.Dense[float64]{tensor.Scale(randn(rng, 3, c), 3), tensor.RandUniform[float64](rng, 0, 1, 3, c)}, func(in []*autograd.Var[float64]) *autograd.Var[float64] {
				return layers.BCEWithLogitsWith(in[0], in[1], layers.BCEWithLogitsOptions{Reduction: r, Weight: o.w, PosWeight: o.pos})
			})
		}
		add("Hinge", []*tensor.Dense[float64]{hingeScores(rng, labels, c)}, func(in []*autograd.Var[float64]) *autograd.Var[float64] {
			return layers.HingeWith(in[0], labels, r)
		})
	}
	// Logits exactly 0, where the stable BCE form switches branch: the
	// gradient there is σ(0) - y, and the second derivative σ'(0).
	cases = append(cases, gradCase{name: "BCEWithLogits/at 0", inputs: []*tensor.Dense[float64]{tensor.Zeros[float64](2, 3), tensor.RandUniform[float64](rng, 0, 1, 2, 3)},
		fn: func(in []*autograd.Var[float64]) *autograd.Var[float64] { return layers.BCEWithLogits(in[0], in[1]) }})
	runGradCases(t, cases)
}
