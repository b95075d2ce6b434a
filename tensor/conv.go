package tensor

// Kernels for convolution and pooling over NCHW tensors: im2col and its
// adjoint col2im, max pooling with argmax positions, and the gather and
// scatter-add through those positions. Every kernel splits its work into
// (image, channel) planes, which write disjoint parts of the output, in fixed
// blocks: results do not depend on GOMAXPROCS.

import (
	"sync/atomic"

	"github.com/nabla-go/nabla/tensor/internal/vec"
)

// Window2D describes a window sliding over the last two dimensions of an NCHW
// tensor. Each field holds (height, width). A zero Stride or Dilation means 1;
// Padding adds that many virtual elements on both sides of each dimension.
type Window2D struct {
	Kernel   [2]int
	Stride   [2]int
	Padding  [2]int
	Dilation [2]int
}

// normalized returns w with zero strides and dilations replaced by 1.
func (w Window2D) normalized() Window2D {
	for i := range 2 {
		if w.Stride[i] == 0 {
			w.Stride[i] = 1
		}
		if w.Dilation[i] == 0 {
			w.Dilation[i] = 1
		}
	}
	return w
}

// OutSize returns the number of window positions along the height and width
// of an h x w input: floor((n + 2*padding - dilation*(kernel-1) - 1)/stride) + 1,
// as in PyTorch. A result below 1 means the window does not fit.
func (w Window2D) OutSize(h, wd int) (oh, ow int) {
	w = w.normalized()
	in := [2]int{h, wd}
	var out [2]int
	for i := range 2 {
		span := w.Dilation[i]*(w.Kernel[i]-1) + 1
		n := in[i] + 2*w.Padding[i] - span
		if n < 0 {
			out[i] = 0
			continue
		}
		out[i] = n/w.Stride[i] + 1
	}
	return out[0], out[1]
}

// check validates w for an h x wd input and returns it normalized with the
// output size.
func (w Window2D) check(op string, h, wd int) (Window2D, int, int) {
	w = w.normalized()
	for i := range 2 {
		if w.Kernel[i] < 1 || w.Stride[i] < 1 || w.Dilation[i] < 1 || w.Padding[i] < 0 {
			panic(shapeErrorf(op, "bad window %+v", w))
		}
	}
	oh, ow := w.OutSize(h, wd)
	if oh < 1 || ow < 1 {
		panic(shapeErrorf(op, "window %+v does not fit an input of %dx%d", w, h, wd))
	}
	return w, oh, ow
}

func nchw(op string, shape []int) (n, c, h, w int) {
	if len(shape) != 4 {
		panic(shapeErrorf(op, "want an NCHW tensor of 4 dimensions, got shape %v", shape))
	}
	return shape[0], shape[1], shape[2], shape[3]
}

// planeFor runs body over planes [0, n) of size work elements each, in fixed
// blocks of whole planes that hold about grain elements.
func planeFor(n, work int, body func(lo, hi int)) {
	block := max(1, grain/max(work, 1))
	if n <= block {
		body(0, n)
		return
	}
	parallelFor(n, block, body)
}

// validRange returns the output positions [lo, hi) of a row of outLen window
// positions whose input coordinate x*stride + off falls in [0, n).
func validRange(off, stride, n, outLen int) (lo, hi int) {
	if stride == 1 {
		// Without the divisions, which cost more than the rest.
		lo, hi = min(max(-off, 0), outLen), min(max(n-off, 0), outLen)
		return lo, max(lo, hi)
	}
	if off < 0 {
		lo = (-off + stride - 1) / stride
	}
	if last := n - 1 - off; last >= 0 {
		hi = last/stride + 1
	}
	lo, hi = min(lo, outLen), min(hi, outLen)
	return lo, max(lo, hi)
}

