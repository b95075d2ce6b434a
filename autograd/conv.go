package autograd

import (
	"github.com/nabla-go/nabla/tensor"
)

// Im2Col unfolds the sliding windows of x [N, C, H, W] into the columns
// matrix [C*kH*kW, N*oH*oW] (see tensor.Im2Col). Its backward is Col2Im, and
// Col2Im's is Im2Col: the two are adjoint, so any order of derivative works.
func Im2Col[T tensor.Float](x *Var[T], win tensor.Window2D) *Var[T] {
	return record("Im2Col", tensor.Im2Col(x.value, win), []*Var[T]{x}, func(c *ctx[T], g *Var[T]) []*Var[T] {
		return []*Var[T]{Col2Im(g, c.in[0].Shape(), win)}
	})
}

// Col2Im folds columns [C*kH*kW, N*oH*oW] back into a tensor of shape
// [N, C, H, W], adding the entries that overlapping windows share (see
// tensor.Col2Im). It is the adjoint of Im2Col.
func Col2Im[T tensor.Float](cols *Var[T], shape []int, win tensor.Window2D) *Var[T] {
	shape = append([]int{}, shape...)
	return record("Col2Im", tensor.Col2Im(cols.value, shape, win), []*Var[T]{cols}, func(c *ctx[T], g *Var[T]) []*Var[T] {
		return []*Var[T]{Im2Col(g, win)}
	})
}

// Conv2DOptions configures Conv2D. Stride, Padding and Dilation hold
// (height, width); zero values give PyTorch's defaults: stride 1, no padding,
// dilation 1 and one group.
type Conv2DOptions struct {
	Stride   [2]int
	Padding  [2]int // zeros added on both sides of each dimension
	Dilation [2]int
	// Groups splits the input and output channels into this many groups,
	// each convolved with its own slice of the weights.
	Groups int
}

// Conv2D returns the 2-D cross-correlation (PyTorch's conv2d) of
// x [N, C, H, W] with the filters w [O, C/groups, kH, kW], plus the bias
// b [O] on every output channel (b may be nil): a result of shape
// [N, O, oH, oW]. It is Im2Col followed by one product per image and group
// (convGEMM), which adds the bias as it writes the output, so a layer's bias
// needs no broadcast Add, no extra output tensor and no broadcast to undo in
// the backward. The product's backward accumulates the weight gradient over
// the images in place and skips the input gradient when x needs none; it is
// written with differentiable ops, so gradients of gradients work.
func Conv2D[T tensor.Float](x, w, b *Var[T], opts Conv2DOptions) *Var[T] {
	return conv2D(x, w, b, opts, false)
}

// Conv2DReLU returns max(Conv2D(x, w, b, opts), 0) as one op: the ReLU of
// each image's product is taken right after its GEMM, while it is in cache,
// rather than in a pass of its own with an output of its own. The numbers
// are those of ReLU(Conv2D(x, w, b, opts)), bit for bit. layers.Sequential
// uses it for a Conv2D layer followed by a ReLU layer.
func Conv2DReLU[T tensor.Float](x, w, b *Var[T], opts Conv2DOptions) *Var[T] {
	return conv2D(x, w, b, opts, true)
}

