package tensor

import (
	"math"

	"github.com/nabla-go/nabla/tensor/internal/vec"
)

// Unary applies f to every element of a and returns the result as a new
// contiguous tensor.
func Unary[T Float](a *Dense[T], f func(T) T) *Dense[T] {
	out := empty[T](a.shape...)
	o := out.data
	if a.IsContiguous() {
		src := a.data[a.offset : a.offset+len(o)]
		elementwiseFor(len(o), func(lo, hi int) {
			for i := lo; i < hi; i++ {
				o[i] = f(src[i])
			}
		})
		return out
	}
	i := 0
	a.each(func(off int) { o[i] = f(a.data[off]); i++ })
	return out
}

// Binary applies f to the elements of a and b, broadcast to a common shape
// (NumPy rules), and returns the result as a new contiguous tensor. op names
// the operation in a shape panic.
func Binary[T Float](op string, a, b *Dense[T], f func(x, y T) T) *Dense[T] {
	return binary(op, opOther, a, b, f)
}

// binOp names the arithmetic ops that have loops of their own: calling f
// for every element costs several times the arithmetic.
type binOp int

const (
	opOther binOp = iota
	opAdd
	opSub
	opMul
	opDiv
)

// sliceOp writes o[i] = x[i] op y[i], or with y[0] for every i when
// scalarY, and reports false for an op without a loop of its own.
func sliceOp[T Float](code binOp, o, x, y []T, scalarY bool) bool {
	if scalarY {
		v := y[0]
		switch code {
		case opAdd:
			for i := range o {
				o[i] = x[i] + v
			}
		case opSub:
			for i := range o {
				o[i] = x[i] - v
			}
		case opMul:
			for i := range o {
				o[i] = x[i] * v
			}
		case opDiv:
			for i := range o {
				o[i] = x[i] / v
			}
		default:
			return false
		}
		return true
	}
	y = y[:len(o)]
	x = x[:len(o)]
	switch code {
	case opAdd:
		for i := range o {
			o[i] = x[i] + y[i]
		}
	case opSub:
		for i := range o {
			o[i] = x[i] - y[i]
		}
	case opMul:
		for i := range o {
			o[i] = x[i] * y[i]
		}
	case opDiv:
		for i := range o {
			o[i] = x[i] / y[i]
		}
	default:
		return false
	}
	return true
}

func binary[T Float](op string, code binOp, a, b *Dense[T], f func(x, y T) T) *Dense[T] {
	shape := BroadcastShapes(op, a.shape, b.shape)
	out := empty[T](shape...)
	o := out.data
	n := len(o)
	switch {
	case n == 0:
	case a.IsContiguous() && b.IsContiguous() && a.Size() == n && b.Size() == n:
		x, y := a.data[a.offset:a.offset+n], b.data[b.offset:b.offset+n]
		elementwiseFor(n, func(lo, hi int) {
			if sliceOp(code, o[lo:hi], x[lo:hi], y[lo:hi], false) {
				return
			}
			for i := lo; i < hi; i++ {
				o[i] = f(x[i], y[i])
			}
		})
	case a.IsContiguous() && b.IsContiguous() && a.Size() == n && b.Size() > 1 && isTrailing(b.shape, shape):
		// A row broadcast down the rows of a, such as a bias.
		x, y := a.data[a.offset:a.offset+n], b.data[b.offset:b.offset+b.Size()]
		m := len(y)
		rows := n / m
		parallelFor(rows, max(1, grain/m), func(lo, hi int) {
			for r := lo; r < hi; r++ {
				or, xr := o[r*m:(r+1)*m], x[r*m:(r+1)*m]
				if sliceOp(code, or, xr, y, false) {
					continue
				}
				for j := range or {
					or[j] = f(xr[j], y[j])
				}
			}
		})
	case a.IsContiguous() && a.Size() == n && b.Size() == 1:
		x, y := a.data[a.offset:a.offset+n], b.data[b.offset]
		elementwiseFor(n, func(lo, hi int) {
			if sliceOp(code, o[lo:hi], x[lo:hi], b.data[b.offset:b.offset+1], true) {
				return
			}
			for i := lo; i < hi; i++ {
				o[i] = f(x[i], y)
			}
		})
	case b.IsContiguous() && b.Size() == n && a.Size() == 1:
		x, y := a.data[a.offset], b.data[b.offset:b.offset+n]
		elementwiseFor(n, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				o[i] = f(x, y[i])
			}
		})
	default:
		ea, eb := coalesce(a.Expand(shape...), b.Expand(shape...))
		cs := ea.shape
		last := len(cs) - 1
		m, sa, sb := cs[last], ea.strides[last], eb.strides[last]
		eachRow(cs, []*Dense[T]{ea, eb}, func(start int, offs []int) {
			pa, pb := offs[0], offs[1]
			row := o[start : start+m]
			switch {
			case sa == 1 && sb == 1 && sliceOp(code, row, ea.data[pa:pa+m], eb.data[pb:pb+m], false):
			case sa == 1 && sb == 0 && sliceOp(code, row, ea.data[pa:pa+m], eb.data[pb:pb+1], true):
			default:
				for j := range row {
					row[j] = f(ea.data[pa+j*sa], eb.data[pb+j*sb])
				}
			}
		})
	}
	return out
}

