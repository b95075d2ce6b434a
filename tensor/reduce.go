package tensor

import "math"

// ReducedShape returns the shape of a reduction of shape over axes: those
// dimensions become 1 with keepdims and disappear without it. No axes means all.
func ReducedShape(shape []int, axes []int, keepdims bool) []int {
	red := reduceMask("Reduce", len(shape), axes)
	out := []int{}
	for i, d := range shape {
		switch {
		case !red[i]:
			out = append(out, d)
		case keepdims:
			out = append(out, 1)
		}
	}
	return out
}

func reduceMask(op string, nd int, axes []int) []bool {
	red := make([]bool, nd)
	if len(axes) == 0 {
		for i := range red {
			red[i] = true
		}
		return red
	}
	for _, a := range axes {
		a = normAxis(op, a, nd)
		if red[a] {
			panic(shapeErrorf(op, "axis %d repeated in %v", a, axes))
		}
		red[a] = true
	}
	return red
}

// reduce applies f to each group of elements of a that share the kept
// coordinates. The groups are laid out contiguously (reduced axes last), so f
// sees a plain slice.
func reduce[T Float](op string, a *Dense[T], axes []int, keepdims bool, f func(group []T) T) *Dense[T] {
	nd := len(a.shape)
	red := reduceMask(op, nd, axes)
	perm := make([]int, 0, nd)
	for i := range nd {
		if !red[i] {
			perm = append(perm, i)
		}
	}
	kept := len(perm)
	for i := range nd {
		if red[i] {
			perm = append(perm, i)
		}
	}
	src := a.Permute(perm...).Data()
	out := empty[T](ReducedShape(a.shape, axes, keepdims)...)
	groups := out.Size()
	size := 1
	for _, p := range perm[kept:] {
		size *= a.shape[p]
	}
	body := func(lo, hi int) {
		for g := lo; g < hi; g++ {
			out.data[g] = f(src[g*size : (g+1)*size])
		}
	}
	if groups*size < 2*grain || groups < 2 {
		body(0, groups)
	} else {
		parallelFor(groups, max(1, grain/max(size, 1)), body)
	}
	return out
}

// Sum adds the elements over axes (all when none are given).
func Sum[T Float](a *Dense[T], axes []int, keepdims bool) *Dense[T] {
	if lead := leadingAxes(a, axes); lead > 0 && lead < len(a.shape) {
		return sumLeading(a, lead, keepdims)
	}
	return reduce("Sum", a, axes, keepdims, sumSlice[T])
}

// leadingAxes returns how many leading axes axes names when a is
// contiguous and axes are exactly 0, 1, ..., in order; otherwise 0.
func leadingAxes[T Float](a *Dense[T], axes []int) int {
	if !a.IsContiguous() || len(axes) == 0 {
		return 0
	}
	for i, ax := range axes {
		if normAxis("Sum", ax, len(a.shape)) != i {
			return 0
		}
	}
	return len(axes)
}

// sumLeading sums a contiguous tensor over its first lead axes, adding whole
// rows in memory order: the bias gradient of every Linear layer and the
// weight gradient of a convolution (summed over images) take this path.
func sumLeading[T Float](a *Dense[T], lead int, keepdims bool) *Dense[T] {
	rows, cols := prod(a.shape[:lead]), prod(a.shape[lead:])
	out := Zeros[T](ReducedShape(a.shape, seqAxes(lead), keepdims)...)
	src := a.data[a.offset:]
	dst := out.data
	// Columns are independent: split them, never the rows, so each sum is
	// added in the same order whatever the number of cores.
	body := func(lo, hi int) {
		d := dst[lo:hi]
		for r := range rows {
			row := src[r*cols+lo : r*cols+hi]
			for j, v := range row {
				d[j] += v
			}
		}
	}
	if rows*cols < 2*grain {
		body(0, cols)
	} else {
		parallelFor(cols, max(256, grain/max(rows, 1)), body)
	}
	return out
}

