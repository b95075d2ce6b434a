//go:build !amd64 || purego

package gemm

// archKernels returns the portable kernels: there is no assembly for this
// architecture, or the purego build tag is set.
func archKernels() []kernelSet { return []kernelSet{genericKernels()} }
