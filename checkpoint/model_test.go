package checkpoint_test

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nabla-go/nabla/autograd"
	"github.com/nabla-go/nabla/checkpoint"
	"github.com/nabla-go/nabla/layers"
	"github.com/nabla-go/nabla/safetensors"
	"github.com/nabla-go/nabla/tensor"
)

// rawTensor is a tensor entry for rawFile, in any dtype, valid or not.
type rawTensor struct {
	name, dtype string
	shape       []int
	data        []byte
}

// rawFile lays out a safetensors file by hand, in the order given, so that a
// test can write what package safetensors refuses to (I64, bad entries).
func rawFile(t testing.TB, metadata map[string]string, ts ...rawTensor) []byte {
	t.Helper()
	header := map[string]any{}
	if metadata != nil {
		header["__metadata__"] = metadata
	}
	var data []byte
	for _, e := range ts {
		header[e.name] = map[string]any{"dtype": e.dtype, "shape": e.shape, "data_offsets": []int{len(data), len(data) + len(e.data)}}
		data = append(data, e.data...)
	}
	h, err := json.Marshal(header)
	require.NoError(t, err)
	for len(h)%8 != 0 {
		h = append(h, ' ')
	}
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(h)))
	out = append(out, h...)
	return append(out, data...)
}

func f32Bytes(xs ...float32) []byte {
	var b []byte
	for _, x := range xs {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
	}
	return b
}

func f64Bytes(xs ...float64) []byte {
	var b []byte
	for _, x := range xs {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x))
	}
	return b
}

func i64Bytes(xs ...int64) []byte {
	var b []byte
	for _, x := range xs {
		b = binary.LittleEndian.AppendUint64(b, uint64(x))
	}
	return b
}

func u16Bytes(xs ...uint16) []byte {
	var b []byte
	for _, x := range xs {
		b = binary.LittleEndian.AppendUint16(b, x)
	}
	return b
}

// TestModelRoundTrip saves trained models of both architectures and element
// types and loads them into fresh ones: the state dicts agree to the bit, as
// do the predictions, and the file holds F32 or F64 tensors under PyTorch's
// names.
func TestModelRoundTrip(t *testing.T) {
	for _, arch := range []string{"mlp", "cnn"} {
		t.Run(arch+"/float32", func(t *testing.T) { testRoundTrip[float32](t, arch, safetensors.F32) })
		t.Run(arch+"/float64", func(t *testing.T) { testRoundTrip[float64](t, arch, safetensors.F64) })
	}
}

func testRoundTrip[T tensor.Float](t *testing.T, arch string, dtype safetensors.DType) {
	rng := newRNG(1)
	m := build[T](arch, rng)
	trainAFew(arch, m, rng)
	path := filepath.Join(t.TempDir(), "model.safetensors")
	require.NoError(t, checkpoint.SaveModel(path, m))

	f, err := safetensors.Load(path)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"format": "pt"}, f.Metadata)
	var names []string
	for _, nt := range layers.StateDict[T](m) {
		names = append(names, nt.Name)
		require.Equal(t, dtype, f.Tensors[nt.Name].DType, nt.Name)
		require.Equal(t, nt.Tensor.Shape(), f.Tensors[nt.Name].Shape, nt.Name)
	}
	require.ElementsMatch(t, names, f.Names())
	if arch == "cnn" {
		require.Contains(t, names, "1.num_batches_tracked")
		require.Equal(t, []int{4, 1, 3, 3}, f.Tensors["0.weight"].Shape)
		require.Empty(t, f.Tensors["5.num_batches_tracked"].Shape, "a scalar, as PyTorch's")
	}

	fresh := build[T](arch, newRNG(2))
	res, err := checkpoint.LoadModel(path, fresh, checkpoint.LoadOptions{})
	require.NoError(t, err)
	require.Empty(t, res.Missing)
	require.Empty(t, res.Unexpected)
	require.Equal(t, map[string]string{"format": "pt"}, res.Metadata)
	requireSameBits(t, snapshot[T](m), snapshot[T](fresh))
	x := inputFor[T](arch, 5, newRNG(3))
	require.Equal(t, predict[T](m, x).Data(), predict[T](fresh, x).Data())
}

