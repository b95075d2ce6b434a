package autograd

import (
	"github.com/nabla-go/nabla/tensor"
)

// Linear returns x·wᵀ + b, the affine map of a fully connected layer, for x
// [..., in], w [out, in] (PyTorch's layout) and b [out]; b may be nil. It is
// one op rather than MatMul, Transpose and Add because its backward can then
// compute the weight gradient gᵀ·x straight into w's layout and the bias
// gradient as a plain sum over rows, with no transposed copy and no
// broadcast to undo. The backward is written with differentiable ops, so
// second derivatives work as for the ops it replaces.
func Linear[T tensor.Float](x, w, b *Var[T]) *Var[T] { return linear(x, w, b, false) }

// LinearReLU returns max(x·wᵀ + b, 0): Linear followed by ReLU as one op.
// The bias and the activation are applied in one pass over the fresh
// product, and there is no separate pre-activation tensor; the backward
// masks the gradient with the output (positive exactly where the
// pre-activation is) and then runs Linear's. The numbers are those of
// ReLU(Linear(x, w, b)), bit for bit. layers.Sequential uses it for a
// Linear layer followed by a ReLU layer.
func LinearReLU[T tensor.Float](x, w, b *Var[T]) *Var[T] { return linear(x, w, b, true) }

func linear[T tensor.Float](x, w, b *Var[T], relu bool) *Var[T] {
	op := "Linear"
	if relu {
		op = "LinearReLU"
	}
	xs, ws := x.Shape(), w.Shape()
	if len(xs) < 2 || len(ws) != 2 || xs[len(xs)-1] != ws[1] {
		panic(tensor.ShapeErrorf(op, "input of shape %v for weight of shape %v: want [..., in] and [out, in]", xs, ws))
	}
	out := ws[0]
	if b != nil && !tensor.SameShape(b.Shape(), []int{out}) {
		panic(tensor.ShapeErrorf(op, "bias of shape %v for weight of shape %v", b.Shape(), ws))
	}
	y := tensor.MatMul(x.value, w.value.T())
	inputs := []*Var[T]{x, w}
	var bias *tensor.Dense[T]
	if b != nil {
		bias = b.value
		inputs = append(inputs, b)
	}
	// y is fresh: the bias (and the activation) go in place.
	switch {
	case relu:
		tensor.AddToReLU(y, bias)
	case b != nil:
		tensor.AddTo(y, bias)
	}
	return record(op, y, inputs, func(c *ctx[T], g *Var[T]) []*Var[T] {
		if relu {
			g = ReLUGrad(g, c.out.value)
			defer dropTemporary(g)
		}
		x, w := c.in[0], c.in[1]
		in := w.Shape()[1]
		g2 := Reshape(g, -1, out)
		grads := []*Var[T]{
			needed(c, 0, func() *Var[T] { return MatMul(g, w) }),
			needed(c, 1, func() *Var[T] { return MatMul(Transpose(g2, 0, 1), Reshape(x, -1, in)) }),
		}
		if len(c.in) == 3 {
			grads = append(grads, needed(c, 2, func() *Var[T] { return Sum(g2, 0) }))
		}
		return grads
	})
}
