package tensor

// MatMul returns the matrix product of a [..., m, k] and b [..., k, n]. The
// batch dimensions broadcast. An operand that is a transposed view (for
// example b.T()) is read in place, without a copy.
func MatMul[T Float](a, b *Dense[T]) *Dense[T] {
	if len(a.shape) < 2 || len(b.shape) < 2 {
		panic(shapeErrorf("MatMul", "operands need at least 2 dimensions, got shapes %v and %v", a.shape, b.shape))
	}
	na, nb := len(a.shape), len(b.shape)
	m, k, k2, n := a.shape[na-2], a.shape[na-1], b.shape[nb-2], b.shape[nb-1]
	if k != k2 {
		panic(shapeErrorf("MatMul", "inner dimensions differ: shapes %v and %v", a.shape, b.shape))
	}
	batch := BroadcastShapes("MatMul", a.shape[:na-2], b.shape[:nb-2])
	out := empty[T](append(cloneInts(batch), m, n)...)
	if out.Size() == 0 {
		return out
	}
	ea := a.Expand(append(cloneInts(batch), m, k)...)
	eb := b.Expand(append(cloneInts(batch), k, n)...)
	ta, lda, ea := matrixLayout(ea)
	tb, ldb, eb := matrixLayout(eb)
	nbatch := prod(batch)
	product := func(p int) {
		offA, offB := ea.offset, eb.offset
		rest := p
		for d := len(batch) - 1; d >= 0; d-- {
			i := rest % batch[d]
			rest /= batch[d]
			offA += i * ea.strides[d]
			offB += i * eb.strides[d]
		}
		gemm(ta, tb, m, n, k, 1, ea.data[offA:], lda, eb.data[offB:], ldb, 0, out.data[p*m*n:], n)
	}
	// A product too small for GEMM to split runs on one goroutine; a batch
	// of them is split over the batch instead. Each product writes its own
	// block of the output, so the split does not change the result.
	flops := m * n * k
	if nbatch > 1 && flops < smallProduct {
		parallelFor(nbatch, max(1, smallProduct/max(flops, 1)), func(lo, hi int) {
			for p := lo; p < hi; p++ {
				product(p)
			}
		})
		return out
	}
	for p := range nbatch {
		product(p)
	}
	return out
}

// smallProduct is the number of multiply-adds below which GEMM runs a
// product on the calling goroutine (its own threshold, which this mirrors):
// a batch of such products is split over the batch instead.
const smallProduct = 1 << 19

// matrixLayout tells how GEMM should read the last two dimensions of t:
// row-major (trans false) or as the transpose of a row-major matrix (trans
// true), with its leading dimension. A layout GEMM cannot read is copied.
func matrixLayout[T Float](t *Dense[T]) (trans bool, ld int, v *Dense[T]) {
	nd := len(t.shape)
	rows, cols := t.shape[nd-2], t.shape[nd-1]
	rs, cs := t.strides[nd-2], t.strides[nd-1]
	switch {
	case (cs == 1 || cols == 1) && rs >= max(cols, 1):
		return false, max(rs, 1), t
	case (rs == 1 || rows == 1) && cs >= max(rows, 1):
		return true, max(cs, 1), t
	}
	// Keep the batch strides (which may be 0 for broadcast) and make each
	// matrix contiguous.
	c := t.Clone()
	return false, cols, c
}
