package layers_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/nabla-go/nabla/autograd"
	"github.com/nabla-go/nabla/layers"
	"github.com/nabla-go/nabla/tensor"
)

// A convolutional feature extractor for 28x28 grey images: two 3x3
// convolutions with batch norm, max pooling and global average pooling.
func ExampleConv2D() {
	rng := rand.New(rand.NewPCG(1, 2))
	pad1 := autograd.Conv2DOptions{Padding: [2]int{1, 1}}
	conv1 := layers.NewConv2D[float32](1, 16, [2]int{3, 3}, pad1, rng)
	bn1 := layers.NewBatchNorm2D[float32](16)
	pool := layers.NewMaxPool2D[float32](autograd.Pool2DOptions{Kernel: [2]int{2, 2}})
	conv2 := layers.NewConv2D[float32](16, 32, [2]int{3, 3}, autograd.Conv2DOptions{Stride: [2]int{2, 2}}, rng)
	gap := layers.NewAdaptiveAvgPool2D[float32](1, 1)

	x := autograd.Const(tensor.RandN[float32](rng, 8, 1, 28, 28))
	h := pool.Forward(autograd.ReLU(bn1.Forward(conv1.Forward(x))))
	fmt.Println("after pooling:", h.Shape())
	h = conv2.Forward(h)
	fmt.Println("after stride 2:", h.Shape())
	fmt.Println("features:", gap.Forward(h).Shape())
	for _, p := range conv1.NamedParameters() {
		fmt.Println(p.Name, p.Var.Shape())
	}
	// Output:
	// after pooling: [8 16 14 14]
	// after stride 2: [8 32 6 6]
	// features: [8 32 1 1]
	// weight [16 1 3 3]
	// bias [16]
}
