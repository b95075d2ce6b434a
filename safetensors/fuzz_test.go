package safetensors

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzRead feeds arbitrary bytes to Read and Decode. Neither may panic or
// allocate much more than the input's size, they must agree on which inputs
// are valid, and a valid input must convert, re-encode and read back the same.
func FuzzRead(f *testing.F) {
	var valid bytes.Buffer
	require.NoError(f, Encode(&valid, &File{
		Tensors: map[string]Tensor{
			"a": {DType: F32, Shape: []int{2}, Data: []byte{0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0}},
			"b": {DType: F64, Shape: []int{}, Data: []byte{0, 0, 0, 0, 0, 0, 0xe0, 0x3f}},
			"c": {DType: F16, Shape: []int{1, 2}, Data: []byte{0, 0x3c, 1, 0}},
			"d": {DType: BF16, Shape: []int{0, 3}, Data: []byte{}},
		},
		Metadata: map[string]string{"format": "pt"},
	}))
	v := valid.Bytes()
	seeds := [][]byte{
		v,
		v[:len(v)-1],              // truncated data
		append(bytes.Clone(v), 0), // trailing byte
		v[:20],                    // truncated header
		raw(`{}`),
		raw(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}`, make([]byte, 12)...),
		raw(`{"a":{"dtype":"F32","shape":[4294967296,4294967296,0],"data_offsets":[0,0]}}`),
		raw(`{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}}`),
		raw(`{"a":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}`, make([]byte, 8)...),
		raw(`{"__metadata__":{"k":1}}`),
		rawLen(MaxHeaderSize, `{}`),
		rawLen(1<<63, `{}`),
		{},
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var f1, f2 *File
		var err1, err2 error
		alloc := allocated(func() {
			f1, err1 = Read(bytes.NewReader(b), int64(len(b)))
			f2, err2 = Decode(bytes.NewReader(b))
		})
		limit := uint64(1<<20 + 64*len(b))
		if alloc > limit {
			t.Fatalf("reading %d bytes allocated %d bytes (limit %d)", len(b), alloc, limit)
		}
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("Read and Decode disagree: %v / %v", err1, err2)
		}
		if err1 != nil {
			var fe *FormatError
			require.ErrorAs(t, err1, &fe, "a malformed input is a *FormatError")
			require.ErrorAs(t, err2, &fe, "a malformed input is a *FormatError")
			return
		}
		require.Equal(t, f1, f2)
		for name, st := range f1.Tensors {
			_, err := ToDense[float32](st)
			require.NoError(t, err, "tensor %q", name)
		}
		var again bytes.Buffer
		require.NoError(t, Encode(&again, f1))
		f3, err := Read(bytes.NewReader(again.Bytes()), int64(again.Len()))
		require.NoError(t, err)
		require.Equal(t, f1, f3)
	})
}
