package safetensors

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"unicode/utf8"
)

// Encode writes f to w in the safetensors format: tensors in sorted name
// order, header padded with spaces to a multiple of 8 bytes, and a
// "__metadata__" entry when f.Metadata is not nil. It checks the
// whole of f before it writes anything: every dtype must be supported, every
// tensor's Data must hold exactly prod(Shape) elements, names and metadata
// must be valid UTF-8, and no tensor may be called "__metadata__".
func Encode(w io.Writer, f *File) error {
	p, err := prepare(f)
	if err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	if err := p.writeTo(w); err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	return nil
}

// Save writes f to the file at path, atomically: it encodes f into a
// temporary file path+".tmp-*" in the same directory, syncs it to disk and
// renames it over path. On any error it removes the temporary file, and a
// file already at path is left as it was. A new file gets permissions 0644;
// a replaced one keeps its own.
func Save(path string, f *File) (err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("safetensors: saving %s: %w", path, err)
		}
	}()
	p, err := prepare(f)
	if err != nil {
		return err
	}
	perm := os.FileMode(0o644)
	if st, err := os.Stat(path); err == nil && st.Mode().IsRegular() {
		perm = st.Mode().Perm()
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	w := bufio.NewWriterSize(tmp, 1<<20)
	if err := p.writeTo(w); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := tmp.Chmod(perm); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	syncDir(dir)
	return nil
}

// syncDir makes a rename in dir durable where the system allows it; failure
// here does not undo the save, so it is not reported.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	d.Sync()
	d.Close()
}

// prepared is a checked File and its encoded header, ready to be written.
type prepared struct {
	header []byte // length prefix, JSON, padding
	data   [][]byte
}

func (p *prepared) writeTo(w io.Writer) error {
	if _, err := w.Write(p.header); err != nil {
		return err
	}
	for _, d := range p.data {
		if len(d) == 0 {
			continue
		}
		if _, err := w.Write(d); err != nil {
			return err
		}
	}
	return nil
}

// prepare checks f and builds its header.
func prepare(f *File) (*prepared, error) {
	if f == nil {
		return nil, errors.New("nil *File")
	}
	var b bytes.Buffer
	b.Write(make([]byte, 8)) // the length, filled in below
	b.WriteByte('{')
	if f.Metadata != nil {
		appendString(&b, metadataKey)
		b.WriteString(":{")
		keys := make([]string, 0, len(f.Metadata))
		for k := range f.Metadata {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for i, k := range keys {
			v := f.Metadata[k]
			if !utf8.ValidString(k) || !utf8.ValidString(v) {
				return nil, fmt.Errorf("metadata %q: %q: not valid UTF-8", k, v)
			}
			if i > 0 {
				b.WriteByte(',')
			}
			appendString(&b, k)
			b.WriteByte(':')
			appendString(&b, v)
		}
		b.WriteByte('}')
	}
	names := f.Names()
	p := &prepared{data: make([][]byte, len(names))}
	var offset int64
	for i, name := range names {
		t := f.Tensors[name]
		if name == metadataKey {
			return nil, fmt.Errorf("tensor name %q is reserved for metadata", name)
		}
		if !utf8.ValidString(name) {
			return nil, fmt.Errorf("tensor name %q is not valid UTF-8", name)
		}
		_, nbytes, reason := byteSize(t.DType, t.Shape)
		if reason != "" {
			return nil, fmt.Errorf("tensor %q: %s", name, reason)
		}
		if len(t.Data) != nbytes {
			return nil, fmt.Errorf("tensor %q: shape %v of %s needs %d bytes of data, has %d",
				name, t.Shape, t.DType, nbytes, len(t.Data))
		}
		if i > 0 || f.Metadata != nil {
			b.WriteByte(',')
		}
		appendString(&b, name)
		b.WriteString(`:{"dtype":`)
		appendString(&b, string(t.DType))
		b.WriteString(`,"shape":[`)
		for j, d := range t.Shape {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(d))
		}
		fmt.Fprintf(&b, `],"data_offsets":[%d,%d]}`, offset, offset+int64(nbytes))
		offset += int64(nbytes)
		p.data[i] = t.Data
	}
	b.WriteByte('}')
	for b.Len()%8 != 0 {
		b.WriteByte(' ')
	}
	p.header = b.Bytes()
	n := len(p.header) - 8
	if n > MaxHeaderSize {
		return nil, fmt.Errorf("header of %d bytes exceeds the limit of %d", n, MaxHeaderSize)
	}
	binary.LittleEndian.PutUint64(p.header, uint64(n))
	return p, nil
}

// appendString writes s, which is valid UTF-8, as a JSON string. Only what
// JSON requires is escaped, so names read the same in the file as in Go.
func appendString(b *bytes.Buffer, s string) {
	const hex = "0123456789abcdef"
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case c < 0x20:
			b.WriteString(`\u00`)
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&0xf])
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
}
