package datasets

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/nabla-go/nabla/tensor"
)

// FashionMNISTDir is where Debian's package dataset-fashion-mnist
// (apt-get install dataset-fashion-mnist) puts the Fashion-MNIST files.
const FashionMNISTDir = "/usr/share/datasets/fashion-mnist"

// IDX element type codes: the third byte of an IDX file's magic number.
const (
	IDXUint8   byte = 0x08
	IDXInt8    byte = 0x09
	IDXInt16   byte = 0x0B
	IDXInt32   byte = 0x0C
	IDXFloat32 byte = 0x0D
	IDXFloat64 byte = 0x0E
)

// MaxIDXBytes caps the data size an IDX header may announce (4 GiB). Larger
// claims are rejected as corrupt before anything is allocated.
const MaxIDXBytes = 1 << 32

// IDX is the content of an IDX file, the format of MNIST and Fashion-MNIST:
// a magic number 0x0000TTNN (TT the element type, NN the number of
// dimensions), NN big-endian uint32 dimensions, then the elements in
// row-major order.
type IDX struct {
	// Type is the element type code: IDXUint8 for MNIST's images and labels.
	Type byte
	// Dims are the dimensions, for example [60000 28 28] for images.
	Dims []int
	// Data holds the elements as stored: one byte each for IDXUint8,
	// big-endian multi-byte values for the wider types.
	Data []byte
}

// Magic returns the file's magic number, 0x00000803 for MNIST images and
// 0x00000801 for labels.
func (x *IDX) Magic() uint32 { return uint32(x.Type)<<8 | uint32(len(x.Dims)) }

// ReadIDX reads the IDX file at path, raw or gzip-compressed (detected by
// the gzip magic bytes, whatever the file name). It checks the magic number,
// that the data are exactly as long as the dimensions say (a truncated file,
// or trailing bytes, is an error) and never allocates more than the file can
// hold. Errors name the file.
func ReadIDX(path string) (*IDX, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("datasets: %w", err)
	}
	defer f.Close()
	size := int64(-1)
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		size = st.Size()
	}
	return decodeIDX(f, path, size)
}

// DecodeIDX reads IDX data from r, raw or gzip-compressed, with the checks
// of ReadIDX; name identifies the input in errors.
func DecodeIDX(r io.Reader, name string) (*IDX, error) { return decodeIDX(r, name, -1) }

// decodeIDX reads an IDX stream; size is the stored (possibly compressed)
// length of the input when known, else -1.
func decodeIDX(r io.Reader, name string, size int64) (*IDX, error) {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("datasets: %s: %s", name, fmt.Sprintf(format, args...))
	}
	br, gz, err := maybeGunzip(r)
	if err != nil {
		return nil, fail("%v", err)
	}
	if gz {
		size = -1 // the compressed size bounds nothing useful
	}

	var head [4]byte
	if _, err := io.ReadFull(br, head[:]); err != nil {
		return nil, fail("reading the magic number: %v", eofAsTruncated(err))
	}
	magic := binary.BigEndian.Uint32(head[:])
	if head[0] != 0 || head[1] != 0 {
		return nil, fail("magic number 0x%08x: not an IDX file (want 0x0000TTNN)", magic)
	}
	typ, nd := head[2], int(head[3])
	elem := idxElemSize(typ)
	if elem == 0 {
		return nil, fail("magic number 0x%08x: unknown element type 0x%02x", magic, typ)
	}

	dimBytes := make([]byte, 4*nd)
	if _, err := io.ReadFull(br, dimBytes); err != nil {
		return nil, fail("reading %d dimensions: %v", nd, eofAsTruncated(err))
	}
	dims := make([]int, nd)
	n := int64(elem)
	for i := range dims {
		d := int64(binary.BigEndian.Uint32(dimBytes[4*i:]))
		dims[i] = int(d)
		// Checked before multiplying, so the product never overflows.
		if d > 0 && n > MaxIDXBytes/d {
			return nil, fail("dimensions %v claim more than %d bytes of data: corrupt header", dims[:i+1], int64(MaxIDXBytes))
		}
		n *= d
	}
	if size >= 0 {
		if have := size - 4 - 4*int64(nd); have < n {
			return nil, fail("truncated: dimensions %v need %d bytes of data, the file has %d", dims, n, max(have, 0))
		}
	}

	data, err := readExactly(br, n)
	if err != nil {
		return nil, fail("dimensions %v need %d bytes of data: %v", dims, n, err)
	}
	var extra [1]byte
	switch k, err := io.ReadFull(br, extra[:]); {
	case k > 0:
		return nil, fail("trailing data after the %d bytes that dimensions %v need", n, dims)
	case err != io.EOF:
		return nil, fail("%v", err) // a gzip checksum error shows here
	}
	return &IDX{Type: typ, Dims: dims, Data: data}, nil
}

// readExactly reads n bytes, growing its buffer as data arrive rather than
// trusting n up front.
func readExactly(r io.Reader, n int64) ([]byte, error) {
	const chunk = 64 << 10
	buf := make([]byte, 0, min(n, chunk))
	for int64(len(buf)) < n {
		k := int(min(n-int64(len(buf)), int64(max(len(buf), chunk))))
		buf = slices.Grow(buf, k)
		got, err := io.ReadFull(r, buf[len(buf):len(buf)+k])
		buf = buf[:len(buf)+got]
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, fmt.Errorf("truncated: only %d bytes present", len(buf))
			}
			return nil, err
		}
	}
	return buf, nil
}

