package optim

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nabla-go/nabla/autograd"
	"github.com/nabla-go/nabla/tensor"
)

// withGrads returns parameters (zero values) whose gradients are grads; a
// nil entry leaves that parameter without a gradient.
func withGrads(grads ...[]float64) []*autograd.Var[float64] {
	ps := make([]*autograd.Var[float64], len(grads))
	for i, g := range grads {
		n := max(len(g), 1)
		ps[i] = autograd.Param(tensor.Zeros[float64](n))
		if g != nil {
			ps[i].SetGrad(tensor.New(append([]float64(nil), g...)))
		}
	}
	return ps
}

func gradsOf(ps []*autograd.Var[float64]) [][]float64 {
	out := make([][]float64, len(ps))
	for i, p := range ps {
		if g := p.Grad(); g != nil {
			out[i] = g.Data()
		}
	}
	return out
}

func TestClipGradNorm(t *testing.T) {
	// The gradients (3, 4) and (12) form the vector (3, 4, 12) of norm 13.
	tests := []struct {
		name    string
		grads   [][]float64
		maxNorm float64
		norm    float64
		want    [][]float64
	}{
		{"clipped", [][]float64{{3, 4}, {12}}, 6.5, 13, [][]float64{{1.5, 2}, {6}}},
		{"clipped with a nil gradient", [][]float64{{3, 4}, nil, {12}}, 1.3, 13, [][]float64{{0.3, 0.4}, nil, {1.2}}},
		{"under the bound", [][]float64{{3, 4}, {12}}, 20, 13, [][]float64{{3, 4}, {12}}},
		{"at the bound: factor 13/(13+1e-6) is below 1", [][]float64{{3, 4}, {12}}, 13, 13,
			[][]float64{{3 * 13 / (13 + 1e-6), 4 * 13 / (13 + 1e-6)}, {12 * 13 / (13 + 1e-6)}}},
		{"zero gradients", [][]float64{{0, 0}}, 1, 0, [][]float64{{0, 0}}},
		{"no gradients", [][]float64{nil}, 1, 0, [][]float64{nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := withGrads(tt.grads...)
			norm := ClipGradNorm(ps, tt.maxNorm)
			require.InDelta(t, tt.norm, norm, 1e-12)
			got := gradsOf(ps)
			for i := range tt.want {
				require.InDeltaSlice(t, tt.want[i], got[i], 1e-6*tt.maxNorm/13, "gradient %d", i)
			}
		})
	}
	t.Run("exact factor", func(t *testing.T) {
		ps := withGrads([]float64{3, 4}, []float64{12})
		ClipGradNorm(ps, 6.5)
		total, maxNorm := 13.0, 6.5
		c := maxNorm / (total + 1e-6)
		require.Equal(t, [][]float64{{3 * c, 4 * c}, {12 * c}}, gradsOf(ps))
	})
	t.Run("float32", func(t *testing.T) {
		p := autograd.Param(tensor.Zeros[float32](2))
		p.SetGrad(tensor.New([]float32{30, 40}))
		require.InDelta(t, 50, ClipGradNorm([]*autograd.Var[float32]{p}, 5), 1e-6)
		require.InDeltaSlice(t, []float32{3, 4}, p.Grad().Data(), 1e-5)
	})
	t.Run("non-finite norm leaves gradients alone", func(t *testing.T) {
		ps := withGrads([]float64{math.Inf(1), 1})
		require.True(t, math.IsInf(ClipGradNorm(ps, 1), 1))
		require.Equal(t, []float64{math.Inf(1), 1}, ps[0].Grad().Data())
		ps = withGrads([]float64{math.NaN(), 1})
		require.True(t, math.IsNaN(ClipGradNorm(ps, 1)))
		require.Equal(t, 1.0, ps[0].Grad().Data()[1])
	})
	t.Run("negative bound", func(t *testing.T) {
		requireConfigPanic(t, func() { ClipGradNorm(withGrads([]float64{1}), -1) })
	})
	t.Run("transposed gradient view", func(t *testing.T) {
		p := autograd.Param(tensor.Zeros[float64](2, 2))
		g := tensor.New([]float64{3, 0, 4, 0}, 2, 2).T() // a non-contiguous view
		p.SetGrad(g)
		require.InDelta(t, 5, ClipGradNorm([]*autograd.Var[float64]{p}, 1), 1e-12)
		require.InDelta(t, 0.6, p.Grad().At(0, 0), 1e-6)
		require.InDelta(t, 0.8, p.Grad().At(0, 1), 1e-6)
	})
}

func TestClipGradValue(t *testing.T) {
	ps := withGrads([]float64{-3, -0.5, 0, 0.5, 3}, nil, []float64{math.NaN(), 1})
	ClipGradValue(ps, 1)
	got := gradsOf(ps)
	require.Equal(t, []float64{-1, -0.5, 0, 0.5, 1}, got[0])
	require.Nil(t, got[1])
	require.True(t, math.IsNaN(got[2][0]))
	require.Equal(t, 1.0, got[2][1])

	requireConfigPanic(t, func() { ClipGradValue(ps, -1) })
}
