package safetensors

import (
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strings"
)

// DType is the element type of a stored tensor, spelled as in the header.
type DType string

// The element types this package reads. It writes F64 and F32 from
// [FromDense], and any of them from a [Tensor] built by hand. The integer
// types are there because PyTorch state dicts hold them (batch norm's
// num_batches_tracked is I64); [ToDense] converts them to floats.
const (
	F64  DType = "F64"  // IEEE 754 binary64
	F32  DType = "F32"  // IEEE 754 binary32
	F16  DType = "F16"  // IEEE 754 binary16 (half precision)
	BF16 DType = "BF16" // bfloat16: the top 16 bits of a binary32
	I64  DType = "I64"  // signed 64-bit integer
	I32  DType = "I32"  // signed 32-bit integer
	U8   DType = "U8"   // unsigned byte
)

// Size returns the number of bytes of one element, or 0 when the dtype is
// not one this package supports.
func (d DType) Size() int {
	switch d {
	case F64, I64:
		return 8
	case F32, I32:
		return 4
	case F16, BF16:
		return 2
	case U8:
		return 1
	}
	return 0
}

// MaxHeaderSize is the largest header, in bytes, that is read or written: the
// limit of the reference implementation (100 MB).
const MaxHeaderSize = 100_000_000

// metadataKey is the header key of the free-form string map.
const metadataKey = "__metadata__"

// Tensor is one stored tensor: its element type, its shape (empty for a
// scalar) and its elements as raw little-endian bytes in row-major order.
type Tensor struct {
	DType DType
	Shape []int
	Data  []byte
}

// File is the content of a safetensors file: tensors by name, and the
// string map of the header's optional "__metadata__" entry, nil when the
// file has none (or has null).
type File struct {
	Tensors  map[string]Tensor
	Metadata map[string]string
}

// Names returns the tensor names in sorted order, the order in which
// [Encode] writes them.
func (f *File) Names() []string {
	names := make([]string, 0, len(f.Tensors))
	for name := range f.Tensors {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// FormatError reports a malformed safetensors file.
type FormatError struct {
	// Path is the file's path, empty when it was read from a reader.
	Path string
	// Tensor is the name of the tensor at fault, empty when the fault is
	// not in one tensor's entry.
	Tensor string
	// Reason says what is wrong.
	Reason string
}

// Error says what went wrong and where.
func (e *FormatError) Error() string {
	var b strings.Builder
	b.WriteString("safetensors: ")
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	if e.Tensor != "" {
		fmt.Fprintf(&b, "tensor %q: ", e.Tensor)
	}
	b.WriteString(e.Reason)
	return b.String()
}

// byteSize returns the number of elements of shape and the bytes they take
// as dtype d, or a reason why the shape is not acceptable. The product is
// taken left to right and fails on overflow even when a later dimension is
// 0, as in the reference implementation.
func byteSize(d DType, shape []int) (elems, nbytes int, reason string) {
	size := d.Size()
	if size == 0 {
		return 0, 0, fmt.Sprintf("unsupported dtype %q (supported: F64, F32, F16, BF16, I64, I32, U8)", string(d))
	}
	n := uint64(1)
	for _, dim := range shape {
		if dim < 0 {
			return 0, 0, fmt.Sprintf("negative dimension %d in shape %v", dim, shape)
		}
		hi, lo := bits.Mul64(n, uint64(dim))
		if hi != 0 || lo > math.MaxInt {
			return 0, 0, fmt.Sprintf("shape %v: element count overflows", shape)
		}
		n = lo
	}
	hi, lo := bits.Mul64(n, uint64(size))
	if hi != 0 || lo > math.MaxInt {
		return 0, 0, fmt.Sprintf("shape %v of %s: byte size overflows", shape, d)
	}
	return int(n), int(lo), ""
}
