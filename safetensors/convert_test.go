package safetensors

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nabla-go/nabla/tensor"
)

type halfCase struct {
	name string
	bits uint16
	want float64 // NaN for any NaN
}

var f16Cases = []halfCase{
	{"+0", 0x0000, 0},
	{"-0", 0x8000, math.Copysign(0, -1)},
	{"1", 0x3c00, 1},
	{"-2", 0xc000, -2},
	{"0.5", 0x3800, 0.5},
	{"1/3 rounded", 0x3555, 0.333251953125},
	{"pi rounded", 0x4248, 3.140625},
	{"largest finite", 0x7bff, 65504},
	{"smallest normal", 0x0400, 0x1p-14},
	{"largest subnormal", 0x03ff, 1023 * 0x1p-24},
	{"smallest subnormal", 0x0001, 0x1p-24},
	{"negative subnormal", 0x8001, -0x1p-24},
	{"+Inf", 0x7c00, math.Inf(1)},
	{"-Inf", 0xfc00, math.Inf(-1)},
	{"quiet NaN", 0x7e00, math.NaN()},
	{"signalling NaN", 0x7c01, math.NaN()},
	{"negative NaN", 0xfe00, math.NaN()},
}

var bf16Cases = []halfCase{
	{"+0", 0x0000, 0},
	{"-0", 0x8000, math.Copysign(0, -1)},
	{"1", 0x3f80, 1},
	{"-2", 0xc000, -2},
	{"pi rounded", 0x4049, 3.140625},
	{"largest finite", 0x7f7f, 0x1.fep127},
	{"smallest normal", 0x0080, 0x1p-126},
	{"smallest subnormal", 0x0001, 0x1p-133},
	{"+Inf", 0x7f80, math.Inf(1)},
	{"-Inf", 0xff80, math.Inf(-1)},
	{"NaN", 0x7fc0, math.NaN()},
}

// sameFloat compares exactly, telling -0 from +0; any NaN equals any NaN.
func sameFloat(t *testing.T, want, got float64, msg string) {
	t.Helper()
	if math.IsNaN(want) {
		require.True(t, math.IsNaN(got), "%s: got %v, want NaN", msg, got)
		return
	}
	require.Equal(t, math.Float64bits(want), math.Float64bits(got), "%s: got %v, want %v", msg, got, want)
}

func halfTensor(d DType, cases []halfCase) Tensor {
	data := make([]byte, 0, 2*len(cases))
	for _, c := range cases {
		data = binary.LittleEndian.AppendUint16(data, c.bits)
	}
	return Tensor{DType: d, Shape: []int{len(cases)}, Data: data}
}

func TestToDenseHalf(t *testing.T) {
	for _, tc := range []struct {
		dtype DType
		cases []halfCase
	}{{F16, f16Cases}, {BF16, bf16Cases}} {
		t.Run(string(tc.dtype), func(t *testing.T) {
			st := halfTensor(tc.dtype, tc.cases)
			d32, err := ToDense[float32](st)
			require.NoError(t, err)
			d64, err := ToDense[float64](st)
			require.NoError(t, err)
			for i, c := range tc.cases {
				msg := string(tc.dtype) + " " + c.name
				sameFloat(t, c.want, float64(d32.Data()[i]), msg+" as float32")
				sameFloat(t, c.want, d64.Data()[i], msg+" as float64")
			}
		})
	}
}

// TestHalfExhaustive checks every 16-bit pattern against the formula of
// each format, computed another way (in float64 with Ldexp).
func TestHalfExhaustive(t *testing.T) {
	formula := func(h uint16, expBits, mantBits, bias int) float64 {
		sign := 1.0
		if h>>15 == 1 {
			sign = -1
		}
		exp := int(h>>mantBits) & (1<<expBits - 1)
		mant := int(h) & (1<<mantBits - 1)
		switch exp {
		case 0:
			return sign * math.Ldexp(float64(mant), 1-bias-mantBits)
		case 1<<expBits - 1:
			if mant != 0 {
				return math.NaN()
			}
			return math.Inf(int(sign))
		}
		return sign * math.Ldexp(float64(mant|1<<mantBits), exp-bias-mantBits)
	}
	for h := range 1 << 16 {
		b := uint16(h)
		sameFloat(t, formula(b, 5, 10, 15), float64(f16ToFloat32(b)), "F16")
		sameFloat(t, formula(b, 8, 7, 127), float64(bf16ToFloat32(b)), "BF16")
	}
	// NaN payloads survive.
	require.Equal(t, uint32(0x7f802000), math.Float32bits(f16ToFloat32(0x7c01)))
	require.Equal(t, uint32(0xffc00000), math.Float32bits(f16ToFloat32(0xfe00)))
}

