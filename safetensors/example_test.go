package safetensors_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/nabla-go/nabla/safetensors"
	"github.com/nabla-go/nabla/tensor"
)

// Save a tensor to a file and load it back.
func Example() {
	dir, err := os.MkdirTemp("", "safetensors-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "model.safetensors")

	weight := tensor.New([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	err = safetensors.Save(path, &safetensors.File{
		Tensors:  map[string]safetensors.Tensor{"0.weight": safetensors.FromDense(weight)},
		Metadata: map[string]string{"format": "pt"},
	})
	if err != nil {
		log.Fatal(err)
	}

	f, err := safetensors.Load(path)
	if err != nil {
		log.Fatal(err)
	}
	for _, name := range f.Names() {
		t := f.Tensors[name]
		fmt.Println(name, t.DType, t.Shape, len(t.Data), "bytes")
	}
	w, err := safetensors.ToDense[float32](f.Tensors["0.weight"])
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(w)
	fmt.Println(f.Metadata)
	// Output:
	// 0.weight F32 [2 3] 24 bytes
	// [[1, 2, 3], [4, 5, 6]]
	// map[format:pt]
}

// A malformed file is reported, not trusted.
func ExampleRead() {
	header := `{"x":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`
	file := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	file = append(file, header...)
	file = append(file, make([]byte, 8)...)

	_, err := safetensors.Read(bytes.NewReader(file), int64(len(file)))
	fmt.Println(err)
	// Output:
	// safetensors: tensor "x": shape [3] of F32 needs 12 bytes, data_offsets [0 8] hold 8
}

// Half-precision tensors, as many Hugging Face checkpoints store them,
// decode to float32 or float64.
func ExampleToDense() {
	half := safetensors.Tensor{
		DType: safetensors.F16,
		Shape: []int{4},
		Data:  []byte{0x00, 0x3c, 0x00, 0xc0, 0x01, 0x00, 0x00, 0x7c}, // 1, -2, 2^-24, +Inf
	}
	t, err := safetensors.ToDense[float64](half)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(t.Data())
	// Output:
	// [1 -2 5.960464477539063e-08 +Inf]
}
