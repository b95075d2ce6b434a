package datasets

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// idxBytes encodes an IDX file: magic, big-endian dims, data.
func idxBytes(magic uint32, dims []uint32, data []byte) []byte {
	var b bytes.Buffer
	_ = binary.Write(&b, binary.BigEndian, magic)
	for _, d := range dims {
		_ = binary.Write(&b, binary.BigEndian, d)
	}
	b.Write(data)
	return b.Bytes()
}

func gzipBytes(t *testing.T, raw []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, err := zw.Write(raw)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return b.Bytes()
}

func writeFile(t *testing.T, path string, b []byte) string {
	t.Helper()
	require.NoError(t, os.WriteFile(path, b, 0o644))
	return path
}

func seq(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i * 7)
	}
	return b
}

func TestReadIDX(t *testing.T) {
	dir := t.TempDir()
	images := idxBytes(0x803, []uint32{3, 2, 4}, seq(24))
	labels := idxBytes(0x801, []uint32{3}, []byte{7, 0, 9})
	for _, gz := range []bool{false, true} {
		for _, tc := range []struct {
			name  string
			raw   []byte
			magic uint32
			dims  []int
			data  []byte
		}{
			{"images", images, 0x803, []int{3, 2, 4}, seq(24)},
			{"labels", labels, 0x801, []int{3}, []byte{7, 0, 9}},
			{"empty", idxBytes(0x801, []uint32{0}, nil), 0x801, []int{0}, []byte{}},
			{"int16 big-endian", idxBytes(0x0B02, []uint32{1, 2}, []byte{0, 1, 1, 0}), 0xB02, []int{1, 2}, []byte{0, 1, 1, 0}},
		} {
			b := tc.raw
			name := tc.name
			if gz {
				b = gzipBytes(t, b)
				name += "-gz"
			}
			t.Run(name, func(t *testing.T) {
				// The file name says nothing: gzip is detected by content.
				x, err := ReadIDX(writeFile(t, filepath.Join(dir, name), b))
				require.NoError(t, err)
				require.Equal(t, tc.magic, x.Magic())
				require.Equal(t, tc.dims, x.Dims)
				require.Equal(t, tc.data, x.Data)

				y, err := DecodeIDX(bytes.NewReader(b), name)
				require.NoError(t, err)
				require.Equal(t, x, y)
			})
		}
	}
}

func TestReadIDXErrors(t *testing.T) {
	dir := t.TempDir()
	good := idxBytes(0x803, []uint32{2, 3, 3}, seq(18))
	tests := []struct {
		name string
		b    []byte
		want string
	}{
		{"empty file", nil, "reading the magic number: file truncated"},
		{"short magic", []byte{0, 0, 8}, "reading the magic number: file truncated"},
		{"wrong magic", idxBytes(0x12345603, []uint32{2, 3, 3}, seq(18)), "magic number 0x12345603: not an IDX file"},
		{"little-endian magic", []byte{3, 8, 0, 0}, "magic number 0x03080000: not an IDX file"},
		{"unknown type", idxBytes(0x0A01, []uint32{1}, []byte{1}), "magic number 0x00000a01: unknown element type 0x0a"},
		{"truncated dims", good[:10], "reading 3 dimensions: file truncated"},
		{"truncated data", good[:len(good)-1], "truncated"},
		{"trailing data", append(append([]byte{}, good...), 0), "trailing data after the 18 bytes that dimensions [2 3 3] need"},
		{"huge header", idxBytes(0x803, []uint32{0xffffffff, 0xffffffff, 0xffffffff}, seq(18)),
			"dimensions [4294967295 4294967295] claim more than 4294967296 bytes of data: corrupt header"},
		{"overflowing header", idxBytes(0x0E03, []uint32{1 << 31, 1 << 31, 1 << 31}, nil),
			"claim more than 4294967296 bytes of data: corrupt header"},
		// Within the cap but far beyond the file: refused before allocating.
		{"header beyond file", idxBytes(0x803, []uint32{60000, 1000, 60}, seq(18)),
			"truncated: dimensions [60000 1000 60] need 3600000000 bytes of data, the file has 18"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, filepath.Join(dir, "f-"+strings.ReplaceAll(tc.name, " ", "-")), tc.b)
			x, err := ReadIDX(path)
			require.Nil(t, x)
			require.ErrorContains(t, err, tc.want)
			require.True(t, strings.HasPrefix(err.Error(), "datasets: "+path+": "), err.Error())
		})
	}

	// The same file gzip-compressed: its size says nothing, so the data are
	// read as they come and the truncation is found at the end.
	_, err := DecodeIDX(bytes.NewReader(gzipBytes(t, good[:len(good)-1])), "t.gz")
	require.EqualError(t, err, "datasets: t.gz: dimensions [2 3 3] need 18 bytes of data: truncated: only 17 bytes present")
	_, err = DecodeIDX(bytes.NewReader(gzipBytes(t, idxBytes(0x803, []uint32{60000, 1000, 60}, seq(18)))), "big.gz")
	require.EqualError(t, err, "datasets: big.gz: dimensions [60000 1000 60] need 3600000000 bytes of data: truncated: only 18 bytes present")

	// A damaged gzip checksum is reported.
	z := gzipBytes(t, good)
	z[len(z)-6] ^= 0xff
	_, err = DecodeIDX(bytes.NewReader(z), "bad.gz")
	require.ErrorContains(t, err, "datasets: bad.gz: ")
	require.ErrorContains(t, err, "checksum")

	_, err = ReadIDX(filepath.Join(dir, "nope"))
	require.ErrorIs(t, err, fs.ErrNotExist)
}

