package autograd

import (
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nabla-go/nabla/internal/testkit"
	"github.com/nabla-go/nabla/tensor"
)

// releaseNet is a small CNN with the shapes of graph that Release must get
// right: a convolution with its bias, pooling, a bias added through a
// Reshape of the parameter (a view of a leaf), one weight used twice, and a
// Detach.
type releaseNet struct {
	conv, convB, fc, fcB, shared *Var[float64]
}

func newReleaseNet() *releaseNet {
	rng := rand.New(rand.NewPCG(5, 6))
	p := func(shape ...int) *Var[float64] {
		return Param(tensor.Scale(tensor.RandN[float64](rng, shape...), 0.3))
	}
	return &releaseNet{conv: p(3, 1, 3, 3), convB: p(3), fc: p(5, 192), fcB: p(5), shared: p(5, 5)}
}

func (n *releaseNet) params() []*Var[float64] {
	return []*Var[float64]{n.conv, n.convB, n.fc, n.fcB, n.shared}
}

func (n *releaseNet) loss(x *tensor.Dense[float64], onehot *tensor.Dense[float64]) *Var[float64] {
	h := Conv2D(Const(x), n.conv, n.convB, Conv2DOptions{Padding: [2]int{1, 1}})
	h = MaxPool2D(ReLU(h), Pool2DOptions{Kernel: [2]int{2, 2}})
	z := Add(Linear(Reshape(h, x.Dim(0), -1), n.fc, nil), Reshape(n.fcB, 1, 5))
	z = Add(Tanh(Linear(z, n.shared, nil)), Scale(z.Detach(), 0.5))
	z = Linear(z, n.shared, nil)
	return Scale(Sum(Mul(LogSoftmax(z, 1), Const(onehot))), -1/float64(x.Dim(0)))
}

type releaseRun struct {
	losses []float64
	params []*tensor.Dense[float64]
	// bytesPerStep is what the last steps allocated, on average.
	bytesPerStep uint64
}

// trainReleaseNet takes steps SGD steps of two accumulated micro-batches
// each, with or without handing the graphs and gradients back.
func trainReleaseNet(t *testing.T, steps int, release bool) releaseRun {
	t.Helper()
	if !release {
		defer tensor.SetPoolLimit(tensor.SetPoolLimit(0))
	}
	rng := rand.New(rand.NewPCG(7, 8))
	net := newReleaseNet()
	var run releaseRun
	var before runtime.MemStats
	for step := range steps {
		if step == steps-3 {
			runtime.ReadMemStats(&before)
		}
		var micro []*Var[float64]
		for range 2 {
			x := tensor.RandN[float64](rng, 8, 1, 16, 16)
			onehot := tensor.Zeros[float64](8, 5)
			for i := range 8 {
				onehot.Set(1, i, rng.IntN(5))
			}
			loss := net.loss(x, onehot)
			loss.Backward()
			run.losses = append(run.losses, loss.Item())
			micro = append(micro, loss)
		}
		for _, p := range net.params() {
			tensor.AddTo(p.Value(), tensor.Scale(p.Grad(), -0.1))
			p.ZeroGrad()
		}
		if release {
			Release(micro...)
		}
	}
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	run.bytesPerStep = (after.TotalAlloc - before.TotalAlloc) / 3
	for _, p := range net.params() {
		run.params = append(run.params, p.Value().Clone())
	}
	return run
}

func TestReleaseKeepsTrainingBitForBit(t *testing.T) {
	plain := trainReleaseNet(t, 12, false)
	pooled := trainReleaseNet(t, 12, true)
	require.Equal(t, plain.losses, pooled.losses, "losses with and without buffer reuse")
	for i := range plain.params {
		require.Equal(t, plain.params[i].Data(), pooled.params[i].Data(), "parameter %d", i)
	}
	// What is left per step is the graph's bookkeeping and the batches,
	// not the activations and gradients.
	t.Logf("bytes per step: %d without reuse, %d with", plain.bytesPerStep, pooled.bytesPerStep)
	require.Less(t, pooled.bytesPerStep*4, plain.bytesPerStep, "a step with reuse allocates under a quarter")
}