// coalesce merges neighbouring dimensions that every view steps through
// as one (stride of the outer = stride × size of the inner), so that rows get
// as long as possible: a bias of shape [1, C, 1, 1] over [N, C, H, W] becomes
// rows of H·W elements with a single bias value each. The views must have
// one shape; the results have at least one dimension.
func coalesce[T Float](views ...*Dense[T]) (*Dense[T], *Dense[T]) {
	shape := views[0].shape
	outShape := []int{}
	outStrides := make([][]int, len(views))
	for d := range shape {
		if shape[d] == 1 {
			continue
		}
		k := len(outShape) - 1
		merge := k >= 0
		for v := range views {
			if merge && outStrides[v][k] != views[v].strides[d]*shape[d] {
				merge = false
			}
		}
		if merge {
			outShape[k] *= shape[d]
			for v := range views {
				outStrides[v][k] = views[v].strides[d]
			}
			continue
		}
		outShape = append(outShape, shape[d])
		for v := range views {
			outStrides[v] = append(outStrides[v], views[v].strides[d])
		}
	}
	if len(outShape) == 0 {
		outShape = []int{1}
		for v := range views {
			outStrides[v] = []int{0}
		}
	}
	a := &Dense[T]{data: views[0].data, shape: outShape, strides: outStrides[0], offset: views[0].offset}
	b := &Dense[T]{data: views[1].data, shape: outShape, strides: outStrides[1], offset: views[1].offset}
	return a, b
}

// AddTo adds src, broadcast to dst's shape, into dst in place. It is for a
// tensor the caller has just made and owns, such as adding a bias to a fresh
// product; dst must not be a broadcast view.
func AddTo[T Float](dst, src *Dense[T]) {
	n := dst.Size()
	if dst.IsContiguous() && src.IsContiguous() && src.Size() > 0 && isTrailing(src.shape, dst.shape) {
		d, y := dst.data[dst.offset:dst.offset+n], src.data[src.offset:src.offset+src.Size()]
		m := len(y)
		for r := 0; r < n; r += m {
			row := d[r : r+m]
			sliceOp(opAdd, row, row, y, false)
		}
		return
	}
	dst.CopyFrom(Add(dst, src))
}

// AddToReLU sets dst to max(dst + src, 0) in place, src broadcast to dst's
// shape (nil for none): a layer's bias and ReLU in one pass over the product
// it has just made, instead of a pass for the bias and another, with a tensor
// of its own, for the activation. dst must not be a broadcast view; NaN
// stays NaN, as in ReLU.
func AddToReLU[T Float](dst, src *Dense[T]) {
	n := dst.Size()
	if src == nil {
		src = Scalar[T](0)
	}
	if !dst.IsContiguous() || !src.IsContiguous() || src.Size() == 0 || !isTrailing(src.shape, dst.shape) {
		dst.CopyFrom(ReLU(Add(dst, src)))
		return
	}
	d, y := dst.data[dst.offset:dst.offset+n], src.data[src.offset:src.offset+src.Size()]
	m := len(y)
	if m == 1 {
		// No bias (a Linear without one) or a single value: one vector loop
		// per block, not a row of one element at a time.
		elementwiseFor(n, func(lo, hi int) { addScalar(d[lo:hi], y[0], true) })
		return
	}
	rows := func(lo, hi int) {
		for r := lo; r < hi; r++ {
			addReLU(d[r*m:(r+1)*m], y)
		}
	}
	if n < 2*grain {
		rows(0, n/m)
		return
	}
	parallelFor(n/m, max(1, grain/m), rows)
}

