package autograd

import (
	"github.com/nabla-go/nabla/tensor"
)

// Each op below computes its value with a tensor kernel and records, right
// beside it, the backward that maps the output gradient g to its inputs'
// gradients. Backwards use only differentiable ops, so they can be recorded
// too (second derivatives).

// Add returns a + b, broadcasting.
func Add[T tensor.Float](a, b *Var[T]) *Var[T] {
	return record("Add", tensor.Add(a.value, b.value), []*Var[T]{a, b}, func(c *ctx[T], g *Var[T]) []*Var[T] {
		return []*Var[T]{
			needed(c, 0, func() *Var[T] { return SumTo(g, c.in[0].Shape()...) }),
			needed(c, 1, func() *Var[T] { return SumTo(g, c.in[1].Shape()...) }),
		}
	})
}

// Sub returns a - b, broadcasting.
func Sub[T tensor.Float](a, b *Var[T]) *Var[T] {
	return record("Sub", tensor.Sub(a.value, b.value), []*Var[T]{a, b}, func(c *ctx[T], g *Var[T]) []*Var[T] {
		return []*Var[T]{
			needed(c, 0, func() *Var[T] { return SumTo(g, c.in[0].Shape()...) }),
			needed(c, 1, func() *Var[T] { return SumTo(Neg(g), c.in[1].Shape()...) }),
		}
	})
}

// Mul returns a * b elementwise, broadcasting.
func Mul[T tensor.Float](a, b *Var[T]) *Var[T] {
	return record("Mul", tensor.Mul(a.value, b.value), []*Var[T]{a, b}, func(c *ctx[T], g *Var[T]) []*Var[T] {
		return []*Var[T]{
			needed(c, 0, func() *Var[T] { return SumTo(Mul(g, c.in[1]), c.in[0].Shape()...) }),
			needed(c, 1, func() *Var[T] { return SumTo(Mul(g, c.in[0]), c.in[1].Shape()...) }),
		}
	})
}

// Div returns a / b elementwise, broadcasting.
func Div[T tensor.Float](a, b *Var[T]) *Var[T] {
	return record("Div", tensor.Div(a.value, b.value), []*Var[T]{a, b}, func(c *ctx[T], g *Var[T]) []*Var[T] {
		return []*Var[T]{
			needed(c, 0, func() *Var[T] { return SumTo(Div(g, c.in[1]), c.in[0].Shape()...) }),
			// d(a/b)/db = -a/b², written with the output to save an op.
			needed(c, 1, func() *Var[T] { return SumTo(Neg(Div(Mul(g, c.out), c.in[1])), c.in[1].Shape()...) }),
		}
	})
}

// Pow returns a raised to the power b elementwise, broadcasting. The gradient
// with respect to b needs a > 0.
func Pow[T tensor.Float](a, b *Var[T]) *Var[T] {
	return record("Pow", tensor.Pow(a.value, b.value), []*Var[T]{a, b}, func(c *ctx[T], g *Var[T]) []*Var[T] {
		return []*Var[T]{
			needed(c, 0, func() *Var[T] {
				return SumTo(Mul(g, Mul(c.in[1], Pow(c.in[0], AddScalar(c.in[1], -1)))), c.in[0].Shape()...)
			}),
			needed(c, 1, func() *Var[T] { return SumTo(Mul(g, Mul(c.out, Log(c.in[0]))), c.in[1].Shape()...) }),
		}
	})
}

// Maximum returns the elementwise larger of a and b. Where they tie the
// gradient is split evenly between them.
func Maximum[T tensor.Float](a, b *Var[T]) *Var[T] {
	return record("Maximum", tensor.Maximum(a.value, b.value), []*Var[T]{a, b}, minMaxBackward[T](tensor.Gt[T]))
}

// Minimum returns the elementwise smaller of a and b. Where they tie the
// gradient is split evenly between them.
func Minimum[T tensor.Float](a, b *Var[T]) *Var[T] {
	return record("Minimum", tensor.Minimum(a.value, b.value), []*Var[T]{a, b}, minMaxBackward[T](tensor.Lt[T]))
}

// minMaxBackward routes g to the input that won (wins(a, b) is 1 where a
// wins), and half to each on a tie.
func minMaxBackward[T tensor.Float](wins func(a, b *tensor.Dense[T]) *tensor.Dense[T]) backwardFunc[T] {
	return func(c *ctx[T], g *Var[T]) []*Var[T] {
		a, b := c.in[0].value, c.in[1].value
		tie := tensor.Scale(tensor.Eq(a, b), 0.5)
		wa := Const(tensor.Add(wins(a, b), tie))
		wb := Const(tensor.Add(wins(b, a), tie))
		return []*Var[T]{
			needed(c, 0, func() *Var[T] { return SumTo(Mul(g, wa), c.in[0].Shape()...) }),
			needed(c, 1, func() *Var[T] { return SumTo(Mul(g, wb), c.in[1].Shape()...) }),
		}
	}
}

// Where returns a where cond is non-zero and b elsewhere, broadcasting. cond
// is data, not differentiated.
func Where[T tensor.Float](cond *tensor.Dense[T], a, b *Var[T]) *Var[T] {
	return record("Where", tensor.Where(cond, a.value, b.value), []*Var[T]{a, b}, func(c *ctx[T], g *Var[T]) []*Var[T] {
		zero := Const(tensor.Scalar[T](0))
		return []*Var[T]{
			needed(c, 0, func() *Var[T] { return SumTo(Where(cond, g, zero), c.in[0].Shape()...) }),
			needed(c, 1, func() *Var[T] { return SumTo(Where(cond, zero, g), c.in[1].Shape()...) }),
		}
	})
}

