package layers

import (
	"github.com/nabla-go/nabla/autograd"
	"github.com/nabla-go/nabla/tensor"
)

// Flatten reshapes [N, d1, d2, ...] to [N, d1·d2·…], keeping the first
// (batch) dimension, as PyTorch's nn.Flatten with its defaults. It is a view,
// not a copy, when the input is contiguous.
type Flatten[T tensor.Float] struct{ stateless[T] }

// NewFlatten returns a Flatten layer.
func NewFlatten[T tensor.Float]() *Flatten[T] { return &Flatten[T]{} }

// Forward returns x reshaped to [N, rest]. A vector [N] becomes [N, 1].
func (*Flatten[T]) Forward(x *autograd.Var[T]) *autograd.Var[T] {
	shape := x.Shape()
	if len(shape) == 0 {
		panic(tensor.ShapeErrorf("Flatten", "scalar input has no batch dimension"))
	}
	rest := 1
	for _, d := range shape[1:] {
		rest *= d
	}
	return autograd.Reshape(x, shape[0], rest)
}
