//go:build !amd64 || purego

package vec

func addAsm(dst, src []float32) int { return 0 }

func addRowsAsm(dst, src []float32, rows, cols, dstStride, srcStride int) bool { return false }

func addScalarAsm(dst []float32, b float32, relu bool) int { return 0 }
