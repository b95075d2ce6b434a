package checkpoint_test

import (
	"encoding/binary"
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nabla-go/nabla/checkpoint"
	"github.com/nabla-go/nabla/datasets"
	"github.com/nabla-go/nabla/layers"
	"github.com/nabla-go/nabla/safetensors"
)

// stateFile returns the safetensors content of m's state dict, to be edited.
func stateFile(t testing.TB, m layers.Module[float32]) *safetensors.File {
	t.Helper()
	path := filepath.Join(t.TempDir(), "m.safetensors")
	require.NoError(t, checkpoint.SaveModel(path, m))
	f, err := safetensors.Load(path)
	require.NoError(t, err)
	return f
}

func saveFile(t testing.TB, f *safetensors.File) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "edited.safetensors")
	require.NoError(t, safetensors.Save(path, f))
	return path
}

// TestLoadModelRejects loads files that do not fit the model: each load fails
// with an *Error that names the file and the problem, and the model keeps
// every value it had.
func TestLoadModelRejects(t *testing.T) {
	src := newMLP[float32](newRNG(1))
	valid := stateFile(t, src)
	validPath := saveFile(t, valid)
	validBytes, err := os.ReadFile(validPath)
	require.NoError(t, err)

	edit := func(change func(f *safetensors.File)) string {
		f := stateFile(t, src)
		change(f)
		return saveFile(t, f)
	}
	wide := layers.NewSequential[float32](
		layers.NewLinear[float32](5, 16, newRNG(1)), layers.NewReLU[float32](),
		layers.NewLinear[float32](16, 8, newRNG(1)), layers.NewTanh[float32](),
		layers.NewLinear[float32](8, 3, newRNG(1)),
	)
	header := func(b []byte) int { return int(binary.LittleEndian.Uint64(b)) }

	for _, tc := range []struct {
		name      string
		path      func() string
		nonStrict bool
		// want holds strings the message must contain; check inspects the
		// error further.
		want  []string
		check func(t *testing.T, e *checkpoint.Error)
	}{
		{
			name: "wrong shape",
			path: func() string { return edit(func(f *safetensors.File) { *f = *stateFile(t, wide) }) },
			want: []string{"shape mismatch", "0.weight: file F32 [16 5], model [16 4]"},
			check: func(t *testing.T, e *checkpoint.Error) {
				require.Equal(t, []string{"0.weight: file F32 [16 5], model [16 4]"}, e.Mismatched)
				require.Empty(t, e.Missing)
				require.Empty(t, e.Unexpected)
			},
		},
		{
			name:      "wrong shape, non-strict",
			path:      func() string { return edit(func(f *safetensors.File) { *f = *stateFile(t, wide) }) },
			nonStrict: true,
			want:      []string{"0.weight: file F32 [16 5], model [16 4]"},
		},
		{
			name: "missing name",
			path: func() string { return edit(func(f *safetensors.File) { delete(f.Tensors, "4.bias") }) },
			want: []string{"missing from the file: 4.bias"},
			check: func(t *testing.T, e *checkpoint.Error) {
				require.Equal(t, []string{"4.bias"}, e.Missing)
			},
		},
		{
			name: "unexpected name",
			path: func() string {
				return edit(func(f *safetensors.File) { f.Tensors["5.weight"] = f.Tensors["4.weight"] })
			},
			want: []string{"not in the model: 5.weight"},
			check: func(t *testing.T, e *checkpoint.Error) {
				require.Equal(t, []string{"5.weight"}, e.Unexpected)
			},
		},
		{
			name: "every problem at once",
			path: func() string {
				return edit(func(f *safetensors.File) {
					delete(f.Tensors, "0.bias")
					delete(f.Tensors, "2.bias")
					f.Tensors["head.weight"] = f.Tensors["4.weight"]
					f.Tensors["4.weight"] = f.Tensors["2.weight"]
				})
			},
			want: []string{"missing from the file: 0.bias, 2.bias", "not in the model: head.weight", "4.weight: file F32 [8 16], model [3 8]"},
		},
		{
			name: "wrong shape and dtype",
			path: func() string {
				return edit(func(f *safetensors.File) {
					w := f.Tensors["4.bias"]
					f.Tensors["4.bias"] = safetensors.Tensor{DType: "F16", Shape: []int{3, 2}, Data: w.Data}
				})
			},
			want: []string{"4.bias: file F16 [3 2], model [3]"},
		},
		{
			name: "unsupported dtype",
			path: func() string {
				b := rawFile(t, nil, rawTensor{"4.bias", "I16", []int{3}, []byte{1, 0, 2, 0, 3, 0}})
				return writeFile(t, "i16.safetensors", b)
			},
			want: []string{"4.bias", "I16"},
		},
		{
			name: "empty file",
			path: func() string { return writeFile(t, "empty.safetensors", nil) },
			want: []string{"too short"},
		},
		{
			name: "truncated in the length prefix",
			path: func() string { return writeFile(t, "t.safetensors", validBytes[:5]) },
			want: []string{"too short"},
		},
		{
			name: "truncated in the header",
			path: func() string { return writeFile(t, "t.safetensors", validBytes[:8+header(validBytes)/2]) },
			want: []string{"header length"},
		},
		{
			name: "truncated in the data",
			path: func() string { return writeFile(t, "t.safetensors", validBytes[:len(validBytes)-1]) },
			want: []string{"data"},
		},
		{
			name: "corrupt header",
			path: func() string {
				b := append([]byte(nil), validBytes...)
				b[8] = '['
				return writeFile(t, "c.safetensors", b)
			},
			want: []string{"header"},
		},
		{
			name: "corrupt header length",
			path: func() string {
				b := append([]byte(nil), validBytes...)
				binary.LittleEndian.PutUint64(b, 1<<62)
				return writeFile(t, "c.safetensors", b)
			},
			want: []string{"header length"},
		},
		{
			name: "corrupt data offsets",
			path: func() string {
				b := rawFile(t, nil, rawTensor{"4.bias", "F32", []int{3}, f32Bytes(1, 2)})
				return writeFile(t, "c.safetensors", b)
			},
			want: []string{"4.bias", "needs 12 bytes"},
		},
		{
			name: "not a file",
			path: func() string { return filepath.Join(t.TempDir(), "absent.safetensors") },
			want: []string{"no such file"},
			check: func(t *testing.T, e *checkpoint.Error) {
				require.True(t, errors.Is(e, fs.ErrNotExist))
			},
		},
		{
			name: "a directory",
			path: func() string { return t.TempDir() },
			want: []string{},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newMLP[float32](newRNG(7))
			before := snapshot[float32](m)
			path := tc.path()
			_, err := checkpoint.LoadModel(path, m, checkpoint.LoadOptions{NonStrict: tc.nonStrict})
			require.Error(t, err)
			t.Log(err)
			var e *checkpoint.Error
			require.ErrorAs(t, err, &e)
			require.Equal(t, path, e.Path)
			require.Equal(t, "load", e.Op)
			require.Contains(t, err.Error(), path, "the error names the file")
			for _, w := range tc.want {
				require.Contains(t, err.Error(), w)
			}
			if tc.check != nil {
				tc.check(t, e)
			}
			requireSameBits(t, before, snapshot[float32](m), "the model is untouched")
		})
	}
}