// Im2Col unfolds the windows of x [N, C, H, W] into columns: the result is
// [N, C*kH*kW, oH*oW], one matrix per image, whose row (c*kH + i)*kW + j
// holds, for every output position in row-major order, the input element
// under kernel tap (i, j) of channel c, or 0 in the padding. A convolution is
// then one batched matrix product of the weights [O, C*kH*kW] with it, and
// its result [N, O, oH*oW] is already in NCHW order.
func Im2Col[T Float](x *Dense[T], win Window2D) *Dense[T] {
	n, c, h, w := nchw("Im2Col", x.shape)
	win, oh, ow := win.check("Im2Col", h, w)
	kh, kw := win.Kernel[0], win.Kernel[1]
	l := oh * ow
	k := c * kh * kw
	out := empty[T](n, k, l)
	if out.Size() == 0 {
		return out
	}
	src := x.Contiguous()
	sd := src.data[src.offset:]
	taps := shiftTaps(win, h, w, oh, ow)
	planeFor(n*c, kh*kw*l, func(lo, hi int) {
		for p := lo; p < hi; p++ {
			img, ch := p/c, p%c
			plane := sd[p*h*w : (p+1)*h*w]
			if taps != nil {
				r := img*k + ch*kh*kw
				for t, tap := range taps {
					im2colShift(out.data[(r+t)*l:(r+t+1)*l], plane, w, tap)
				}
				continue
			}
			for i := range kh {
				for j := range kw {
					r := img*k + (ch*kh+i)*kw + j
					dst := out.data[r*l : (r+1)*l]
					im2colTap(dst, plane, h, w, oh, ow, i, j, win)
				}
			}
		}
	})
	return out
}

// im2colTap fills dst [oh*ow] with the input under kernel tap (i, j) at every
// output position of one plane.
func im2colTap[T Float](dst, plane []T, h, w, oh, ow, i, j int, win Window2D) {
	sh, sw := win.Stride[0], win.Stride[1]
	offH := i*win.Dilation[0] - win.Padding[0]
	offW := j*win.Dilation[1] - win.Padding[1]
	lo, hi := validRange(offW, sw, w, ow)
	for y := range oh {
		row := dst[y*ow : (y+1)*ow]
		ih := y*sh + offH
		if ih < 0 || ih >= h {
			clear(row)
			continue
		}
		in := plane[ih*w : (ih+1)*w]
		clear(row[:lo])
		clear(row[hi:])
		if sw == 1 {
			copy(row[lo:hi], in[lo+offW:hi+offW])
			continue
		}
		iw := lo*sw + offW
		for x := lo; x < hi; x++ {
			row[x] = in[iw]
			iw += sw
		}
	}
}

// shiftTap is where one kernel tap of a stride-1 window with output rows as
// wide as the input's (same padding) reads the input plane: output index t
// reads input index t + shift, for the output rows [ylo, yhi) and columns
// [lo, hi) in the input. The tap's rows are then one contiguous stretch of
// the plane, [from, to) + shift, which im2colShift copies in one go: rows
// are only a few dozen elements, and a copy per row cost more in calls than
// in copying. The stretch runs across row ends, where gap = w - (hi - lo)
// elements per row end lie in the padding. from == to when the tap reads
// nothing. (Col2Im adds the rows with one vec.AddRows call per tap instead:
// an add across the row ends would need them saved and put back.)
type shiftTap struct {
	shift, from, to  int
	ylo, yhi, lo, hi int
	gap              int
}

// shiftTaps returns the taps of win in Im2Col's row order (i*kW + j), or nil
// when win does not take the shift paths (a stride above 1, or narrower
// output rows).
func shiftTaps(win Window2D, h, w, oh, ow int) []shiftTap {
	if win.Stride != [2]int{1, 1} || ow != w {
		return nil
	}
	kh, kw := win.Kernel[0], win.Kernel[1]
	taps := make([]shiftTap, 0, kh*kw)
	for i := range kh {
		offH := i*win.Dilation[0] - win.Padding[0]
		ylo, yhi := validRange(offH, 1, h, oh)
		for j := range kw {
			offW := j*win.Dilation[1] - win.Padding[1]
			lo, hi := validRange(offW, 1, w, ow)
			t := shiftTap{shift: offH*w + offW, ylo: ylo, yhi: yhi, lo: lo, hi: hi, gap: w - (hi - lo)}
			if ylo < yhi && lo < hi {
				t.from, t.to = ylo*w+lo, (yhi-1)*w+hi
			}
			taps = append(taps, t)
		}
	}
	return taps
}

