package layers

import (
	"math/rand/v2"

	"github.com/nabla-go/nabla/autograd"
	"github.com/nabla-go/nabla/tensor"
)

// Linear is a fully connected layer, PyTorch's nn.Linear: y = x·Wᵀ + b for
// x of shape [..., in], with the weight W stored as [out, in] and the bias b
// as [out].
type Linear[T tensor.Float] struct {
	// Weight is the [out, in] weight matrix.
	Weight *autograd.Var[T]
	// Bias is the [out] bias, or nil for a layer without one.
	Bias *autograd.Var[T]
}

// NewLinear returns a Linear layer from in features to out features, with
// its parameters drawn from rng. By default it is initialised as PyTorch's
// nn.Linear: weight and bias from U(-1/sqrt(in), 1/sqrt(in)) (kaiming-uniform
// with a = sqrt(5)). WithoutBias, WithInit and WithBiasInit change that.
func NewLinear[T tensor.Float](in, out int, rng *rand.Rand, opts ...Option) *Linear[T] {
	c := configure(in, opts)
	l := &Linear[T]{Weight: autograd.Param(NewWeight[T](rng, c.weightInit, out, in))}
	if !c.noBias {
		l.Bias = autograd.Param(NewWeight[T](rng, c.biasInit, out))
	}
	return l
}

// In is the number of input features.
func (l *Linear[T]) In() int { return l.Weight.Value().Dim(1) }

// Out is the number of output features.
func (l *Linear[T]) Out() int { return l.Weight.Value().Dim(0) }

// Forward computes x·Wᵀ + b for x of shape [..., in] (a vector [in] too),
// giving [..., out]. Wᵀ is a transposed view of the weight, not a copy.
func (l *Linear[T]) Forward(x *autograd.Var[T]) *autograd.Var[T] {
	return l.forward(x, autograd.Linear[T])
}

// forwardReLU is ReLU(l.Forward(x)) as one fused op (Sequential's).
func (l *Linear[T]) forwardReLU(x *autograd.Var[T]) *autograd.Var[T] {
	return l.forward(x, autograd.LinearReLU[T])
}

func (l *Linear[T]) forward(x *autograd.Var[T], op func(x, w, b *autograd.Var[T]) *autograd.Var[T]) *autograd.Var[T] {
	shape := x.Shape()
	if len(shape) == 0 || shape[len(shape)-1] != l.In() {
		panic(tensor.ShapeErrorf("Linear", "input of shape %v for a layer of %d input features", shape, l.In()))
	}
	if len(shape) == 1 {
		return autograd.Squeeze(l.forward(autograd.Unsqueeze(x, 0), op), 0)
	}
	return op(x, l.Weight, l.Bias)
}

// NamedParameters returns "weight" and, when present, "bias".
func (l *Linear[T]) NamedParameters() []Named[T] {
	ps := []Named[T]{{Name: "weight", Var: l.Weight}}
	if l.Bias != nil {
		ps = append(ps, Named[T]{Name: "bias", Var: l.Bias})
	}
	return ps
}

// SetTraining does nothing: Linear behaves alike in training and
// evaluation.
func (l *Linear[T]) SetTraining(bool) {}
