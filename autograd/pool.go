package autograd

import (
	"github.com/nabla-go/nabla/tensor"
)

// Pool2DOptions configures the pooling ops. Kernel, Stride, Padding and
// Dilation hold (height, width). A zero Stride means the kernel size and a
// zero Dilation means 1, as in PyTorch; the output size is rounded down
// (ceil_mode=False). Padding may not exceed half the kernel.
type Pool2DOptions struct {
	Kernel   [2]int
	Stride   [2]int
	Padding  [2]int
	Dilation [2]int // MaxPool2D only
	// ExcludePad makes AvgPool2D divide by the number of input elements in
	// each window rather than by the kernel size (PyTorch's
	// count_include_pad=False). The zero value counts the padding, which
	// is PyTorch's default.
	ExcludePad bool
}

func (o Pool2DOptions) window(op string) tensor.Window2D {
	w := tensor.Window2D{Kernel: o.Kernel, Stride: o.Stride, Padding: o.Padding, Dilation: o.Dilation}
	for i := range 2 {
		if w.Stride[i] == 0 {
			w.Stride[i] = w.Kernel[i]
		}
		if 2*w.Padding[i] > w.Kernel[i] {
			panic(tensor.ShapeErrorf(op, "padding %v exceeds half the kernel %v", o.Padding, o.Kernel))
		}
	}
	return w
}

// MaxPool2D takes the maximum over each window of x [N, C, H, W]. The
// gradient flows to the position of each window's maximum (the first of
// ties); that routing is fixed for given inputs, so second derivatives exist
// wherever the maxima are unique.
func MaxPool2D[T tensor.Float](x *Var[T], opts Pool2DOptions) *Var[T] {
	out, idx := MaxPool2DWithIndices(x, opts)
	// The indices are the graph's alone: Release hands them back.
	return withIndices(out, idx)
}

// MaxPool2DWithIndices is MaxPool2D that also returns, for each output
// element, the position h*W + w of its maximum within its input plane
// (PyTorch's return_indices), for MaxUnpool2D or GatherPlanes.
func MaxPool2DWithIndices[T tensor.Float](x *Var[T], opts Pool2DOptions) (*Var[T], []int) {
	v, idx := tensor.MaxPool2D(x.value, opts.window("MaxPool2D"))
	out := record("MaxPool2D", v, []*Var[T]{x}, func(c *ctx[T], g *Var[T]) []*Var[T] {
		in := c.in[0].Shape()
		return []*Var[T]{MaxUnpool2D(g, idx, in[2], in[3])}
	})
	return out, idx
}

// MaxUnpool2D places each element of a [N, C, oH, oW] at position indices[p]
// of its own h x w plane of a zero result [N, C, h, w] (PyTorch's
// max_unpool2d). Where an index repeats, as when overlapping windows share a
// maximum, the values add: that makes it the adjoint of GatherPlanes and the
// backward of MaxPool2D.
func MaxUnpool2D[T tensor.Float](a *Var[T], indices []int, h, w int) *Var[T] {
	return record("MaxUnpool2D", tensor.ScatterAddPlanes(a.value, indices, h, w), []*Var[T]{a}, func(c *ctx[T], g *Var[T]) []*Var[T] {
		s := c.in[0].Shape()
		return []*Var[T]{GatherPlanes(g, indices, s[2], s[3])}
	})
}

// GatherPlanes picks from each (n, c) plane of a [N, C, H, W] the elements at
// positions indices (h*W + w), giving [N, C, oh, ow]. It is the adjoint of
// MaxUnpool2D.
func GatherPlanes[T tensor.Float](a *Var[T], indices []int, oh, ow int) *Var[T] {
	return record("GatherPlanes", tensor.GatherPlanes(a.value, indices, oh, ow), []*Var[T]{a}, func(c *ctx[T], g *Var[T]) []*Var[T] {
		s := c.in[0].Shape()
		return []*Var[T]{MaxUnpool2D(g, indices, s[2], s[3])}
	})
}

