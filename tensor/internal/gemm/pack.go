package gemm

// packA packs rows i0..i0+rows and columns p0..p0+kb of op(A) into dst as
// consecutive slivers of mr rows: within a sliver, step p holds the mr values
// op(A)(i, p0+p) contiguously. Rows past the end of the block are zero.
func packA[T float](dst, a []T, lda int, trans bool, i0, rows, p0, kb, mr int) {
	for ir := 0; ir < rows; ir += mr {
		d := dst[ir*kb : (ir+mr)*kb]
		n := min(mr, rows-ir)
		if trans {
			// op(A)(i, p) = a[p*lda+i]: each step is a contiguous run.
			packN(d, a, p0*lda+i0+ir, lda, n, kb, mr)
		} else {
			// op(A)(i, p) = a[i*lda+p]: each row is a contiguous run.
			packT(d, a, (i0+ir)*lda+p0, lda, n, kb, mr)
		}
	}
}

// packB packs rows p0..p0+kb and columns j0..j0+cols of op(B) into dst as one
// sliver of nr columns: step p holds op(B)(p0+p, j) for the nr columns
// contiguously. Columns past cols are zero.
func packB[T float](dst, b []T, ldb int, trans bool, p0, kb, j0, cols, nr int) {
	if trans {
		// op(B)(p, j) = b[j*ldb+p]: each column is a contiguous run.
		packT(dst, b, j0*ldb+p0, ldb, cols, kb, nr)
	} else {
		// op(B)(p, j) = b[p*ldb+j]: each step is a contiguous run.
		packN(dst, b, p0*ldb+j0, ldb, cols, kb, nr)
	}
}

// packN copies kb runs of n contiguous elements, run p starting at
// src[base+p*ld], to dst[p*width:], zero-filling each run to width.
func packN[T float](dst, src []T, base, ld, n, kb, width int) {
	// Whole runs of the common widths are copied as arrays, which the
	// compiler inlines; copy would call memmove for every run.
	if n == width {
		switch width {
		case 8:
			for p := range kb {
				*(*[8]T)(dst[p*8:]) = *(*[8]T)(src[base+p*ld:])
			}
			return
		case 16:
			for p := range kb {
				*(*[16]T)(dst[p*16:]) = *(*[16]T)(src[base+p*ld:])
			}
			return
		case 32:
			for p := range kb {
				*(*[32]T)(dst[p*32:]) = *(*[32]T)(src[base+p*ld:])
			}
			return
		}
	}
	for p := range kb {
		s := src[base+p*ld : base+p*ld+n]
		d := dst[p*width : p*width+width]
		copy(d, s)
		clear(d[n:])
	}
}

// packT is the transposing copy dst[p*width+i] = src[base+i*ld+p] for
// i < n and p < kb, with dst[p*width+i] = 0 for n <= i < width.
func packT[T float](dst, src []T, base, ld, n, kb, width int) {
	if fastPackT(dst, src, base, ld, n, kb, width) {
		return
	}
	for i := range n {
		s := src[base+i*ld : base+i*ld+kb]
		for p, v := range s {
			dst[p*width+i] = v
		}
	}
	if n < width {
		for p := range kb {
			clear(dst[p*width+n : p*width+width])
		}
	}
}
