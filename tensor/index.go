package tensor

// Concat joins tensors along an existing axis; all other dimensions must agree.
func Concat[T Float](axis int, ts ...*Dense[T]) *Dense[T] {
	if len(ts) == 0 {
		panic(shapeErrorf("Concat", "no tensors"))
	}
	nd := len(ts[0].shape)
	axis = normAxis("Concat", axis, nd)
	shape := cloneInts(ts[0].shape)
	shape[axis] = 0
	for _, t := range ts {
		if len(t.shape) != nd {
			panic(shapeErrorf("Concat", "shapes %v and %v differ in rank", ts[0].shape, t.shape))
		}
		for i := range nd {
			if i != axis && t.shape[i] != ts[0].shape[i] {
				panic(shapeErrorf("Concat", "shapes %v and %v differ outside axis %d", ts[0].shape, t.shape, axis))
			}
		}
		shape[axis] += t.shape[axis]
	}
	out := empty[T](shape...)
	at := 0
	for _, t := range ts {
		out.Slice(axis, at, at+t.shape[axis]).CopyFrom(t)
		at += t.shape[axis]
	}
	return out
}

// Stack joins tensors of one shape along a new axis.
func Stack[T Float](axis int, ts ...*Dense[T]) *Dense[T] {
	if len(ts) == 0 {
		panic(shapeErrorf("Stack", "no tensors"))
	}
	axis = normAxis("Stack", axis, len(ts[0].shape)+1)
	us := make([]*Dense[T], len(ts))
	for i, t := range ts {
		if !SameShape(t.shape, ts[0].shape) {
			panic(shapeErrorf("Stack", "shapes %v and %v differ", ts[0].shape, t.shape))
		}
		us[i] = t.Unsqueeze(axis)
	}
	return Concat(axis, us...)
}

// CopyFrom copies src, broadcast to t's shape, into t's elements (which may be
// a view into a larger tensor).
func (t *Dense[T]) CopyFrom(src *Dense[T]) {
	s := src.Expand(t.shape...)
	last := len(t.shape) - 1
	eachRow(t.shape, []*Dense[T]{t, s}, func(_ int, offs []int) {
		if last < 0 {
			t.data[offs[0]] = s.data[offs[1]]
			return
		}
		st, ss := t.strides[last], s.strides[last]
		for j := range t.shape[last] {
			t.data[offs[0]+j*st] = s.data[offs[1]+j*ss]
		}
	})
}

// IndexSelect picks the entries idx along axis: the result has a's shape with
// that dimension replaced by len(idx). Embedding lookups are IndexSelect on
// axis 0.
func IndexSelect[T Float](a *Dense[T], axis int, idx []int) *Dense[T] {
	axis = normAxis("IndexSelect", axis, len(a.shape))
	checkIndices("IndexSelect", idx, a.shape[axis])
	shape := cloneInts(a.shape)
	shape[axis] = len(idx)
	out := empty[T](shape...)
	for i, j := range idx {
		out.Slice(axis, i, i+1).CopyFrom(a.Slice(axis, j, j+1))
	}
	return out
}

// IndexAdd returns a tensor of the given shape, zero but for src's entries
// added at positions idx along axis. It is the adjoint of IndexSelect: an
// index that repeats accumulates.
func IndexAdd[T Float](src *Dense[T], axis int, idx []int, shape []int) *Dense[T] {
	axis = normAxis("IndexAdd", axis, len(shape))
	checkIndices("IndexAdd", idx, shape[axis])
	want := cloneInts(shape)
	want[axis] = len(idx)
	if !SameShape(src.shape, want) {
		panic(shapeErrorf("IndexAdd", "source shape %v does not fit %d indices into shape %v along axis %d", src.shape, len(idx), shape, axis))
	}
	out := Zeros[T](shape...)
	for i, j := range idx {
		AddTo(out.Slice(axis, j, j+1), src.Slice(axis, i, i+1))
	}
	return out
}

// Gather picks one entry along axis for every position of the other
// dimensions: out has a's shape without axis, and out at position p is a's
// element idx[p] along axis (p counted in row-major order). Cross-entropy uses
// it to pick each row's class score.
func Gather[T Float](a *Dense[T], axis int, idx []int) *Dense[T] {
	axis = normAxis("Gather", axis, len(a.shape))
	shape := removeAt(a.shape, axis)
	if len(idx) != prod(shape) {
		panic(shapeErrorf("Gather", "%d indices for shape %v without axis %d", len(idx), a.shape, axis))
	}
	checkIndices("Gather", idx, a.shape[axis])
	out := empty[T](shape...)
	rest := &Dense[T]{data: a.data, shape: shape, strides: removeAt(a.strides, axis), offset: a.offset}
	step := a.strides[axis]
	i := 0
	rest.each(func(off int) {
		out.data[i] = a.data[off+idx[i]*step]
		i++
	})
	return out
}

// Scatter is the adjoint of Gather: it returns a tensor of the given shape,
// zero but for src's elements placed at positions idx along axis.
func Scatter[T Float](src *Dense[T], axis int, idx []int, shape []int) *Dense[T] {
	axis = normAxis("Scatter", axis, len(shape))
	if !SameShape(src.shape, removeAt(shape, axis)) {
		panic(shapeErrorf("Scatter", "source shape %v does not fit shape %v without axis %d", src.shape, shape, axis))
	}
	checkIndices("Scatter", idx, shape[axis])
	out := Zeros[T](shape...)
	rest := &Dense[T]{data: out.data, shape: src.shape, strides: removeAt(out.strides, axis)}
	step := out.strides[axis]
	s := src.Data()
	i := 0
	rest.each(func(off int) {
		out.data[off+idx[i]*step] += s[i]
		i++
	})
	return out
}

func checkIndices(op string, idx []int, n int) {
	for _, j := range idx {
		if j < 0 || j >= n {
			panic(shapeErrorf(op, "index %d out of range [0, %d)", j, n))
		}
	}
}