// AvgPool2D averages each window of x [N, C, H, W]. The padding counts as
// zeros in the average unless opts.ExcludePad is set. It is composed of
// Im2Col and a sum over the window, so it is differentiable to any order.
func AvgPool2D[T tensor.Float](x *Var[T], opts Pool2DOptions) *Var[T] {
	s := x.Shape()
	if len(s) != 4 {
		panic(tensor.ShapeErrorf("AvgPool2D", "want an NCHW input, got shape %v", s))
	}
	if opts.Dilation != [2]int{} && opts.Dilation != [2]int{1, 1} {
		panic(tensor.ShapeErrorf("AvgPool2D", "dilation %v is not supported (PyTorch's avg_pool2d has none)", opts.Dilation))
	}
	win := opts.window("AvgPool2D")
	n, ch, h, w := s[0], s[1], s[2], s[3]
	oh, ow := win.OutSize(h, w)
	// One plane per (n, c): the columns are [N*C, kH*kW, oH*oW].
	cols := Im2Col(Reshape(x, n*ch, 1, h, w), win)
	total := Sum(cols, 1)
	var out *Var[T]
	if opts.ExcludePad {
		out = Div(total, Const(windowCounts[T](win, h, w, oh, ow)))
	} else {
		out = Scale(total, 1/T(win.Kernel[0]*win.Kernel[1]))
	}
	return Reshape(out, n, ch, oh, ow)
}

// windowCounts returns, for every output position, how many input elements
// (not padding) its window covers.
func windowCounts[T tensor.Float](win tensor.Window2D, h, w, oh, ow int) *tensor.Dense[T] {
	count := func(start, k, n int) int {
		return min(start+k, n) - max(start, 0)
	}
	data := make([]T, oh*ow)
	for y := range oh {
		ch := count(y*win.Stride[0]-win.Padding[0], win.Kernel[0], h)
		for x := range ow {
			data[y*ow+x] = T(ch * count(x*win.Stride[1]-win.Padding[1], win.Kernel[1], w))
		}
	}
	return tensor.New(data, oh*ow)
}

// AdaptiveAvgPool2D averages x [N, C, H, W] down to [N, C, oh, ow] with
// PyTorch's adaptive bins: output row i covers input rows
// floor(i*H/oh) .. ceil((i+1)*H/oh)-1, and likewise for columns. For 1x1 it
// is the mean over each plane (global average pooling); otherwise a matrix
// product with a constant pooling matrix.
func AdaptiveAvgPool2D[T tensor.Float](x *Var[T], oh, ow int) *Var[T] {
	s := x.Shape()
	if len(s) != 4 || oh < 1 || ow < 1 {
		panic(tensor.ShapeErrorf("AdaptiveAvgPool2D", "want an NCHW input and a positive output size, got shape %v and %dx%d", s, oh, ow))
	}
	n, ch, h, w := s[0], s[1], s[2], s[3]
	if oh == 1 && ow == 1 {
		return Reshape(Mean(x, 2, 3), n, ch, 1, 1)
	}
	// pool[h*W+w, i*ow+j] = 1/|bin(i, j)| for the input positions in bin
	// (i, j).
	pool := tensor.Zeros[T](h*w, oh*ow)
	pd := pool.Data()
	for i := range oh {
		h0, h1 := i*h/oh, ((i+1)*h+oh-1)/oh
		for j := range ow {
			w0, w1 := j*w/ow, ((j+1)*w+ow-1)/ow
			inv := 1 / T((h1-h0)*(w1-w0))
			for y := h0; y < h1; y++ {
				for x := w0; x < w1; x++ {
					pd[(y*w+x)*oh*ow+i*ow+j] = inv
				}
			}
		}
	}
	return Reshape(MatMul(Reshape(x, n*ch, h*w), Const(pool)), n, ch, oh, ow)
}