// TestLoadModelConverts loads files of every floating-point dtype, and the I64
// that PyTorch stores num_batches_tracked as, into models of both element
// types, converting as PyTorch's casting copy does.
func TestLoadModelConverts(t *testing.T) {
	// A BatchNorm1D(2) has weight, bias, running_mean, running_var and the
	// scalar num_batches_tracked.
	bn32 := func() *layers.Sequential[float32] {
		return layers.NewSequential[float32](layers.NewBatchNorm1D[float32](2))
	}
	bn64 := func() *layers.Sequential[float64] {
		return layers.NewSequential[float64](layers.NewBatchNorm1D[float64](2))
	}
	file := func(dtype string, enc func(...float64) []byte) []byte {
		return rawFile(t, map[string]string{"format": "pt"},
			rawTensor{"0.weight", dtype, []int{2}, enc(1.5, -2)},
			rawTensor{"0.bias", dtype, []int{2}, enc(0.25, 3)},
			rawTensor{"0.running_mean", dtype, []int{2}, enc(0.1, -0.1)},
			rawTensor{"0.running_var", dtype, []int{2}, enc(2, 0.5)},
			rawTensor{"0.num_batches_tracked", "I64", []int{}, i64Bytes(7)},
		)
	}
	f64 := func(xs ...float64) []byte { return f64Bytes(xs...) }
	f32 := func(xs ...float64) []byte {
		var b []byte
		for _, x := range xs {
			b = append(b, f32Bytes(float32(x))...)
		}
		return b
	}
	// The values above are exact in F16 and BF16 except 0.1, which both
	// round; these are the encodings and the values they stand for.
	half := map[float64]struct {
		f16, bf16       uint16
		f16val, bf16val float32
	}{
		1.5:  {0x3e00, 0x3fc0, 1.5, 1.5},
		-2:   {0xc000, 0xc000, -2, -2},
		0.25: {0x3400, 0x3e80, 0.25, 0.25},
		3:    {0x4200, 0x4040, 3, 3},
		0.1:  {0x2e66, 0x3dcd, 0.0999755859375, 0.10009765625},
		-0.1: {0xae66, 0xbdcd, -0.0999755859375, -0.10009765625},
		2:    {0x4000, 0x4000, 2, 2},
		0.5:  {0x3800, 0x3f00, 0.5, 0.5},
	}
	f16 := func(xs ...float64) []byte {
		var b []byte
		for _, x := range xs {
			b = append(b, u16Bytes(half[x].f16)...)
		}
		return b
	}
	bf16 := func(xs ...float64) []byte {
		var b []byte
		for _, x := range xs {
			b = append(b, u16Bytes(half[x].bf16)...)
		}
		return b
	}
	want32 := map[string][]float32{
		"0.weight": {1.5, -2}, "0.bias": {0.25, 3}, "0.running_mean": {0.1, -0.1},
		"0.running_var": {2, 0.5}, "0.num_batches_tracked": {7},
	}

	t.Run("F64 into float32", func(t *testing.T) {
		m := bn32()
		_, err := checkpoint.LoadModel(writeFile(t, "m.safetensors", file("F64", f64)), m, checkpoint.LoadOptions{})
		require.NoError(t, err)
		requireSameBits(t, want32, snapshot[float32](m))
	})
	t.Run("F32 into float64", func(t *testing.T) {
		m := bn64()
		_, err := checkpoint.LoadModel(writeFile(t, "m.safetensors", file("F32", f32)), m, checkpoint.LoadOptions{})
		require.NoError(t, err)
		want := map[string][]float64{}
		for k, v := range want32 {
			for _, x := range v {
				want[k] = append(want[k], float64(x)) // 0.1 is float32(0.1) widened
			}
		}
		requireSameBits(t, want, snapshot[float64](m))
	})
	t.Run("F16 and BF16 into float32", func(t *testing.T) {
		for _, tc := range []struct {
			dtype string
			enc   func(...float64) []byte
			val   func(float64) float32
		}{
			{"F16", f16, func(x float64) float32 { return half[x].f16val }},
			{"BF16", bf16, func(x float64) float32 { return half[x].bf16val }},
		} {
			m := bn32()
			_, err := checkpoint.LoadModel(writeFile(t, "m.safetensors", file(tc.dtype, tc.enc)), m, checkpoint.LoadOptions{})
			require.NoError(t, err, tc.dtype)
			got := snapshot[float32](m)
			require.Equal(t, []float32{tc.val(0.1), tc.val(-0.1)}, got["0.running_mean"], tc.dtype)
			require.Equal(t, []float32{1.5, -2}, got["0.weight"], tc.dtype)
			require.Equal(t, []float32{7}, got["0.num_batches_tracked"], tc.dtype)
		}
	})
	t.Run("F64 overflow becomes Inf in float32", func(t *testing.T) {
		m := layers.NewSequential[float32](layers.NewLinear[float32](1, 1, newRNG(1)))
		b := rawFile(t, nil,
			rawTensor{"0.weight", "F64", []int{1, 1}, f64Bytes(1e300)},
			rawTensor{"0.bias", "F64", []int{1}, f64Bytes(-1e-300)},
		)
		_, err := checkpoint.LoadModel(writeFile(t, "m.safetensors", b), m, checkpoint.LoadOptions{})
		require.NoError(t, err)
		got := snapshot[float32](m)
		require.True(t, math.IsInf(float64(got["0.weight"][0]), 1))
		require.Equal(t, float32(math.Copysign(0, -1)), got["0.bias"][0])
	})
}

