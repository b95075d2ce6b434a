package vec

// Add sets dst[i] += src[i], the accumulation of col2im's taps: Go does not
// vectorise it, and a tap's rows are too short for the call overhead of
// anything but one long loop. Each element is one IEEE addition with dst as
// the first operand, the same in the assembly and in Go, so the paths give
// the same bits. src is at least as long as dst.
func Add(dst, src []float32) {
	n := len(dst)
	src = src[:n]
	done := addAsm(dst, src)
	addGo(dst[done:], src[done:])
}

// AddScalar sets dst[i] += b and then, with relu, dst[i] to ReLU's value
// of the sum (a positive sum or NaN unchanged, anything else +0): a
// convolution's bias, and its activation, over a row of its product. The
// sum is Go's dst[i] + b, in the assembly too.
func AddScalar(dst []float32, b float32, relu bool) {
	done := addScalarAsm(dst, b, relu)
	rest := dst[done:]
	for i := range rest {
		rest[i] += b
	}
	if relu {
		reluGo(rest, rest)
	}
}

func addGo(dst, src []float32) {
	src = src[:len(dst)]
	for i := range dst {
		dst[i] += src[i]
	}
}

// AddRows adds rows cols long: dst[r*dstStride+i] += src[r*srcStride+i] for
// r < rows and i < cols, row after row. It is col2im's add of one kernel tap
// when the window moves one column at a time: each row is a dozen or a few
// dozen elements, too short for a call each. dst and src do not overlap;
// strides are not negative.
func AddRows(dst, src []float32, rows, cols, dstStride, srcStride int) {
	if rows <= 0 || cols <= 0 {
		return
	}
	dst = dst[:(rows-1)*dstStride+cols]
	src = src[:(rows-1)*srcStride+cols]
	if addRowsAsm(dst, src, rows, cols, dstStride, srcStride) {
		return
	}
	for r := range rows {
		addGo(dst[r*dstStride:r*dstStride+cols], src[r*srcStride:r*srcStride+cols])
	}
}
