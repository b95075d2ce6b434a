package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nabla-go/nabla/tensor"
)

// dense builds a tensor of the given shape; an empty shape is a scalar.
func dense[T tensor.Float](data []T, shape []int) *tensor.Dense[T] {
	if len(shape) == 0 {
		return tensor.Scalar(data[0])
	}
	return tensor.New(data, shape...)
}

func roundTrip[T tensor.Float](t *testing.T, want DType, shape []int) {
	n := 1
	for _, d := range shape {
		n *= d
	}
	data := make([]T, n)
	for i := range data {
		data[i] = T(i)*0.375 - 2.5
	}
	st := FromDense(dense(data, shape))
	require.Equal(t, want, st.DType)
	require.Equal(t, shape, st.Shape)
	require.Len(t, st.Data, n*want.Size())

	in := &File{
		Tensors: map[string]Tensor{
			"x":     st,
			"other": {DType: F16, Shape: []int{1}, Data: []byte{0x00, 0x3c}},
		},
		Metadata: map[string]string{"format": "pt"},
	}
	var buf bytes.Buffer
	require.NoError(t, Encode(&buf, in))
	require.Zero(t, (binary.LittleEndian.Uint64(buf.Bytes())+8)%8, "data section is 8-byte aligned")

	got, err := readBoth(t, buf.Bytes())
	require.NoError(t, err)
	require.Equal(t, in.Metadata, got.Metadata)
	require.Equal(t, st.DType, got.Tensors["x"].DType)
	require.Equal(t, st.Shape, got.Tensors["x"].Shape)
	require.Equal(t, st.Data, got.Tensors["x"].Data)

	back, err := ToDense[T](got.Tensors["x"])
	require.NoError(t, err)
	require.Equal(t, shape, back.Shape())
	require.Equal(t, data, back.Data())

	path := filepath.Join(t.TempDir(), "rt.safetensors")
	require.NoError(t, Save(path, in))
	loaded, err := Load(path)
	require.NoError(t, err)
	require.Equal(t, got, loaded)
	onDisk, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, buf.Bytes(), onDisk, "Save writes what Encode writes")
}

func TestRoundTrip(t *testing.T) {
	shapes := []struct {
		name  string
		shape []int
	}{
		{"scalar", []int{}},
		{"empty vector", []int{0}},
		{"zero-size matrix", []int{3, 0}},
		{"zero inside", []int{2, 0, 5}},
		{"one element", []int{1}},
		{"vector", []int{7}},
		{"matrix", []int{3, 4}},
		{"4-d", []int{2, 1, 3, 2}},
		{"larger than a read chunk", []int{300, 257}},
	}
	for _, s := range shapes {
		t.Run("F32/"+s.name, func(t *testing.T) { roundTrip[float32](t, F32, s.shape) })
		t.Run("F64/"+s.name, func(t *testing.T) { roundTrip[float64](t, F64, s.shape) })
	}
}

// TestGolden pins the exact bytes of a small file, built by hand from the
// format's definition.
func TestGolden(t *testing.T) {
	f := &File{
		Tensors: map[string]Tensor{
			"b": {DType: F32, Shape: []int{2}, Data: []byte{0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0}}, // 1, -2
			"a": {DType: F64, Shape: []int{}, Data: []byte{0, 0, 0, 0, 0, 0, 0xe0, 0x3f}},                    // 0.5
		},
		Metadata: map[string]string{"format": "pt"},
	}
	want := []byte{0x90, 0, 0, 0, 0, 0, 0, 0} // 144: 138 bytes of JSON and 6 spaces
	want = append(want, `{"__metadata__":{"format":"pt"},`+
		`"a":{"dtype":"F64","shape":[],"data_offsets":[0,8]},`+
		`"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}`+
		`      `...)
	want = append(want, 0, 0, 0, 0, 0, 0, 0xe0, 0x3f)
	want = append(want, 0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0)

	for range 5 { // map order must not leak into the file
		var buf bytes.Buffer
		require.NoError(t, Encode(&buf, f))
		require.Equal(t, want, buf.Bytes())
	}
	got, err := readBoth(t, want)
	require.NoError(t, err)
	require.Equal(t, f, got)

	a, err := ToDense[float32](got.Tensors["a"])
	require.NoError(t, err)
	require.Equal(t, 0, a.Dims())
	require.Equal(t, []float32{0.5}, a.Data())
	b, err := ToDense[float64](got.Tensors["b"])
	require.NoError(t, err)
	require.Equal(t, []float64{1, -2}, b.Data())
}

func TestEncodeNames(t *testing.T) {
	names := []string{"", `q"uote`, `back\slash`, "new\nline", "tab\t", "ctl\x01\x1f", "<html>&", "ünï—κ😀", "\u2028"}
	f := &File{Tensors: map[string]Tensor{}, Metadata: map[string]string{"k\"\n": "v\\\x00"}}
	for _, n := range names {
		f.Tensors[n] = Tensor{DType: BF16, Shape: []int{1}, Data: []byte{0x80, 0x3f}}
	}
	var buf bytes.Buffer
	require.NoError(t, Encode(&buf, f))
	n := binary.LittleEndian.Uint64(buf.Bytes())
	header := buf.Bytes()[8 : 8+n]
	require.True(t, json.Valid(header), "%s", header)
	require.NotContains(t, string(header), `\u003c`, "no needless HTML escaping")
	got, err := readBoth(t, buf.Bytes())
	require.NoError(t, err)
	require.Equal(t, f, got)
}

