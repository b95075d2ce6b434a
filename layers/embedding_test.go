package layers

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nabla-go/nabla/autograd"
	"github.com/nabla-go/nabla/tensor"
)

func TestEmbeddingLookup(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	e := NewEmbedding[float64](5, 3, rng)
	require.Equal(t, []int{5, 3}, e.Weight.Shape())
	require.Equal(t, "weight", e.NamedParameters()[0].Name)

	idx := tensor.New([]float64{4, 0, 4, 2}, 2, 2)
	y := e.Forward(autograd.Const(idx))
	require.Equal(t, []int{2, 2, 3}, y.Shape())
	w := e.Weight.Value()
	for j := range 3 {
		require.Equal(t, w.At(4, j), y.Value().At(0, 0, j))
		require.Equal(t, w.At(2, j), y.Value().At(1, 1, j))
	}
	require.Equal(t, y.Value().Data(), autograd.Reshape(e.Lookup([]int{4, 0, 4, 2}), 2, 2, 3).Value().Data())

	// Repeated indices accumulate their gradients; unused rows get none.
	autograd.Sum(y).Backward()
	g := e.Weight.Grad()
	for j := range 3 {
		require.Equal(t, 1.0, g.At(0, j))
		require.Equal(t, 0.0, g.At(1, j))
		require.Equal(t, 1.0, g.At(2, j))
		require.Equal(t, 0.0, g.At(3, j))
		require.Equal(t, 2.0, g.At(4, j))
	}

	requireShapePanic(t, func() { e.Forward(autograd.Const(tensor.New([]float64{5}))) })
	requireShapePanic(t, func() { e.Forward(autograd.Const(tensor.New([]float64{1.5}))) })
	requireShapePanic(t, func() { e.Forward(autograd.Const(tensor.New([]float64{-1}))) })
}

func TestEmbeddingGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	e := NewEmbedding[float64](6, 3, rng)
	idx := autograd.Const(tensor.New([]float64{1, 5, 1, 0, 1, 3}, 3, 2))
	gradCheckLayer(t, func(in []*autograd.Var[float64]) *autograd.Var[float64] {
		e.Weight = in[0]
		return autograd.Tanh(e.Forward(idx))
	}, []*tensor.Dense[float64]{e.Weight.Value()}, false)
}

func TestEmbeddingInitIsStandardNormal(t *testing.T) {
	e := NewEmbedding[float32](200, 50, rand.New(rand.NewPCG(19, 20)))
	var s, s2 float64
	d := e.Weight.Value().Data()
	for _, v := range d {
		s += float64(v)
		s2 += float64(v) * float64(v)
	}
	mean := s / float64(len(d))
	std := math.Sqrt(s2/float64(len(d)) - mean*mean)
	require.InDelta(t, 0, mean, 0.03)
	require.InDelta(t, 1, std, 0.03)
}
