package datasets

import (
	"bufio"
	"compress/gzip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/nabla-go/nabla/tensor"
)

// HeaderFormat says what the first line of a CSV file holds.
type HeaderFormat int

const (
	// NoHeader: every line is a data row.
	NoHeader HeaderFormat = iota
	// HeaderNames: the first line names the columns. The names of the
	// feature columns become FeatureNames.
	HeaderNames
	// HeaderCounts: the first line is "N,F,class0,class1,...", the number of
	// data rows, the number of feature columns and the class names (the
	// format of scikit-learn's bundled CSV files and of the embedded sets).
	// The loader checks the file against N and F.
	HeaderCounts
)

// CSVOptions configure LoadCSV and ReadCSV. The zero value reads
// comma-separated rows without a header, the label in the last column.
type CSVOptions struct {
	// Header says what the first line holds; NoHeader by default.
	Header HeaderFormat
	// LabelColumn is the column of the integer class label, numbered from 1
	// like the columns and lines in error messages. A negative number counts
	// from the end (-1 is the last column); 0, the default, means the last
	// column. Every other column is a feature.
	LabelColumn int
	// Comma separates fields; ',' by default.
	Comma rune
	// ClassNames, when set, name the classes (overriding a HeaderCounts
	// header); labels must then be below len(ClassNames).
	ClassNames []string
	// FeatureNames, when set, name the feature columns (overriding a
	// HeaderNames header); there must be one per feature column.
	FeatureNames []string
}

// CSVError reports bad CSV input: the file, the line and, when the problem
// is in one field, its column (both numbered from 1; 0 when not known).
type CSVError struct {
	File   string
	Line   int
	Column int
	Err    error
}

// Error says what went wrong and where.
func (e *CSVError) Error() string {
	var b strings.Builder
	b.WriteString("datasets: ")
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Column > 0 {
		fmt.Fprintf(&b, ": column %d", e.Column)
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns the underlying error.
func (e *CSVError) Unwrap() error { return e.Err }

// LoadCSV reads a numeric table with an integer class label column from the
// file at path; see ReadCSV. A gzip-compressed file is decompressed. The
// data set's Name is the file's base name without ".gz" and ".csv".
func LoadCSV(path string, opts CSVOptions) (*Dataset[float32], error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("datasets: %w", err)
	}
	defer f.Close()
	d, err := ReadCSV(f, path, opts)
	if err != nil {
		return nil, err
	}
	d.Name = strings.TrimSuffix(strings.TrimSuffix(filepath.Base(path), ".gz"), ".csv")
	return d, nil
}

// ReadCSV reads a numeric table with an integer class label column from r
// (gzip-compressed input is detected and decompressed); name identifies the
// input in errors and becomes the data set's Name. X has shape [rows,
// features] and holds the other columns in file order.
//
// Every row must have the same number of fields; features must be finite
// numbers in float32 range (surrounding spaces are allowed); labels must be
// non-negative integers ("2" or "2.0"), below len(ClassNames) when the
// classes are named and at most 1048575 in any case. Blank lines are skipped. Any violation returns a
// *CSVError naming the input, the line and what is wrong; ReadCSV never
// panics on bad input.
func ReadCSV(r io.Reader, name string, opts CSVOptions) (*Dataset[float32], error) {
	in, _, err := maybeGunzip(r)
	if err != nil {
		return nil, &CSVError{File: name, Err: err}
	}
	p := &csvParser{name: name, opts: opts, classes: opts.ClassNames, features: opts.FeatureNames}
	return p.parse(in)
}

// maxLabel bounds class labels read from files, so that a corrupt label
// cannot make NumClasses (and everything sized by it) enormous.
const maxLabel = 1<<20 - 1

type csvParser struct {
	name     string
	opts     CSVOptions
	width    int // fields per row, 0 until known
	labelCol int // 0-based, valid once width is known
	wantRows int // from a HeaderCounts header, -1 when unknown
	classes  []string
	features []string
	x        []float32
	y        []int
}

func (p *csvParser) errorf(line, col int, format string, args ...any) error {
	return &CSVError{File: p.name, Line: line, Column: col, Err: fmt.Errorf(format, args...)}
}

func (p *csvParser) parse(in io.Reader) (*Dataset[float32], error) {
	cr := csv.NewReader(in)
	if p.opts.Comma != 0 {
		cr.Comma = p.opts.Comma
	}
	cr.FieldsPerRecord = -1 // checked here, for better messages
	cr.ReuseRecord = true
	p.wantRows = -1

	first := true
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, &CSVError{File: p.name, Line: pe.Line, Column: pe.Column, Err: pe.Err}
			}
			return nil, &CSVError{File: p.name, Err: err}
		}
		line, _ := cr.FieldPos(0)
		if first {
			rec[0] = strings.TrimPrefix(rec[0], "\ufeff") // a byte-order mark
			first = false
			if p.opts.Header != NoHeader {
				if err := p.header(rec, line); err != nil {
					return nil, err
				}
				continue
			}
		}
		if err := p.row(rec, line); err != nil {
			return nil, err
		}
	}
	rows := len(p.y)
	if rows == 0 {
		return nil, p.errorf(0, 0, "no data rows")
	}
	if p.wantRows >= 0 && rows != p.wantRows {
		return nil, p.errorf(0, 0, "the header says %d rows, found %d", p.wantRows, rows)
	}
	if p.features != nil && len(p.features) != p.width-1 {
		return nil, p.errorf(0, 0, "%d feature names for %d feature columns", len(p.features), p.width-1)
	}
	return &Dataset[float32]{
		Name:         p.name,
		X:            tensor.New(p.x, rows, p.width-1),
		Y:            p.y,
		ClassNames:   p.classes,
		FeatureNames: p.features,
	}, nil
}