// im2colShift is im2colTap for a shiftTap: one copy, then the gaps at the
// row ends, which the copy filled with the other edge of a neighbouring
// input row, are zeroed.
func im2colShift[T Float](dst, plane []T, w int, t shiftTap) {
	if t.from == t.to {
		clear(dst)
		return
	}
	clear(dst[:t.from])
	copy(dst[t.from:t.to], plane[t.from+t.shift:t.to+t.shift])
	clear(dst[t.to:])
	if t.gap == 0 {
		return
	}
	// Strided stores: a range-and-zero loop would become a memclr call per
	// row end, which costs more than its one or two elements.
	for q := t.ylo*w + t.hi; q < t.to; q += w {
		for x := q; x < q+t.gap; x++ {
			dst[x] = 0
		}
	}
}

// Col2Im is the adjoint of Im2Col: it folds columns [N, C*kH*kW, oH*oW] back
// into a tensor of shape [N, C, H, W], adding up the entries that came from
// the same input element (windows overlap) and dropping those of the padding.
func Col2Im[T Float](cols *Dense[T], shape []int, win Window2D) *Dense[T] {
	n, c, h, w := nchw("Col2Im", shape)
	win, oh, ow := win.check("Col2Im", h, w)
	kh, kw := win.Kernel[0], win.Kernel[1]
	l := oh * ow
	k := c * kh * kw
	if !SameShape(cols.shape, []int{n, k, l}) {
		panic(shapeErrorf("Col2Im", "columns of shape %v do not fit shape %v with window %+v: want [%d %d %d]", cols.shape, shape, win, n, k, l))
	}
	// Each plane is zeroed just before its sums, while it is in cache.
	out := empty[T](shape...)
	if out.Size() == 0 {
		return out
	}
	src := cols.Contiguous()
	sd := src.data[src.offset:]
	planeFor(n*c, kh*kw*l, func(lo, hi int) {
		for p := lo; p < hi; p++ {
			img, ch := p/c, p%c
			plane := out.data[p*h*w : (p+1)*h*w]
			clear(plane)
			for i := range kh {
				for j := range kw {
					r := img*k + (ch*kh+i)*kw + j
					col2imTap(plane, sd[r*l:(r+1)*l], h, w, oh, ow, i, j, win)
				}
			}
		}
	})
	return out
}

// col2imTap adds src [oh*ow], the values of kernel tap (i, j) at every output
// position, into the input plane.
func col2imTap[T Float](plane, src []T, h, w, oh, ow, i, j int, win Window2D) {
	sh, sw := win.Stride[0], win.Stride[1]
	offH := i*win.Dilation[0] - win.Padding[0]
	offW := j*win.Dilation[1] - win.Padding[1]
	lo, hi := validRange(offW, sw, w, ow)
	if lo >= hi {
		return
	}
	if sw == 1 {
		// Rows of hi-lo, a shifted copy of the input's: one call for all.
		ylo, yhi := validRange(offH, sh, h, oh)
		if ylo < yhi {
			addRows(plane[(ylo*sh+offH)*w+lo+offW:], src[ylo*ow+lo:], yhi-ylo, hi-lo, sh*w, ow)
		}
		return
	}
	for y := range oh {
		ih := y*sh + offH
		if ih < 0 || ih >= h {
			continue
		}
		row := src[y*ow : (y+1)*ow]
		in := plane[ih*w : (ih+1)*w]

		iw := lo*sw + offW
		for x := lo; x < hi; x++ {
			in[iw] += row[x]
			iw += sw
		}
	}
}

// addRows sets dst[r*dstStride+i] += src[r*srcStride+i] for r < rows,
// i < cols; float32 takes the vector loop (internal/vec), which does the
// same additions in the same order.
func addRows[T Float](dst, src []T, rows, cols, dstStride, srcStride int) {
	if d32, ok := any(dst).([]float32); ok {
		vec.AddRows(d32, any(src).([]float32), rows, cols, dstStride, srcStride)
		return
	}
	for r := range rows {
		d := dst[r*dstStride : r*dstStride+cols]
		s := src[r*srcStride : r*srcStride+cols]
		// Written so that d[i] is the addition's first operand, as in the
		// loops before: of two NaNs, dst's wins.
		for i := range d {
			d[i] += s[i]
		}
	}
}