type myFloat float32

func TestFromDense(t *testing.T) {
	f32 := FromDense(tensor.New([]float32{1, -2}, 2, 1))
	require.Equal(t, Tensor{DType: F32, Shape: []int{2, 1}, Data: []byte{0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0}}, f32)

	f64 := FromDense(tensor.New([]float64{0.5}, 1))
	require.Equal(t, Tensor{DType: F64, Shape: []int{1}, Data: []byte{0, 0, 0, 0, 0, 0, 0xe0, 0x3f}}, f64)

	named := FromDense(tensor.New([]myFloat{1}, 1))
	require.Equal(t, F32, named.DType)
	back, err := ToDense[myFloat](named)
	require.NoError(t, err)
	require.Equal(t, []myFloat{1}, back.Data())

	// FromDense copies: later writes to the tensor do not show.
	src := []float32{3}
	st := FromDense(tensor.New(src, 1))
	src[0] = 4
	require.Equal(t, []byte{0, 0, 0x40, 0x40}, st.Data)
}

func TestToDenseConverts(t *testing.T) {
	f64 := FromDense(tensor.New([]float64{0.1, 1e300, -1e-300}, 3))
	d32, err := ToDense[float32](f64)
	require.NoError(t, err)
	require.Equal(t, []float32{0.1, float32(math.Inf(1)), float32(math.Copysign(0, -1))}, d32.Data())
	require.True(t, math.Signbit(float64(d32.Data()[2])))

	f32 := FromDense(tensor.New([]float32{0.1}, 1))
	d64, err := ToDense[float64](f32)
	require.NoError(t, err)
	require.Equal(t, []float64{float64(float32(0.1))}, d64.Data())
}

func TestToDenseRejects(t *testing.T) {
	tests := []struct {
		name string
		t    Tensor
		want string
	}{
		{"unsupported dtype", Tensor{DType: "BOOL", Shape: []int{1}, Data: []byte{1}}, `unsupported dtype "BOOL"`},
		{"short data", Tensor{DType: F32, Shape: []int{2}, Data: make([]byte, 7)}, "needs 8 bytes of data, has 7"},
		{"long data", Tensor{DType: BF16, Shape: []int{}, Data: make([]byte, 4)}, "needs 2 bytes of data, has 4"},
		{"negative dimension", Tensor{DType: F64, Shape: []int{-2}}, "negative dimension"},
		{"overflow", Tensor{DType: F64, Shape: []int{math.MaxInt / 2, 3}}, "overflows"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := ToDense[float32](tc.t)
			require.Nil(t, d)
			require.ErrorContains(t, err, tc.want)
		})
	}
}

// PyTorch state dicts hold integer tensors (batch norm's
// num_batches_tracked is I64); they convert to floats.
func TestToDenseIntegers(t *testing.T) {
	cases := []struct {
		name string
		in   Tensor
		want []float64
	}{
		{"I64", Tensor{DType: I64, Shape: []int{2}, Data: []byte{7, 0, 0, 0, 0, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}, []float64{7, -2}},
		{"I32", Tensor{DType: I32, Shape: []int{2}, Data: []byte{0, 1, 0, 0, 0xff, 0xff, 0xff, 0xff}}, []float64{256, -1}},
		{"U8", Tensor{DType: U8, Shape: []int{3}, Data: []byte{0, 128, 255}}, []float64{0, 128, 255}},
		{"I64 scalar", Tensor{DType: I64, Shape: []int{}, Data: []byte{3, 0, 0, 0, 0, 0, 0, 0}}, []float64{3}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := ToDense[float64](c.in)
			require.NoError(t, err)
			require.Equal(t, c.want, d.Data())
			require.Equal(t, len(c.in.Shape), d.Dims())
			f, err := ToDense[float32](c.in)
			require.NoError(t, err)
			require.Equal(t, float32(c.want[0]), f.Data()[0])
		})
	}
}
