package layers

import (
	"math"
	"slices"

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
// distribution function, as PyTorch's nn.GELU: exact by default, or with
// Tanh set, PyTorch's approximate="tanh" form
// 0.5·x·(1 + tanh(sqrt(2/π)·(x + 0.044715·x³))).
//
// The exact form needs the error function, which autograd has no op for. Its
// value is computed exactly (with erfc, accurate in the negative tail too)
// and recorded with its first and second derivatives, so Backward and one
// level of Grad with CreateGraph are exact; third and higher derivatives
// through the exact form are zero. The tanh form is composed of autograd ops
// and is differentiable to any order.
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

// geluExact is x·Φ(x) with Φ(x) = erfc(-x/√2)/2. Its derivatives are
// Φ(x) + x·φ(x) and φ(x)·(2 - x²), φ the standard normal density.
func geluExact[T tensor.Float](x *autograd.Var[T]) *autograd.Var[T] {
	return pointwise(x,
		func(v float64) float64 { return 0.5 * v * math.Erfc(-v/math.Sqrt2) },
		func(v float64) float64 { return 0.5*math.Erfc(-v/math.Sqrt2) + v*normPDF(v) },
		func(v float64) float64 { return normPDF(v) * (2 - v*v) },
	)
}

func normPDF(v float64) float64 { return math.Exp(-v*v/2) / math.Sqrt(2*math.Pi) }

// pointwise applies f elementwise, given its first and second derivatives
// d1 and d2, for an f that autograd's ops cannot compose. It records the
// second-order Taylor expansion around the input x₀,
//
//	f(x₀) + d·(d1(x₀) + d·d2(x₀)/2), with d = x - x₀,
//
// where d is a Var whose value is exactly 0: the value is f(x₀), the
// gradient d1(x₀) and the gradient's gradient d2(x₀), all exact.
func pointwise[T tensor.Float](x *autograd.Var[T], f, d1, d2 func(float64) float64) *autograd.Var[T] {
	at := func(fn func(float64) float64) *tensor.Dense[T] {
		return tensor.Unary(x.Value(), func(v T) T { return T(fn(float64(v))) })
	}
	value := autograd.Const(at(f))
	if !x.RequiresGrad() || !autograd.IsRecording() {
		return value
	}
	d := autograd.Sub(x, x.Detach())
	// An infinite input gets no gradient: d would be Inf - Inf = NaN there,
	// and the derivatives may be too, so both are set to 0.
	if slices.ContainsFunc(x.Value().Data(), notFinite[T]) {
		finite := tensor.Unary(x.Value(), func(v T) T { return boolT[T](!notFinite(v)) })
		d = autograd.Where(finite, d, autograd.Scalar[T](0))
		d1, d2 = finiteOnly(d1), finiteOnly(d2)
	}
	half := func(v float64) float64 { return d2(v) / 2 }
	slope := autograd.Add(autograd.Const(at(d1)), autograd.Mul(d, autograd.Const(at(half))))
	return autograd.Add(value, autograd.Mul(d, slope))
}

// finiteOnly returns f, but 0 where its argument is not finite.
func finiteOnly(f func(float64) float64) func(float64) float64 {
	return func(v float64) float64 {
		if notFinite(v) {
			return 0
		}
		return f(v)
	}
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

func notFinite[T tensor.Float](v T) bool { return math.IsInf(float64(v), 0) || math.IsNaN(float64(v)) }
