//go:build amd64 && !purego

package vec

// addAVX2 (add_amd64.s) sets dst[i] += src[i] for n elements, n a positive
// multiple of 8.
//
//go:noescape
func addAVX2(dst, src *float32, n int)

// addAsm runs the assembly over the leading multiple of 8 of dst and
// returns how many elements it did.
func addAsm(dst, src []float32) int {
	n := len(dst) &^ 7
	if !useAsm || n == 0 {
		return 0
	}
	addAVX2(&dst[0], &src[0], n)
	return n
}

// addRowsAVX2 (add_amd64.s) is AddRows for cols >= 8 and rows >= 1.
//
//go:noescape
func addRowsAVX2(dst, src *float32, rows, cols, dstStride, srcStride int)

// addRowsAsm runs AddRows in assembly where it can, rows of at least eight,
// and reports whether it did.
func addRowsAsm(dst, src []float32, rows, cols, dstStride, srcStride int) bool {
	if !useAsm || cols < 8 || dstStride < 0 || srcStride < 0 {
		return false
	}
	addRowsAVX2(&dst[0], &src[0], rows, cols, dstStride, srcStride)
	return true
}

// addScalarAVX2 and addScalarReLUAVX2 (add_amd64.s) set dst[i] += b, the
// second then applying ReLU, for n elements, n a positive multiple of 8.
//
//go:noescape
func addScalarAVX2(dst *float32, b float32, n int)

//go:noescape
func addScalarReLUAVX2(dst *float32, b float32, n int)

// addScalarAsm runs the assembly over the leading multiple of 8 of dst and
// returns how many elements it did.
func addScalarAsm(dst []float32, b float32, relu bool) int {
	n := len(dst) &^ 7
	if !useAsm || n == 0 {
		return 0
	}
	if relu {
		addScalarReLUAVX2(&dst[0], b, n)
	} else {
		addScalarAVX2(&dst[0], b, n)
	}
	return n
}
