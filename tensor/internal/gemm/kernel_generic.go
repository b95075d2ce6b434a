package gemm

// kernGeneric is the portable 2x4 micro-kernel. It computes the 2x4 tile
// C = alpha*Ap*Bp + beta*C (C unread when beta == 0), where Ap and Bp are
// packed slivers of 2 rows and 4 columns of depth k. Eight accumulators and
// the four B values fit in the sixteen floating-point registers of amd64
// (more would spill), which makes 2x4 faster in Go than 4x4.
func kernGeneric[T float](k int, a, b, c []T, ldc int, alpha, beta T) {
	var c00, c01, c02, c03 T
	var c10, c11, c12, c13 T
	a = a[:2*k]
	b = b[:4*k]
	for p := range k {
		ap := a[2*p : 2*p+2 : 2*p+2]
		bp := b[4*p : 4*p+4 : 4*p+4]
		b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
		a0 := ap[0]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		a1 := ap[1]
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
	}
	storeRow(c[0:4:4], alpha, beta, c00, c01, c02, c03)
	storeRow(c[ldc:ldc+4:ldc+4], alpha, beta, c10, c11, c12, c13)
}

// storeRow writes alpha*v + beta*c to the four elements of c, ignoring c's
// old content when beta == 0.
func storeRow[T float](c []T, alpha, beta, v0, v1, v2, v3 T) {
	c = c[:4]
	if beta == 0 {
		c[0], c[1], c[2], c[3] = alpha*v0, alpha*v1, alpha*v2, alpha*v3
		return
	}
	c[0] = alpha*v0 + beta*c[0]
	c[1] = alpha*v1 + beta*c[1]
	c[2] = alpha*v2 + beta*c[2]
	c[3] = alpha*v3 + beta*c[3]
}
