package safetensors

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/require"
)

// raw builds a file by hand: the length prefix (of header as given, no
// padding added), the header, then data.
func raw(header string, data ...byte) []byte {
	return rawLen(uint64(len(header)), header, data...)
}

// rawLen is raw with a length prefix that may lie.
func rawLen(n uint64, header string, data ...byte) []byte {
	b := binary.LittleEndian.AppendUint64(nil, n)
	b = append(b, header...)
	return append(b, data...)
}

// readBoth reads b with Read and with Decode, requires that they agree and
// returns Read's result.
func readBoth(t *testing.T, b []byte) (*File, error) {
	t.Helper()
	f1, err1 := Read(bytes.NewReader(b), int64(len(b)))
	f2, err2 := Decode(bytes.NewReader(b))
	if err1 == nil {
		require.NoError(t, err2, "Read accepted the file, Decode did not")
		require.Equal(t, f1, f2)
	} else {
		require.Error(t, err2, "Read rejected the file (%v), Decode did not", err1)
	}
	return f1, err1
}

func TestReadValid(t *testing.T) {
	eight := []byte{1, 2, 3, 4, 5, 6, 7, 8}
	tests := []struct {
		name string
		file []byte
		want *File
	}{
		{
			name: "empty header",
			file: raw(`{}`),
			want: &File{Tensors: map[string]Tensor{}},
		},
		{
			name: "padded with spaces, tensors out of name order",
			file: raw(`{"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},`+
				`"a":{"dtype":"F16","shape":[2],"data_offsets":[4,8]}}   `, eight...),
			want: &File{Tensors: map[string]Tensor{
				"b": {DType: F32, Shape: []int{1}, Data: eight[:4]},
				"a": {DType: F16, Shape: []int{2}, Data: eight[4:]},
			}},
		},
		{
			name: "metadata, unknown fields, whitespace",
			file: raw(` { "__metadata__" : {"format":"pt","x":""}, `+
				`"w" : {"dtype":"BF16","shape":[2,2],"extra":[1,{"y":null}],"data_offsets":[0,8]} }`, eight...),
			want: &File{
				Tensors:  map[string]Tensor{"w": {DType: BF16, Shape: []int{2, 2}, Data: eight}},
				Metadata: map[string]string{"format": "pt", "x": ""},
			},
		},
		{
			name: "null metadata, scalar and zero-size tensors sharing an offset",
			file: raw(`{"__metadata__":null,"s":{"dtype":"F64","shape":[],"data_offsets":[0,8]},`+
				`"z1":{"dtype":"F32","shape":[0],"data_offsets":[8,8]},`+
				`"z2":{"dtype":"F64","shape":[3,0],"data_offsets":[8,8]}}`, eight...),
			want: &File{Tensors: map[string]Tensor{
				"s":  {DType: F64, Shape: []int{}, Data: eight},
				"z1": {DType: F32, Shape: []int{0}, Data: []byte{}},
				"z2": {DType: F64, Shape: []int{3, 0}, Data: []byte{}},
			}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := readBoth(t, tc.file)
			require.NoError(t, err)
			require.Equal(t, tc.want, f)
		})
	}
}

