package layers

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nabla-go/nabla/autograd"
	"github.com/nabla-go/nabla/tensor"
)

// distinctInput draws values at least 0.04 apart, so that no pooling window
// has a near-tie for central differences to straddle.
func distinctInput(rng *rand.Rand, shape ...int) *tensor.Dense[float64] {
	t := tensor.Zeros[float64](shape...)
	d := t.Data()
	for i, p := range rng.Perm(len(d)) {
		d[i] = float64(p)*0.05 - float64(len(d))*0.025 + rng.Float64()*0.01
	}
	return t
}

func TestPoolGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	cases := []struct {
		name string
		m    Module[float64]
		x    *tensor.Dense[float64]
	}{
		{"max", NewMaxPool2D[float64](autograd.Pool2DOptions{Kernel: [2]int{2, 2}}), distinctInput(rng, 2, 3, 4, 6)},
		{"max-overlap", NewMaxPool2D[float64](autograd.Pool2DOptions{Kernel: [2]int{3, 3}, Stride: [2]int{2, 2}, Padding: [2]int{1, 1}}), distinctInput(rng, 1, 2, 5, 5)},
		{"avg", NewAvgPool2D[float64](autograd.Pool2DOptions{Kernel: [2]int{3, 3}, Stride: [2]int{2, 2}, Padding: [2]int{1, 1}}), tensor.RandN[float64](rng, 2, 2, 5, 6)},
		{"avg-exclude", NewAvgPool2D[float64](autograd.Pool2DOptions{Kernel: [2]int{2, 2}, Stride: [2]int{1, 1}, Padding: [2]int{1, 1}, ExcludePad: true}), tensor.RandN[float64](rng, 1, 2, 3, 4)},
		{"adaptive-1x1", NewAdaptiveAvgPool2D[float64](1, 1), tensor.RandN[float64](rng, 2, 3, 4, 5)},
		{"adaptive-3x2", NewAdaptiveAvgPool2D[float64](3, 2), tensor.RandN[float64](rng, 1, 2, 7, 5)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.Empty(t, c.m.NamedParameters())
			c.m.SetTraining(false)
			gradCheckLayer(t, func(in []*autograd.Var[float64]) *autograd.Var[float64] { return c.m.Forward(in[0]) }, []*tensor.Dense[float64]{c.x}, false)
		})
	}
}

func TestPoolShapes(t *testing.T) {
	x := autograd.Const(tensor.Zeros[float32](2, 3, 28, 28))
	require.Equal(t, []int{2, 3, 14, 14}, NewMaxPool2D[float32](autograd.Pool2DOptions{Kernel: [2]int{2, 2}}).Forward(x).Shape())
	require.Equal(t, []int{2, 3, 14, 14}, NewAvgPool2D[float32](autograd.Pool2DOptions{Kernel: [2]int{3, 3}, Stride: [2]int{2, 2}, Padding: [2]int{1, 1}}).Forward(x).Shape())
	require.Equal(t, []int{2, 3, 1, 1}, NewAdaptiveAvgPool2D[float32](1, 1).Forward(x).Shape())
	require.Equal(t, []int{2, 3, 5, 3}, NewAdaptiveAvgPool2D[float32](5, 3).Forward(x).Shape())
	requireShapePanic(t, func() {
		NewMaxPool2D[float32](autograd.Pool2DOptions{Kernel: [2]int{2, 2}, Padding: [2]int{2, 2}}).Forward(x)
	})
	requireShapePanic(t, func() {
		NewAvgPool2D[float32](autograd.Pool2DOptions{Kernel: [2]int{2, 2}}).Forward(autograd.Const(tensor.Zeros[float32](3, 4, 4)))
	})
}

// TestMaxPool2DRoutesToArgmax checks the gradient lands on each window's
// maximum only, and adds up where overlapping windows share one.
func TestMaxPool2DRoutesToArgmax(t *testing.T) {
	x := autograd.Param(tensor.New([]float64{
		1, 2, 0,
		0, 9, 3,
		4, 0, 5,
	}, 1, 1, 3, 3))
	y := NewMaxPool2D[float64](autograd.Pool2DOptions{Kernel: [2]int{2, 2}, Stride: [2]int{1, 1}}).Forward(x)
	require.Equal(t, []float64{9, 9, 9, 9}, y.Value().Data())
	autograd.Sum(y).Backward()
	require.Equal(t, []float64{0, 0, 0, 0, 4, 0, 0, 0, 0}, x.Grad().Data())
}