func seqAxes(n int) []int {
	axes := make([]int, n)
	for i := range axes {
		axes[i] = i
	}
	return axes
}

// sumSlice adds xs in eight interleaved partial sums, combined pairwise: a
// single running sum waits out the adder's latency at every element (the
// bias gradient of the reference CNN's convolutions spent 2 ms a step in
// it), and the partial sums are also a little more accurate. The order
// depends only on len(xs).
func sumSlice[T Float](xs []T) T {
	var s0, s1, s2, s3, s4, s5, s6, s7 T
	i := 0
	for ; i+8 <= len(xs); i += 8 {
		x := (*[8]T)(xs[i : i+8])
		s0 += x[0]
		s1 += x[1]
		s2 += x[2]
		s3 += x[3]
		s4 += x[4]
		s5 += x[5]
		s6 += x[6]
		s7 += x[7]
	}
	for ; i < len(xs); i++ {
		s0 += xs[i]
	}
	return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
}

// Mean averages the elements over axes (all when none are given).
func Mean[T Float](a *Dense[T], axes []int, keepdims bool) *Dense[T] {
	s := Sum(a, axes, keepdims)
	n := a.Size() / max(s.Size(), 1)
	if a.Size() == 0 {
		n = 0
	}
	return Scale(s, 1/T(n))
}

// Max takes the largest element over axes; NaN propagates.
func Max[T Float](a *Dense[T], axes []int, keepdims bool) *Dense[T] {
	return reduce("Max", a, axes, keepdims, func(xs []T) T {
		m := T(math.Inf(-1))
		for _, x := range xs {
			if x > m || x != x {
				m = x
				if x != x {
					break
				}
			}
		}
		return m
	})
}

// Min takes the smallest element over axes; NaN propagates.
func Min[T Float](a *Dense[T], axes []int, keepdims bool) *Dense[T] {
	return reduce("Min", a, axes, keepdims, func(xs []T) T {
		m := T(math.Inf(1))
		for _, x := range xs {
			if x < m || x != x {
				m = x
				if x != x {
					break
				}
			}
		}
		return m
	})
}

// LogSumExp computes log(sum(exp(a))) over axes without overflow: the
// maximum is subtracted first. A group that is all -Inf gives -Inf.
func LogSumExp[T Float](a *Dense[T], axes []int, keepdims bool) *Dense[T] {
	return reduce("LogSumExp", a, axes, keepdims, logSumExp[T])
}

func logSumExp[T Float](xs []T) T {
	m, ls := maxLogSum(xs)
	return T(m + ls)
}

// maxLogSum returns the maximum m of xs and log(sum(exp(x - m))), both in
// float64; when m is ±Inf or NaN the log-sum is 0 and m says it all.
func maxLogSum[T Float](xs []T) (m, ls float64) {
	m = rowMax(xs)
	if math.IsInf(m, 0) || math.IsNaN(m) {
		return m, 0
	}
	var s float64
	for _, x := range xs {
		s += math.Exp(float64(x) - m)
	}
	return m, math.Log(s)
}

// ArgMax returns, for each position of the remaining dimensions in row-major
// order, the index along axis of the largest element (the first one on ties).
func ArgMax[T Float](a *Dense[T], axis int) []int {
	nd := len(a.shape)
	axis = normAxis("ArgMax", axis, nd)
	perm := make([]int, 0, nd)
	for i := range nd {
		if i != axis {
			perm = append(perm, i)
		}
	}
	src := a.Permute(append(perm, axis)...).Data()
	n := a.shape[axis]
	if n == 0 {
		panic(shapeErrorf("ArgMax", "axis %d of shape %v is empty", axis, a.shape))
	}
	idx := make([]int, len(src)/n)
	for g := range idx {
		row := src[g*n : (g+1)*n]
		best := 0
		for i, x := range row {
			if x > row[best] {
				best = i
			}
		}
		idx[g] = best
	}
	return idx
}