// reluSlice sets o to max(x, 0) elementwise, without a branch; NaN stays
// NaN, as in PyTorch. float32 takes the vector loop (internal/vec).
func reluSlice[T Float](o, x []T) {
	if o32, ok := any(o).([]float32); ok {
		vec.ReLU(o32, any(x).([]float32))
		return
	}
	x = x[:len(o)]
	for i, v := range x {
		o[i] = max(v, 0)
	}
}

// reluInPlace sets o to max(o, 0).
func reluInPlace[T Float](o []T) { reluSlice(o, o) }

// addReLU sets o to max(o + y, 0); y is as long as o, or a single value.
// The sum and the ReLU are two loops over a row that is in cache: the
// ReLU's is a vector loop.
func addReLU[T Float](o, y []T) {
	if len(y) == 1 {
		addScalar(o, y[0], true)
		return
	}
	y = y[:len(o)]
	for i := range o {
		o[i] += y[i]
	}
	reluSlice(o, o)
}

// addScalar sets o[i] += b and then, with relu, o to max(o, 0) as
// reluSlice does: for float32 in one vector loop.
func addScalar[T Float](o []T, b T, relu bool) {
	if o32, ok := any(o).([]float32); ok {
		vec.AddScalar(o32, float32(b), relu)
		return
	}
	for i := range o {
		o[i] += b
	}
	if relu {
		reluSlice(o, o)
	}
}

// isTrailing reports whether small equals the last dimensions of shape.
func isTrailing(small, shape []int) bool {
	lead := len(shape) - len(small)
	if lead < 0 {
		return false
	}
	for len(small) > 0 && small[0] == 1 {
		small = small[1:]
		lead++
	}
	return SameShape(small, shape[lead:])
}

// eachRow walks the innermost rows of shape: for every row it calls f with the
// row's position in a contiguous output and the storage offset of the row's
// first element in each of views (which all have the given shape).
func eachRow[T Float](shape []int, views []*Dense[T], f func(start int, offs []int)) {
	nd := len(shape)
	if nd == 0 {
		offs := make([]int, len(views))
		for k, v := range views {
			offs[k] = v.offset
		}
		f(0, offs)
		return
	}
	if prod(shape) == 0 {
		return
	}
	rowLen := shape[nd-1]
	rows := prod(shape[:nd-1])
	idx := make([]int, nd-1)
	offs := make([]int, len(views))
	for k, v := range views {
		offs[k] = v.offset
	}
	for r := range rows {
		f(r*rowLen, offs)
		for d := nd - 2; d >= 0; d-- {
			idx[d]++
			for k, v := range views {
				offs[k] += v.strides[d]
			}
			if idx[d] < shape[d] {
				break
			}
			for k, v := range views {
				offs[k] -= idx[d] * v.strides[d]
			}
			idx[d] = 0
		}
	}
}

// Add returns a + b with broadcasting.
func Add[T Float](a, b *Dense[T]) *Dense[T] {
	return binary("Add", opAdd, a, b, func(x, y T) T { return x + y })
}

// Sub returns a - b with broadcasting.
func Sub[T Float](a, b *Dense[T]) *Dense[T] {
	return binary("Sub", opSub, a, b, func(x, y T) T { return x - y })
}

// Mul returns a * b elementwise with broadcasting.
func Mul[T Float](a, b *Dense[T]) *Dense[T] {
	return binary("Mul", opMul, a, b, func(x, y T) T { return x * y })
}

// Div returns a / b elementwise with broadcasting.
func Div[T Float](a, b *Dense[T]) *Dense[T] {
	return binary("Div", opDiv, a, b, func(x, y T) T { return x / y })
}

// Pow returns a raised to the power b elementwise with broadcasting.
func Pow[T Float](a, b *Dense[T]) *Dense[T] {
	return Binary("Pow", a, b, func(x, y T) T {
		if y == 2 {
			return x * x
		}
		return T(math.Pow(float64(x), float64(y)))
	})
}

