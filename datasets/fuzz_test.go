package datasets

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzDecodeIDX feeds arbitrary bytes, raw and gzip-compressed, to the IDX
// reader: it must return data consistent with the dimensions or an error,
// never panic or allocate what a corrupt header claims.
func FuzzDecodeIDX(f *testing.F) {
	f.Add(idxBytes(0x803, []uint32{2, 2, 2}, seq(8)))
	f.Add(idxBytes(0x801, []uint32{3}, []byte{1, 2, 3}))
	f.Add(idxBytes(0x803, []uint32{60000, 28, 28}, seq(10)))
	f.Add(idxBytes(0x0E02, []uint32{1, 1}, seq(8)))
	f.Add([]byte{0x1f, 0x8b, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, in := range [][]byte{b, gzipBytes(t, b)} {
			x, err := DecodeIDX(bytes.NewReader(in), "fuzz")
			if err != nil {
				if !strings.HasPrefix(err.Error(), "datasets: fuzz: ") {
					t.Fatalf("error does not name the input: %v", err)
				}
				continue
			}
			n := idxElemSize(x.Type)
			for _, d := range x.Dims {
				n *= d
			}
			if n != len(x.Data) {
				t.Fatalf("dims %v of type 0x%02x but %d bytes", x.Dims, x.Type, len(x.Data))
			}
		}
	})
}

// FuzzReadCSV feeds arbitrary text to the CSV loader under each header
// format: it must return a consistent data set or an error, never panic.
func FuzzReadCSV(f *testing.F) {
	f.Add("150,4,setosa,versicolor,virginica\n5.1,3.5,1.4,0.2,0\n", 0)
	f.Add("a,b,label\n1,2,0\n3,4,1\n", -1)
	f.Add("1,2,0\n\n3,x,1\n", 1)
	f.Add("99999999999,1,a\n1,0\n", 2)
	f.Fuzz(func(t *testing.T, in string, label int) {
		for _, h := range []HeaderFormat{NoHeader, HeaderNames, HeaderCounts} {
			d, err := ReadCSV(strings.NewReader(in), "fuzz.csv", CSVOptions{Header: h, LabelColumn: label % 4})
			if err != nil {
				continue
			}
			if d.X.Dim(0) != len(d.Y) || d.X.Size() != d.Len()*d.NumFeatures() {
				t.Fatalf("inconsistent data set: X %v, %d labels", d.X.Shape(), len(d.Y))
			}
			for _, c := range d.Y {
				if c < 0 || c >= d.NumClasses() {
					t.Fatalf("label %d for %d classes", c, d.NumClasses())
				}
			}
		}
	})
}
