// Package safetensors reads and writes tensors in the safetensors format of
// the Hugging Face project, so that nabla checkpoints open in PyTorch and
// PyTorch checkpoints open in nabla.
//
// # The format
//
// A file has three parts:
//
//  1. 8 bytes: N, the length of the header, a little-endian uint64;
//  2. N bytes: the header, a UTF-8 JSON object that maps each tensor's name to
//     {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, plus an
//     optional "__metadata__" object of string values;
//  3. the data section: every tensor's elements, little-endian and row-major,
//     at the byte range [begin, end) counted from the start of the section.
//
// # Reading
//
// [Load] reads a file, [Read] any [io.ReaderAt] of known size and [Decode] a
// stream. All three check the file as the reference implementation does, and
// report what is wrong with a [*FormatError] that names the file, the tensor
// and the fault, rather than panicking or allocating more than the input
// holds:
//
//   - the header is at most [MaxHeaderSize] bytes and fits in the file;
//   - the header is valid UTF-8 JSON, an object with no repeated keys, and
//     "__metadata__" maps strings to strings;
//   - each dtype is F64, F32, F16 or BF16 (others are reported as unsupported);
//   - dimensions are non-negative and their product, times the element size,
//     does not overflow;
//   - each tensor's byte range holds exactly prod(shape) elements;
//   - the byte ranges, taken in order, cover the data section with no gap,
//     no overlap and nothing after the last one.
//
// All tensors of a file share one buffer; a [Tensor]'s Data is a slice of it
// whose capacity ends where the tensor ends.
//
// # Writing
//
// [Encode] and [Save] write the tensors in sorted name order, in the header
// and in the data section, so the same tensors always give the same bytes.
// The header is padded with spaces to a multiple of 8 bytes, so the data
// section starts 8-byte aligned. [Save] writes a temporary file in the target
// directory, syncs it and renames it over the target: a failed save leaves any
// earlier file untouched and no temporary file behind.
//
// (The reference writer orders tensors by decreasing element size before
// name, which keeps every tensor aligned in a memory-mapped file. This package
// copies tensors out of the file, so name order costs nothing here, and readers,
// the reference one included, accept any order.)
//
// # Converting
//
// [FromDense] turns a tensor.Dense[float32] or tensor.Dense[float64] into an
// F32 or F64 [Tensor]; [ToDense] turns an F64, F32, F16 or BF16 tensor into a
// tensor.Dense of either element type, decoding half-precision values exactly,
// subnormals, infinities and NaNs included.
package safetensors
