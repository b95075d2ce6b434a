package layers

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nabla-go/nabla/autograd"
	"github.com/nabla-go/nabla/tensor"
)

// barImages returns n noisy 8x8 images [n, 1, 8, 8], each with one bright
// bar of 4 to 8 pixels, and labels: 0 for a horizontal bar, 1 for a vertical
// one.
func barImages(rng *rand.Rand, n int) (*tensor.Dense[float32], []int) {
	x := tensor.Zeros[float32](n, 1, 8, 8)
	labels := make([]int, n)
	for i := range n {
		for p := range 64 {
			x.Set(float32(0.2*rng.NormFloat64()), i, 0, p/8, p%8)
		}
		labels[i] = rng.IntN(2)
		line, length := rng.IntN(8), 4+rng.IntN(5)
		start := rng.IntN(8 - length + 1)
		for k := start; k < start+length; k++ {
			if labels[i] == 0 {
				x.Set(1+float32(0.1*rng.NormFloat64()), i, 0, line, k)
			} else {
				x.Set(1+float32(0.1*rng.NormFloat64()), i, 0, k, line)
			}
		}
	}
	return x, labels
}

// tinyCNN is conv(1->8) + batch norm + ReLU + max pool, conv(8->16) + ReLU,
// global average pooling and a 1x1 convolution to two class scores.
type tinyCNN struct {
	conv1 *Conv2D[float32]
	bn1   *BatchNorm2D[float32]
	pool  *MaxPool2D[float32]
	conv2 *Conv2D[float32]
	gap   *AdaptiveAvgPool2D[float32]
	head  *Conv2D[float32]
}

func newTinyCNN(rng *rand.Rand) *tinyCNN {
	pad1 := autograd.Conv2DOptions{Padding: [2]int{1, 1}}
	return &tinyCNN{
		conv1: NewConv2D[float32](1, 8, [2]int{3, 3}, pad1, rng),
		bn1:   NewBatchNorm2D[float32](8),
		pool:  NewMaxPool2D[float32](autograd.Pool2DOptions{Kernel: [2]int{2, 2}}),
		conv2: NewConv2D[float32](8, 16, [2]int{3, 3}, pad1, rng),
		gap:   NewAdaptiveAvgPool2D[float32](1, 1),
		head:  NewConv2D[float32](16, 2, [2]int{1, 1}, autograd.Conv2DOptions{}, rng),
	}
}

func (m *tinyCNN) modules() []Module[float32] {
	return []Module[float32]{m.conv1, m.bn1, m.pool, m.conv2, m.gap, m.head}
}

// logits maps images [N, 1, 8, 8] to class scores [N, 2].
func (m *tinyCNN) logits(x *autograd.Var[float32]) *autograd.Var[float32] {
	h := m.pool.Forward(autograd.ReLU(m.bn1.Forward(m.conv1.Forward(x)))) // [N, 8, 4, 4]
	h = m.gap.Forward(autograd.ReLU(m.conv2.Forward(h)))                  // [N, 16, 1, 1]
	out := m.head.Forward(h)                                              // [N, 2, 1, 1]
	return autograd.Reshape(out, out.Shape()[0], 2)
}

func crossEntropy(logits *autograd.Var[float32], labels []int) *autograd.Var[float32] {
	return autograd.Neg(autograd.Mean(autograd.Gather(autograd.LogSoftmax(logits, 1), 1, labels)))
}

func accuracy(m *tinyCNN, x *tensor.Dense[float32], labels []int) float64 {
	var pred []int
	autograd.NoGrad(func() { pred = tensor.ArgMax(m.logits(autograd.Const(x)).Value(), 1) })
	right := 0
	for i, p := range pred {
		if p == labels[i] {
			right++
		}
	}
	return float64(right) / float64(len(labels))
}

// TestCNNLearnsBars trains the small CNN with plain SGD, in float32, to tell
// horizontal bars from vertical ones.
func TestCNNLearnsBars(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	m := newTinyCNN(rng)
	var params []*autograd.Var[float32]
	for _, mod := range m.modules() {
		params = append(params, Parameters(mod)...)
	}
	testX, testY := barImages(rng, 400)
	for _, mod := range m.modules() {
		mod.SetTraining(false)
	}
	before := accuracy(m, testX, testY)
	for _, mod := range m.modules() {
		mod.SetTraining(true)
	}

	const lr = 0.1
	var first, last float32
	for step := range 150 {
		x, y := barImages(rng, 32)
		loss := crossEntropy(m.logits(autograd.Const(x)), y)
		for _, p := range params {
			p.ZeroGrad()
		}
		loss.Backward()
		for _, p := range params {
			w, g := p.Value().Data(), p.Grad().Data()
			for i := range w {
				w[i] -= lr * g[i]
			}
		}
		if step == 0 {
			first = loss.Item()
		}
		last = loss.Item()
	}

	for _, mod := range m.modules() {
		mod.SetTraining(false)
	}
	acc := accuracy(m, testX, testY)
	t.Logf("loss %.3f -> %.3f, test accuracy %.3f -> %.3f", first, last, before, acc)
	require.GreaterOrEqual(t, acc, 0.97)
	require.Less(t, last, first/4)
}
