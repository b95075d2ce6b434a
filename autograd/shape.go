package autograd

import (
	"github.com/nabla-go/nabla/tensor"
)

// Reshape returns a with a new shape (one dimension may be -1).
func Reshape[T tensor.Float](a *Var[T], shape ...int) *Var[T] {
	return record("Reshape", a.value.Reshape(shape...), []*Var[T]{a}, func(c *ctx[T], g *Var[T]) []*Var[T] {
		return []*Var[T]{Reshape(g, c.in[0].Shape()...)}
	})
}

// Permute reorders the dimensions: dimension i of the result is a's axes[i].
func Permute[T tensor.Float](a *Var[T], axes ...int) *Var[T] {
	return record("Permute", a.value.Permute(axes...), []*Var[T]{a}, func(c *ctx[T], g *Var[T]) []*Var[T] {
		inv := make([]int, len(axes))
		for i, ax := range axes {
			inv[tensor.NormAxis("Permute", ax, len(axes))] = i
		}
		return []*Var[T]{Permute(g, inv...)}
	})
}

// Transpose swaps dimensions i and j.
func Transpose[T tensor.Float](a *Var[T], i, j int) *Var[T] {
	return record("Transpose", a.value.Transpose(i, j), []*Var[T]{a}, func(c *ctx[T], g *Var[T]) []*Var[T] {
		return []*Var[T]{Transpose(g, i, j)}
	})
}

// Slice keeps indices start..end-1 along axis.
func Slice[T tensor.Float](a *Var[T], axis, start, end int) *Var[T] {
	return record("Slice", a.value.Slice(axis, start, end), []*Var[T]{a}, func(c *ctx[T], g *Var[T]) []*Var[T] {
		in := c.in[0].Shape()
		ax := tensor.NormAxis("Slice", axis, len(in))
		return []*Var[T]{Pad(g, ax, start, in[ax]-end)}
	})
}

// Pad adds before zeros in front of a along axis and after zeros behind it.
// It is the adjoint of Slice.
func Pad[T tensor.Float](a *Var[T], axis, before, after int) *Var[T] {
	shape := a.Shape()
	axis = tensor.NormAxis("Pad", axis, len(shape))
	full := append([]int{}, shape...)
	full[axis] += before + after
	out := tensor.Zeros[T](full...)
	out.Slice(axis, before, before+shape[axis]).CopyFrom(a.value)
	return record("Pad", out, []*Var[T]{a}, func(c *ctx[T], g *Var[T]) []*Var[T] {
		return []*Var[T]{Slice(g, axis, before, before+shape[axis])}
	})
}

// Contiguous returns a with its elements laid out in row-major order: a
// itself when they already are, a copy otherwise. The value is unchanged, so
// the gradient passes through.
func Contiguous[T tensor.Float](a *Var[T]) *Var[T] {
	if a.value.IsContiguous() {
		return a
	}
	return record("Contiguous", a.value.Contiguous(), []*Var[T]{a}, func(c *ctx[T], g *Var[T]) []*Var[T] {
		return []*Var[T]{g}
	})
}

// Squeeze removes dimension axis, which must have size 1.
func Squeeze[T tensor.Float](a *Var[T], axis int) *Var[T] {
	return record("Squeeze", a.value.Squeeze(axis), []*Var[T]{a}, func(c *ctx[T], g *Var[T]) []*Var[T] {
		return []*Var[T]{Reshape(g, c.in[0].Shape()...)}
	})
}

// Unsqueeze inserts a dimension of size 1 at axis.
func Unsqueeze[T tensor.Float](a *Var[T], axis int) *Var[T] {
	return record("Unsqueeze", a.value.Unsqueeze(axis), []*Var[T]{a}, func(c *ctx[T], g *Var[T]) []*Var[T] {
		return []*Var[T]{Reshape(g, c.in[0].Shape()...)}
	})
}

// Expand broadcasts a to shape (NumPy rules) without copying.
func Expand[T tensor.Float](a *Var[T], shape ...int) *Var[T] {
	if tensor.SameShape(a.value.Shape(), shape) {
		return a
	}
	return record("Expand", a.value.Expand(shape...), []*Var[T]{a}, func(c *ctx[T], g *Var[T]) []*Var[T] {
		return []*Var[T]{SumTo(g, c.in[0].Shape()...)}
	})
}