func eofAsTruncated(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("file truncated")
	}
	return err
}

func idxElemSize(typ byte) int {
	switch typ {
	case IDXUint8, IDXInt8:
		return 1
	case IDXInt16:
		return 2
	case IDXInt32, IDXFloat32:
		return 4
	case IDXFloat64:
		return 8
	}
	return 0
}

var fashionClasses = []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
	"Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}

var digitClasses = []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}

// LoadMNIST loads the MNIST hand-written digits from dir, which holds the
// standard files {train,t10k}-{images-idx3,labels-idx1}-ubyte, each
// gzip-compressed (".gz", preferred) or raw: the 60000 training images when
// train is true, else the 10000 test images.
//
// X has shape [N, 784], pixels scaled from 0..255 to [0, 1]; use
// Reshape(1, 28, 28) for [N, 1, 28, 28]. Y holds the digits 0..9. The files
// must be 28x28 unsigned-byte images and labels 0..9, equal in number; any
// problem returns an error naming the file. A missing directory or file
// returns an error that says which and wraps fs.ErrNotExist.
func LoadMNIST(dir string, train bool) (*Dataset[float32], error) {
	hint := "put the MNIST files {train,t10k}-{images-idx3,labels-idx1}-ubyte.gz there (from https://yann.lecun.com/exdb/mnist/ or a mirror)"
	return loadMNISTFormat("MNIST", "mnist", dir, train, digitClasses, hint)
}

// LoadFashionMNIST loads Fashion-MNIST (Zalando's 28x28 grey images of
// clothes, 10 classes from "T-shirt/top" to "Ankle boot") from dir, or from
// FashionMNISTDir when dir is "". The files and the result are as for
// LoadMNIST. When the files are missing the error says to install them with
// apt-get install dataset-fashion-mnist.
func LoadFashionMNIST(dir string, train bool) (*Dataset[float32], error) {
	if dir == "" {
		dir = FashionMNISTDir
	}
	hint := "install it with `apt-get install dataset-fashion-mnist` (it puts the files under " + FashionMNISTDir + ")"
	return loadMNISTFormat("Fashion-MNIST", "fashion-mnist", dir, train, fashionClasses, hint)
}

func loadMNISTFormat(what, name, dir string, train bool, classes []string, hint string) (*Dataset[float32], error) {
	st, err := os.Stat(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("datasets: %s: directory %s does not exist; %s: %w", what, dir, hint, fs.ErrNotExist)
		}
		return nil, fmt.Errorf("datasets: %s: %w", what, err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("datasets: %s: %s is not a directory", what, dir)
	}
	prefix, part := "t10k", "test"
	if train {
		prefix, part = "train", "train"
	}
	find := func(base string) (string, error) {
		for _, f := range []string{base + ".gz", base} {
			p := filepath.Join(dir, f)
			if _, err := os.Stat(p); err == nil {
				return p, nil
			}
		}
		return "", fmt.Errorf("datasets: %s: neither %s.gz nor %s in %s; %s: %w", what, base, base, dir, hint, fs.ErrNotExist)
	}
	imgPath, err := find(prefix + "-images-idx3-ubyte")
	if err != nil {
		return nil, err
	}
	lblPath, err := find(prefix + "-labels-idx1-ubyte")
	if err != nil {
		return nil, err
	}

	// Labels first: they are small and catch a wrong file pairing early.
	lbl, err := ReadIDX(lblPath)
	if err != nil {
		return nil, err
	}
	if lbl.Magic() != 0x801 {
		return nil, fmt.Errorf("datasets: %s: magic number 0x%08x, want 0x00000801 (unsigned-byte labels, 1 dimension)", lblPath, lbl.Magic())
	}
	for i, c := range lbl.Data {
		if int(c) >= len(classes) {
			return nil, fmt.Errorf("datasets: %s: label %d of item %d out of range 0..%d", lblPath, c, i, len(classes)-1)
		}
	}
	img, err := ReadIDX(imgPath)
	if err != nil {
		return nil, err
	}
	if img.Magic() != 0x803 {
		return nil, fmt.Errorf("datasets: %s: magic number 0x%08x, want 0x00000803 (unsigned-byte images, 3 dimensions)", imgPath, img.Magic())
	}
	if img.Dims[1] != 28 || img.Dims[2] != 28 {
		return nil, fmt.Errorf("datasets: %s: images are %dx%d, want 28x28", imgPath, img.Dims[1], img.Dims[2])
	}
	if img.Dims[0] != lbl.Dims[0] {
		return nil, fmt.Errorf("datasets: %s holds %d images but %s holds %d labels", imgPath, img.Dims[0], lblPath, lbl.Dims[0])
	}

	n := img.Dims[0]
	x := make([]float32, len(img.Data))
	for i, b := range img.Data {
		x[i] = float32(b) / 255
	}
	y := make([]int, n)
	for i, c := range lbl.Data {
		y[i] = int(c)
	}
	features := make([]string, 0, 784)
	for r := range 28 {
		for c := range 28 {
			features = append(features, fmt.Sprintf("pixel_%d_%d", r, c))
		}
	}
	return &Dataset[float32]{
		Name:         name + "-" + part,
		X:            tensor.New(x, n, 28*28),
		Y:            y,
		ClassNames:   slices.Clone(classes),
		FeatureNames: features,
	}, nil
}
