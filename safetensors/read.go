package safetensors

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"unicode/utf8"
)

// Load reads the safetensors file at path. Its errors name the file; a
// malformed file gives a [*FormatError].
func Load(path string) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	s := source{path: path}
	if !st.Mode().IsRegular() {
		// A pipe or device has no size to check against: stream it.
		return s.decode(fh)
	}
	return s.read(fh, st.Size())
}

// Read reads a safetensors file of size bytes from r, checking every claim
// of the header against size before it allocates anything on its word.
// A malformed file gives a [*FormatError].
func Read(r io.ReaderAt, size int64) (*File, error) {
	return source{}.read(r, size)
}

// Decode reads a safetensors file from r, which it reads to the end (bytes
// after the last tensor make the file malformed). Memory grows with the bytes
// actually read, never with the sizes the header claims. A malformed file
// gives a [*FormatError].
func Decode(r io.Reader) (*File, error) {
	return source{}.decode(r)
}

// source carries the name of what is being read, for error messages.
type source struct {
	path string
}

func (s source) errorf(tensor, format string, args ...any) error {
	return &FormatError{Path: s.path, Tensor: tensor, Reason: fmt.Sprintf(format, args...)}
}

func (s source) ioError(what string, err error) error {
	if s.path == "" {
		return fmt.Errorf("safetensors: reading %s: %w", what, err)
	}
	return fmt.Errorf("safetensors: %s: reading %s: %w", s.path, what, err)
}

// headerLen decodes the 8-byte length prefix and checks it against the limit.
func (s source) headerLen(prefix []byte) (int64, error) {
	n := binary.LittleEndian.Uint64(prefix)
	if n > MaxHeaderSize {
		return 0, s.errorf("", "header length %d exceeds the limit of %d bytes", n, MaxHeaderSize)
	}
	return int64(n), nil
}

func (s source) read(r io.ReaderAt, size int64) (*File, error) {
	if size < 8 {
		return nil, s.errorf("", "file is %d bytes, too short for the 8-byte header length", size)
	}
	var prefix [8]byte
	if err := readAt(r, prefix[:], 0); err != nil {
		return nil, s.ioError("header length", err)
	}
	n, err := s.headerLen(prefix[:])
	if err != nil {
		return nil, err
	}
	if n > size-8 {
		return nil, s.errorf("", "header length %d exceeds the %d bytes after the length prefix", n, size-8)
	}
	buf := make([]byte, n)
	if err := readAt(r, buf, 8); err != nil {
		return nil, s.ioError("header", err)
	}
	h, err := s.parseHeader(buf)
	if err != nil {
		return nil, err
	}
	dataLen := size - 8 - n
	if _, err := s.layout(h, dataLen); err != nil {
		return nil, err
	}
	if dataLen > math.MaxInt {
		return nil, s.errorf("", "data section of %d bytes is too large for this platform", dataLen)
	}
	data := make([]byte, dataLen)
	if err := readAt(r, data, 8+n); err != nil {
		return nil, s.ioError("tensor data", err)
	}
	return h.file(data), nil
}

func (s source) decode(r io.Reader) (*File, error) {
	var prefix [8]byte
	if k, err := io.ReadFull(r, prefix[:]); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, s.errorf("", "file is %d bytes, too short for the 8-byte header length", k)
		}
		return nil, s.ioError("header length", err)
	}
	n, err := s.headerLen(prefix[:])
	if err != nil {
		return nil, err
	}
	buf, err := readN(r, n)
	if err != nil {
		return nil, s.ioError("header", err)
	}
	if int64(len(buf)) < n {
		return nil, s.errorf("", "header length %d exceeds the %d bytes after the length prefix", n, len(buf))
	}
	h, err := s.parseHeader(buf)
	if err != nil {
		return nil, err
	}
	total, err := s.layout(h, -1)
	if err != nil {
		return nil, err
	}
	data, err := readN(r, total)
	if err != nil {
		return nil, s.ioError("tensor data", err)
	}
	if int64(len(data)) < total {
		// The same check as read's, for the same message.
		_, err := s.layout(h, int64(len(data)))
		return nil, err
	}
	var one [1]byte
	switch k, err := io.ReadFull(r, one[:]); {
	case k > 0:
		return nil, s.errorf("", "trailing data after the last tensor")
	case !errors.Is(err, io.EOF):
		return nil, s.ioError("tensor data", err)
	}
	return h.file(data), nil
}