// SumTo sums a down to shape, which a must broadcast from: leading extra
// dimensions and dimensions where shape has 1 are summed. It is the adjoint
// of Expand, and every broadcasting op's backward ends with it.
func SumTo[T tensor.Float](a *Var[T], shape ...int) *Var[T] {
	from := a.Shape()
	if tensor.SameShape(from, shape) {
		return a
	}
	if !tensor.SameShape(tensor.BroadcastShapes("SumTo", from, shape), from) {
		panic(tensor.ShapeErrorf("SumTo", "shape %v does not broadcast to %v", shape, from))
	}
	lead := len(from) - len(shape)
	var axes []int
	for i := range from {
		if i < lead || (shape[i-lead] == 1 && from[i] != 1) {
			axes = append(axes, i)
		}
	}
	target := append([]int{}, shape...)
	value := tensor.Sum(a.value, axes, true).Reshape(target...)
	return record("SumTo", value, []*Var[T]{a}, func(c *ctx[T], g *Var[T]) []*Var[T] {
		return []*Var[T]{Expand(g, c.in[0].Shape()...)}
	})
}

// Concat joins Vars along an existing axis.
func Concat[T tensor.Float](axis int, vs ...*Var[T]) *Var[T] {
	values := make([]*tensor.Dense[T], len(vs))
	for i, v := range vs {
		values[i] = v.value
	}
	return record("Concat", tensor.Concat(axis, values...), vs, func(c *ctx[T], g *Var[T]) []*Var[T] {
		grads := make([]*Var[T], len(c.in))
		at := 0
		for i, in := range c.in {
			n := in.value.Dim(axis)
			if c.needs[i] {
				grads[i] = Slice(g, axis, at, at+n)
			}
			at += n
		}
		return grads
	})
}

// Stack joins Vars of one shape along a new axis.
func Stack[T tensor.Float](axis int, vs ...*Var[T]) *Var[T] {
	if len(vs) == 0 {
		panic(tensor.ShapeErrorf("Stack", "no inputs"))
	}
	axis = tensor.NormAxis("Stack", axis, vs[0].value.Dims()+1)
	us := make([]*Var[T], len(vs))
	for i, v := range vs {
		us[i] = Unsqueeze(v, axis)
	}
	return Concat(axis, us...)
}

// Gather picks, for every position of a's other dimensions, the element at
// index idx[p] along axis; the result has a's shape without axis.
// Cross-entropy uses it to pick each row's score for its label.
func Gather[T tensor.Float](a *Var[T], axis int, idx []int) *Var[T] {
	return record("Gather", tensor.Gather(a.value, axis, idx), []*Var[T]{a}, func(c *ctx[T], g *Var[T]) []*Var[T] {
		return []*Var[T]{Scatter(g, axis, idx, c.in[0].Shape())}
	})
}

// Scatter is the adjoint of Gather: a tensor of the given shape, zero except
// for a's elements placed at idx along axis.
func Scatter[T tensor.Float](a *Var[T], axis int, idx []int, shape []int) *Var[T] {
	return record("Scatter", tensor.Scatter(a.value, axis, idx, shape), []*Var[T]{a}, func(c *ctx[T], g *Var[T]) []*Var[T] {
		return []*Var[T]{Gather(g, axis, idx)}
	})
}

// IndexSelect picks the entries idx along axis (rows of an embedding table
// for axis 0); an index may repeat.
func IndexSelect[T tensor.Float](a *Var[T], axis int, idx []int) *Var[T] {
	return record("IndexSelect", tensor.IndexSelect(a.value, axis, idx), []*Var[T]{a}, func(c *ctx[T], g *Var[T]) []*Var[T] {
		return []*Var[T]{IndexAdd(g, axis, idx, c.in[0].Shape())}
	})
}

// IndexAdd is the adjoint of IndexSelect: a tensor of the given shape, zero
// except for a's entries added at idx along axis (repeats accumulate).
func IndexAdd[T tensor.Float](a *Var[T], axis int, idx []int, shape []int) *Var[T] {
	return record("IndexAdd", tensor.IndexAdd(a.value, axis, idx, shape), []*Var[T]{a}, func(c *ctx[T], g *Var[T]) []*Var[T] {
		return []*Var[T]{IndexSelect(g, axis, idx)}
	})
}

// MatMul returns the matrix product of a [..., m, k] and b [..., k, n];
// batch dimensions broadcast.
func MatMul[T tensor.Float](a, b *Var[T]) *Var[T] {
	return record("MatMul", tensor.MatMul(a.value, b.value), []*Var[T]{a, b}, func(c *ctx[T], g *Var[T]) []*Var[T] {
		return []*Var[T]{
			needed(c, 0, func() *Var[T] { return SumTo(MatMul(g, Transpose(c.in[1], -2, -1)), c.in[0].Shape()...) }),
			needed(c, 1, func() *Var[T] { return SumTo(MatMul(Transpose(c.in[0], -2, -1), g), c.in[1].Shape()...) }),
		}
	})
}
