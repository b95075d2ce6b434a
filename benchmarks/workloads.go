package benchmarks

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/nabla-go/nabla/autograd"
	"github.com/nabla-go/nabla/datasets"
	"github.com/nabla-go/nabla/layers"
	"github.com/nabla-go/nabla/optim"
	"github.com/nabla-go/nabla/tensor"
)

// MatMulSizes are the square matrix sizes n of the GEMM workload (n x n
// times n x n), as in the reference.
var MatMulSizes = []int{64, 128, 256, 512, 1024}

// MatMulDTypes are the element types of the GEMM workload, named as PyTorch
// names them.
var MatMulDTypes = []string{"float32", "float64"}

// MatMulFLOPPerRun is the work timed per GEMM size, for both engines: the
// product is repeated max(3, MatMulFLOPPerRun/(2n³)) times after three
// warm-up runs. The reference script times 2e9, which at n = 512 is seven
// products: too few for a steady state, since each of nabla's results is
// fresh memory that Go faults in and zeroes until its heap is warm, while
// PyTorch's caching allocator hands back the same buffer. Ten times the
// work measures what a training loop sees.
const MatMulFLOPPerRun = 2e10

// MatMulFLOP is the number of floating-point operations of one n x n by
// n x n product, counted as PyTorch's figures count them: 2n³.
func MatMulFLOP(n int) float64 { return 2 * float64(n) * float64(n) * float64(n) }

// MatMulReps is the number of timed products of size n for a budget of
// flop operations, as the reference computes it: max(3, flop/(2n³)).
func MatMulReps(n int, flop float64) int { return max(3, int(flop/MatMulFLOP(n))) }

// ModelSpec is one of the reference training workloads: a model and how the
// reference trains it on Fashion-MNIST.
type ModelSpec struct {
	// Name is the reference's name of the model: "twolayer", "mlp" or "cnn".
	Name string
	// Optimizer is "sgd" or "adam", with learning rate LR and PyTorch's
	// defaults otherwise.
	Optimizer string
	LR        float64
	// Batch is the mini-batch size and Epochs the number of passes over the
	// 60000 training images of the reference run.
	Batch, Epochs int
	// Sample is the shape of one input sample: [784] for the fully connected
	// models, [1, 28, 28] for the CNN.
	Sample []int
	// Layers describes the architecture in PyTorch's terms, for tables.
	Layers string
	build  func(rng *rand.Rand) *layers.Sequential[float32]
}

// Models are the reference workloads in the reference's order.
var Models = []ModelSpec{
	{
		Name: "twolayer", Optimizer: "sgd", LR: 0.1, Batch: 100, Epochs: 3, Sample: []int{784},
		Layers: "Linear(784,50)-ReLU-Linear(50,10)",
		build: func(rng *rand.Rand) *layers.Sequential[float32] {
			return layers.NewSequential[float32](
				layers.NewLinear[float32](784, 50, rng),
				layers.NewReLU[float32](),
				layers.NewLinear[float32](50, 10, rng),
			)
		},
	},
	{
		Name: "mlp", Optimizer: "adam", LR: 1e-3, Batch: 128, Epochs: 3, Sample: []int{784},
		Layers: "Linear(784,512)-ReLU-Linear(512,256)-ReLU-Linear(256,10)",
		build: func(rng *rand.Rand) *layers.Sequential[float32] {
			return layers.NewSequential[float32](
				layers.NewLinear[float32](784, 512, rng),
				layers.NewReLU[float32](),
				layers.NewLinear[float32](512, 256, rng),
				layers.NewReLU[float32](),
				layers.NewLinear[float32](256, 10, rng),
			)
		},
	},
	{
		Name: "cnn", Optimizer: "adam", LR: 1e-3, Batch: 64, Epochs: 1, Sample: []int{1, 28, 28},
		Layers: "Conv(1,32,3,p1)-ReLU-MaxPool2-Conv(32,64,3,p1)-ReLU-MaxPool2-Flatten-Linear(3136,128)-ReLU-Linear(128,10)",
		build: func(rng *rand.Rand) *layers.Sequential[float32] {
			pad1 := autograd.Conv2DOptions{Padding: [2]int{1, 1}}
			pool2 := autograd.Pool2DOptions{Kernel: [2]int{2, 2}}
			return layers.NewSequential[float32](
				layers.NewConv2D[float32](1, 32, [2]int{3, 3}, pad1, rng),
				layers.NewReLU[float32](),
				layers.NewMaxPool2D[float32](pool2),
				layers.NewConv2D[float32](32, 64, [2]int{3, 3}, pad1, rng),
				layers.NewReLU[float32](),
				layers.NewMaxPool2D[float32](pool2),
				layers.NewFlatten[float32](),
				layers.NewLinear[float32](64*7*7, 128, rng),
				layers.NewReLU[float32](),
				layers.NewLinear[float32](128, 10, rng),
			)
		},
	},
}