// TestLoadModelI64Patch checks the I64 rewrite on headers that keep it
// honest: an escaped dtype string and an out-of-range I64 entry are left to
// package safetensors, which rejects them; other entries with the text "I64"
// in their names are not touched.
func TestLoadModelIntegerTensors(t *testing.T) {
	m := layers.NewSequential[float64](layers.NewBatchNorm1D[float64](1))
	entries := func(count rawTensor) []rawTensor {
		return []rawTensor{
			{"0.weight", "F64", []int{1}, f64Bytes(2)},
			{"0.bias", "F64", []int{1}, f64Bytes(3)},
			{"0.running_mean", "F64", []int{1}, f64Bytes(4)},
			{"0.running_var", "F64", []int{1}, f64Bytes(5)},
			count,
		}
	}
	// Several I64 tensors, one of them large and negative, and "I64" in a
	// metadata value: all converted, the metadata left alone.
	b := rawFile(t, map[string]string{"note": `"I64"`}, append(entries(rawTensor{"0.num_batches_tracked", "I64", []int{}, i64Bytes(1 << 40)}),
		rawTensor{`"I64"`, "I64", []int{2}, i64Bytes(-3, math.MinInt64)})...)
	res, err := checkpoint.LoadModel(writeFile(t, "m.safetensors", b), m, checkpoint.LoadOptions{NonStrict: true})
	require.NoError(t, err)
	require.Equal(t, []string{`"I64"`}, res.Unexpected)
	require.Equal(t, []float64{1 << 40}, snapshot[float64](m)["0.num_batches_tracked"])

	// An I64 entry whose range runs past the data is reported by package
	// safetensors.
	bad := rawFile(t, nil, entries(rawTensor{"0.num_batches_tracked", "I64", []int{}, i64Bytes(1)})...)
	bad = bad[:len(bad)-4]
	_, err = checkpoint.LoadModel(writeFile(t, "m.safetensors", bad), m, checkpoint.LoadOptions{})
	var fe *safetensors.FormatError
	require.ErrorAs(t, err, &fe)
	require.Equal(t, []float64{1 << 40}, snapshot[float64](m)["0.num_batches_tracked"])

	// I32 casts as well; a dtype safetensors does not know is reported.
	i32 := rawFile(t, nil, entries(rawTensor{"0.num_batches_tracked", "I32", []int{}, []byte{9, 0, 0, 0}})...)
	_, err = checkpoint.LoadModel(writeFile(t, "m.safetensors", i32), m, checkpoint.LoadOptions{})
	require.NoError(t, err)
	require.Equal(t, []float64{9}, snapshot[float64](m)["0.num_batches_tracked"])
	other := rawFile(t, nil, entries(rawTensor{"0.num_batches_tracked", "I16", []int{}, []byte{1, 0}})...)
	_, err = checkpoint.LoadModel(writeFile(t, "m.safetensors", other), m, checkpoint.LoadOptions{})
	require.ErrorAs(t, err, &fe)
	require.Contains(t, err.Error(), "I16")
}

// TestSaveModelWithMetadata keeps the caller's metadata beside "format".
func TestSaveModelWithMetadata(t *testing.T) {
	path := filepath.Join(t.TempDir(), "model.safetensors")
	m := newMLP[float32](newRNG(1))
	require.NoError(t, checkpoint.SaveModelWith(path, m, checkpoint.SaveOptions{
		Metadata: map[string]string{"data": "iris", "test_accuracy": "0.97"},
	}))
	res, err := checkpoint.LoadModel(path, newMLP[float32](newRNG(2)), checkpoint.LoadOptions{})
	require.NoError(t, err)
	require.Equal(t, map[string]string{"format": "pt", "data": "iris", "test_accuracy": "0.97"}, res.Metadata)

	require.NoError(t, checkpoint.SaveModelWith(path, m, checkpoint.SaveOptions{Metadata: map[string]string{"format": "nabla"}}))
	res, err = checkpoint.LoadModel(path, newMLP[float32](newRNG(2)), checkpoint.LoadOptions{})
	require.NoError(t, err)
	require.Equal(t, map[string]string{"format": "nabla"}, res.Metadata)
}

// TestSaveModelAtomic: a save that fails leaves the earlier file as it was
// and no temporary file behind.
func TestSaveModelAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "model.safetensors")
	m := newMLP[float32](newRNG(1))
	require.NoError(t, checkpoint.SaveModel(path, m))
	before, err := os.ReadFile(path)
	require.NoError(t, err)

	// A model with an entry named "__metadata__" cannot be written.
	err = checkpoint.SaveModel[float32](path, named{"__metadata__"})
	require.Error(t, err)
	require.Contains(t, err.Error(), path)
	after, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, before, after)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1)

	// Nor can a model with two entries of one name.
	err = checkpoint.SaveModel[float32](path, named{"w", "w"})
	require.ErrorContains(t, err, `two entries named "w"`)
	after, err = os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, before, after)

	// Saving into a directory that does not exist fails with its name.
	missing := filepath.Join(dir, "no", "such", "dir", "m.safetensors")
	err = checkpoint.SaveModel(missing, m)
	require.ErrorContains(t, err, missing)
}

// named is a module whose parameters, scalars, have the given names.
type named []string

func (n named) Forward(x *autograd.Var[float32]) *autograd.Var[float32] { return x }
func (n named) SetTraining(bool)                                        {}
func (n named) NamedParameters() []layers.Named[float32] {
	var ps []layers.Named[float32]
	for _, name := range n {
		ps = append(ps, layers.Named[float32]{Name: name, Var: autograd.Param(tensor.Scalar[float32](1))})
	}
	return ps
}