func TestReadIDXCorruptHeaderAllocatesLittle(t *testing.T) {
	// A gzip stream whose header claims 3.6 GB but holds 18 bytes must not
	// make the reader allocate anywhere near the claim.
	z := gzipBytes(t, idxBytes(0x803, []uint32{60000, 1000, 60}, seq(18)))
	allocs := testing.AllocsPerRun(5, func() { _, _ = DecodeIDX(bytes.NewReader(z), "big.gz") })
	require.Less(t, allocs, 100.0)
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	_, _ = DecodeIDX(bytes.NewReader(z), "big.gz")
	runtime.ReadMemStats(&m1)
	require.Less(t, m1.TotalAlloc-m0.TotalAlloc, uint64(8<<20), "bytes allocated")
}

// mnistFiles holds the contents of the four MNIST-format files; nil means
// the file is absent.
type mnistFiles struct {
	trainImages, trainLabels, testImages, testLabels []byte
}

// writeMNIST writes the files, gzip-compressed or raw, into a new directory.
func writeMNIST(t *testing.T, f mnistFiles, gz bool) string {
	t.Helper()
	dir := t.TempDir()
	for name, b := range map[string][]byte{
		"train-images-idx3-ubyte": f.trainImages,
		"train-labels-idx1-ubyte": f.trainLabels,
		"t10k-images-idx3-ubyte":  f.testImages,
		"t10k-labels-idx1-ubyte":  f.testLabels,
	} {
		if b == nil {
			continue
		}
		if gz {
			b = gzipBytes(t, b)
			name += ".gz"
		}
		writeFile(t, filepath.Join(dir, name), b)
	}
	return dir
}

func mnistImages(n int) []byte {
	px := make([]byte, n*784)
	for i := range px {
		px[i] = byte(i % 256)
	}
	return idxBytes(0x803, []uint32{uint32(n), 28, 28}, px)
}

