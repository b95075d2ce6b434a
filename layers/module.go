package layers

import (
	"github.com/nabla-go/nabla/autograd"
	"github.com/nabla-go/nabla/tensor"
)

// Module is a piece of a model: it maps an input to an output, owns named
// parameters, and may behave differently in training and evaluation.
type Module[T tensor.Float] interface {
	// Forward computes the module's output, recording the graph.
	Forward(x *autograd.Var[T]) *autograd.Var[T]
	// NamedParameters lists the trainable parameters in a stable order,
	// named as PyTorch names them ("weight", "0.bias", ...).
	NamedParameters() []Named[T]
	// SetTraining switches between training (true) and evaluation mode.
	SetTraining(training bool)
}

// Named is a parameter with its state-dict name.
type Named[T tensor.Float] struct {
	Name string
	Var  *autograd.Var[T]
}

// BufferHolder is implemented by modules that keep state which is saved but
// not trained, such as batch norm's running statistics.
type BufferHolder[T tensor.Float] interface {
	// NamedBuffers lists the buffers in a stable order, named as PyTorch
	// names them ("running_mean", "1.num_batches_tracked", ...).
	NamedBuffers() []NamedBuffer[T]
}

// NamedBuffer is a non-trainable tensor with its state-dict name.
type NamedBuffer[T tensor.Float] struct {
	Name   string
	Tensor *tensor.Dense[T]
}

// Parameters returns m's trainable parameters, in NamedParameters order, for
// an optimizer.
func Parameters[T tensor.Float](m Module[T]) []*autograd.Var[T] {
	named := m.NamedParameters()
	vs := make([]*autograd.Var[T], len(named))
	for i, n := range named {
		vs[i] = n.Var
	}
	return vs
}

// Buffers returns m's buffers when it holds any.
func Buffers[T tensor.Float](m Module[T]) []NamedBuffer[T] {
	if b, ok := m.(BufferHolder[T]); ok {
		return b.NamedBuffers()
	}
	return nil
}
