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
	rng := rand.New(rand.NewPCG(1, 2))
	var ps []*autograd.Var[float32]
	for _, shape := range [][]int{{1000, 500}, {500}} {
		p := autograd.Param(tensor.RandN[float32](rng, shape...))
		p.SetGrad(tensor.RandN[float32](rng, shape...))
		ps = append(ps, p)
	}
	return ps
}

func benchmarkStep(b *testing.B, opt Optimizer[float32]) {
	opt.Step() // allocate the state
	b.ReportAllocs()
	b.SetBytes(500_500 * 4)
	for b.Loop() {
		opt.Step()
	}
}

// BenchmarkAdamStep is one Adam step over 500,500 float32 parameters; it
// should report 0 allocs/op.
func BenchmarkAdamStep(b *testing.B) {
	benchmarkStep(b, NewAdam(benchParams(), AdamConfig{LR: 1e-3}))
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
		b.Run(bc.name, func(b *testing.B) { benchmarkStep(b, newOptimizer(bc.cfg, benchParams())) })
	}
}

func BenchmarkClipGradNorm(b *testing.B) {
	ps := benchParams()
	b.ReportAllocs()
	for b.Loop() {
		ClipGradNorm(ps, 1e9) // measures the norm; no rescaling
	}
}
