package layers

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/nabla-go/nabla/autograd"
	"github.com/nabla-go/nabla/tensor"
)

// benchConv times one forward and backward pass of a 3x3 convolution with
// padding 1 (sum of the output as the loss), in float32, and reports
// milliseconds per pass beside allocations.
func benchConv(b *testing.B, in, out int, x []int, inputGrad bool) {
	rng := rand.New(rand.NewPCG(1, 2))
	m := NewConv2D[float32](in, out, [2]int{3, 3}, autograd.Conv2DOptions{Padding: [2]int{1, 1}}, rng)
	xv := autograd.Const(tensor.RandN[float32](rng, x...))
	if inputGrad { // a layer inside a network also computes its input's gradient
		xv = autograd.Param(xv.Value())
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		m.Weight.ZeroGrad()
		m.Bias.ZeroGrad()
		xv.ZeroGrad()
		autograd.Sum(m.Forward(xv)).Backward()
	}
	b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(b.N), "ms/op")
}

// BenchmarkConv2D1to32 is a first layer on MNIST-sized input: [64, 1, 28, 28].
func BenchmarkConv2D1to32(b *testing.B) { benchConv(b, 1, 32, []int{64, 1, 28, 28}, false) }

// BenchmarkConv2D32to64 is a second layer after pooling: [64, 32, 14, 14].
func BenchmarkConv2D32to64(b *testing.B) { benchConv(b, 32, 64, []int{64, 32, 14, 14}, true) }
