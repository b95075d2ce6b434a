package checkpoint

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"math"
	"os"

	"github.com/nabla-go/nabla/safetensors"
)

// readFile reads the safetensors file at path. It is safetensors.Load, except
// that tensors stored as I64 (64-bit integers) are read as F64: PyTorch keeps
// batch norm's num_batches_tracked as int64, so every PyTorch state dict with
// a batch norm holds one, and package safetensors reads floating-point dtypes
// only. Both are 8 bytes wide, so the conversion rewrites the dtype in the
// header and each element in place, and the result then goes through
// safetensors' own checks unchanged.
func readFile(path string) (*safetensors.File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		// A pipe or device: let safetensors stream it, without I64.
		return safetensors.Load(path)
	}
	size := st.Size()
	patches := findInt64(fh, size)
	if len(patches) == 0 {
		return safetensors.Load(path)
	}
	buf := make([]byte, size)
	if k, err := fh.ReadAt(buf, 0); k < len(buf) {
		if err == nil || errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	for _, p := range patches {
		buf[p.dtype+1] = 'F' // "I64" becomes "F64"
		for i := p.begin; i < p.end; i += 8 {
			v := int64(binary.LittleEndian.Uint64(buf[i:]))
			binary.LittleEndian.PutUint64(buf[i:], math.Float64bits(float64(v)))
		}
	}
	f, err := safetensors.Read(bytes.NewReader(buf), size)
	var fe *safetensors.FormatError
	if errors.As(err, &fe) && fe.Path == "" {
		fe.Path = path
	}
	return f, err
}

// int64Patch locates one I64 tensor in a file: the offset of its quoted
// dtype string "I64" and the byte range of its elements, both from the start
// of the file.
type int64Patch struct {
	dtype      int64
	begin, end int64
}

// findInt64 returns the I64 tensors of the file fh of size bytes. It is best
// effort: anything it does not understand (a malformed header, an I64 entry
// whose byte range is out of bounds) it leaves alone, for safetensors to
// report.
func findInt64(fh io.ReaderAt, size int64) []int64Patch {
	if size < 8 {
		return nil
	}
	var prefix [8]byte
	if _, err := fh.ReadAt(prefix[:], 0); err != nil {
		return nil
	}
	n := binary.LittleEndian.Uint64(prefix[:])
	if n > safetensors.MaxHeaderSize || int64(n) > size-8 {
		return nil
	}
	header := make([]byte, n)
	if _, err := fh.ReadAt(header, 8); err != nil {
		return nil
	}
	if !bytes.Contains(header, []byte(`"I64"`)) {
		return nil
	}
	dataStart := 8 + int64(n)
	dataLen := size - dataStart
	var patches []int64Patch
	dec := json.NewDecoder(bytes.NewReader(header))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil
		}
		key, ok := tok.(string)
		if !ok {
			return nil
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil
		}
		end := dec.InputOffset()
		start := end - int64(len(raw))
		if start < 0 || !bytes.Equal(header[start:end], raw) || key == "__metadata__" {
			continue
		}
		off, begin, stop, ok := int64Entry(raw)
		if !ok || begin < 0 || stop < begin || stop > dataLen || (stop-begin)%8 != 0 {
			continue
		}
		patches = append(patches, int64Patch{dtype: 8 + start + off, begin: dataStart + begin, end: dataStart + stop})
	}
	return patches
}

// int64Entry reads one tensor's header entry and, when its dtype is the
// plain string "I64", returns the offset of that string within raw and the
// entry's data offsets.
func int64Entry(raw []byte) (dtypeAt, begin, end int64, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return 0, 0, 0, false
	}
	dtypeAt = -1
	var offsets []int64
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return 0, 0, 0, false
		}
		switch tok {
		case "dtype":
			tok, err := dec.Token()
			if err != nil || tok != "I64" {
				return 0, 0, 0, false
			}
			at := dec.InputOffset() - 5
			if at < 0 || string(raw[at:at+5]) != `"I64"` {
				return 0, 0, 0, false // spelled with escapes: leave it
			}
			dtypeAt = at
		case "data_offsets":
			if err := dec.Decode(&offsets); err != nil {
				return 0, 0, 0, false
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return 0, 0, 0, false
			}
		}
	}
	if dtypeAt < 0 || len(offsets) != 2 {
		return 0, 0, 0, false
	}
	return dtypeAt, offsets[0], offsets[1], true
}
