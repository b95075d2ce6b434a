package datasets

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestReadCSV(t *testing.T) {
	tests := []struct {
		name       string
		in         string
		opts       CSVOptions
		wantX      []float32
		wantShape  []int
		wantY      []int
		wantClass  []string
		wantFeats  []string
		numClasses int
	}{
		{
			name:      "no header, label last",
			in:        "1,2,0\n3,4,1\n",
			wantX:     []float32{1, 2, 3, 4},
			wantShape: []int{2, 2}, wantY: []int{0, 1}, numClasses: 2,
		},
		{
			name:      "blank lines, spaces, CRLF, float label, no final newline",
			in:        "1.5, -2e1 , 2.0\r\n\r\n 0,0,0",
			wantX:     []float32{1.5, -20, 0, 0},
			wantShape: []int{2, 2}, wantY: []int{2, 0}, numClasses: 3,
		},
		{
			name:      "counts header gives class names",
			in:        "2,3,cat,dog\n1,2,3,1\n4,5,6,0\n",
			opts:      CSVOptions{Header: HeaderCounts},
			wantX:     []float32{1, 2, 3, 4, 5, 6},
			wantShape: []int{2, 3}, wantY: []int{1, 0},
			wantClass: []string{"cat", "dog"}, numClasses: 2,
		},
		{
			name:      "names header, label first",
			in:        "species,len,width\n1,0.5,0.25\n0,1,2\n",
			opts:      CSVOptions{Header: HeaderNames, LabelColumn: 1},
			wantX:     []float32{0.5, 0.25, 1, 2},
			wantShape: []int{2, 2}, wantY: []int{1, 0},
			wantFeats: []string{"len", "width"}, numClasses: 2,
		},
		{
			name:      "label in the middle by negative column, semicolons",
			in:        "1;7;2\n3;8;4\n",
			opts:      CSVOptions{LabelColumn: -2, Comma: ';'},
			wantX:     []float32{1, 2, 3, 4},
			wantShape: []int{2, 2}, wantY: []int{7, 8}, numClasses: 9,
		},
		{
			name:      "byte-order mark and option names",
			in:        "\ufeff1,2,0\n",
			opts:      CSVOptions{ClassNames: []string{"x", "y"}, FeatureNames: []string{"f1", "f2"}},
			wantX:     []float32{1, 2},
			wantShape: []int{1, 2}, wantY: []int{0},
			wantClass: []string{"x", "y"}, wantFeats: []string{"f1", "f2"}, numClasses: 2,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := ReadCSV(strings.NewReader(tc.in), "t.csv", tc.opts)
			require.NoError(t, err)
			require.Equal(t, tc.wantShape, d.X.Shape())
			require.Equal(t, tc.wantX, d.X.Data())
			require.Equal(t, tc.wantY, d.Y)
			require.Equal(t, tc.wantClass, d.ClassNames)
			require.Equal(t, tc.wantFeats, d.FeatureNames)
			require.Equal(t, tc.numClasses, d.NumClasses())
			require.Equal(t, "t.csv", d.Name)
		})
	}
}

func TestReadCSVErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		opts CSVOptions
		line int
		col  int
		want string // the whole message
	}{
		{"too few fields", "1,2,0\n3,0\n", CSVOptions{}, 2, 0,
			"datasets: bad.csv:2: 2 fields, want 3"},
		{"too many fields after blank line", "1,2,0\n\n3,4,5,0\n", CSVOptions{}, 3, 0,
			"datasets: bad.csv:3: 4 fields, want 3"},
		{"not a number", "1,2,0\n3,x4,1\n", CSVOptions{}, 2, 2,
			`datasets: bad.csv:2: column 2: "x4" is not a number`},
		{"empty field", "1,,0\n", CSVOptions{}, 1, 2,
			"datasets: bad.csv:1: column 2: empty field, want a number"},
		{"NaN", "1,NaN,0\n", CSVOptions{}, 1, 2,
			`datasets: bad.csv:1: column 2: "NaN" is not a finite number`},
		{"float32 overflow", "1,1e39,0\n", CSVOptions{}, 1, 2,
			`datasets: bad.csv:1: column 2: "1e39" is out of float32 range`},
		{"fractional label", "1,2,0\n3,4,1.5\n", CSVOptions{}, 2, 3,
			`datasets: bad.csv:2: column 3: label "1.5" is not an integer`},
		{"negative label", "1,2,0\n3,4,-1\n", CSVOptions{}, 2, 3,
			"datasets: bad.csv:2: column 3: label -1 is negative"},
		{"label not a number", "1,2,cat\n", CSVOptions{}, 1, 3,
			`datasets: bad.csv:1: column 3: label "cat" is not a number`},
		{"huge label", "1,2,99999999\n", CSVOptions{}, 1, 3,
			"datasets: bad.csv:1: column 3: label 99999999 is larger than 1048575"},
		{"label beyond class names", "2,1,a,b\n1,0\n1,2\n", CSVOptions{Header: HeaderCounts}, 3, 2,
			"datasets: bad.csv:3: column 2: label 2 out of range for 2 classes"},
		{"header row count", "3,1,a,b\n1,0\n1,1\n", CSVOptions{Header: HeaderCounts}, 0, 0,
			"datasets: bad.csv: the header says 3 rows, found 2"},
		{"header feature count", "1,2,a,b\n1,0\n", CSVOptions{Header: HeaderCounts}, 2, 0,
			"datasets: bad.csv:2: 2 fields, want 3"},
		{"bad counts header", "x,2,a\n1,2,0\n", CSVOptions{Header: HeaderCounts}, 1, 1,
			`datasets: bad.csv:1: column 1: header: row count "x" is not a non-negative integer`},
		{"names header but numbers expected", "a,b,label\n", CSVOptions{}, 1, 1,
			`datasets: bad.csv:1: column 1: "a" is not a number`},
		{"empty input", "", CSVOptions{}, 0, 0, "datasets: bad.csv: no data rows"},
		{"header only", "a,b,c\n", CSVOptions{Header: HeaderNames}, 0, 0, "datasets: bad.csv: no data rows"},
		{"one column", "1\n2\n", CSVOptions{}, 1, 0,
			"datasets: bad.csv:1: 1 field(s), want at least 2 (features and a label)"},
		{"label column out of range", "1,2,0\n", CSVOptions{LabelColumn: 4}, 1, 0,
			"datasets: bad.csv:1: label column 4 out of range for 3 columns"},
		{"feature names count", "1,2,0\n", CSVOptions{FeatureNames: []string{"a"}}, 0, 0,
			"datasets: bad.csv: 1 feature names for 2 feature columns"},
		{"bare quote", "1,2\"3,0\n", CSVOptions{}, 1, 4,
			`datasets: bad.csv:1: column 4: bare " in non-quoted-field`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := ReadCSV(strings.NewReader(tc.in), "bad.csv", tc.opts)
			require.Nil(t, d)
			require.EqualError(t, err, tc.want)
			var ce *CSVError
			require.True(t, errors.As(err, &ce))
			require.Equal(t, "bad.csv", ce.File)
			require.Equal(t, tc.line, ce.Line)
			require.Equal(t, tc.col, ce.Column)
		})
	}
}

func TestLoadCSVFileAndGzip(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "small.csv")
	require.NoError(t, os.WriteFile(plain, []byte("1,2,1\n3,4,0\n"), 0o644))
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, err := zw.Write([]byte("1,2,1\n3,4,0\n"))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	zipped := filepath.Join(dir, "small.csv.gz")
	require.NoError(t, os.WriteFile(zipped, buf.Bytes(), 0o644))

	for _, p := range []string{plain, zipped} {
		d, err := LoadCSV(p, CSVOptions{})
		require.NoError(t, err, p)
		require.Equal(t, "small", d.Name)
		require.Equal(t, []float32{1, 2, 3, 4}, d.X.Data())
		require.Equal(t, []int{1, 0}, d.Y)
	}

	bad := filepath.Join(dir, "bad.csv")
	require.NoError(t, os.WriteFile(bad, []byte("1,2,1\n3,4\n"), 0o644))
	_, err = LoadCSV(bad, CSVOptions{})
	require.EqualError(t, err, "datasets: "+bad+":2: 2 fields, want 3")

	_, err = LoadCSV(filepath.Join(dir, "missing.csv"), CSVOptions{})
	require.ErrorIs(t, err, fs.ErrNotExist)
	require.ErrorContains(t, err, "missing.csv")

	// A corrupt gzip stream is an error, not a panic.
	corrupt := append([]byte{}, buf.Bytes()...)
	corrupt[len(corrupt)-5] ^= 0xff // damage the checksum
	_, err = ReadCSV(bytes.NewReader(corrupt), "c.csv.gz", CSVOptions{})
	require.ErrorContains(t, err, "c.csv.gz")
}