// Scale returns a * s for a constant s.
func Scale[T tensor.Float](a *Var[T], s T) *Var[T] {
	return record("Scale", tensor.Scale(a.value, s), []*Var[T]{a}, func(c *ctx[T], g *Var[T]) []*Var[T] {
		return []*Var[T]{Scale(g, s)}
	})
}

// AddScalar returns a + s for a constant s.
func AddScalar[T tensor.Float](a *Var[T], s T) *Var[T] {
	return record("AddScalar", tensor.AddScalar(a.value, s), []*Var[T]{a}, func(c *ctx[T], g *Var[T]) []*Var[T] {
		return []*Var[T]{g}
	})
}

// Neg returns -a.
func Neg[T tensor.Float](a *Var[T]) *Var[T] {
	return record("Neg", tensor.Neg(a.value), []*Var[T]{a}, func(c *ctx[T], g *Var[T]) []*Var[T] {
		return []*Var[T]{Neg(g)}
	})
}

// Exp returns e raised to each element.
func Exp[T tensor.Float](a *Var[T]) *Var[T] {
	return record("Exp", tensor.Exp(a.value), []*Var[T]{a}, func(c *ctx[T], g *Var[T]) []*Var[T] {
		return []*Var[T]{Mul(g, c.out)}
	})
}

// Log returns the natural logarithm of each element.
func Log[T tensor.Float](a *Var[T]) *Var[T] {
	return record("Log", tensor.Log(a.value), []*Var[T]{a}, func(c *ctx[T], g *Var[T]) []*Var[T] {
		return []*Var[T]{Div(g, c.in[0])}
	})
}

// Sqrt returns the square root of each element.
func Sqrt[T tensor.Float](a *Var[T]) *Var[T] {
	return record("Sqrt", tensor.Sqrt(a.value), []*Var[T]{a}, func(c *ctx[T], g *Var[T]) []*Var[T] {
		return []*Var[T]{Div(Scale(g, 0.5), c.out)}
	})
}

// Abs returns |a|; its gradient at 0 is 0, as in PyTorch.
func Abs[T tensor.Float](a *Var[T]) *Var[T] {
	return record("Abs", tensor.Abs(a.value), []*Var[T]{a}, func(c *ctx[T], g *Var[T]) []*Var[T] {
		return []*Var[T]{Mul(g, Const(tensor.Sign(c.in[0].value)))}
	})
}

// Erf returns the error function of each element; GELU is built on it.
func Erf[T tensor.Float](a *Var[T]) *Var[T] {
	return record("Erf", tensor.Erf(a.value), []*Var[T]{a}, func(c *ctx[T], g *Var[T]) []*Var[T] {
		const twoOverSqrtPi = 1.1283791670955126
		x := c.in[0]
		return []*Var[T]{Mul(g, Scale(Exp(Neg(Mul(x, x))), twoOverSqrtPi))}
	})
}

// Tanh returns the hyperbolic tangent of each element.
func Tanh[T tensor.Float](a *Var[T]) *Var[T] {
	return record("Tanh", tensor.Tanh(a.value), []*Var[T]{a}, func(c *ctx[T], g *Var[T]) []*Var[T] {
		// 1 - tanh², from the output.
		return []*Var[T]{Mul(g, Neg(AddScalar(Mul(c.out, c.out), -1)))}
	})
}

// Sigmoid returns 1/(1+exp(-a)) of each element, without overflow.
func Sigmoid[T tensor.Float](a *Var[T]) *Var[T] {
	return record("Sigmoid", tensor.Sigmoid(a.value), []*Var[T]{a}, func(c *ctx[T], g *Var[T]) []*Var[T] {
		// σ(1-σ), from the output.
		return []*Var[T]{Mul(g, Mul(c.out, AddScalar(Neg(c.out), 1)))}
	})
}

// ReLU returns max(a, 0); its gradient at 0 is 0, as in PyTorch.
func ReLU[T tensor.Float](a *Var[T]) *Var[T] {
	return record("ReLU", tensor.ReLU(a.value), []*Var[T]{a}, func(c *ctx[T], g *Var[T]) []*Var[T] {
		return []*Var[T]{ReLUGrad(g, c.in[0].value)}
	})
}

// ReLUGrad returns g where x > 0 and 0 elsewhere (g * 0, so NaN stays NaN):
// the backward of ReLU at x, fused into one pass. It is linear in g with x
// held constant, so its own backward is ReLUGrad of the incoming gradient,
// which is what gives ReLU second derivatives. g and x must have the same
// shape.
func ReLUGrad[T tensor.Float](g *Var[T], x *tensor.Dense[T]) *Var[T] {
	return record("ReLUGrad", tensor.MaskPositive(g.value, x), []*Var[T]{g}, func(_ *ctx[T], gg *Var[T]) []*Var[T] {
		return []*Var[T]{ReLUGrad(gg, x)}
	})
}

// Clamp limits each element to [lo, hi]; the gradient passes where the
// element is inside the range (bounds included, as in PyTorch).
func Clamp[T tensor.Float](a *Var[T], lo, hi T) *Var[T] {
	return record("Clamp", tensor.Clamp(a.value, lo, hi), []*Var[T]{a}, func(c *ctx[T], g *Var[T]) []*Var[T] {
		x := c.in[0].value
		inside := tensor.Mul(tensor.Ge(x, tensor.Scalar(lo)), tensor.Le(x, tensor.Scalar(hi)))
		return []*Var[T]{Mul(g, Const(inside))}
	})
}

// needed runs f, the gradient of input i, only when that input wants one.
func needed[T tensor.Float](c *ctx[T], i int, f func() *Var[T]) *Var[T] {
	if !c.needs[i] {
		return nil
	}
	return f()
}
