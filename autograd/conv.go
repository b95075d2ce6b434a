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

// Conv2D returns the 2-D cross-correlation (PyTorch's conv2d, without bias)
// of x [N, C, H, W] with the filters w [O, C/groups, kH, kW]: a result of
// shape [N, O, oH, oW]. It is composed of differentiable ops: Im2Col, one
// matrix product on the engine's GEMM per group (batched), and reshapes. So
// its gradients, and their gradients, come from those ops' rules.
func Conv2D[T tensor.Float](x, w *Var[T], opts Conv2DOptions) *Var[T] {
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
	win := tensor.Window2D{Kernel: [2]int{kh, kw}, Stride: opts.Stride, Padding: opts.Padding, Dilation: opts.Dilation}
	oh, ow := win.OutSize(xs[2], xs[3])
	cols := Im2Col(x, win) // [N, C*kH*kW, oH*oW]
	k := cg * kh * kw
	if groups == 1 {
		// The weight broadcasts over the images; the product is [N, O, oH*oW],
		// already NCHW.
		return Reshape(MatMul(Reshape(w, o, k), cols), n, o, oh, ow)
	}
	// Channels are the slowest index of a column row, so group g owns the
	// rows g*k .. (g+1)*k-1: a product batched over images and groups.
	out := MatMul(Reshape(w, groups, o/groups, k), Reshape(cols, n, groups, k, oh*ow)) // [N, G, O/G, oH*oW]
	return Reshape(out, n, o, oh, ow)
}
