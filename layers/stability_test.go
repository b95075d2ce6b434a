package layers_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nabla-go/nabla/autograd"
	"github.com/nabla-go/nabla/layers"
	"github.com/nabla-go/nabla/tensor"
)

// requireClose asserts that every element of got is finite and within a
// relative tolerance rtol (absolute for values below 1) of want.
func requireClose[T tensor.Float](t *testing.T, what string, want []float64, got []T, rtol float64) {
	t.Helper()
	require.Len(t, got, len(want), what)
	for i, g := range got {
		gf := float64(g)
		require.False(t, math.IsNaN(gf) || math.IsInf(gf, 0), "%s[%d] is %v", what, i, gf)
		require.InDelta(t, want[i], gf, rtol*max(1, math.Abs(want[i])), "%s[%d]", what, i)
	}
}

// Logits of magnitude 1e3 and 1e4 overflow exp in any precision; the fused
// forms must still give the exact loss and gradient.
func TestLargeLogits(t *testing.T) {
	t.Run("float64", func(t *testing.T) { testLargeLogits[float64](t, 1e-12) })
	// The fused log-softmax subtracts in float64, so float32 is as exact
	// as its own rounding of the results allows.
	t.Run("float32", func(t *testing.T) { testLargeLogits[float32](t, 1e-6) })
}

func testLargeLogits[T tensor.Float](t *testing.T, rtol float64) {
	sig1 := 1 / (1 + math.Exp(-1)) // softmax of [0, -1] is [σ(1), 1-σ(1)]
	t.Run("CrossEntropy", func(t *testing.T) {
		x := autograd.Param(tensor.New([]T{
			1000, -1000, 0,
			1e4, 1e4 - 1, -1e4,
		}, 2, 3))
		loss := layers.CrossEntropy(x, []int{1, 1})
		// Row 0: logsumexp 1000, loss 1000 - (-1000). Row 1: logsumexp
		// 1e4 + log(1 + e⁻¹), loss 1 + log(1 + e⁻¹).
		requireClose(t, "loss", []float64{(2000 + 1 + math.Log1p(math.Exp(-1))) / 2}, loss.Value().Data(), rtol)
		loss.Backward()
		requireClose(t, "grad", []float64{0.5, -0.5, 0, sig1 / 2, -sig1 / 2, 0}, x.Grad().Data(), rtol)
	})
	t.Run("CrossEntropy/smoothing and weights", func(t *testing.T) {
		x := autograd.Param(tensor.New([]T{1e4, -1e4, 0, -1e4, 1e4, 1e3}, 2, 3))
		loss := layers.CrossEntropyWith(x, []int{0, 2}, layers.CrossEntropyOptions{Weight: []float64{1, 2, 3}, LabelSmoothing: 0.1})
		loss.Backward()
		// Per row: (1-ε)·w[y]·(lse - x[y]) + ε/C·Σ_c w[c]·(lse - x[c]);
		// mean divides by Σ w[y] = 1 + 3.
		row0 := 0.9*1*0 + 0.1/3*(1*0+2*2e4+3*1e4)
		row1 := 0.9*3*(1e4-1e3) + 0.1/3*(1*2e4+2*0+3*(1e4-1e3))
		requireClose(t, "loss", []float64{(row0 + row1) / 4}, loss.Value().Data(), rtol)
		for _, g := range x.Grad().Data() {
			require.False(t, math.IsNaN(float64(g)) || math.IsInf(float64(g), 0))
		}
	})
	t.Run("BCEWithLogits", func(t *testing.T) {
		x := autograd.Param(tensor.New([]T{1000, -1000, 1e4, -1e4, 0, 30}, 6))
		y := autograd.Const(tensor.New([]T{1, 0, 0, 1, 0.5, 1}, 6))
		loss := layers.BCEWithLogitsWith(x, y, layers.BCEWithLogitsOptions{Reduction: layers.ReduceNone})
		requireClose(t, "loss", []float64{0, 0, 1e4, 1e4, math.Ln2, math.Log1p(math.Exp(-30))}, loss.Value().Data(), rtol)
		loss.BackwardWith(tensor.Ones[T](6))
		// σ(x) - y
		requireClose(t, "grad", []float64{0, 0, 1, -1, 0, -1 / (1 + math.Exp(30))}, x.Grad().Data(), rtol)
	})
	t.Run("BCEWithLogits/pos_weight", func(t *testing.T) {
		x := autograd.Param(tensor.New([]T{1000, -1e4, 1e4, -1000}, 2, 2))
		y := autograd.Const(tensor.New([]T{1, 1, 0, 0}, 2, 2))
		loss := layers.BCEWithLogitsWith(x, y, layers.BCEWithLogitsOptions{Reduction: layers.ReduceSum, PosWeight: []float64{3, 2}})
		// Positives cost p·softplus(-x), negatives softplus(x).
		requireClose(t, "loss", []float64{0 + 2*1e4 + 1e4 + 0}, loss.Value().Data(), rtol)
		loss.Backward()
		// (p·y + 1 - y)·σ(x) - p·y
		requireClose(t, "grad", []float64{0, -2, 1, 0}, x.Grad().Data(), rtol)
	})
	t.Run("BCE/clamped logs", func(t *testing.T) {
		p := autograd.Param(tensor.New([]T{0, 1, 0, 1}, 4))
		y := autograd.Const(tensor.New([]T{1, 0, 0, 1}, 4))
		loss := layers.BCEWith(p, y, layers.BCEOptions{Reduction: layers.ReduceNone})
		requireClose(t, "loss", []float64{100, 100, 0, 0}, loss.Value().Data(), rtol)
		loss.BackwardWith(tensor.Ones[T](4))
		for _, g := range p.Grad().Data() {
			require.False(t, math.IsNaN(float64(g)) || math.IsInf(float64(g), 0))
		}
	})
}