func TestEncodeRejects(t *testing.T) {
	ok := Tensor{DType: F32, Shape: []int{1}, Data: make([]byte, 4)}
	tests := []struct {
		name string
		file *File
		want string
	}{
		{"nil file", nil, "nil *File"},
		{"reserved name", &File{Tensors: map[string]Tensor{"__metadata__": ok}}, `"__metadata__" is reserved`},
		{"invalid UTF-8 name", &File{Tensors: map[string]Tensor{"a\xff": ok}}, "not valid UTF-8"},
		{"invalid UTF-8 metadata", &File{Metadata: map[string]string{"k": "\xfe"}}, "not valid UTF-8"},
		{"unsupported dtype", &File{Tensors: map[string]Tensor{"a": {DType: "I16", Shape: []int{1}, Data: make([]byte, 2)}}},
			`tensor "a": unsupported dtype "I16"`},
		{"empty dtype", &File{Tensors: map[string]Tensor{"a": {Shape: []int{0}}}}, `unsupported dtype ""`},
		{"negative dimension", &File{Tensors: map[string]Tensor{"a": {DType: F32, Shape: []int{-1}}}}, "negative dimension"},
		{"data too short", &File{Tensors: map[string]Tensor{"a": ok, "b": {DType: F64, Shape: []int{2, 2}, Data: make([]byte, 31)}}},
			`tensor "b": shape [2 2] of F64 needs 32 bytes of data, has 31`},
		{"data too long", &File{Tensors: map[string]Tensor{"a": {DType: F16, Shape: []int{}, Data: make([]byte, 4)}}},
			"needs 2 bytes of data, has 4"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := Encode(&buf, tc.file)
			require.ErrorContains(t, err, tc.want)
			require.Zero(t, buf.Len(), "nothing is written when the File is invalid")
		})
	}
}

type failingWriter struct{ after int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.after < len(p) {
		return 0, errors.New("disk full")
	}
	w.after -= len(p)
	return len(p), nil
}

func TestEncodeWriteError(t *testing.T) {
	f := &File{Tensors: map[string]Tensor{"a": {DType: F32, Shape: []int{1}, Data: make([]byte, 4)}}}
	for _, after := range []int{0, 64} {
		err := Encode(&failingWriter{after: after}, f)
		require.ErrorContains(t, err, "disk full")
	}
}

// tempFiles lists what Save may have left behind in dir.
func tempFiles(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "*.tmp-*"))
	require.NoError(t, err)
	return m
}

func TestSaveAtomic(t *testing.T) {
	good := &File{Tensors: map[string]Tensor{"w": {DType: F32, Shape: []int{2}, Data: []byte{0, 0, 0x80, 0x3f, 0, 0, 0, 0x40}}}}
	bad := &File{Tensors: map[string]Tensor{"w": {DType: F32, Shape: []int{2}, Data: []byte{1, 2, 3}}}}
	previous := []byte("the previous checkpoint")

	t.Run("replaces the file and keeps its permissions", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "model.safetensors")
		require.NoError(t, os.WriteFile(path, previous, 0o600))
		require.NoError(t, Save(path, good))
		got, err := Load(path)
		require.NoError(t, err)
		require.Equal(t, good, got)
		st, err := os.Stat(path)
		require.NoError(t, err)
		if runtime.GOOS != "windows" {
			require.Equal(t, os.FileMode(0o600), st.Mode().Perm())
		}
		require.Empty(t, tempFiles(t, dir))
	})

	t.Run("new file gets 0644", func(t *testing.T) {
		if runtime.GOOS == "windows" {
			t.Skip("no Unix permissions")
		}
		path := filepath.Join(t.TempDir(), "new.safetensors")
		require.NoError(t, Save(path, good))
		st, err := os.Stat(path)
		require.NoError(t, err)
		require.Equal(t, os.FileMode(0o644), st.Mode().Perm())
	})

	t.Run("encoding error leaves the previous file", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "model.safetensors")
		require.NoError(t, os.WriteFile(path, previous, 0o644))
		err := Save(path, bad)
		require.ErrorContains(t, err, "saving "+path)
		require.ErrorContains(t, err, "needs 8 bytes of data, has 3")
		got, err := os.ReadFile(path)
		require.NoError(t, err)
		require.Equal(t, previous, got)
		require.Empty(t, tempFiles(t, dir))
	})

	t.Run("rename failure removes the temporary file", func(t *testing.T) {
		// The target is a directory that is not empty, so the final rename
		// fails after the whole file has been written and synced.
		dir := t.TempDir()
		path := filepath.Join(dir, "model.safetensors")
		require.NoError(t, os.Mkdir(path, 0o755))
		inside := filepath.Join(path, "keep")
		require.NoError(t, os.WriteFile(inside, previous, 0o644))

		err := Save(path, good)
		require.ErrorContains(t, err, "saving "+path)
		require.Empty(t, tempFiles(t, dir))
		got, err := os.ReadFile(inside)
		require.NoError(t, err)
		require.Equal(t, previous, got)
	})

	t.Run("missing directory", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "no", "such", "dir", "m.safetensors")
		err := Save(path, good)
		require.ErrorIs(t, err, os.ErrNotExist)
		require.ErrorContains(t, err, "saving "+path)
	})
}
