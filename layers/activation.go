package layers

import (
	"github.com/nabla-go/nabla/autograd"
	"github.com/nabla-go/nabla/tensor"
)

// stateless supplies the Module methods of a layer without parameters that
// behaves alike in training and evaluation. Layers embed it.
type stateless[T tensor.Float] struct{}

// NamedParameters returns nil: the layer has no parameters.
func (stateless[T]) NamedParameters() []Named[T] { return nil }

// SetTraining does nothing: the layer behaves alike in both modes.
func (stateless[T]) SetTraining(bool) {}

// ReLU is the rectified linear unit, max(x, 0), elementwise.
type ReLU[T tensor.Float] struct{ stateless[T] }

// NewReLU returns a ReLU layer.
func NewReLU[T tensor.Float]() *ReLU[T] { return &ReLU[T]{} }

// Forward returns max(x, 0).
func (*ReLU[T]) Forward(x *autograd.Var[T]) *autograd.Var[T] { return autograd.ReLU(x) }

// DefaultLeakySlope is PyTorch's default negative slope of LeakyReLU.
const DefaultLeakySlope = 0.01

// LeakyReLU is x for x > 0 and Slope·x otherwise, elementwise, as PyTorch's
// nn.LeakyReLU (whose gradient at 0 is Slope too).
type LeakyReLU[T tensor.Float] struct {
	stateless[T]
	// Slope is the negative slope; PyTorch's default is DefaultLeakySlope.
	Slope T
}

// NewLeakyReLU returns a LeakyReLU layer with the given negative slope
// (DefaultLeakySlope, 0.01, in PyTorch).
func NewLeakyReLU[T tensor.Float](slope T) *LeakyReLU[T] { return &LeakyReLU[T]{Slope: slope} }

// Forward returns x where x > 0 and Slope·x elsewhere.
func (l *LeakyReLU[T]) Forward(x *autograd.Var[T]) *autograd.Var[T] {
	pos := tensor.Gt(x.Value(), tensor.Scalar[T](0))
	return autograd.Where(pos, x, autograd.Scale(x, l.Slope))
}

// Sigmoid is the logistic function 1/(1+exp(-x)), elementwise.
type Sigmoid[T tensor.Float] struct{ stateless[T] }

// NewSigmoid returns a Sigmoid layer.
func NewSigmoid[T tensor.Float]() *Sigmoid[T] { return &Sigmoid[T]{} }

// Forward returns 1/(1+exp(-x)).
func (*Sigmoid[T]) Forward(x *autograd.Var[T]) *autograd.Var[T] { return autograd.Sigmoid(x) }

// Tanh is the hyperbolic tangent, elementwise.
type Tanh[T tensor.Float] struct{ stateless[T] }

// NewTanh returns a Tanh layer.
func NewTanh[T tensor.Float]() *Tanh[T] { return &Tanh[T]{} }

// Forward returns tanh(x).
func (*Tanh[T]) Forward(x *autograd.Var[T]) *autograd.Var[T] { return autograd.Tanh(x) }

// GELU is the Gaussian error linear unit, x·Φ(x) with Φ the standard normal
// distribution function, as PyTorch's nn.GELU: exact by default,
// 0.5·x·(1 + erf(x/√2)), or with Tanh set, PyTorch's approximate="tanh" form
// 0.5·x·(1 + tanh(sqrt(2/π)·(x + 0.044715·x³))). Both are composed of
// autograd ops, so they are differentiable to any order.
type GELU[T tensor.Float] struct {
	stateless[T]
	// Tanh selects the tanh approximation.
	Tanh bool
}

// NewGELU returns the exact GELU, PyTorch's default.
func NewGELU[T tensor.Float]() *GELU[T] { return &GELU[T]{} }

// NewGELUTanh returns the GELU in PyTorch's tanh approximation.
func NewGELUTanh[T tensor.Float]() *GELU[T] { return &GELU[T]{Tanh: true} }

// Forward returns GELU(x).
func (g *GELU[T]) Forward(x *autograd.Var[T]) *autograd.Var[T] {
	if g.Tanh {
		return geluTanh(x)
	}
	return geluExact(x)
}

func geluTanh[T tensor.Float](x *autograd.Var[T]) *autograd.Var[T] {
	const k = 0.7978845608028654 // sqrt(2/π)
	cube := autograd.Mul(autograd.Mul(x, x), x)
	inner := autograd.Scale(autograd.Add(x, autograd.Scale(cube, 0.044715)), k)
	return autograd.Mul(autograd.Scale(x, 0.5), autograd.AddScalar(autograd.Tanh(inner), 1))
}

func geluExact[T tensor.Float](x *autograd.Var[T]) *autograd.Var[T] {
	const invSqrt2 = 0.7071067811865476
	return autograd.Mul(autograd.Scale(x, 0.5), autograd.AddScalar(autograd.Erf(autograd.Scale(x, invSqrt2)), 1))
}

// Softmax maps scores along Axis to probabilities, exp(x)/sum(exp(x)),
// computed stably (the maximum subtracted first).
type Softmax[T tensor.Float] struct {
	stateless[T]
	// Axis is the dimension that sums to 1; negative counts from the end.
	Axis int
}

// NewSoftmax returns a Softmax over axis (PyTorch's dim).
func NewSoftmax[T tensor.Float](axis int) *Softmax[T] { return &Softmax[T]{Axis: axis} }

// Forward returns softmax(x) along Axis.
func (s *Softmax[T]) Forward(x *autograd.Var[T]) *autograd.Var[T] { return autograd.Softmax(x, s.Axis) }

// LogSoftmax is log(softmax(x)) along Axis, fused so that it is finite for
// any finite input. Pair it with NLL; CrossEntropy does both.
type LogSoftmax[T tensor.Float] struct {
	stateless[T]
	// Axis is the dimension normalised over; negative counts from the end.
	Axis int
}

// NewLogSoftmax returns a LogSoftmax over axis (PyTorch's dim).
func NewLogSoftmax[T tensor.Float](axis int) *LogSoftmax[T] { return &LogSoftmax[T]{Axis: axis} }

// Forward returns log(softmax(x)) along Axis.
func (s *LogSoftmax[T]) Forward(x *autograd.Var[T]) *autograd.Var[T] {
	return autograd.LogSoftmax(x, s.Axis)
}
