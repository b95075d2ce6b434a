package tensor

import (
	"fmt"
	"strings"

	"golang.org/x/exp/constraints"
)

// Float is the element type of a tensor: float32 for training speed, float64
// for gradient checks.
type Float interface {
	constraints.Float
}

// Dense is an N-dimensional, row-major tensor. Several tensors may share one
// backing slice: Reshape, Transpose, Slice and Expand return views that differ
// only in shape, strides and offset. A stride of 0 marks a broadcast axis.
type Dense[T Float] struct {
	data    []T
	shape   []int
	strides []int
	offset  int
}

// New returns a tensor of the given shape that uses data as its storage
// (no copy). With no shape, data is a vector. It panics when the number of
// elements does not match the shape.
func New[T Float](data []T, shape ...int) *Dense[T] {
	if len(shape) == 0 {
		shape = []int{len(data)}
	}
	n := checkShape("New", shape)
	if n != len(data) {
		panic(shapeErrorf("New", "%d elements do not fill shape %v", len(data), shape))
	}
	return &Dense[T]{data: data, shape: cloneInts(shape), strides: contiguousStrides(shape)}
}

// Scalar returns a 0-dimensional tensor holding v.
func Scalar[T Float](v T) *Dense[T] {
	return &Dense[T]{data: []T{v}, shape: []int{}, strides: []int{}}
}

// Shape returns a copy of the tensor's dimensions.
func (t *Dense[T]) Shape() []int { return cloneInts(t.shape) }

// Strides returns a copy of the element step along each dimension.
func (t *Dense[T]) Strides() []int { return cloneInts(t.strides) }

// Offset is the position of the first element in the backing slice.
func (t *Dense[T]) Offset() int { return t.offset }

// Dims is the number of dimensions.
func (t *Dense[T]) Dims() int { return len(t.shape) }

// Dim returns the size of dimension i; a negative i counts from the end.
func (t *Dense[T]) Dim(i int) int { return t.shape[normAxis("Dim", i, len(t.shape))] }

// Size is the number of elements.
func (t *Dense[T]) Size() int { return prod(t.shape) }

// IsContiguous reports whether the elements lie in row-major order, without
// gaps, starting at the offset.
func (t *Dense[T]) IsContiguous() bool {
	want := 1
	for i := len(t.shape) - 1; i >= 0; i-- {
		if t.shape[i] != 1 && t.strides[i] != want {
			return false
		}
		want *= t.shape[i]
	}
	return true
}

// Data returns the elements in row-major order. For a contiguous tensor it is
// the backing storage itself (writes show through); otherwise a fresh copy.
func (t *Dense[T]) Data() []T {
	if t.IsContiguous() {
		return t.data[t.offset : t.offset+t.Size()]
	}
	return t.Contiguous().data
}

// Storage returns the whole backing slice, which views share.
func (t *Dense[T]) Storage() []T { return t.data }

// Contiguous returns t itself when it is contiguous, else a row-major copy.
func (t *Dense[T]) Contiguous() *Dense[T] {
	if t.IsContiguous() {
		return t
	}
	return t.Clone()
}

// Clone returns a contiguous copy that shares nothing with t.
func (t *Dense[T]) Clone() *Dense[T] {
	out := alloc[T](t.Size(), false)
	if t.IsContiguous() {
		copy(out, t.data[t.offset:])
	} else {
		t.copyRowsTo(out)
	}
	return &Dense[T]{data: out, shape: cloneInts(t.shape), strides: contiguousStrides(t.shape)}
}

// copyRowsTo writes t's elements in row-major order into dst, a row of the
// last dimension at a time.
func (t *Dense[T]) copyRowsTo(dst []T) {
	nd := len(t.shape)
	if nd == 0 {
		dst[0] = t.data[t.offset]
		return
	}
	n := t.shape[nd-1]
	s := t.strides[nd-1]
	eachRow(t.shape, []*Dense[T]{t}, func(start int, offs []int) {
		row := dst[start : start+n]
		off := offs[0]
		if s == 1 {
			copy(row, t.data[off:off+n])
			return
		}
		for j := range row {
			row[j] = t.data[off]
			off += s
		}
	})
}

// At returns the element at the given index, one coordinate per dimension.
func (t *Dense[T]) At(idx ...int) T { return t.data[t.pos("At", idx)] }

// Set stores v at the given index.
func (t *Dense[T]) Set(v T, idx ...int) { t.data[t.pos("Set", idx)] = v }

// Item returns the only element of a one-element tensor.
func (t *Dense[T]) Item() T {
	if t.Size() != 1 {
		panic(shapeErrorf("Item", "tensor of shape %v has %d elements, want 1", t.shape, t.Size()))
	}
	return t.data[t.offset]
}

func (t *Dense[T]) pos(op string, idx []int) int {
	if len(idx) != len(t.shape) {
		panic(shapeErrorf(op, "index %v for shape %v", idx, t.shape))
	}
	p := t.offset
	for i, x := range idx {
		if x < 0 || x >= t.shape[i] {
			panic(shapeErrorf(op, "index %v out of range for shape %v", idx, t.shape))
		}
		p += x * t.strides[i]
	}
	return p
}

// each calls f with the storage offset of every element, in row-major order.
func (t *Dense[T]) each(f func(off int)) {
	n := t.Size()
	if n == 0 {
		return
	}
	nd := len(t.shape)
	if nd == 0 {
		f(t.offset)
		return
	}
	idx := make([]int, nd)
	off := t.offset
	last := nd - 1
	inner, innerStride := t.shape[last], t.strides[last]
	for {
		o := off
		for j := 0; j < inner; j++ {
			f(o)
			o += innerStride
		}
		d := last - 1
		for ; d >= 0; d-- {
			idx[d]++
			off += t.strides[d]
			if idx[d] < t.shape[d] {
				break
			}
			off -= idx[d] * t.strides[d]
			idx[d] = 0
		}
		if d < 0 {
			return
		}
	}
}

// String formats small tensors in full and large ones by shape.
func (t *Dense[T]) String() string {
	if t.Size() > 100 {
		return fmt.Sprintf("Dense%v", t.shape)
	}
	var b strings.Builder
	data := t.Data()
	var rec func(d, off int)
	rec = func(d, off int) {
		if d == len(t.shape) {
			fmt.Fprintf(&b, "%g", data[off])
			return
		}
		b.WriteByte('[')
		step := prod(t.shape[d+1:])
		for i := 0; i < t.shape[d]; i++ {
			if i > 0 {
				b.WriteString(", ")
			}
			rec(d+1, off+i*step)
		}
		b.WriteByte(']')
	}
	rec(0, 0)
	return b.String()
}

func contiguousStrides(shape []int) []int {
	s := make([]int, len(shape))
	acc := 1
	for i := len(shape) - 1; i >= 0; i-- {
		s[i] = acc
		acc *= shape[i]
	}
	return s
}

func prod(xs []int) int {
	p := 1
	for _, x := range xs {
		p *= x
	}
	return p
}

func cloneInts(xs []int) []int { return append([]int{}, xs...) }

func checkShape(op string, shape []int) int {
	for _, d := range shape {
		if d < 0 {
			panic(shapeErrorf(op, "negative dimension in shape %v", shape))
		}
	}
	return prod(shape)
}

func normAxis(op string, axis, nd int) int {
	a := axis
	if a < 0 {
		a += nd
	}
	if a < 0 || a >= nd {
		panic(shapeErrorf(op, "axis %d out of range for %d dimensions", axis, nd))
	}
	return a
}
