package tensor

import "math"

// Softmax returns exp(a)/sum(exp(a)) along axis, with each row's maximum
// subtracted first so that no input overflows. A row that is all -Inf gives
// zeros.
func Softmax[T Float](a *Dense[T], axis int) *Dense[T] {
	return alongAxis("Softmax", a, axis, func(dst, src []T) {
		m := rowMax(src)
		if math.IsInf(m, -1) {
			clear(dst)
			return
		}
		var s float64
		for i, x := range src {
			e := math.Exp(float64(x) - m)
			dst[i] = T(e)
			s += e
		}
		inv := 1 / s
		for i := range dst {
			dst[i] = T(float64(dst[i]) * inv)
		}
	})
}

// LogSoftmax returns a - logsumexp(a) along axis in the stable form.
func LogSoftmax[T Float](a *Dense[T], axis int) *Dense[T] {
	return alongAxis("LogSoftmax", a, axis, func(dst, src []T) {
		// (x - max) - log(sum) in float64: rounding the log-sum-exp to T
		// first would cost float32 its precision for logits near 1e4.
		m, ls := maxLogSum(src)
		for i, x := range src {
			dst[i] = T((float64(x) - m) - ls)
		}
	})
}

func rowMax[T Float](xs []T) float64 {
	m := math.Inf(-1)
	for _, x := range xs {
		m = math.Max(m, float64(x))
	}
	return m
}

// alongAxis applies f to every row of a along axis (f writes dst from src,
// both of the axis' length) and returns a tensor of a's shape.
func alongAxis[T Float](op string, a *Dense[T], axis int, f func(dst, src []T)) *Dense[T] {
	nd := len(a.shape)
	axis = normAxis(op, axis, nd)
	perm := make([]int, 0, nd)
	for i := range nd {
		if i != axis {
			perm = append(perm, i)
		}
	}
	perm = append(perm, axis)
	moved := a.Permute(perm...)
	src := moved.Data()
	n := a.shape[axis]
	out := empty[T](moved.shape...)
	if n > 0 {
		rows := len(src) / n
		body := func(lo, hi int) {
			for r := lo; r < hi; r++ {
				f(out.data[r*n:(r+1)*n], src[r*n:(r+1)*n])
			}
		}
		if len(src) < 2*grain {
			body(0, rows)
		} else {
			parallelFor(rows, max(1, grain/n), body)
		}
	}
	if axis == nd-1 {
		return out
	}
	inv := make([]int, nd)
	for i, p := range perm {
		inv[p] = i
	}
	return out.Permute(inv...).Contiguous()
}

// NormAxis turns a possibly negative axis into its index among nd
// dimensions, panicking (naming op) when it is out of range.
func NormAxis(op string, axis, nd int) int { return normAxis(op, axis, nd) }

// ReducedShapeSize is the number of elements of a reduction's result.
func ReducedShapeSize(shape []int, axes []int) int {
	return prod(ReducedShape(shape, axes, false))
}
