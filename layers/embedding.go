package layers

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/nabla-go/nabla/autograd"
	"github.com/nabla-go/nabla/tensor"
)

// Embedding is a lookup table of num vectors of dim elements, PyTorch's
// nn.Embedding: index i maps to row i of Weight. The gradient flows back
// into the rows that were looked up; an index used several times
// accumulates.
type Embedding[T tensor.Float] struct {
	// Weight is the [num, dim] table.
	Weight *autograd.Var[T]
}

// NewEmbedding returns an Embedding of num vectors of dim elements drawn
// from N(0, 1) with rng, as PyTorch initialises them.
func NewEmbedding[T tensor.Float](num, dim int, rng *rand.Rand) *Embedding[T] {
	if num < 1 || dim < 1 {
		panic(fmt.Sprintf("layers.NewEmbedding: %d vectors of %d elements", num, dim))
	}
	return &Embedding[T]{Weight: autograd.Param(NewWeight[T](rng, Normal(0, 1), num, dim))}
}

// Lookup returns the rows idx of the table, [len(idx), dim]. It panics on
// an index out of range.
func (e *Embedding[T]) Lookup(idx []int) *autograd.Var[T] {
	return autograd.IndexSelect(e.Weight, 0, idx)
}

// Forward looks up the indices that x holds (whole numbers stored as
// floats, any shape, not differentiated) and returns their vectors, of
// shape x.Shape() + [dim]. It panics when an element of x is not an index
// of the table.
func (e *Embedding[T]) Forward(x *autograd.Var[T]) *autograd.Var[T] {
	vals := x.Value().Data()
	num := e.Weight.Value().Dim(0)
	idx := make([]int, len(vals))
	for i, v := range vals {
		f := float64(v)
		if f != math.Trunc(f) || f < 0 || f >= float64(num) {
			panic(tensor.ShapeErrorf("Embedding", "element %v is not an index of a table of %d vectors", v, num))
		}
		idx[i] = int(f)
	}
	shape := append(x.Shape(), e.Weight.Value().Dim(1))
	return autograd.Reshape(e.Lookup(idx), shape...)
}

// NamedParameters returns "weight".
func (e *Embedding[T]) NamedParameters() []Named[T] {
	return []Named[T]{{Name: "weight", Var: e.Weight}}
}

// SetTraining does nothing: Embedding behaves alike in both modes.
func (e *Embedding[T]) SetTraining(bool) {}
