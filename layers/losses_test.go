package layers_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nabla-go/nabla/autograd"
	"github.com/nabla-go/nabla/layers"
	"github.com/nabla-go/nabla/tensor"
)

func TestReductionString(t *testing.T) {
	require.Equal(t, "mean", layers.ReduceMean.String())
	require.Equal(t, "sum", layers.ReduceSum.String())
	require.Equal(t, "none", layers.ReduceNone.String())
	require.Equal(t, "Reduction(7)", layers.Reduction(7).String())
	var zero layers.Reduction
	require.Equal(t, layers.ReduceMean, zero, "the zero value is PyTorch's default")
}

// TestLossValues checks each loss on a case small enough to work by hand.
func TestLossValues(t *testing.T) {
	v := func(data []float64, shape ...int) *autograd.Var[float64] {
		return autograd.Const(tensor.New(data, shape...))
	}
	logits := v([]float64{2, 1, 0.1, 0, 0, 0}, 2, 3)
	lse0 := math.Log(math.Exp(2) + math.Exp(1) + math.Exp(0.1))
	for _, c := range []struct {
		name string
		loss *autograd.Var[float64]
		want []float64
	}{
		{"MSE", layers.MSE(v([]float64{1, 2, 3}, 3), v([]float64{1, 0, 4}, 3)), []float64{5.0 / 3}},
		{"MSE/sum", layers.MSEWith(v([]float64{1, 2, 3}, 3), v([]float64{1, 0, 4}, 3), layers.ReduceSum), []float64{5}},
		{"L1/none", layers.L1With(v([]float64{1, 2, 3}, 3), v([]float64{1, 0, 4}, 3), layers.ReduceNone), []float64{0, 2, 1}},
		{"CrossEntropy/none", layers.CrossEntropyWith(logits, []int{0, 2}, layers.CrossEntropyOptions{Reduction: layers.ReduceNone}),
			[]float64{lse0 - 2, math.Log(3)}},
		{"CrossEntropy/ignore", layers.CrossEntropy(logits, []int{0, layers.IgnoreIndex}), []float64{lse0 - 2}},
		{"CrossEntropy/weight", layers.CrossEntropyWith(logits, []int{0, 2}, layers.CrossEntropyOptions{Weight: []float64{1, 1, 3}}),
			[]float64{(lse0 - 2 + 3*math.Log(3)) / 4}},
		{"CrossEntropyProbs/one-hot", layers.CrossEntropyProbs(logits, v([]float64{1, 0, 0, 0, 0, 1}, 2, 3)),
			[]float64{(lse0 - 2 + math.Log(3)) / 2}},
		{"NLL", layers.NLL(v([]float64{-1, -2, -3, -4}, 2, 2), []int{1, 0}), []float64{2.5}},
		{"BCE", layers.BCE(v([]float64{0.8, 0.4}, 2), v([]float64{1, 0}, 2)), []float64{-(math.Log(0.8) + math.Log(0.6)) / 2}},
		{"BCEWithLogits", layers.BCEWithLogits(v([]float64{0, 2}, 2), v([]float64{1, 0}, 2)), []float64{(math.Ln2 + 2 + math.Log1p(math.Exp(-2))) / 2}},
		{"Hinge", layers.Hinge(v([]float64{0.5, 0.2, 1.2, 1, 0, 0}, 2, 3), []int{0, 0}),
			[]float64{(0.7 + 1.7 + 0 + 0) / 3 / 2}},
	} {
		t.Run(c.name, func(t *testing.T) {
			require.InDeltaSlice(t, c.want, c.loss.Value().Data(), 1e-14)
		})
	}
}

func TestLossChecks(t *testing.T) {
	x := autograd.Const(tensor.Zeros[float64](2, 3))
	for name, f := range map[string]func(){
		"MSE shapes":               func() { layers.MSE(x, autograd.Const(tensor.Zeros[float64](3, 2))) },
		"L1 shapes":                func() { layers.L1(x, autograd.Const(tensor.Zeros[float64](2))) },
		"CrossEntropy 1-D":         func() { layers.CrossEntropy(autograd.Const(tensor.Zeros[float64](3)), []int{0}) },
		"CrossEntropy labels":      func() { layers.CrossEntropy(x, []int{0}) },
		"CrossEntropy weight":      func() { layers.CrossEntropyWith(x, []int{0, 1}, layers.CrossEntropyOptions{Weight: []float64{1}}) },
		"CrossEntropyProbs shapes": func() { layers.CrossEntropyProbs(x, autograd.Const(tensor.Zeros[float64](2, 2))) },
		"BCE shapes":               func() { layers.BCE(x, autograd.Const(tensor.Zeros[float64](2))) },
		"BCEWithLogits pos_weight": func() {
			layers.BCEWithLogitsWith(x, x, layers.BCEWithLogitsOptions{PosWeight: []float64{1, 2}})
		},
		"Hinge labels": func() { layers.Hinge(x, []int{0, 1, 2}) },
	} {
		t.Run(name, func(t *testing.T) { requireShapePanic(t, f) })
	}
	for name, f := range map[string]func(){
		"CrossEntropy label range": func() { layers.CrossEntropy(x, []int{0, 3}) },
		"NLL negative label":       func() { layers.NLL(x, []int{-1, 0}) },
		"Hinge ignore index":       func() { layers.Hinge(x, []int{layers.IgnoreIndex, 0}) },
		"label smoothing":          func() { layers.CrossEntropyWith(x, []int{0, 0}, layers.CrossEntropyOptions{LabelSmoothing: 1.5}) },
		"BCE probability": func() {
			layers.BCE(autograd.Const(tensor.Full[float64](1.5, 2)), autograd.Const(tensor.Zeros[float64](2)))
		},
	} {
		t.Run(name, func(t *testing.T) { require.Panics(t, f) })
	}
}
