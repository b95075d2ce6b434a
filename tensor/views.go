package tensor

// The functions in this file return views: tensors that share t's storage and
// differ only in shape, strides and offset. Writing through a view writes t.

// Reshape returns t with a new shape holding the same number of elements. One
// dimension may be -1 and is then inferred. It is a view when t's layout allows
// (always when t is contiguous) and a copy otherwise.
func (t *Dense[T]) Reshape(shape ...int) *Dense[T] {
	shape = InferShape("Reshape", t.Size(), shape)
	if t.IsContiguous() {
		return &Dense[T]{data: t.data, shape: shape, strides: contiguousStrides(shape), offset: t.offset}
	}
	c := t.Clone()
	c.shape, c.strides = shape, contiguousStrides(shape)
	return c
}

// InferShape resolves a single -1 in shape so that it holds size elements; it
// panics when that is impossible.
func InferShape(op string, size int, shape []int) []int {
	shape = cloneInts(shape)
	infer := -1
	known := 1
	for i, d := range shape {
		switch {
		case d == -1 && infer < 0:
			infer = i
		case d < 0:
			panic(shapeErrorf(op, "bad shape %v", shape))
		default:
			known *= d
		}
	}
	if infer >= 0 {
		if known == 0 || size%known != 0 {
			panic(shapeErrorf(op, "cannot infer -1 in %v from %d elements", shape, size))
		}
		shape[infer] = size / known
	}
	if prod(shape) != size {
		panic(shapeErrorf(op, "cannot reshape %d elements to %v", size, shape))
	}
	return shape
}

// Permute returns a view whose dimension i is t's dimension axes[i].
func (t *Dense[T]) Permute(axes ...int) *Dense[T] {
	nd := len(t.shape)
	if len(axes) != nd {
		panic(shapeErrorf("Permute", "axes %v for shape %v", axes, t.shape))
	}
	seen := make([]bool, nd)
	shape, strides := make([]int, nd), make([]int, nd)
	for i, a := range axes {
		a = normAxis("Permute", a, nd)
		if seen[a] {
			panic(shapeErrorf("Permute", "axis %d repeated in %v", a, axes))
		}
		seen[a] = true
		shape[i], strides[i] = t.shape[a], t.strides[a]
	}
	return &Dense[T]{data: t.data, shape: shape, strides: strides, offset: t.offset}
}

// Transpose returns a view with dimensions a and b swapped.
func (t *Dense[T]) Transpose(a, b int) *Dense[T] {
	nd := len(t.shape)
	axes := make([]int, nd)
	for i := range axes {
		axes[i] = i
	}
	a, b = normAxis("Transpose", a, nd), normAxis("Transpose", b, nd)
	axes[a], axes[b] = axes[b], axes[a]
	return t.Permute(axes...)
}

// T returns the view that swaps the last two dimensions (a matrix transpose).
func (t *Dense[T]) T() *Dense[T] {
	if len(t.shape) < 2 {
		panic(shapeErrorf("T", "needs at least 2 dimensions, got shape %v", t.shape))
	}
	return t.Transpose(-2, -1)
}

// Slice returns the view of indices start..end-1 along axis.
func (t *Dense[T]) Slice(axis, start, end int) *Dense[T] {
	axis = normAxis("Slice", axis, len(t.shape))
	if start < 0 || end > t.shape[axis] || start > end {
		panic(shapeErrorf("Slice", "range [%d, %d) out of bounds for axis %d of shape %v", start, end, axis, t.shape))
	}
	shape := cloneInts(t.shape)
	shape[axis] = end - start
	return &Dense[T]{data: t.data, shape: shape, strides: cloneInts(t.strides), offset: t.offset + start*t.strides[axis]}
}

// Squeeze removes dimension axis, which must have size 1.
func (t *Dense[T]) Squeeze(axis int) *Dense[T] {
	axis = normAxis("Squeeze", axis, len(t.shape))
	if t.shape[axis] != 1 {
		panic(shapeErrorf("Squeeze", "axis %d of shape %v is not 1", axis, t.shape))
	}
	return &Dense[T]{data: t.data, shape: removeAt(t.shape, axis), strides: removeAt(t.strides, axis), offset: t.offset}
}

// Unsqueeze inserts a dimension of size 1 at position axis (0..Dims()).
func (t *Dense[T]) Unsqueeze(axis int) *Dense[T] {
	axis = normAxis("Unsqueeze", axis, len(t.shape)+1)
	stride := 1
	if axis < len(t.shape) {
		stride = t.strides[axis] * t.shape[axis]
	}
	return &Dense[T]{data: t.data, shape: insertAt(t.shape, axis, 1), strides: insertAt(t.strides, axis, stride), offset: t.offset}
}

// Expand returns a broadcast view of t with the given shape: dimensions of size
// 1 are repeated (stride 0) and new leading dimensions are added, as in
// NumPy and PyTorch broadcasting.
func (t *Dense[T]) Expand(shape ...int) *Dense[T] {
	nd := len(shape)
	if nd < len(t.shape) {
		panic(shapeErrorf("Expand", "cannot expand shape %v to %v", t.shape, shape))
	}
	strides := make([]int, nd)
	lead := nd - len(t.shape)
	for i := range shape {
		if i < lead {
			continue
		}
		d := t.shape[i-lead]
		switch {
		case d == shape[i]:
			strides[i] = t.strides[i-lead]
		case d == 1:
			strides[i] = 0
		default:
			panic(shapeErrorf("Expand", "cannot expand shape %v to %v", t.shape, shape))
		}
	}
	return &Dense[T]{data: t.data, shape: cloneInts(shape), strides: strides, offset: t.offset}
}

// BroadcastShapes returns the shape that a and b broadcast to, following
// NumPy's rules, and panics (naming op) when they do not broadcast.
func BroadcastShapes(op string, a, b []int) []int {
	n := max(len(a), len(b))
	out := make([]int, n)
	for i := range n {
		da, db := 1, 1
		if j := i - (n - len(a)); j >= 0 {
			da = a[j]
		}
		if j := i - (n - len(b)); j >= 0 {
			db = b[j]
		}
		switch {
		case da == db, db == 1:
			out[i] = da
		case da == 1:
			out[i] = db
		default:
			panic(shapeErrorf(op, "shapes %v and %v do not broadcast", a, b))
		}
	}
	return out
}

// SameShape reports whether two shapes are equal.
func SameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func removeAt(xs []int, i int) []int {
	out := make([]int, 0, len(xs)-1)
	out = append(out, xs[:i]...)
	return append(out, xs[i+1:]...)
}

func insertAt(xs []int, i, v int) []int {
	out := make([]int, 0, len(xs)+1)
	out = append(out, xs[:i]...)
	out = append(out, v)
	return append(out, xs[i:]...)
}