func TestReadRejects(t *testing.T) {
	f32x2 := func(name string, begin, end int) string {
		return `"` + name + `":{"dtype":"F32","shape":[2],"data_offsets":[` +
			strconv.Itoa(begin) + `,` + strconv.Itoa(end) + `]}`
	}
	twelve := make([]byte, 12)
	tests := []struct {
		name   string
		file   []byte
		tensor string // FormatError.Tensor
		want   string // in the message
	}{
		{name: "empty file", file: nil, want: "too short"},
		{name: "short length prefix", file: []byte{2, 0, 0}, want: "too short"},
		{name: "header over the limit", file: rawLen(MaxHeaderSize+1, `{}`), want: "exceeds the limit"},
		{name: "header length 2^64-1", file: rawLen(1<<64-1, `{}`), want: "exceeds the limit"},
		{name: "header longer than file", file: rawLen(1000, `{}`), want: "exceeds the 2 bytes after"},
		{name: "zero-length header", file: raw(``), want: "not valid JSON"},
		{name: "truncated JSON", file: raw(`{"a":{"dtype":"F32"`), tensor: "a", want: "unexpected end of JSON"},
		{name: "truncated object", file: raw(`{"__metadata__":{}`), want: "not valid JSON"},
		{name: "missing comma", file: raw(`{"__metadata__":{} "b":1}`), want: "not valid JSON"},
		{name: "not an object", file: raw(`[1,2]`), want: "not a JSON object"},
		{name: "invalid UTF-8", file: raw("{\"\xff\":{}}"), want: "not valid UTF-8"},
		{name: "data after the JSON object", file: raw(`{} {}`), want: "data after its JSON object"},
		{name: "repeated tensor", file: raw(`{`+f32x2("a", 0, 8)+`,`+f32x2("a", 0, 8)+`}`, make([]byte, 8)...),
			want: `repeats the key "a"`},
		{name: "repeated metadata key", file: raw(`{"__metadata__":{"k":"1","k":"2"}}`), want: `repeats the key "k"`},
		{name: "metadata not strings", file: raw(`{"__metadata__":{"k":1}}`), want: `value of "k" is not a string`},
		{name: "metadata not an object", file: raw(`{"__metadata__":"x"}`), want: "not a JSON object"},
		{name: "entry not an object", file: raw(`{"a":5}`), tensor: "a", want: "entry is not a JSON object"},
		{name: "repeated field", file: raw(`{"a":{"dtype":"F32","dtype":"F32"}}`), tensor: "a", want: `repeats the field "dtype"`},
		{name: "unknown dtype", file: raw(`{"a":{"dtype":"I16","shape":[1],"data_offsets":[0,2]}}`, 0, 0),
			tensor: "a", want: `unsupported dtype "I16"`},
		{name: "dtype not a string", file: raw(`{"a":{"dtype":32,"shape":[1],"data_offsets":[0,4]}}`, 0, 0, 0, 0),
			tensor: "a", want: "dtype: json: cannot unmarshal"},
		{name: "missing dtype", file: raw(`{"a":{"shape":[1],"data_offsets":[0,4]}}`, 0, 0, 0, 0), tensor: "a", want: "missing dtype"},
		{name: "missing shape", file: raw(`{"a":{"dtype":"F32","data_offsets":[0,4]}}`, 0, 0, 0, 0), tensor: "a", want: "missing shape"},
		{name: "null shape", file: raw(`{"a":{"dtype":"F32","shape":null,"data_offsets":[0,4]}}`, 0, 0, 0, 0), tensor: "a", want: "missing shape"},
		{name: "missing data_offsets", file: raw(`{"a":{"dtype":"F32","shape":[1]}}`, 0, 0, 0, 0), tensor: "a", want: "missing data_offsets"},
		{name: "negative dimension", file: raw(`{"a":{"dtype":"F32","shape":[2,-1],"data_offsets":[0,0]}}`),
			tensor: "a", want: "negative dimension -1"},
		{name: "fractional dimension", file: raw(`{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}`, 0, 0, 0, 0),
			tensor: "a", want: "shape: json: cannot unmarshal"},
		{name: "dimension beyond int64", file: raw(`{"a":{"dtype":"F32","shape":[99999999999999999999],"data_offsets":[0,4]}}`, 0, 0, 0, 0),
			tensor: "a", want: "shape: json: cannot unmarshal"},
		{name: "element count overflows", file: raw(`{"a":{"dtype":"F32","shape":[4294967296,4294967296,4],"data_offsets":[0,4]}}`, 0, 0, 0, 0),
			tensor: "a", want: "overflows"}, // the words differ where int is 32 bits
		{name: "overflow before a zero dimension", file: raw(`{"a":{"dtype":"F32","shape":[4294967296,4294967296,0],"data_offsets":[0,0]}}`),
			tensor: "a", want: "overflows"}, // the words differ where int is 32 bits
		{name: "byte size overflows", file: raw(`{"a":{"dtype":"F64","shape":[2305843009213693952],"data_offsets":[0,4]}}`, 0, 0, 0, 0),
			tensor: "a", want: "overflows"}, // the words differ where int is 32 bits
		{name: "three offsets", file: raw(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}`, 0, 0, 0, 0),
			tensor: "a", want: "has 3 values, want 2"},
		{name: "negative offset", file: raw(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}}`, 0, 0, 0, 0),
			tensor: "a", want: "negative data_offsets"},
		{name: "end before begin", file: raw(`{"a":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}`, make([]byte, 8)...),
			tensor: "a", want: "end before they begin"},
		{name: "byte size differs from shape", file: raw(`{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`, make([]byte, 8)...),
			tensor: "a", want: "shape [3] of F32 needs 12 bytes, data_offsets [0 8] hold 8"},
		{name: "offsets outside the data section", file: raw(`{`+f32x2("a", 0, 8)+`}`, 0, 0, 0, 0),
			tensor: "a", want: "outside the data section of 4 bytes"},
		{name: "offsets far outside", file: raw(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[1000000000000,1000000000004]}}`),
			tensor: "a", want: "outside the data section of 0 bytes"},
		{name: "overlapping tensors", file: raw(`{`+f32x2("a", 0, 8)+`,`+f32x2("b", 4, 12)+`}`, twelve...),
			tensor: "b", want: `overlap those of tensor "a", [0, 8]`},
		{name: "identical ranges", file: raw(`{`+f32x2("a", 0, 8)+`,`+f32x2("b", 0, 8)+`}`, make([]byte, 8)...),
			tensor: "b", want: `overlap those of tensor "a"`},
		{name: "gap between tensors", file: raw(`{`+f32x2("a", 0, 8)+`,`+f32x2("b", 12, 20)+`}`, make([]byte, 20)...),
			tensor: "b", want: "gap of 4 bytes at 8"},
		{name: "gap at the start", file: raw(`{`+f32x2("a", 4, 12)+`}`, twelve...),
			tensor: "a", want: "gap of 4 bytes at 0"},
		{name: "trailing garbage", file: raw(`{`+f32x2("a", 0, 8)+`}`, twelve...), want: "trailing data after the last tensor"},
		{name: "data but no tensors", file: raw(`{}`, 1), want: "1 bytes of trailing data"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := readBoth(t, tc.file)
			require.Nil(t, f)
			require.ErrorContains(t, err, tc.want)
			var fe *FormatError
			require.ErrorAs(t, err, &fe)
			require.Equal(t, tc.tensor, fe.Tensor)
			require.Empty(t, fe.Path)
			require.True(t, strings.HasPrefix(err.Error(), "safetensors: "), err.Error())

			// Decode blames the same tensor, though where a stream cannot be
			// sized in advance it may put the fault in other words.
			_, err = Decode(bytes.NewReader(tc.file))
			require.ErrorAs(t, err, &fe)
			require.Equal(t, tc.tensor, fe.Tensor)
		})
	}
}

func TestLoadNamesTheFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bad.safetensors")
	require.NoError(t, os.WriteFile(path, raw(`{"a":{"dtype":"I8","shape":[1],"data_offsets":[0,1]}}`, 0), 0o644))
	_, err := Load(path)
	require.EqualError(t, err, `safetensors: `+path+`: tensor "a": unsupported dtype "I8" (supported: F64, F32, F16, BF16, I64, I32, U8)`)
	var fe *FormatError
	require.ErrorAs(t, err, &fe)
	require.Equal(t, path, fe.Path)

	_, err = Load(filepath.Join(dir, "missing.safetensors"))
	require.ErrorIs(t, err, os.ErrNotExist)
	require.ErrorContains(t, err, "missing.safetensors")
}

// A header that claims more than the file holds is caught before anything
// of that size is allocated.
func TestReadDoesNotTrustClaims(t *testing.T) {
	huge := raw(`{"a":{"dtype":"F32","shape":[25000000],"data_offsets":[0,100000000]}}`)
	for name, read := range map[string]func() (*File, error){
		"Read":   func() (*File, error) { return Read(bytes.NewReader(huge), int64(len(huge))) },
		"Decode": func() (*File, error) { return Decode(bytes.NewReader(huge)) },
		"Decode one byte at a time": func() (*File, error) {
			return Decode(iotest.OneByteReader(bytes.NewReader(huge)))
		},
	} {
		t.Run(name, func(t *testing.T) {
			allocs := allocated(func() {
				_, err := read()
				require.Error(t, err)
			})
			require.Less(t, allocs, uint64(1<<20), "allocated %d bytes", allocs)
		})
	}
}

type errReaderAt struct{ err error }

func (r errReaderAt) ReadAt([]byte, int64) (int, error) { return 0, r.err }

func TestReadIOErrors(t *testing.T) {
	boom := errors.New("boom")
	_, err := Read(errReaderAt{boom}, 100)
	require.ErrorIs(t, err, boom)
	var fe *FormatError
	require.False(t, errors.As(err, &fe), "an I/O error is not a format error")

	_, err = Decode(iotest.ErrReader(boom))
	require.ErrorIs(t, err, boom)

	// A size larger than what r holds is an unexpected EOF, not a panic.
	b := raw(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, make([]byte, 8)...)
	_, err = Read(bytes.NewReader(b[:len(b)-4]), int64(len(b)))
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	_, err = Read(bytes.NewReader(b[:6]), int64(len(b)))
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
}
