package layers

import (
	"strconv"

	"github.com/nabla-go/nabla/autograd"
	"github.com/nabla-go/nabla/tensor"
)

// Sequential chains modules: each one's output is the next one's input, as
// PyTorch's nn.Sequential. Its children are named by position, so the
// parameters of
//
//	NewSequential(NewLinear(...), NewReLU(), NewLinear(...))
//
// are "0.weight", "0.bias", "2.weight" and "2.bias", as in PyTorch.
type Sequential[T tensor.Float] struct {
	layers []Module[T]
}

// NewSequential returns the chain of the given modules, in order.
func NewSequential[T tensor.Float](layers ...Module[T]) *Sequential[T] {
	return &Sequential[T]{layers: append([]Module[T](nil), layers...)}
}

// Append adds modules at the end of the chain.
func (s *Sequential[T]) Append(layers ...Module[T]) { s.layers = append(s.layers, layers...) }

// Layers returns the modules of the chain, in order. The slice is a copy;
// the modules are s's own.
func (s *Sequential[T]) Layers() []Module[T] { return append([]Module[T](nil), s.layers...) }

// Forward runs x through every module in turn. A Linear or Conv2D layer
// followed by a ReLU layer runs as one fused op (autograd.LinearReLU,
// autograd.Conv2DReLU): the same numbers to the bit, with one pass over
// memory and one tensor fewer.
func (s *Sequential[T]) Forward(x *autograd.Var[T]) *autograd.Var[T] {
	for i := 0; i < len(s.layers); i++ {
		if f, ok := s.layers[i].(reluFuser[T]); ok && i+1 < len(s.layers) {
			if _, relu := s.layers[i+1].(*ReLU[T]); relu {
				x = f.forwardReLU(x)
				i++
				continue
			}
		}
		x = s.layers[i].Forward(x)
	}
	return x
}

// reluFuser is a layer that can run itself and a following ReLU as one op.
type reluFuser[T tensor.Float] interface {
	forwardReLU(x *autograd.Var[T]) *autograd.Var[T]
}

// NamedParameters lists the children's parameters in order, each name
// prefixed by the child's position ("0.weight").
func (s *Sequential[T]) NamedParameters() []Named[T] {
	var ps []Named[T]
	for i, l := range s.layers {
		prefix := strconv.Itoa(i) + "."
		for _, p := range l.NamedParameters() {
			ps = append(ps, Named[T]{Name: prefix + p.Name, Var: p.Var})
		}
	}
	return ps
}

// NamedBuffers lists the buffers of the children that hold any, each name
// prefixed by the child's position ("1.running_mean").
func (s *Sequential[T]) NamedBuffers() []NamedBuffer[T] {
	var bs []NamedBuffer[T]
	for i, l := range s.layers {
		prefix := strconv.Itoa(i) + "."
		for _, b := range Buffers(l) {
			bs = append(bs, NamedBuffer[T]{Name: prefix + b.Name, Tensor: b.Tensor})
		}
	}
	return bs
}

// SetTraining switches every child to training (true) or evaluation mode.
func (s *Sequential[T]) SetTraining(training bool) {
	for _, l := range s.layers {
		l.SetTraining(training)
	}
}

// Parameters returns the trainable parameters in NamedParameters order, for
// an optimizer; it is Parameters(s).
func (s *Sequential[T]) Parameters() []*autograd.Var[T] { return Parameters[T](s) }
