package vec

// MaxPool2x2 pools planes of h x w float32 values with 2x2 windows at stride
// 2, the max-pool of nearly every CNN, into planes of (h/2) x (w/2): dst
// gets each window's maximum and idx its position r*w + c within the input
// plane, which the backward pass scatters the gradient to. An odd last row
// or column is dropped. Within a window the winner of the top pair, then of
// the bottom pair, then of those two is kept, where a value beats another
// when it is larger, or NaN while the other is not: so the first of tied
// maxima in row-major order wins (+0 and -0 tie) and the winning NaN's bits
// pass through. src holds whole planes; dst and idx one output per window.
// On amd64 with AVX-512 sixteen windows are pooled at once in assembly,
// which gives the same values and indices as the Go loop (the tests compare
// them bit for bit).
func MaxPool2x2(dst []float32, idx []int, src []float32, h, w int) {
	oh, ow := h/2, w/2
	if h*w == 0 || oh*ow == 0 {
		return
	}
	planes := len(src) / (h * w)
	if len(src) != planes*h*w || len(dst) != planes*oh*ow || len(idx) != len(dst) {
		panic("vec: MaxPool2x2: lengths do not match the plane shape")
	}
	if planes == 0 || maxPool2x2Asm(dst, idx, src, planes, h, w) {
		return
	}
	for p := range planes {
		maxPool2x2Go(dst[p*oh*ow:(p+1)*oh*ow], idx[p*oh*ow:(p+1)*oh*ow], src[p*h*w:(p+1)*h*w], w, oh, ow)
	}
}

// maxPool2x2Go pools one plane without a branch on the data, which would
// mispredict half the time.
func maxPool2x2Go(dst []float32, idx []int, plane []float32, w, oh, ow int) {
	for y := range oh {
		r0 := 2 * y * w
		top, bot := plane[r0:r0+2*ow], plane[r0+w:r0+w+2*ow]
		o, ix := dst[y*ow:(y+1)*ow], idx[y*ow:(y+1)*ow]
		for x := range o {
			a, b, c, d := top[2*x], top[2*x+1], bot[2*x], bot[2*x+1]
			ia := r0 + 2*x
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

// beats is 1 when v should replace the running maximum m (v > m, or v is
// NaN and m is not) and 0 otherwise, computed without && and ||, which
// would branch.
func beats(v, m float32) int {
	return b2i(v > m) | b2i(v != v)&b2i(m == m)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// pick returns a when t is 0 and b when t is 1, without a branch.
func pick(a, b float32, t int) float32 {
	pair := [2]float32{a, b}
	return pair[t&1]
}