// MaxPool2D takes the maximum of every window of x [N, C, H, W], with the
// padding ignored (as if it held -Inf), and returns it as [N, C, oH, oW]
// together with, for every output element, the position h*W + w of its
// maximum within its input plane (PyTorch's return_indices). The first of
// tied maxima wins; NaN propagates. Padding may not exceed half the kernel,
// as in PyTorch, so every window holds at least one input element.
func MaxPool2D[T Float](x *Dense[T], win Window2D) (*Dense[T], []int) {
	n, c, h, w := nchw("MaxPool2D", x.shape)
	win, oh, ow := win.check("MaxPool2D", h, w)
	for i := range 2 {
		if 2*win.Padding[i] > win.Kernel[i] {
			panic(shapeErrorf("MaxPool2D", "padding %v exceeds half the kernel %v", win.Padding, win.Kernel))
		}
	}
	out := Zeros[T](n, c, oh, ow)
	idx := allocIndices(n * c * oh * ow)
	if len(idx) == 0 {
		return out, idx
	}
	src := x.Contiguous()
	sd := src.data[src.offset:]
	kh, kw := win.Kernel[0], win.Kernel[1]
	if win == (Window2D{Kernel: [2]int{2, 2}, Stride: [2]int{2, 2}, Dilation: [2]int{1, 1}}) {
		planeFor(n*c, 4*oh*ow, func(lo, hi int) {
			if o32, ok := any(out.data).([]float32); ok {
				vec.MaxPool2x2(o32[lo*oh*ow:hi*oh*ow], idx[lo*oh*ow:hi*oh*ow], any(sd).([]float32)[lo*h*w:hi*h*w], h, w)
				return
			}
			for p := lo; p < hi; p++ {
				maxPool2x2(sd[p*h*w:(p+1)*h*w], w, oh, ow, out.data[p*oh*ow:(p+1)*oh*ow], idx[p*oh*ow:(p+1)*oh*ow])
			}
		})
		return out, idx
	}
	planeFor(n*c, kh*kw*oh*ow, func(lo, hi int) {
		for p := lo; p < hi; p++ {
			plane := sd[p*h*w : (p+1)*h*w]
			o := p * oh * ow
			for y := range oh {
				h0 := y*win.Stride[0] - win.Padding[0]
				for x := range ow {
					w0 := x*win.Stride[1] - win.Padding[1]
					best, at := T(0), -1
					for i := range kh {
						ih := h0 + i*win.Dilation[0]
						if ih < 0 || ih >= h {
							continue
						}
						for j := range kw {
							iw := w0 + j*win.Dilation[1]
							if iw < 0 || iw >= w {
								continue
							}
							v := plane[ih*w+iw]
							if at < 0 || v > best || v != v {
								best, at = v, ih*w+iw
							}
						}
					}
					if at < 0 { // a dilated window that skips every input element
						at = min(max(0, h0), h-1)*w + min(max(0, w0), w-1)
						best = plane[at]
					}
					out.data[o] = best
					idx[o] = at
					o++
				}
			}
		}
	})
	return out, idx
}

// maxPool2x2 pools one plane of width w with 2x2 windows at stride 2, the
// shape nearly every CNN uses, without a branch per element: which element
// wins is data, and a branch on it mispredicts half the time. Ties go to the
// first element in row-major order and NaN wins, as in the general loop.
// float32 goes to vec.MaxPool2x2 instead, which does the same in SIMD.
func maxPool2x2[T Float](plane []T, w, oh, ow int, out []T, idx []int) {
	for y := range oh {
		r0 := 2 * y * w
		r1 := r0 + w
		top, bot := plane[r0:r0+2*ow], plane[r1:r1+2*ow]
		o, ix := out[y*ow:(y+1)*ow], idx[y*ow:(y+1)*ow]
		for x := range o {
			a, b, c, d := top[2*x], top[2*x+1], bot[2*x], bot[2*x+1]
			ia := r0 + 2*x
			// Pick the larger of each pair, then of the two winners.
			tb := beats(b, a)
			m1, i1 := pick(a, b, tb), ia+tb
			td := beats(d, c)
			m2, i2 := pick(c, d, td), ia+w+td
			t2 := beats(m2, m1)
			o[x] = pick(m1, m2, t2)
			ix[x] = i1 + t2*(i2-i1)
		}
	}
}

// beats is 1 when v should replace the running maximum m: it is larger, or
// it is NaN and m is not. The comparisons are combined with bit operations,
// not && and ||, which would branch.
func beats[T Float](v, m T) int {
	return int(b2i(v > m) | b2i(v != v)&b2i(m == m))
}