// setWidth fixes the number of fields per row and resolves the label column.
func (p *csvParser) setWidth(n, line int) error {
	if n < 2 {
		return p.errorf(line, 0, "%d field(s), want at least 2 (features and a label)", n)
	}
	p.width = n
	switch c := p.opts.LabelColumn; {
	case c == 0:
		p.labelCol = n - 1
	case c > 0 && c <= n:
		p.labelCol = c - 1
	case c < 0 && -c <= n:
		p.labelCol = n + c
	default:
		return p.errorf(line, 0, "label column %d out of range for %d columns", c, n)
	}
	return nil
}

func (p *csvParser) header(rec []string, line int) error {
	switch p.opts.Header {
	case HeaderNames:
		if err := p.setWidth(len(rec), line); err != nil {
			return err
		}
		if p.features == nil {
			for i, s := range rec {
				if i != p.labelCol {
					p.features = append(p.features, strings.TrimSpace(s))
				}
			}
		}
	case HeaderCounts:
		if len(rec) < 2 {
			return p.errorf(line, 0, "header %q: want \"rows,features,class names...\"", strings.Join(rec, string(p.comma())))
		}
		rows, err := strconv.Atoi(strings.TrimSpace(rec[0]))
		if err != nil || rows < 0 {
			return p.errorf(line, 1, "header: row count %q is not a non-negative integer", rec[0])
		}
		feats, err := strconv.Atoi(strings.TrimSpace(rec[1]))
		if err != nil || feats < 1 {
			return p.errorf(line, 2, "header: feature count %q is not a positive integer", rec[1])
		}
		if feats > 1<<24 {
			return p.errorf(line, 2, "header: feature count %d is implausibly large", feats)
		}
		if err := p.setWidth(feats+1, line); err != nil {
			return err
		}
		p.wantRows = rows
		if p.classes == nil && len(rec) > 2 {
			for _, s := range rec[2:] {
				p.classes = append(p.classes, strings.TrimSpace(s))
			}
		}
		// Reserve what the header promises, but never more than a modest
		// cap: a corrupt header must not make us allocate gigabytes.
		hint := min(rows, 1<<14)
		p.x = make([]float32, 0, min(hint*feats, 1<<20))
		p.y = make([]int, 0, hint)
	default:
		return p.errorf(0, 0, "unknown header format %d", p.opts.Header)
	}
	return nil
}

func (p *csvParser) comma() rune {
	if p.opts.Comma != 0 {
		return p.opts.Comma
	}
	return ','
}

func (p *csvParser) row(rec []string, line int) error {
	if p.width == 0 {
		if err := p.setWidth(len(rec), line); err != nil {
			return err
		}
	}
	if len(rec) != p.width {
		return p.errorf(line, 0, "%d fields, want %d", len(rec), p.width)
	}
	for i, s := range rec {
		s = strings.TrimSpace(s)
		if i == p.labelCol {
			c, err := p.label(s)
			if err != nil {
				return &CSVError{File: p.name, Line: line, Column: i + 1, Err: err}
			}
			p.y = append(p.y, c)
			continue
		}
		v, err := parseFeature(s)
		if err != nil {
			return &CSVError{File: p.name, Line: line, Column: i + 1, Err: err}
		}
		p.x = append(p.x, v)
	}
	return nil
}

func parseFeature(s string) (float32, error) {
	if s == "" {
		return 0, errors.New("empty field, want a number")
	}
	v, err := strconv.ParseFloat(s, 32)
	switch {
	case errors.Is(err, strconv.ErrRange):
		return 0, fmt.Errorf("%q is out of float32 range", s)
	case err != nil:
		return 0, fmt.Errorf("%q is not a number", s)
	case math.IsNaN(v) || math.IsInf(v, 0):
		return 0, fmt.Errorf("%q is not a finite number", s)
	}
	return float32(v), nil
}

func (p *csvParser) label(s string) (int, error) {
	if s == "" {
		return 0, errors.New("empty label, want a class number")
	}
	c, err := strconv.Atoi(s)
	if err != nil {
		v, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, fmt.Errorf("label %q is not a number", s)
		}
		if v != math.Trunc(v) {
			return 0, fmt.Errorf("label %q is not an integer", s)
		}
		if v < 0 {
			return 0, fmt.Errorf("label %q is negative", s)
		}
		if v > maxLabel {
			return 0, fmt.Errorf("label %q is larger than %d", s, maxLabel)
		}
		c = int(v)
	}
	if c < 0 {
		return 0, fmt.Errorf("label %d is negative", c)
	}
	if c > maxLabel {
		return 0, fmt.Errorf("label %d is larger than %d", c, maxLabel)
	}
	if len(p.classes) > 0 && c >= len(p.classes) {
		return 0, fmt.Errorf("label %d out of range for %d classes", c, len(p.classes))
	}
	return c, nil
}

// maybeGunzip returns a reader of r's bytes, decompressed when they start
// with the gzip magic number 1f 8b, and whether they did.
func maybeGunzip(r io.Reader) (io.Reader, bool, error) {
	br := bufio.NewReader(r)
	magic, err := br.Peek(2)
	if err != nil && err != io.EOF {
		return nil, false, err
	}
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, true, fmt.Errorf("gzip: %w", err)
		}
		return zr, true, nil
	}
	return br, false, nil
}