// readAt fills p from r at off; a short read is io.ErrUnexpectedEOF.
func readAt(r io.ReaderAt, p []byte, off int64) error {
	k, err := r.ReadAt(p, off)
	if k == len(p) {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// readN reads up to n bytes from r, stopping early at EOF. Its buffer grows
// with what arrives, so a false n costs no memory.
func readN(r io.Reader, n int64) ([]byte, error) {
	const chunk = 64 << 10
	buf := make([]byte, 0, min(n, chunk))
	for int64(len(buf)) < n {
		if len(buf) == cap(buf) {
			grow := min(n-int64(len(buf)), int64(max(cap(buf), chunk)))
			buf = slices.Grow(buf, int(grow))
		}
		end := int(min(int64(cap(buf)), n))
		k, err := r.Read(buf[len(buf):end])
		buf = buf[:len(buf)+k]
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	return buf, nil
}

// header is a parsed, checked header, its entries in the header's order.
type header struct {
	entries  []entry
	metadata map[string]string
}

type entry struct {
	name       string
	dtype      DType
	shape      []int
	begin, end int64
}

func (h *header) file(data []byte) *File {
	f := &File{Tensors: make(map[string]Tensor, len(h.entries)), Metadata: h.metadata}
	for _, e := range h.entries {
		f.Tensors[e.name] = Tensor{DType: e.dtype, Shape: e.shape, Data: data[e.begin:e.end:e.end]}
	}
	return f
}

// parseHeader parses the JSON header and checks each entry on its own.
func (s source) parseHeader(b []byte) (*header, error) {
	if !utf8.Valid(b) {
		return nil, s.errorf("", "header is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	invalid := func(err error) error {
		return s.errorf("", "header is not valid JSON: %v", jsonReason(err))
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, invalid(err)
	}
	if tok != json.Delim('{') {
		return nil, s.errorf("", "header is not a JSON object")
	}
	h := &header{}
	seen := make(map[string]bool)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, invalid(err)
		}
		key, ok := tok.(string)
		if !ok {
			return nil, s.errorf("", "header is not valid JSON: object key %v is not a string", tok)
		}
		if seen[key] {
			return nil, s.errorf("", "header repeats the key %q", key)
		}
		seen[key] = true
		if key == metadataKey {
			m, err := decodeMetadata(dec)
			if err != nil {
				return nil, s.errorf("", "%s: %v", metadataKey, jsonReason(err))
			}
			h.metadata = m
			continue
		}
		e, err := decodeEntry(dec, key)
		if err != nil {
			return nil, s.errorf(key, "%v", jsonReason(err))
		}
		h.entries = append(h.entries, e)
	}
	if err := closeObject(dec); err != nil {
		return nil, invalid(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, s.errorf("", "header has data after its JSON object")
	}
	return h, nil
}

// closeObject reads the '}' that must follow the last member of an object.
func closeObject(dec *json.Decoder) error {
	tok, err := dec.Token()
	if err != nil {
		return jsonReason(err)
	}
	if tok != json.Delim('}') {
		return fmt.Errorf("unexpected %v in object", tok)
	}
	return nil
}

// jsonReason turns the decoder's bare io.EOF, which it returns for input
// that stops inside a value, into words.
func jsonReason(err error) error {
	if err == nil || err == io.EOF {
		return errors.New("unexpected end of JSON")
	}
	return err
}

// decodeMetadata reads the "__metadata__" value: an object of strings, or null.
func decodeMetadata(dec *json.Decoder) (map[string]string, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if tok == nil {
		return nil, nil
	}
	if tok != json.Delim('{') {
		return nil, errors.New("not a JSON object")
	}
	m := make(map[string]string)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("object key %v is not a string", tok)
		}
		if _, dup := m[key]; dup {
			return nil, fmt.Errorf("repeats the key %q", key)
		}
		tok, err = dec.Token()
		if err != nil {
			return nil, err
		}
		val, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("value of %q is not a string", key)
		}
		m[key] = val
	}
	if err := closeObject(dec); err != nil {
		return nil, err
	}
	return m, nil
}