// pick returns a when t is 0 and b when t is 1, without a branch.
func pick[T Float](a, b T, t int) T {
	pair := [2]T{a, b}
	return pair[t&1]
}

// GatherPlanes picks elements of a [N, C, H, W] plane by plane: the result
// has shape [N, C, oh, ow] and its element p (in row-major order) is element
// indices[p] (a position h*W + w) of its own (n, c) plane of a. With the
// indices of MaxPool2D it reproduces the pooled values.
func GatherPlanes[T Float](a *Dense[T], indices []int, oh, ow int) *Dense[T] {
	n, c, h, w := nchw("GatherPlanes", a.shape)
	checkIndexCount("GatherPlanes", indices, n*c*oh*ow)
	out := empty[T](n, c, oh, ow)
	if out.Size() == 0 {
		return out
	}
	src := a.Contiguous()
	sd := src.data[src.offset:]
	l := oh * ow
	var bad badIndex
	planeFor(n*c, l, func(lo, hi int) {
		for p := lo; p < hi; p++ {
			plane := sd[p*h*w : (p+1)*h*w]
			dst := out.data[p*l : (p+1)*l]
			for q, i := range indices[p*l : (p+1)*l] {
				if uint(i) >= uint(len(plane)) {
					bad.note(p*l + q)
					continue
				}
				dst[q] = plane[i]
			}
		}
	})
	bad.check("GatherPlanes", indices, h*w)
	return out
}

// ScatterAddPlanes is the adjoint of GatherPlanes: it returns zeros of shape
// [N, C, h, w] with each element p of src [N, C, oH, oW] added at position
// indices[p] of its own plane. An index that repeats (overlapping pooling
// windows sharing a maximum) accumulates. It is the backward of max pooling:
// each plane is cleared just before its scatter, so the clear and the
// scatter share one trip of the plane through the cache instead of a
// tensor-wide zero fill followed by a scatter over memory gone cold.
func ScatterAddPlanes[T Float](src *Dense[T], indices []int, h, w int) *Dense[T] {
	n, c, oh, ow := nchw("ScatterAddPlanes", src.shape)
	checkIndexCount("ScatterAddPlanes", indices, n*c*oh*ow)
	out := empty[T](n, c, h, w)
	if out.Size() == 0 {
		return out
	}
	if len(indices) == 0 {
		clear(out.data)
		return out
	}
	s := src.Contiguous()
	sd := s.data[s.offset:]
	l := oh * ow
	var bad badIndex
	planeFor(n*c, h*w+l, func(lo, hi int) {
		for p := lo; p < hi; p++ {
			if q := scatterPlane(out.data[p*h*w:(p+1)*h*w], sd[p*l:(p+1)*l], indices[p*l:(p+1)*l]); q >= 0 {
				bad.note(p*l + q)
			}
		}
	})
	bad.check("ScatterAddPlanes", indices, h*w)
	return out
}

// scatterPlane sets plane to zero and adds src[q] at indices[q], skipping
// indices outside the plane; it returns the position q of the first one
// skipped, or -1.
func scatterPlane[T Float](plane, src []T, indices []int) int {
	clear(plane)
	first := -1
	for q, i := range indices {
		if uint(i) >= uint(len(plane)) {
			if first < 0 {
				first = q
			}
			continue
		}
		plane[i] += src[q]
	}
	return first
}

func checkIndexCount(op string, indices []int, want int) {
	if len(indices) != want {
		panic(shapeErrorf(op, "%d indices for %d elements", len(indices), want))
	}
}

// badIndex records, for a pass over planes that runs in parallel, the
// lowest position of an index outside its plane. The pass checks each index
// as it uses it, instead of a separate pass over all of them first, and the
// caller panics after it, on its own goroutine, where a recover sees it.
type badIndex struct {
	pos atomic.Int64 // lowest bad position plus one, or 0
}

func (b *badIndex) note(pos int) {
	for {
		cur := b.pos.Load()
		if cur != 0 && cur <= int64(pos)+1 {
			return
		}
		if b.pos.CompareAndSwap(cur, int64(pos)+1) {
			return
		}
	}
}

// check panics with the lowest bad index, if any.
func (b *badIndex) check(op string, indices []int, planeSize int) {
	if p := b.pos.Load(); p != 0 {
		panic(shapeErrorf(op, "index %d (element %d) out of range [0, %d)", indices[p-1], p-1, planeSize))
	}
}