func TestLoadMNIST(t *testing.T) {
	good := mnistFiles{
		trainImages: mnistImages(3), trainLabels: idxBytes(0x801, []uint32{3}, []byte{5, 0, 9}),
		testImages: mnistImages(2), testLabels: idxBytes(0x801, []uint32{2}, []byte{1, 2}),
	}
	for _, gz := range []bool{false, true} {
		dir := writeMNIST(t, good, gz)
		train, err := LoadMNIST(dir, true)
		require.NoError(t, err)
		require.Equal(t, "mnist-train", train.Name)
		require.Equal(t, []int{3, 784}, train.X.Shape())
		require.Equal(t, []int{5, 0, 9}, train.Y)
		require.Equal(t, 10, train.NumClasses())
		require.Equal(t, float32(0), train.X.At(0, 0))
		require.Equal(t, float32(255)/255, train.X.At(0, 255))
		require.Equal(t, float32(1313%256)/255, train.X.At(1, 529)) // byte 784+529 of the pixels
		img := train.Reshape(1, 28, 28)
		require.Equal(t, []int{3, 1, 28, 28}, img.X.Shape())
		require.Equal(t, train.X.At(2, 28*3+4), img.X.At(2, 0, 3, 4))

		test, err := LoadMNIST(dir, false)
		require.NoError(t, err)
		require.Equal(t, []int{2, 784}, test.X.Shape())
		require.Equal(t, []int{1, 2}, test.Y)

		fashion, err := LoadFashionMNIST(dir, false)
		require.NoError(t, err)
		require.Equal(t, "fashion-mnist-test", fashion.Name)
		require.Equal(t, "Trouser", fashion.ClassNames[1])
		require.Equal(t, "Ankle boot", fashion.ClassNames[9])
	}
}

func TestLoadMNISTErrors(t *testing.T) {
	labels3 := idxBytes(0x801, []uint32{3}, []byte{1, 2, 3})
	tests := []struct {
		name  string
		files mnistFiles
		want  []string
	}{
		{"count mismatch", mnistFiles{trainImages: mnistImages(2), trainLabels: labels3},
			[]string{"train-images-idx3-ubyte.gz holds 2 images but", "train-labels-idx1-ubyte.gz holds 3 labels"}},
		{"images and labels swapped", mnistFiles{trainImages: labels3, trainLabels: mnistImages(3)},
			[]string{"train-labels-idx1-ubyte.gz: magic number 0x00000803, want 0x00000801"}},
		{"labels as images", mnistFiles{trainImages: labels3, trainLabels: labels3},
			[]string{"train-images-idx3-ubyte.gz: magic number 0x00000801, want 0x00000803"}},
		{"wrong image size", mnistFiles{trainImages: idxBytes(0x803, []uint32{3, 8, 8}, seq(192)), trainLabels: labels3},
			[]string{"train-images-idx3-ubyte.gz: images are 8x8, want 28x28"}},
		{"label out of range", mnistFiles{trainImages: mnistImages(3), trainLabels: idxBytes(0x801, []uint32{3}, []byte{1, 10, 3})},
			[]string{"train-labels-idx1-ubyte.gz: label 10 of item 1 out of range 0..9"}},
		{"truncated images", mnistFiles{trainImages: mnistImages(3)[:1000], trainLabels: labels3},
			[]string{"train-images-idx3-ubyte.gz: dimensions [3 28 28] need 2352 bytes of data: truncated"}},
		{"missing labels", mnistFiles{trainImages: mnistImages(3)},
			[]string{"neither train-labels-idx1-ubyte.gz nor train-labels-idx1-ubyte in", "apt-get install dataset-fashion-mnist"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeMNIST(t, tc.files, true)
			d, err := LoadFashionMNIST(dir, true)
			require.Nil(t, d)
			require.Error(t, err)
			for _, w := range tc.want {
				require.Contains(t, err.Error(), w)
			}
		})
	}

	missing := filepath.Join(t.TempDir(), "no-such-dir")
	_, err := LoadFashionMNIST(missing, true)
	require.ErrorIs(t, err, fs.ErrNotExist)
	require.EqualError(t, err, "datasets: Fashion-MNIST: directory "+missing+
		" does not exist; install it with `apt-get install dataset-fashion-mnist` (it puts the files under /usr/share/datasets/fashion-mnist): file does not exist")
	_, err = LoadMNIST(missing, false)
	require.ErrorIs(t, err, fs.ErrNotExist)
	require.ErrorContains(t, err, "datasets: MNIST: directory "+missing+" does not exist")

	_, err = LoadMNIST(t.TempDir(), false)
	require.ErrorIs(t, err, fs.ErrNotExist)
	require.ErrorContains(t, err, "neither t10k-images-idx3-ubyte.gz nor t10k-images-idx3-ubyte in")
}