func conv2D[T tensor.Float](x, w, b *Var[T], opts Conv2DOptions, relu bool) *Var[T] {
	xs, ws := x.Shape(), w.Shape()
	if len(xs) != 4 || len(ws) != 4 {
		panic(tensor.ShapeErrorf("Conv2D", "want input [N C H W] and weight [O C/groups kH kW], got shapes %v and %v", xs, ws))
	}
	groups := max(opts.Groups, 1)
	n, ch := xs[0], xs[1]
	o, cg, kh, kw := ws[0], ws[1], ws[2], ws[3]
	if ch%groups != 0 || o%groups != 0 || cg != ch/groups {
		panic(tensor.ShapeErrorf("Conv2D", "input %v and weight %v do not fit %d groups", xs, ws, groups))
	}
	if b != nil && !tensor.SameShape(b.Shape(), []int{o}) {
		panic(tensor.ShapeErrorf("Conv2D", "bias of shape %v for weight of shape %v: want [%d]", b.Shape(), ws, o))
	}
	win := tensor.Window2D{Kernel: [2]int{kh, kw}, Stride: opts.Stride, Padding: opts.Padding, Dilation: opts.Dilation}
	oh, ow := win.OutSize(xs[2], xs[3])
	cols := Im2Col(x, win) // [N, C*kH*kW, oH*oW]
	// Channels are the slowest index of a column row, so group g owns the
	// rows g*k .. (g+1)*k-1 of each image's columns.
	k := cg * kh * kw
	y := convGEMMWith(Reshape(w, groups, o/groups, k), Reshape(cols, n, groups, k, oh*ow), b, relu) // [N, G, O/G, oH*oW]
	if !x.requiresGrad {
		// cols is a constant that only this op uses: no node of the graph
		// owns it, so the product's node takes it for Release to find.
		withScratch(y, cols.value)
	}
	return Reshape(y, n, o, oh, ow)
}

// convGEMM returns a[g]·cols[i, g] (+ b) for every image i and group g, for
// a [G, m, k], cols [N, G, k, l] and b nil or [G*m]: [N, G, m, l] (see
// tensor.GroupedMatMul). With convGEMM of a transposed a and sumMatMulT it
// forms a family closed under differentiation: the backward of each is
// written with the others.
func convGEMM[T tensor.Float](a, cols, b *Var[T]) *Var[T] { return convGEMMWith(a, cols, b, false) }

// convGEMMWith is convGEMM, followed by a ReLU when relu is set; the ReLU's
// backward masks the gradient with the output before convGEMM's.
func convGEMMWith[T tensor.Float](a, cols, b *Var[T], relu bool) *Var[T] {
	inputs := []*Var[T]{a, cols}
	var bv *tensor.Dense[T]
	if b != nil {
		bv = b.value
		inputs = append(inputs, b)
	}
	op, product := "convGEMM", tensor.GroupedMatMul[T]
	if relu {
		op, product = "convGEMMReLU", tensor.GroupedMatMulReLU[T]
	}
	return record(op, product(a.value, cols.value, bv), inputs, func(c *ctx[T], g *Var[T]) []*Var[T] {
		if relu {
			g = ReLUGrad(g, c.out.value)
			defer dropTemporary(g)
		}
		a, cols := c.in[0], c.in[1]
		grads := []*Var[T]{
			needed(c, 0, func() *Var[T] { return sumMatMulT(g, cols) }),
			needed(c, 1, func() *Var[T] { return convGEMM(Transpose(a, 1, 2), g, nil) }),
		}
		if len(c.in) == 3 {
			grads = append(grads, needed(c, 2, func() *Var[T] { return Reshape(Sum(Sum(g, 3), 0), -1) }))
		}
		return grads
	})
}

// sumMatMulT returns the sum over the images i of a[i, g]·b[i, g]ᵀ for
// a [N, G, m, l] and b [N, G, k, l]: [G, m, k] (see tensor.SumMatMulT). It is
// the weight gradient of convGEMM, accumulated without a batch of partial
// products.
func sumMatMulT[T tensor.Float](a, b *Var[T]) *Var[T] {
	return record("sumMatMulT", tensor.SumMatMulT(a.value, b.value), []*Var[T]{a, b}, func(c *ctx[T], g *Var[T]) []*Var[T] {
		a, b := c.in[0], c.in[1]
		return []*Var[T]{
			needed(c, 0, func() *Var[T] { return convGEMM(g, b, nil) }),
			needed(c, 1, func() *Var[T] { return convGEMM(Transpose(g, 1, 2), a, nil) }),
		}
	})
}
