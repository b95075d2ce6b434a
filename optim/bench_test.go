package optim

import (
	"math/rand/v2"
	"testing"

	"github.com/nabla-go/nabla/autograd"
	"github.com/nabla-go/nabla/tensor"
)

// benchParams returns about 500k float32 parameters (a 1000x500 weight and
// a bias) with random gradients.
func benchParams() []*autograd.Var[float32] {
	return randomParams([]int{1000, 500}, []int{500})
}

// mlpParams returns the parameters of the benchmarks' MLP, 784-512-256-10,
// weights and biases (535,818 float32), with random gradients.
func mlpParams() []*autograd.Var[float32] {
	return randomParams([]int{512, 784}, []int{512}, []int{256, 512}, []int{256}, []int{10, 256}, []int{10})
}

func randomParams(shapes ...[]int) []*autograd.Var[float32] {
	rng := rand.New(rand.NewPCG(1, 2))
	var ps []*autograd.Var[float32]
	for _, shape := range shapes {
		p := autograd.Param(tensor.RandN[float32](rng, shape...))
		p.SetGrad(tensor.RandN[float32](rng, shape...))
		ps = append(ps, p)
	}
	return ps
}

func benchmarkStep(b *testing.B, opt Optimizer[float32], ps []*autograd.Var[float32]) {
	opt.Step() // allocate the state
	n := 0
	for _, p := range ps {
		n += p.Value().Size()
	}
	b.ReportAllocs()
	b.SetBytes(int64(n) * 4)
	for b.Loop() {
		opt.Step()
	}
}

// BenchmarkAdamStep is one Adam step over 500,500 float32 parameters; it
// should report 0 allocs/op.
func BenchmarkAdamStep(b *testing.B) {
	ps := benchParams()
	benchmarkStep(b, NewAdam(ps, AdamConfig{LR: 1e-3}), ps)
}

// BenchmarkAdamStepMLP is the optimizer's share of the benchmarks' MLP
// training step (BenchmarkTrainStep/mlp): one Adam step over its
// parameters.
func BenchmarkAdamStepMLP(b *testing.B) {
	ps := mlpParams()
	benchmarkStep(b, NewAdam(ps, AdamConfig{LR: 1e-3}), ps)
}

func BenchmarkOptimizers(b *testing.B) {
	for _, bc := range []struct {
		name string
		cfg  any
	}{
		{"SGD", SGDConfig{LR: 0.1}},
		{"SGDMomentum", SGDConfig{LR: 0.1, Momentum: 0.9}},
		{"AdamW", AdamWConfig{}},
		{"RMSProp", RMSPropConfig{}},
		{"Adagrad", AdagradConfig{}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			ps := benchParams()
			benchmarkStep(b, newOptimizer(bc.cfg, ps), ps)
		})
	}
}

func BenchmarkClipGradNorm(b *testing.B) {
	ps := benchParams()
	b.ReportAllocs()
	for b.Loop() {
		ClipGradNorm(ps, 1e9) // measures the norm; no rescaling
	}
}
