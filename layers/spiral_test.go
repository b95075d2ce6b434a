package layers_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nabla-go/nabla/autograd"
	"github.com/nabla-go/nabla/layers"
	"github.com/nabla-go/nabla/tensor"
)

// twoSpirals returns n points per class of two interleaved spirals, each
// turning 1.5 times around the origin out to radius 3, with a little
// Gaussian noise.
func twoSpirals(rng *rand.Rand, n int) (*tensor.Dense[float32], []int) {
	x := tensor.Zeros[float32](2*n, 2)
	labels := make([]int, 2*n)
	for k := range 2 {
		for i := range n {
			s := float64(i) / float64(n)
			r := 3 * (0.05 + 0.95*s)
			theta := 3*math.Pi*s + float64(k)*math.Pi
			row := k*n + i
			x.Set(float32(r*math.Cos(theta)+0.06*rng.NormFloat64()), row, 0)
			x.Set(float32(r*math.Sin(theta)+0.06*rng.NormFloat64()), row, 1)
			labels[row] = k
		}
	}
	return x, labels
}

// sgdStep is plain gradient descent, p ← p - lr·∇p, written inline because
// the optim package is not a dependency of layers.
func sgdStep(params []*autograd.Var[float32], lr float32) {
	for _, p := range params {
		w, g := p.Value().Data(), p.Grad().Data()
		for i := range w {
			w[i] -= lr * g[i]
		}
		p.ZeroGrad()
	}
}

func accuracy(logits *tensor.Dense[float32], labels []int) float64 {
	correct := 0
	for i, p := range tensor.ArgMax(logits, 1) {
		if p == labels[i] {
			correct++
		}
	}
	return float64(correct) / float64(len(labels))
}

// TestTrainSpiral trains an MLP in float32 on two spirals, a problem no
// linear model solves, to at least 95% training accuracy.
func TestTrainSpiral(t *testing.T) {
	rng := newRNG()
	x, labels := twoSpirals(rng, 200)
	model := layers.NewSequential[float32](
		layers.NewLinear[float32](2, 32, rng),
		layers.NewTanh[float32](),
		layers.NewLinear[float32](32, 32, rng),
		layers.NewTanh[float32](),
		layers.NewLinear[float32](32, 2, rng),
	)
	in := autograd.Const(x)
	var first, last float32
	for step := range 800 {
		loss := layers.CrossEntropy(model.Forward(in), labels)
		if step == 0 {
			first = loss.Item()
		}
		last = loss.Item()
		loss.Backward()
		sgdStep(model.Parameters(), 0.5)
	}
	var acc float64
	autograd.NoGrad(func() { acc = accuracy(model.Forward(in).Value(), labels) })
	t.Logf("spiral: loss %.4f -> %.4f, training accuracy %.1f%%", first, last, 100*acc)
	require.GreaterOrEqual(t, acc, 0.95)
}
