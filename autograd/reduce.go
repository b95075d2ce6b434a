package autograd

import (
	"math"

	"github.com/nabla-go/nabla/tensor"
)

// Reductions take the axes to reduce (none means all) and drop them from the
// shape; Reshape or Unsqueeze put them back when a caller wants keepdims.

// Sum adds the elements over axes.
func Sum[T tensor.Float](a *Var[T], axes ...int) *Var[T] {
	return record("Sum", tensor.Sum(a.value, axes, false), []*Var[T]{a}, func(c *ctx[T], g *Var[T]) []*Var[T] {
		in := c.in[0].Shape()
		return []*Var[T]{Expand(Reshape(g, tensor.ReducedShape(in, axes, true)...), in...)}
	})
}

// Mean averages the elements over axes.
func Mean[T tensor.Float](a *Var[T], axes ...int) *Var[T] {
	n := a.value.Size() / max(tensor.ReducedShapeSize(a.value.Shape(), axes), 1)
	return Scale(Sum(a, axes...), 1/T(n))
}

// Max takes the largest element over axes. Where several elements tie for
// the maximum, the gradient is split evenly among them (as PyTorch's amax).
func Max[T tensor.Float](a *Var[T], axes ...int) *Var[T] {
	return record("Max", tensor.Max(a.value, axes, false), []*Var[T]{a}, extremumBackward[T](axes))
}

// Min takes the smallest element over axes; ties split the gradient evenly.
func Min[T tensor.Float](a *Var[T], axes ...int) *Var[T] {
	return record("Min", tensor.Min(a.value, axes, false), []*Var[T]{a}, extremumBackward[T](axes))
}

func extremumBackward[T tensor.Float](axes []int) backwardFunc[T] {
	return func(c *ctx[T], g *Var[T]) []*Var[T] {
		in := c.in[0].Shape()
		keep := tensor.ReducedShape(in, axes, true)
		hit := tensor.Eq(c.in[0].value, c.out.value.Reshape(keep...))
		share := tensor.Div(hit, tensor.Sum(hit, axes, true))
		return []*Var[T]{Mul(Expand(Reshape(g, keep...), in...), Const(share))}
	}
}

// LogSumExp computes log(sum(exp(a))) over axes in the stable form (the
// maximum subtracted first). A group that is all -Inf gives -Inf and a zero
// gradient.
func LogSumExp[T tensor.Float](a *Var[T], axes ...int) *Var[T] {
	return record("LogSumExp", tensor.LogSumExp(a.value, axes, false), []*Var[T]{a}, func(c *ctx[T], g *Var[T]) []*Var[T] {
		in := c.in[0].Shape()
		keep := tensor.ReducedShape(in, axes, true)
		lse := Reshape(c.out, keep...)
		// Where the result is -Inf, subtract 0 instead, so that exp gives 0
		// rather than exp(-Inf - -Inf) = NaN.
		finite := tensor.Unary(lse.value, func(x T) T {
			if math.IsInf(float64(x), 0) {
				return 0
			}
			return 1
		})
		safe := Where(finite, lse, Const(tensor.Scalar[T](0)))
		weights := Exp(Sub(c.in[0], safe))
		return []*Var[T]{Mul(Expand(Reshape(g, keep...), in...), weights)}
	})
}

// Softmax returns exp(a)/sum(exp(a)) along axis, computed with the maximum
// subtracted so that large inputs do not overflow.
func Softmax[T tensor.Float](a *Var[T], axis int) *Var[T] {
	axis = tensor.NormAxis("Softmax", axis, a.value.Dims())
	return record("Softmax", tensor.Softmax(a.value, axis), []*Var[T]{a}, func(c *ctx[T], g *Var[T]) []*Var[T] {
		// y*(g - sum(g*y)): the Jacobian-vector product without the n×n
		// Jacobian.
		y := c.out
		dot := Unsqueeze(Sum(Mul(g, y), axis), axis)
		return []*Var[T]{Mul(y, Sub(g, dot))}
	})
}

// LogSoftmax returns a - logsumexp(a) along axis, fused so that it is finite
// for any finite input.
func LogSoftmax[T tensor.Float](a *Var[T], axis int) *Var[T] {
	axis = tensor.NormAxis("LogSoftmax", axis, a.value.Dims())
	return record("LogSoftmax", tensor.LogSoftmax(a.value, axis), []*Var[T]{a}, func(c *ctx[T], g *Var[T]) []*Var[T] {
		// g - softmax * sum(g), with softmax = exp(output).
		total := Unsqueeze(Sum(g, axis), axis)
		return []*Var[T]{Sub(g, Mul(Exp(c.out), total))}
	})
}
