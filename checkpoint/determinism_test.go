package checkpoint_test

import (
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nabla-go/nabla/autograd"
	"github.com/nabla-go/nabla/datasets"
	"github.com/nabla-go/nabla/layers"
	"github.com/nabla-go/nabla/optim"
	"github.com/nabla-go/nabla/tensor"
)

// TestDeterministicAcrossGOMAXPROCS trains the same seeded runs with
// GOMAXPROCS 1 and 2: the losses and the final weights are the same bits
// (DESIGN.md, decision 7). The runs are big enough for the kernels to split
// their work: the MLP's hidden activations [128, 512] hold 65536 elements,
// twice the tensor package's block of 2^15, and its 512x512 layer multiplies
// 128·512·512 ≈ 3.4e7 multiply-adds, far above GEMM's parallel threshold of
// 128·128·64; the CNN's first convolution gives [32, 16, 28, 28], 401408
// elements.
func TestDeterministicAcrossGOMAXPROCS(t *testing.T) {
	for _, tc := range []struct {
		name  string
		steps int
		run   func(steps int) ([]float32, map[string][]float32)
	}{
		{"mlp", 8, deterministicMLP},
		{"cnn", 3, deterministicCNN},
	} {
		t.Run(tc.name, func(t *testing.T) {
			steps := tc.steps
			if testing.Short() || raceEnabled {
				steps = 2 // enough to find a race in the parallel kernels
			}
			prev := runtime.GOMAXPROCS(1)
			defer runtime.GOMAXPROCS(prev)
			losses1, weights1 := tc.run(steps)
			runtime.GOMAXPROCS(2)
			losses2, weights2 := tc.run(steps)

			require.Equal(t, bitsOf(losses1), bitsOf(losses2), "losses")
			requireSameBits(t, weights1, weights2, "weights")
			t.Logf("%d steps, losses %v ... %v, identical on 1 and 2 procs", steps, losses1[0], losses1[len(losses1)-1])
		})
	}
}

// deterministicMLP trains a 2-512-512-3 MLP with Adam on shuffled batches of
// 128 spiral points.
func deterministicMLP(steps int) ([]float32, map[string][]float32) {
	data := datasets.Spiral(400, 3, 0.2, rand.New(rand.NewPCG(1, 1)))
	init := rand.New(rand.NewPCG(2, 2))
	model := layers.NewSequential[float32](
		layers.NewLinear[float32](2, 512, init),
		layers.NewReLU[float32](),
		layers.NewLinear[float32](512, 512, init),
		layers.NewReLU[float32](),
		layers.NewLinear[float32](512, 3, init),
	)
	opt := optim.NewAdam(model.Parameters(), optim.AdamConfig{LR: 1e-3})
	shuffle := rand.New(rand.NewPCG(3, 3))
	var losses []float32
	for len(losses) < steps {
		for x, y := range data.BatchesWith(datasets.BatchOptions{Size: 128, RNG: shuffle, DropLast: true}) {
			if len(losses) == steps {
				break
			}
			loss := layers.CrossEntropy(model.Forward(autograd.Const(x)), y)
			losses = append(losses, loss.Item())
			opt.ZeroGrad()
			loss.Backward()
			opt.Step()
		}
	}
	return losses, snapshot[float32](model)
}

// deterministicCNN trains a convolution, batch norm, pooling and a linear
// head with SGD on random 28x28 images.
func deterministicCNN(steps int) ([]float32, map[string][]float32) {
	rng := rand.New(rand.NewPCG(4, 4))
	model := layers.NewSequential[float32](
		layers.NewConv2D[float32](1, 16, [2]int{3, 3}, autograd.Conv2DOptions{Padding: [2]int{1, 1}}, rng),
		layers.NewBatchNorm2D[float32](16),
		layers.NewReLU[float32](),
		layers.NewMaxPool2D[float32](autograd.Pool2DOptions{Kernel: [2]int{2, 2}}),
		layers.NewFlatten[float32](),
		layers.NewLinear[float32](16*14*14, 10, rng),
	)
	opt := optim.NewSGD(model.Parameters(), optim.SGDConfig{LR: 0.01, Momentum: 0.9})
	var losses []float32
	for range steps {
		x := tensor.RandN[float32](rng, 32, 1, 28, 28)
		y := make([]int, 32)
		for i := range y {
			y[i] = rng.IntN(10)
		}
		loss := layers.CrossEntropy(model.Forward(autograd.Const(x)), y)
		losses = append(losses, loss.Item())
		opt.ZeroGrad()
		loss.Backward()
		opt.Step()
	}
	return losses, snapshot[float32](model)
}
