package layers

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nabla-go/nabla/autograd"
	"github.com/nabla-go/nabla/tensor"
)

// Sequential runs Linear+ReLU and Conv2D+ReLU as fused ops; the fused model
// must give the numbers of the layers run one by one, to the bit.
func TestSequentialFusesReLUBitForBit(t *testing.T) {
	for _, tc := range []struct {
		name   string
		layers func(rng *rand.Rand) []Module[float32]
		x      []int
		op     string // the op that makes the output
	}{
		{"cnn", func(rng *rand.Rand) []Module[float32] {
			return []Module[float32]{
				NewConv2D[float32](2, 4, [2]int{3, 3}, autograd.Conv2DOptions{Padding: [2]int{1, 1}}, rng),
				NewReLU[float32](),
				NewMaxPool2D[float32](autograd.Pool2DOptions{Kernel: [2]int{2, 2}}),
				NewFlatten[float32](),
				NewLinear[float32](4*3*3, 5, rng),
				NewReLU[float32](),
			}
		}, []int{3, 2, 6, 6}, "LinearReLU"},
		{"mlp without bias", func(rng *rand.Rand) []Module[float32] {
			return []Module[float32]{
				NewLinear[float32](6, 8, rng, WithoutBias()),
				NewReLU[float32](),
				NewLinear[float32](8, 3, rng),
			}
		}, []int{4, 6}, "Linear"},
		{"one sample", func(rng *rand.Rand) []Module[float32] {
			return []Module[float32]{NewLinear[float32](6, 8, rng), NewReLU[float32]()}
		}, []int{6}, "Squeeze"},
		{"conv last", func(rng *rand.Rand) []Module[float32] {
			return []Module[float32]{NewReLU[float32](), NewConv2D[float32](1, 2, [2]int{2, 2}, autograd.Conv2DOptions{}, rng), NewReLU[float32]()}
		}, []int{2, 1, 4, 4}, "Reshape"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(11, 12))
			mods := tc.layers(rng)
			x := tensor.RandN[float32](rng, tc.x...)

			fused := NewSequential(mods...)
			out := fused.Forward(autograd.Const(x))
			require.Equal(t, tc.op, out.Op())
			autograd.Sum(autograd.Mul(out, out)).Backward()
			var fusedGrads [][]float32
			for _, p := range fused.Parameters() {
				fusedGrads = append(fusedGrads, p.Grad().Clone().Data())
				p.ZeroGrad()
			}

			y := autograd.Const(x)
			for _, m := range mods {
				y = m.Forward(y)
			}
			require.Equal(t, y.Value().Data(), out.Value().Data(), "outputs")
			autograd.Sum(autograd.Mul(y, y)).Backward()
			for i, p := range fused.Parameters() {
				require.Equal(t, p.Grad().Data(), fusedGrads[i], "gradient of parameter %d", i)
			}
		})
	}
}