// Maximum returns the elementwise larger of a and b; NaN wins, as in PyTorch.
func Maximum[T Float](a, b *Dense[T]) *Dense[T] {
	return Binary("Maximum", a, b, func(x, y T) T {
		if x != x || x > y {
			return x
		}
		return y
	})
}

// Minimum returns the elementwise smaller of a and b; NaN wins, as in PyTorch.
func Minimum[T Float](a, b *Dense[T]) *Dense[T] {
	return Binary("Minimum", a, b, func(x, y T) T {
		if x != x || x < y {
			return x
		}
		return y
	})
}

// boolT is 1 for true and 0 for false. It goes through an integer, which
// the compiler sets without a branch: on data whose comparisons come out at
// random, a branch mispredicts half the time and costs several times the
// loop's arithmetic.
func boolT[T Float](c bool) T { return T(b2i(c)) }

func b2i(c bool) int32 {
	var r int32
	if c {
		r = 1
	}
	return r
}

// Positive returns 1 where a > 0 and 0 elsewhere (NaN included): the mask
// of ReLU's gradient.
func Positive[T Float](a *Dense[T]) *Dense[T] {
	return unaryBlocks(a, func(o, x []T) {
		for i, v := range x {
			o[i] = boolT[T](v > 0)
		}
	})
}

// MaskPositive returns g * Positive(x), the gradient of ReLU at x given the
// gradient g of its output, in one pass and one allocation instead of a mask
// and a product. It multiplies rather than selects, so the bits are those of
// Mul(g, Positive(x)): where x <= 0 or x is NaN the result is g * 0, which is
// -0 for a negative g and NaN for an infinite or NaN g. g and x must have
// the same shape (no broadcasting).
func MaskPositive[T Float](g, x *Dense[T]) *Dense[T] {
	same := len(g.shape) == len(x.shape)
	for i := 0; same && i < len(g.shape); i++ {
		same = g.shape[i] == x.shape[i]
	}
	if !same {
		panic(shapeErrorf("MaskPositive", "gradient of shape %v for an input of shape %v", g.shape, x.shape))
	}
	g, x = g.Contiguous(), x.Contiguous()
	out := empty[T](g.shape...)
	o := out.data
	gs, xs := g.data[g.offset:g.offset+len(o)], x.data[x.offset:x.offset+len(o)]
	elementwiseFor(len(o), func(lo, hi int) { maskPositive(o[lo:hi], gs[lo:hi], xs[lo:hi]) })
	return out
}

// maskPositive is the loop of MaskPositive over one block, kept free of
// branches like Positive: the sign of x is data.
func maskPositive[T Float](o, g, x []T) {
	if o32, ok := any(o).([]float32); ok {
		vec.MaskPositive(o32, any(g).([]float32), any(x).([]float32))
		return
	}
	g, x = g[:len(o)], x[:len(o)]
	for i := range o {
		o[i] = g[i] * boolT[T](x[i] > 0)
	}
}

// unaryBlocks is Unary for a kernel that takes whole blocks of elements, so
// that the loop over a block is compiled as one (no call per element).
func unaryBlocks[T Float](a *Dense[T], kernel func(out, in []T)) *Dense[T] {
	if !a.IsContiguous() {
		a = a.Clone()
	}
	out := empty[T](a.shape...)
	src := a.data[a.offset : a.offset+len(out.data)]
	elementwiseFor(len(src), func(lo, hi int) { kernel(out.data[lo:hi], src[lo:hi]) })
	return out
}

// Eq returns 1 where a == b and 0 elsewhere.
func Eq[T Float](a, b *Dense[T]) *Dense[T] {
	return Binary("Eq", a, b, func(x, y T) T { return boolT[T](x == y) })
}

// Ne returns 1 where a != b and 0 elsewhere.
func Ne[T Float](a, b *Dense[T]) *Dense[T] {
	return Binary("Ne", a, b, func(x, y T) T { return boolT[T](x != y) })
}

// Lt returns 1 where a < b and 0 elsewhere.
func Lt[T Float](a, b *Dense[T]) *Dense[T] {
	return Binary("Lt", a, b, func(x, y T) T { return boolT[T](x < y) })
}

// Le returns 1 where a <= b and 0 elsewhere.
func Le[T Float](a, b *Dense[T]) *Dense[T] {
	return Binary("Le", a, b, func(x, y T) T { return boolT[T](x <= y) })
}

