package checkpoint_test

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nabla-go/nabla/autograd"
	"github.com/nabla-go/nabla/layers"
	"github.com/nabla-go/nabla/optim"
	"github.com/nabla-go/nabla/tensor"
)

// The architectures the tests share with testdata/interop.py, which builds
// the same nn.Sequential models.

// newMLP is Linear(4, 16), ReLU, Linear(16, 8), Tanh, Linear(8, 3).
func newMLP[T tensor.Float](rng *rand.Rand) *layers.Sequential[T] {
	return layers.NewSequential[T](
		layers.NewLinear[T](4, 16, rng),
		layers.NewReLU[T](),
		layers.NewLinear[T](16, 8, rng),
		layers.NewTanh[T](),
		layers.NewLinear[T](8, 3, rng),
	)
}

// newCNN is, for inputs [N, 1, 8, 8]: Conv2d(1, 4, 3, padding=1),
// BatchNorm2d(4), ReLU, MaxPool2d(2), Conv2d(4, 8, 3), BatchNorm2d(8), ReLU,
// AdaptiveAvgPool2d(1), Flatten, Linear(8, 3).
func newCNN[T tensor.Float](rng *rand.Rand) *layers.Sequential[T] {
	pad1 := autograd.Conv2DOptions{Padding: [2]int{1, 1}}
	return layers.NewSequential[T](
		layers.NewConv2D[T](1, 4, [2]int{3, 3}, pad1, rng),
		layers.NewBatchNorm2D[T](4),
		layers.NewReLU[T](),
		layers.NewMaxPool2D[T](autograd.Pool2DOptions{Kernel: [2]int{2, 2}}),
		layers.NewConv2D[T](4, 8, [2]int{3, 3}, autograd.Conv2DOptions{}, rng),
		layers.NewBatchNorm2D[T](8),
		layers.NewReLU[T](),
		layers.NewAdaptiveAvgPool2D[T](1, 1),
		layers.NewFlatten[T](),
		layers.NewLinear[T](8, 3, rng),
	)
}

// inputFor returns a batch of n inputs for newMLP ("mlp") or newCNN ("cnn").
func inputFor[T tensor.Float](arch string, n int, rng *rand.Rand) *tensor.Dense[T] {
	if arch == "cnn" {
		return tensor.RandN[T](rng, n, 1, 8, 8)
	}
	return tensor.RandN[T](rng, n, 4)
}

// build returns a fresh model of the architecture.
func build[T tensor.Float](arch string, rng *rand.Rand) *layers.Sequential[T] {
	if arch == "cnn" {
		return newCNN[T](rng)
	}
	return newMLP[T](rng)
}

// trainAFew takes a few Adam steps on random data with random labels, so that
// the weights and the batch norm statistics are no longer their initial
// values.
func trainAFew[T tensor.Float](arch string, m *layers.Sequential[T], rng *rand.Rand) {
	m.SetTraining(true)
	opt := optim.NewAdam(m.Parameters(), optim.AdamConfig{LR: 1e-2})
	for range 5 {
		x := inputFor[T](arch, 16, rng)
		labels := make([]int, 16)
		for i := range labels {
			labels[i] = rng.IntN(3)
		}
		loss := layers.CrossEntropy(m.Forward(autograd.Const(x)), labels)
		opt.ZeroGrad()
		loss.Backward()
		opt.Step()
	}
}

// predict runs m in evaluation mode without recording a graph.
func predict[T tensor.Float](m layers.Module[T], x *tensor.Dense[T]) *tensor.Dense[T] {
	m.SetTraining(false)
	var out *tensor.Dense[T]
	autograd.NoGrad(func() { out = m.Forward(autograd.Const(x)).Value() })
	return out
}

// snapshot copies every entry of m's state dict.
func snapshot[T tensor.Float](m layers.Module[T]) map[string][]T {
	s := make(map[string][]T)
	for _, nt := range layers.StateDict(m) {
		s[nt.Name] = append([]T(nil), nt.Tensor.Data()...)
	}
	return s
}

// requireSameBits fails unless a and b hold the same bits (NaN included).
func requireSameBits[T tensor.Float](t testing.TB, want, got map[string][]T, msgAndArgs ...any) {
	t.Helper()
	require.Equal(t, len(want), len(got), msgAndArgs...)
	for name, w := range want {
		g, ok := got[name]
		require.True(t, ok, "entry %s missing", name)
		require.Equal(t, bitsOf(w), bitsOf(g), append([]any{"entry " + name}, msgAndArgs...)...)
	}
}

func bitsOf[T tensor.Float](xs []T) []uint64 {
	out := make([]uint64, len(xs))
	for i, x := range xs {
		switch v := any(x).(type) {
		case float32:
			out[i] = uint64(math.Float32bits(v))
		case float64:
			out[i] = math.Float64bits(v)
		}
	}
	return out
}

// maxAbsDiff is the largest |a[i] - b[i]|.
func maxAbsDiff[T tensor.Float](a, b *tensor.Dense[T]) float64 {
	x, y := a.Data(), b.Data()
	d := 0.0
	for i := range x {
		d = max(d, math.Abs(float64(x[i])-float64(y[i])))
	}
	return d
}

// writeFile writes b to a new file in a temporary directory.
func writeFile(t testing.TB, name string, b []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, b, 0o644))
	return path
}

func newRNG(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x5eed)) }