// decodeEntry reads one tensor's entry and checks it on its own: dtype,
// shape, and that its byte range is well formed and of the right length.
// Fields other than the three are ignored, as in the reference implementation.
func decodeEntry(dec *json.Decoder, name string) (entry, error) {
	e := entry{name: name}
	tok, err := dec.Token()
	if err != nil {
		return e, err
	}
	if tok != json.Delim('{') {
		return e, errors.New("entry is not a JSON object")
	}
	var (
		dtype          *string
		shape, offsets []int64
		seen           = make(map[string]bool, 3)
	)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return e, err
		}
		key, ok := tok.(string)
		if !ok {
			return e, fmt.Errorf("object key %v is not a string", tok)
		}
		if seen[key] {
			return e, fmt.Errorf("entry repeats the field %q", key)
		}
		seen[key] = true
		switch key {
		case "dtype":
			dtype = new(string)
			err = dec.Decode(dtype)
		case "shape":
			err = dec.Decode(&shape)
		case "data_offsets":
			err = dec.Decode(&offsets)
		default:
			var skip json.RawMessage
			err = dec.Decode(&skip)
		}
		if err != nil {
			return e, fmt.Errorf("%s: %w", key, jsonReason(err))
		}
	}
	if err := closeObject(dec); err != nil {
		return e, err
	}

	switch {
	case dtype == nil:
		return e, errors.New("missing dtype")
	case shape == nil: // absent or null
		return e, errors.New("missing shape")
	case offsets == nil:
		return e, errors.New("missing data_offsets")
	}
	e.dtype = DType(*dtype)
	e.shape = make([]int, len(shape))
	for i, d := range shape {
		if d > math.MaxInt {
			return e, fmt.Errorf("shape %v: dimension %d overflows this platform's int", shape, d)
		}
		e.shape[i] = int(d)
	}
	_, nbytes, reason := byteSize(e.dtype, e.shape)
	if reason != "" {
		return e, errors.New(reason)
	}
	if len(offsets) != 2 {
		return e, fmt.Errorf("data_offsets %v has %d values, want 2 (begin, end)", offsets, len(offsets))
	}
	e.begin, e.end = offsets[0], offsets[1]
	switch {
	case e.begin < 0 || e.end < 0:
		return e, fmt.Errorf("negative data_offsets %v", offsets)
	case e.end < e.begin:
		return e, fmt.Errorf("data_offsets %v end before they begin", offsets)
	case e.end-e.begin != int64(nbytes):
		return e, fmt.Errorf("shape %v of %s needs %d bytes, data_offsets %v hold %d",
			e.shape, e.dtype, nbytes, offsets, e.end-e.begin)
	}
	return e, nil
}

// layout checks that the tensors' byte ranges, in order, tile the data
// section of dataLen bytes from its start to its end: no range outside it,
// no gap, no overlap, nothing after the last. With dataLen < 0 (a stream,
// size unknown) it checks all but the outer bound. It returns where the
// last tensor ends.
func (s source) layout(h *header, dataLen int64) (int64, error) {
	order := make([]int, len(h.entries))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int {
		a, b := &h.entries[i], &h.entries[j]
		return cmp.Or(cmp.Compare(a.begin, b.begin), cmp.Compare(a.end, b.end))
	})
	var pos int64
	var prev *entry
	for _, i := range order {
		e := &h.entries[i]
		if dataLen >= 0 && e.end > dataLen {
			return 0, s.errorf(e.name, "data_offsets [%d, %d] lie outside the data section of %d bytes",
				e.begin, e.end, dataLen)
		}
		if e.begin < pos {
			return 0, s.errorf(e.name, "data_offsets [%d, %d] overlap those of tensor %q, [%d, %d]",
				e.begin, e.end, prev.name, prev.begin, prev.end)
		}
		if e.begin > pos {
			return 0, s.errorf(e.name, "data_offsets [%d, %d] leave a gap of %d bytes at %d; "+
				"the tensors must cover the data section contiguously", e.begin, e.end, e.begin-pos, pos)
		}
		pos, prev = e.end, e
	}
	if dataLen >= 0 && pos != dataLen {
		return 0, s.errorf("", "%d bytes of trailing data after the last tensor", dataLen-pos)
	}
	return pos, nil
}
