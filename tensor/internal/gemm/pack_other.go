//go:build !amd64 || purego

package gemm

// fastPackT has no accelerated version on this architecture.
func fastPackT[T float](dst, src []T, base, ld, n, kb, width int) bool { return false }