// LookupModel returns the workload of the given name.
func LookupModel(name string) (ModelSpec, bool) {
	for _, m := range Models {
		if m.Name == name {
			return m, true
		}
	}
	return ModelSpec{}, false
}

// ModelNames lists the names of Models, comma-separated.
func ModelNames() string {
	names := make([]string, len(Models))
	for i, m := range Models {
		names[i] = m.Name
	}
	return strings.Join(names, ",")
}

// Describe is a short description of the training setup, such as
// "SGD lr 0.1, batch 100".
func (s ModelSpec) Describe() string {
	opt := "SGD"
	if s.Optimizer == "adam" {
		opt = "Adam"
	}
	return fmt.Sprintf("%s lr %g, batch %d", opt, s.LR, s.Batch)
}

// Optimizer is what a training step needs of an optimizer; optim.SGD and
// optim.Adam have it.
type Optimizer interface {
	ZeroGrad()
	Step()
}

// Trainer is a freshly initialised model of a workload with its optimizer.
type Trainer struct {
	Spec  ModelSpec
	Model *layers.Sequential[float32]
	Opt   Optimizer
}

// NewTrainer builds the model of s with PyTorch's default initialisation,
// drawing from rng, and its optimizer.
func (s ModelSpec) NewTrainer(rng *rand.Rand) *Trainer {
	m := s.build(rng)
	var opt Optimizer
	switch s.Optimizer {
	case "sgd":
		opt = optim.NewSGD(m.Parameters(), optim.SGDConfig{LR: s.LR})
	case "adam":
		opt = optim.NewAdam(m.Parameters(), optim.AdamConfig{LR: s.LR})
	default:
		panic("benchmarks: unknown optimizer " + s.Optimizer)
	}
	return &Trainer{Spec: s, Model: m, Opt: opt}
}

// Step takes one training step on the batch x with labels y, in the order of
// the reference loop: forward, cross-entropy loss, zero the gradients,
// backward, optimizer step. It returns the loss, and hands the step's
// buffers back for the next step to reuse (autograd.Release).
func (t *Trainer) Step(x *tensor.Dense[float32], y []int) float32 {
	loss := layers.CrossEntropy(t.Model.Forward(autograd.Const(x)), y)
	t.Opt.ZeroGrad()
	loss.Backward()
	t.Opt.Step()
	l := loss.Item()
	autograd.Release(loss)
	return l
}

// Predict returns the predicted class of every sample of x, evaluating in
// chunks of at most chunk samples without recording a graph.
func (t *Trainer) Predict(x *tensor.Dense[float32], chunk int) []int {
	t.Model.SetTraining(false)
	defer t.Model.SetTraining(true)
	n := x.Dim(0)
	pred := make([]int, 0, n)
	autograd.NoGrad(func() {
		for lo := 0; lo < n; lo += chunk {
			out := t.Model.Forward(autograd.Const(x.Slice(0, lo, min(lo+chunk, n)).Contiguous()))
			pred = append(pred, tensor.ArgMax(out.Value(), 1)...)
		}
	})
	return pred
}

// RandomBatch returns a Fashion-MNIST-shaped batch for s: s.Batch samples of
// shape s.Sample with pixels uniform in [0, 1) and labels uniform in 0..9.
func (s ModelSpec) RandomBatch(rng *rand.Rand) (*tensor.Dense[float32], []int) {
	return randomData(s.Batch, s.Sample, rng)
}

// SyntheticDataset returns n random Fashion-MNIST-shaped samples of shape
// sample (pixels uniform in [0, 1), ten classes), for runs without the data
// set.
func SyntheticDataset(n int, sample []int, rng *rand.Rand) *datasets.Dataset[float32] {
	x, y := randomData(n, sample, rng)
	return datasets.New(x, y)
}

func randomData(n int, sample []int, rng *rand.Rand) (*tensor.Dense[float32], []int) {
	x := tensor.RandUniform[float32](rng, 0, 1, append([]int{n}, sample...)...)
	y := make([]int, n)
	for i := range y {
		y[i] = rng.IntN(10)
	}
	return x, y
}