// TestLoadModelNonStrict skips the names of one side only, reports them, and
// loads the rest; without NonStrict the same file is refused.
func TestLoadModelNonStrict(t *testing.T) {
	src := newMLP[float32](newRNG(1))
	f := stateFile(t, src)
	delete(f.Tensors, "4.bias")
	f.Tensors["extra.weight"] = f.Tensors["0.weight"]
	path := saveFile(t, f)

	m := newMLP[float32](newRNG(2))
	before := snapshot[float32](m)
	_, err := checkpoint.LoadModel(path, m, checkpoint.LoadOptions{})
	var e *checkpoint.Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, []string{"4.bias"}, e.Missing)
	require.Equal(t, []string{"extra.weight"}, e.Unexpected)
	requireSameBits(t, before, snapshot[float32](m))

	res, err := checkpoint.LoadModel(path, m, checkpoint.LoadOptions{NonStrict: true})
	require.NoError(t, err)
	require.Equal(t, []string{"4.bias"}, res.Missing)
	require.Equal(t, []string{"extra.weight"}, res.Unexpected)
	got, want := snapshot[float32](m), snapshot[float32](src)
	require.Equal(t, before["4.bias"], got["4.bias"], "a missing entry keeps its value")
	delete(got, "4.bias")
	delete(want, "4.bias")
	requireSameBits(t, want, got)
}

// TestLoadModelFromTraining loads the model out of a training checkpoint,
// skipping the optimizer's state, and refuses a model file as a training
// checkpoint.
func TestLoadModelFromTraining(t *testing.T) {
	data := datasets.Spiral(20, 3, 0.2, rand.New(rand.NewPCG(9, 9)))
	r := newSpiralRun("adam", 1)
	r.train(data, 1)
	path := filepath.Join(t.TempDir(), "train.safetensors")
	require.NoError(t, checkpoint.Save(path, r.state))

	fresh := newSpiralRun("adam", 2)
	res, err := checkpoint.LoadModel(path, fresh.model, checkpoint.LoadOptions{})
	require.NoError(t, err)
	require.Empty(t, res.Unexpected)
	requireSameBits(t, snapshot[float32](r.model), snapshot[float32](fresh.model))

	modelPath := filepath.Join(t.TempDir(), "model.safetensors")
	require.NoError(t, checkpoint.SaveModel(modelPath, r.model))
	err = checkpoint.Load(modelPath, &checkpoint.Training[float32]{Model: fresh.model})
	require.ErrorContains(t, err, "not a training checkpoint")
	require.ErrorContains(t, err, modelPath)
}
