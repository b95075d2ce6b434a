package safetensors

import (
	"encoding/binary"
	"fmt"
	"math"
	"reflect"

	"github.com/nabla-go/nabla/tensor"
)

// FromDense returns t's elements as an F32 tensor when T is float32 and as
// an F64 tensor when T is float64 (a type whose underlying type is one of
// those counts as it). The Tensor owns a copy of the data.
func FromDense[T tensor.Float](t *tensor.Dense[T]) Tensor {
	src := t.Data()
	if is32[T]() {
		out := make([]byte, 4*len(src))
		for i, v := range src {
			binary.LittleEndian.PutUint32(out[4*i:], math.Float32bits(float32(v)))
		}
		return Tensor{DType: F32, Shape: t.Shape(), Data: out}
	}
	out := make([]byte, 8*len(src))
	for i, v := range src {
		binary.LittleEndian.PutUint64(out[8*i:], math.Float64bits(float64(v)))
	}
	return Tensor{DType: F64, Shape: t.Shape(), Data: out}
}

// ToDense decodes t into a new tensor.Dense[T] of the same shape. It reads
// F64, F32, F16, BF16, I64, I32 and U8, converting each element to T as a Go
// conversion would (F64 to float32 rounds to nearest); F16 and BF16 values, subnormals,
// infinities and NaNs included, are exact in either T. It returns an error
// for an unsupported dtype or when Data does not hold prod(Shape) elements.
func ToDense[T tensor.Float](t Tensor) (*tensor.Dense[T], error) {
	n, nbytes, reason := byteSize(t.DType, t.Shape)
	if reason != "" {
		return nil, fmt.Errorf("safetensors: %s", reason)
	}
	if len(t.Data) != nbytes {
		return nil, fmt.Errorf("safetensors: shape %v of %s needs %d bytes of data, has %d",
			t.Shape, t.DType, nbytes, len(t.Data))
	}
	out := make([]T, n)
	b := t.Data
	switch t.DType {
	case F64:
		for i := range out {
			out[i] = T(math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:])))
		}
	case F32:
		for i := range out {
			out[i] = T(math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:])))
		}
	case F16:
		for i := range out {
			out[i] = T(f16ToFloat32(binary.LittleEndian.Uint16(b[2*i:])))
		}
	case BF16:
		for i := range out {
			out[i] = T(bf16ToFloat32(binary.LittleEndian.Uint16(b[2*i:])))
		}
	case I64:
		for i := range out {
			out[i] = T(int64(binary.LittleEndian.Uint64(b[8*i:])))
		}
	case I32:
		for i := range out {
			out[i] = T(int32(binary.LittleEndian.Uint32(b[4*i:])))
		}
	case U8:
		for i := range out {
			out[i] = T(b[i])
		}
	}
	if len(t.Shape) == 0 {
		// tensor.New reads an empty shape as "a vector".
		return tensor.Scalar(out[0]), nil
	}
	return tensor.New(out, t.Shape...), nil
}

// is32 reports whether T is a 32-bit float.
func is32[T tensor.Float]() bool {
	return reflect.TypeFor[T]().Kind() == reflect.Float32
}

// f16ToFloat32 decodes an IEEE 754 binary16 value. Every binary16 value,
// subnormals included, is exactly representable in binary32; NaN payloads
// are kept.
func f16ToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h) & 0x3ff
	switch exp {
	case 0: // zero or subnormal: mant * 2^-24
		v := float32(mant) * (1.0 / (1 << 24))
		return math.Float32frombits(math.Float32bits(v) | sign)
	case 0x1f: // infinity or NaN
		return math.Float32frombits(sign | 0xff<<23 | mant<<13)
	}
	return math.Float32frombits(sign | (exp-15+127)<<23 | mant<<13)
}

// bf16ToFloat32 decodes a bfloat16 value: the top half of a binary32.
func bf16ToFloat32(h uint16) float32 {
	return math.Float32frombits(uint32(h) << 16)
}