func TestReleasedGraph(t *testing.T) {
	w := Param(tensor.New([]float64{1, 2, 3, 4, 5, 6}, 2, 3))
	x := Const(tensor.New([]float64{1, -1, 2}, 1, 3))
	wT := Reshape(w, 3, 2) // a view of a leaf: its storage is the leaf's
	hidden := ReLU(MatMul(x, wT))
	loss := Sum(Mul(hidden, hidden))
	loss.Backward()
	require.Equal(t, 64.0+100, loss.Item()) // x·wT = [8 10]

	Release(loss)
	require.Equal(t, []float64{1, 2, 3, 4, 5, 6}, w.Value().Data(), "a leaf keeps its value")
	require.Equal(t, []float64{1, 2, 3, 4, 5, 6}, wT.Value().Data(), "so does a view of it")
	require.Equal(t, []float64{1, -1, 2}, x.Value().Data())
	require.Panics(t, func() { loss.Item() }, "the output's value is gone")
	require.Panics(t, func() { hidden.Value().Data() }, "and the hidden one's")
	testkit.RequirePanicIs(t, ErrReleased, "op Sum", func() { loss.Backward() })
	Release(loss) // twice is harmless

	require.NotNil(t, w.Grad())
	g := w.Grad()
	w.ZeroGrad()
	require.Nil(t, w.Grad())
	require.Panics(t, func() { g.Data() }, "ZeroGrad hands an engine-made gradient back")

	mine := tensor.Ones[float64](2, 3)
	w.SetGrad(mine)
	w.ZeroGrad()
	require.Equal(t, []float64{1, 1, 1, 1, 1, 1}, mine.Data(), "a gradient given with SetGrad is only dropped")
}

func TestBackwardKeepsTheSeedAndForwardValues(t *testing.T) {
	// Add passes its gradient through unchanged, so without care the
	// caller's seed, or one storage under two names, would be handed back.
	a, b := Param(tensor.New([]float64{1, 2}, 2)), Param(tensor.New([]float64{3, 4}, 2))
	y := Add(a, b)
	seed := tensor.New([]float64{0.5, -1}, 2)
	y.BackwardWith(seed)
	require.Equal(t, []float64{0.5, -1}, seed.Data())
	require.Equal(t, []float64{0.5, -1}, a.Grad().Data())
	require.Equal(t, []float64{0.5, -1}, b.Grad().Data())
	require.False(t, tensor.StorageID(a.Grad()) == tensor.StorageID(b.Grad()), "two parameters share a gradient")
	require.Equal(t, []float64{4, 6}, y.Value().Data())
}

func TestReleaseKeepsTheIndicesItGaveOut(t *testing.T) {
	x := Param(tensor.New([]float64{1, 4, 3, 2, 0, 5, 7, 6}, 1, 2, 2, 2))
	out, idx := MaxPool2DWithIndices(x, Pool2DOptions{Kernel: [2]int{2, 2}})
	pooled := MaxPool2D(x, Pool2DOptions{Kernel: [2]int{2, 2}})
	loss := Sum(Add(out, pooled))
	loss.Backward()
	Release(loss)
	require.Equal(t, []int{1, 2}, idx, "indices returned to the caller stay theirs")
	// A pooling of the same size now gets the released indices of the
	// graph's MaxPool2D, not the caller's.
	_, fresh := tensor.MaxPool2D(x.Value(), tensor.Window2D{Kernel: [2]int{2, 2}, Stride: [2]int{2, 2}})
	require.Equal(t, []int{1, 2}, fresh)
	require.False(t, &fresh[0] == &idx[0])
	require.Equal(t, []float64{0, 2, 0, 0, 0, 0, 2, 0}, x.Grad().Data())
}
