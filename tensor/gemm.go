package tensor

import kernels "github.com/nabla-go/nabla/tensor/internal/gemm"

// gemm computes C = alpha*op(A)*op(B) + beta*C on row-major matrices with the
// packed, cache-blocked kernels of package internal/gemm. Float allows named types
// whose underlying type is float32 or float64; those take a plain loop.
func gemm[T Float](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	switch a := any(a).(type) {
	case []float32:
		kernels.Gemm(transA, transB, m, n, k, float32(alpha), a, lda, any(b).([]float32), ldb, float32(beta), any(c).([]float32), ldc)
	case []float64:
		kernels.Gemm(transA, transB, m, n, k, float64(alpha), a, lda, any(b).([]float64), ldb, float64(beta), any(c).([]float64), ldc)
	default:
		gemmLoop(transA, transB, m, n, k, alpha, any(a).([]T), lda, b, ldb, beta, c, ldc)
	}
}

func gemmLoop[T Float](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	for i := range m {
		row := c[i*ldc : i*ldc+n]
		for j := range row {
			if beta == 0 {
				row[j] = 0
			} else {
				row[j] *= beta
			}
		}
		for p := range k {
			av := a[i*lda+p]
			if transA {
				av = a[p*lda+i]
			}
			av *= alpha
			for j := range row {
				if transB {
					row[j] += av * b[j*ldb+p]
				} else {
					row[j] += av * b[p*ldb+j]
				}
			}
		}
	}
}
