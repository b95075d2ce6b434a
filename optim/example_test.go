package optim_test

import (
	"fmt"
	"maps"
	"slices"

	"github.com/nabla-go/nabla/autograd"
	"github.com/nabla-go/nabla/optim"
	"github.com/nabla-go/nabla/tensor"
)

// One step of SGD on a one-weight least-squares problem: fit y = 2x from
// w = 0. The gradient of mean((wx − y)²) at w = 0 is −56/3, so w moves to
// 0.1·56/3.
func Example() {
	w := autograd.Param(tensor.New([]float64{0}, 1, 1))
	x := autograd.Const(tensor.New([]float64{1, 2, 3}, 3, 1))
	y := autograd.Const(tensor.New([]float64{2, 4, 6}, 3, 1))
	loss := func() *autograd.Var[float64] {
		d := autograd.Sub(autograd.MatMul(x, w), y)
		return autograd.Mean(autograd.Mul(d, d))
	}

	opt := optim.NewSGD([]*autograd.Var[float64]{w}, optim.SGDConfig{LR: 0.1})
	l := loss()
	opt.ZeroGrad()
	l.Backward()
	opt.Step()

	fmt.Printf("loss before %.4f, gradient %.4f\n", l.Item(), w.Grad().Item())
	fmt.Printf("w after %.4f, loss after %.4f\n", w.Value().Item(), loss().Item())
	// Output:
	// loss before 18.6667, gradient -18.6667
	// w after 1.8667, loss after 0.0830
}

// The headline use: Adam over float32 parameters with PyTorch's defaults,
// and its state, ready for a checkpoint.
func ExampleNewAdam() {
	w := autograd.Param(tensor.New([]float32{1, -1}, 1, 2))
	params := []*autograd.Var[float32]{w}
	opt := optim.NewAdam(params, optim.AdamConfig{LR: 1e-3})
	fmt.Printf("%+v\n", opt.Config())

	autograd.Sum(autograd.Mul(w, w)).Backward() // gradient 2w
	opt.Step()
	fmt.Println(w.Value().Data()) // Adam's first step moves each weight by lr
	fmt.Println(slices.Sorted(maps.Keys(opt.State())))
	// Output:
	// {LR:0.001 Beta1:0.9 Beta2:0.999 Eps:1e-08 WeightDecay:0 AMSGrad:false Maximize:false}
	// [0.999 -0.999]
	// [0.exp_avg 0.exp_avg_sq 0.step]
}

// A linear warm-up over 3 epochs followed by cosine annealing over 4.
func ExampleScheduler() {
	w := autograd.Param(tensor.Zeros[float64](1))
	opt := optim.NewSGD([]*autograd.Var[float64]{w}, optim.SGDConfig{LR: 0.1, Momentum: 0.9})
	sched := optim.NewScheduler(opt, optim.LinearWarmup{
		StartFactor: 0.25,
		Iters:       3,
		Then:        optim.CosineAnnealingLR{TMax: 4},
	})
	for epoch := range 8 {
		fmt.Printf("epoch %d: lr %.4f\n", epoch, opt.LR())
		// ... train one epoch: opt.Step() for every batch ...
		sched.Step()
	}
	// Output:
	// epoch 0: lr 0.0250
	// epoch 1: lr 0.0500
	// epoch 2: lr 0.0750
	// epoch 3: lr 0.1000
	// epoch 4: lr 0.0854
	// epoch 5: lr 0.0500
	// epoch 6: lr 0.0146
	// epoch 7: lr 0.0000
}

// Gradients (3, 4) and (12) have global norm 13; clipping to 6.5 halves
// them.
func ExampleClipGradNorm() {
	a := autograd.Param(tensor.Zeros[float64](2))
	b := autograd.Param(tensor.Zeros[float64](1))
	a.SetGrad(tensor.New([]float64{3, 4}))
	b.SetGrad(tensor.New([]float64{12}))
	norm := optim.ClipGradNorm([]*autograd.Var[float64]{a, b}, 6.5)
	fmt.Printf("norm %.1f, gradients %.4f %.4f\n", norm, a.Grad().Data(), b.Grad().Data())
	// Output:
	// norm 13.0, gradients [1.5000 2.0000] [6.0000]
}
