// Package tensor holds nabla's numbers: Dense[T], an N-dimensional row-major
// tensor over float32 or float64, and the kernels that compute on it.
//
// A Dense is a backing slice plus shape, strides and offset. Reshape,
// Transpose, Permute, Slice, Squeeze, Unsqueeze and Expand return views that
// share the backing slice; Clone and Contiguous copy. Elementwise functions
// broadcast their operands as NumPy and PyTorch do, reductions take a set of
// axes and a keepdims flag, and MatMul multiplies batches of matrices, reading
// transposed views in place.
//
// The package knows nothing of gradients: package autograd records
// operations on tensors and differentiates them.
//
// Mistakes in shapes are programmer errors: they panic with an error that
// names the operation and the shapes and wraps ErrShape, which a caller that
// recovers can test with errors.Is. Work is split across goroutines in fixed
// blocks that do not depend on GOMAXPROCS, so results are the same bits on
// one core or many.
package tensor