// Gt returns 1 where a > b and 0 elsewhere.
func Gt[T Float](a, b *Dense[T]) *Dense[T] {
	return Binary("Gt", a, b, func(x, y T) T { return boolT[T](x > y) })
}

// Ge returns 1 where a >= b and 0 elsewhere.
func Ge[T Float](a, b *Dense[T]) *Dense[T] {
	return Binary("Ge", a, b, func(x, y T) T { return boolT[T](x >= y) })
}

// Where returns a where cond is non-zero and b elsewhere, all three broadcast
// to a common shape.
func Where[T Float](cond, a, b *Dense[T]) *Dense[T] {
	shape := BroadcastShapes("Where", BroadcastShapes("Where", cond.shape, a.shape), b.shape)
	ec, ea, eb := cond.Expand(shape...), a.Expand(shape...), b.Expand(shape...)
	out := empty[T](shape...)
	last := len(shape) - 1
	eachRow(shape, []*Dense[T]{ec, ea, eb}, func(start int, offs []int) {
		n, sc, sa, sb := 1, 0, 0, 0
		if last >= 0 {
			n, sc, sa, sb = shape[last], ec.strides[last], ea.strides[last], eb.strides[last]
		}
		for j := range n {
			if ec.data[offs[0]+j*sc] != 0 {
				out.data[start+j] = ea.data[offs[1]+j*sa]
			} else {
				out.data[start+j] = eb.data[offs[2]+j*sb]
			}
		}
	})
	return out
}

// Scale returns a * s.
func Scale[T Float](a *Dense[T], s T) *Dense[T] { return Mul(a, Scalar(s)) }

// AddScalar returns a + s.
func AddScalar[T Float](a *Dense[T], s T) *Dense[T] { return Add(a, Scalar(s)) }

// Neg returns -a.
func Neg[T Float](a *Dense[T]) *Dense[T] { return Unary(a, func(x T) T { return -x }) }

// Exp returns e raised to each element.
func Exp[T Float](a *Dense[T]) *Dense[T] {
	return Unary(a, func(x T) T { return T(math.Exp(float64(x))) })
}

// Log returns the natural logarithm of each element.
func Log[T Float](a *Dense[T]) *Dense[T] {
	return Unary(a, func(x T) T { return T(math.Log(float64(x))) })
}

// Sqrt returns the square root of each element.
func Sqrt[T Float](a *Dense[T]) *Dense[T] {
	return Unary(a, func(x T) T { return T(math.Sqrt(float64(x))) })
}

// Abs returns the absolute value of each element.
func Abs[T Float](a *Dense[T]) *Dense[T] {
	return Unary(a, func(x T) T { return T(math.Abs(float64(x))) })
}

// Erf returns the error function of each element.
func Erf[T Float](a *Dense[T]) *Dense[T] {
	return Unary(a, func(x T) T { return T(math.Erf(float64(x))) })
}

// Sign returns -1, 0 or 1 by the sign of each element.
func Sign[T Float](a *Dense[T]) *Dense[T] {
	return Unary(a, func(x T) T {
		switch {
		case x > 0:
			return 1
		case x < 0:
			return -1
		}
		return x
	})
}

// Tanh returns the hyperbolic tangent of each element.
func Tanh[T Float](a *Dense[T]) *Dense[T] {
	return Unary(a, func(x T) T { return T(math.Tanh(float64(x))) })
}

// Sigmoid returns 1/(1+exp(-x)) of each element, computed without overflow
// for large |x|.
func Sigmoid[T Float](a *Dense[T]) *Dense[T] { return Unary(a, sigmoid[T]) }

func sigmoid[T Float](x T) T {
	if x >= 0 {
		return T(1 / (1 + math.Exp(-float64(x))))
	}
	e := math.Exp(float64(x))
	return T(e / (1 + e))
}

// ReLU returns max(x, 0) of each element.
func ReLU[T Float](a *Dense[T]) *Dense[T] {
	return unaryBlocks(a, reluSlice[T])
}

// Clamp limits each element to [lo, hi].
func Clamp[T Float](a *Dense[T], lo, hi T) *Dense[T] {
	return Unary(a, func(x T) T { return min(max(x, lo), hi) })
}
