package tensor

// Matrix products shaped for im2col convolutions. A convolution multiplies
// one weight matrix per group by every image's columns, and its weight
// gradient sums a product over the images; MatMul would broadcast the weight
// into a batch, and would need a batch of partial gradients reduced
// afterwards. These kernels run the engine's GEMM straight on those layouts.

// GroupedMatMul returns the products of a [G, m, k] with every image of
// b [N, G, k, n], as [N, G, m, n]: out[i, g] = a[g]·b[i, g] + bias. It is the
// forward product of a convolution with G groups (a the weights, b the
// columns of tensor.Im2Col). bias, nil or of shape [G*m], is added to each
// output row r of group g as bias[g*m + r], over each product while it is
// in cache. a may be a transposed view in its last two dimensions (for
// example the weights read as aᵀ for an input gradient); it is read in
// place.
func GroupedMatMul[T Float](a, b, bias *Dense[T]) *Dense[T] {
	return groupedMatMul(a, b, bias, false)
}

// GroupedMatMulReLU is max(GroupedMatMul(a, b, bias), 0): a convolution with
// its bias and ReLU. Each product's ReLU runs right after its GEMM, while
// the product is still in cache, instead of as a pass of its own over the
// whole output.
func GroupedMatMulReLU[T Float](a, b, bias *Dense[T]) *Dense[T] {
	return groupedMatMul(a, b, bias, true)
}

func groupedMatMul[T Float](a, b, bias *Dense[T], relu bool) *Dense[T] {
	if len(a.shape) != 3 || len(b.shape) != 4 || b.shape[1] != a.shape[0] || b.shape[2] != a.shape[2] {
		panic(shapeErrorf("GroupedMatMul", "want a [G m k] and b [N G k n], got shapes %v and %v", a.shape, b.shape))
	}
	g, m, k := a.shape[0], a.shape[1], a.shape[2]
	nimg, n := b.shape[0], b.shape[3]
	if bias != nil && !SameShape(bias.shape, []int{g * m}) {
		panic(shapeErrorf("GroupedMatMul", "bias of shape %v for a of shape %v: want [%d]", bias.shape, a.shape, g*m))
	}
	out := empty[T](nimg, g, m, n)
	if out.Size() == 0 {
		return out
	}
	ta, lda, a := matrixLayout(a)
	b = b.Contiguous()
	bd := b.data[b.offset:]
	// The bias (and the ReLU) go over each product right after its GEMM,
	// while it is in cache. Starting the GEMM from a copy of the bias
	// instead made the copy the first touch of the output's memory, a pass
	// at memory speed (11% of the forward); the GEMM's own stores come with
	// prefetches.
	var biasData []T
	if bias != nil {
		biasData = bias.Contiguous().Data()
	}
	product := func(p int) {
		grp := p % g
		c := out.data[p*m*n : (p+1)*m*n]
		gemm(ta, false, m, n, k, 1, a.data[a.offset+grp*a.strides[0]:], lda, bd[p*k*n:], n, 0, c, n)
		switch {
		case biasData != nil:
			for r, v := range biasData[grp*m : (grp+1)*m] {
				addScalar(c[r*n:(r+1)*n], v, relu)
			}
		case relu:
			reluInPlace(c)
		}
	}
	batchFor(nimg*g, m*n*k, product)
	return out
}

// sumChunkWork is the number of multiply-adds that SumMatMulT sums into one
// partial product when the images are small: enough images per chunk that
// the partials stay few (16 for the reference CNN's first convolution at
// batch 64).
const sumChunkWork = 1 << 20

// SumMatMulT returns the sum over the images i of a[i, g]·b[i, g]ᵀ for
// a [N, G, m, l] and b [N, G, k, l], as [G, m, k]. It is the weight gradient
// of a convolution (a the output gradient, b the columns), accumulated by
// GEMM into one matrix per group instead of a batch of N products summed
// afterwards. Images are added in fixed chunks whose size depends only on
// the shapes, and chunks in order, so the result does not depend on
// GOMAXPROCS.
func SumMatMulT[T Float](a, b *Dense[T]) *Dense[T] {
	if len(a.shape) != 4 || len(b.shape) != 4 || a.shape[0] != b.shape[0] || a.shape[1] != b.shape[1] || a.shape[3] != b.shape[3] {
		panic(shapeErrorf("SumMatMulT", "want a [N G m l] and b [N G k l], got shapes %v and %v", a.shape, b.shape))
	}
	nimg, g, m, l := a.shape[0], a.shape[1], a.shape[2], a.shape[3]
	k := b.shape[2]
	if nimg == 0 || l == 0 {
		return Zeros[T](g, m, k)
	}
	out := empty[T](g, m, k)
	if out.Size() == 0 {
		return out
	}
	a, b = a.Contiguous(), b.Contiguous()
	ad, bd := a.data[a.offset:], b.data[b.offset:]
	// The sum is accumulated transposed, as b[i, g]·a[i, g]ᵀ [k, m], and
	// transposed once at the end: for convolutions, where k (the column
	// rows) is at least m (the output channels) or m is small, GEMM's tiles
	// fit that orientation better (measured about 2x faster for a first
	// layer, 10% for a second).
	mk := m * k
	accumulate := func(c []T, grp, lo, hi int) {
		for i := lo; i < hi; i++ {
			p := i*g + grp
			beta := T(1)
			if i == lo {
				beta = 0
			}
			gemm(false, true, k, m, l, 1, bd[p*k*l:], l, ad[p*m*l:], l, beta, c, m)
		}
	}
	flops := mk * l
	chunk := nimg
	if flops < sumChunkWork {
		chunk = max(1, sumChunkWork/max(flops, 1))
	}
	chunks := (nimg + chunk - 1) / chunk
	sum := empty[T](chunks, g, k, m) // scratch, handed back at the end
	defer Release(sum)
	if chunks == 1 {
		// Large products: GEMM splits each one; the images run in order.
		for grp := range g {
			accumulate(sum.data[grp*mk:(grp+1)*mk], grp, 0, nimg)
		}
	} else {
		// Small products: each chunk of images sums into its own partial,
		// on any goroutine; the partials are then added in chunk order.
		parallelFor(chunks*g, 1, func(lo, hi int) {
			for q := lo; q < hi; q++ {
				ch, grp := q/g, q%g
				accumulate(sum.data[q*mk:(q+1)*mk], grp, ch*chunk, min((ch+1)*chunk, nimg))
			}
		})
		total := sum.data[:g*mk]
		for ch := 1; ch < chunks; ch++ {
			for j, v := range sum.data[ch*g*mk : (ch+1)*g*mk] {
				total[j] += v
			}
		}
	}
	for grp := range g {
		src, dst := sum.data[grp*mk:(grp+1)*mk], out.data[grp*mk:(grp+1)*mk]
		for c := range k {
			for r, v := range src[c*m : (c+1)*m] {
				dst[r*k+c] = v
			}
		}
	}
	return out
}

// batchFor runs product(p) for p in [0, count), each of flops
// multiply-adds. A product too small for GEMM to split runs on one goroutine
// and a batch of them is split over the batch; larger ones run in order,
// each split by GEMM. Every product writes its own output, so the split does
// not change the result.
func batchFor(count, flops int, product func(p int)) {
	if count > 1 && flops < smallProduct {
		parallelFor(count, max(1, smallProduct/max(flops, 1)), func(lo, hi int) {
			for p := lo; p < hi; p++ {
				product(p)
			}
		})
		return
	}
	for p := range count {
		product(p)
	}
}
