//go:build !amd64 || purego

package vec

func addAsm(dst, src []float32) int { return 0 }

func addRowsAsm(dst, src []float32, rows, cols, dstStride, srcStride int) bool { return false }
