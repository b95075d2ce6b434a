package metrics

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nabla-go/nabla/internal/testkit"
	"github.com/nabla-go/nabla/tensor"
)

// requireShapePanic asserts that f panics with an error wrapping
// tensor.ErrShape whose message contains want.
func requireShapePanic(t *testing.T, want string, f func()) {
	testkit.RequirePanicIs(t, tensor.ErrShape, want, f)
}

func TestAccuracy(t *testing.T) {
	tests := []struct {
		pred, truth []int
		want        float64
	}{
		{[]int{0, 1, 2, 1}, []int{0, 1, 1, 1}, 0.75},
		{[]int{3}, []int{3}, 1},
		{[]int{0, 0}, []int{1, 1}, 0},
		{nil, nil, 0},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, Accuracy(tc.pred, tc.truth))
	}
	requireShapePanic(t, "metrics.Accuracy: 2 predictions for 3 true labels", func() { Accuracy([]int{1, 2}, []int{1, 2, 3}) })
}

func TestArgMax(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name   string
		scores []float64
		shape  []int
		want   []int
	}{
		{"plain", []float64{0.1, 0.7, 0.2, 3, -1, 2}, []int{2, 3}, []int{1, 0}},
		{"ties go to the first", []float64{1, 5, 5, 2, 2, 2}, []int{2, 3}, []int{1, 0}},
		{"negative logits", []float64{-3, -1, -2}, []int{1, 3}, []int{1}},
		{"NaN wins", []float64{1, nan, 5, nan, 9, 1}, []int{2, 3}, []int{1, 0}},
		{"one column", []float64{4, -4}, []int{2, 1}, []int{0, 0}},
		{"no rows", nil, []int{0, 3}, []int{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, ArgMax(tensor.New(tc.scores, tc.shape...)))
			s32 := make([]float32, len(tc.scores))
			for i, v := range tc.scores {
				s32[i] = float32(v)
			}
			require.Equal(t, tc.want, ArgMax(tensor.New(s32, tc.shape...)))
		})
	}
	requireShapePanic(t, "scores of shape [3]", func() { ArgMax(tensor.New([]float32{1, 2, 3})) })
	requireShapePanic(t, "scores of shape [2 0]", func() { ArgMax(tensor.New([]float32{}, 2, 0)) })
}

// The worked example: 10 samples, 3 classes.
//
//	true \ pred  0  1  2    support
//	0            2  1  1    4
//	1            1  2  0    3
//	2            0  1  2    3
//	predicted    3  4  3
//
// precision 2/3, 2/4, 2/3; recall 2/4, 2/3, 2/3;
// F1 = 2TP/(2TP+FP+FN) = 4/7, 4/7, 4/6.
func TestConfusionWorkedExample(t *testing.T) {
	truth := []int{0, 0, 0, 0, 1, 1, 1, 2, 2, 2}
	pred := []int{0, 0, 1, 2, 1, 1, 0, 2, 2, 1}
	m := NewConfusion(pred, truth, 3)
	require.Equal(t, [][]int{{2, 1, 1}, {1, 2, 0}, {0, 1, 2}}, m.Counts)
	require.Equal(t, 3, m.Classes())
	require.Equal(t, 10, m.Total())

	const eps = 1e-12
	require.InDelta(t, 0.6, m.Accuracy(), eps)
	require.InDelta(t, Accuracy(pred, truth), m.Accuracy(), eps)
	for c, want := range []struct{ p, r, f float64 }{
		{2.0 / 3, 2.0 / 4, 4.0 / 7},
		{2.0 / 4, 2.0 / 3, 4.0 / 7},
		{2.0 / 3, 2.0 / 3, 4.0 / 6},
	} {
		require.InDelta(t, want.p, m.Precision(c), eps, "precision %d", c)
		require.InDelta(t, want.r, m.Recall(c), eps, "recall %d", c)
		require.InDelta(t, want.f, m.F1(c), eps, "F1 %d", c)
		// F1 is the harmonic mean of precision and recall.
		require.InDelta(t, 2*want.p*want.r/(want.p+want.r), m.F1(c), eps)
	}
	require.Equal(t, []int{4, 3, 3}, []int{m.Support(0), m.Support(1), m.Support(2)})
	require.Equal(t, []int{3, 4, 3}, []int{m.Predicted(0), m.Predicted(1), m.Predicted(2)})

	require.InDelta(t, 11.0/18, m.MacroPrecision(), eps)
	require.InDelta(t, 11.0/18, m.MacroRecall(), eps)
	require.InDelta(t, 38.0/63, m.MacroF1(), eps)
	require.InDelta(t, 37.0/60, m.WeightedPrecision(), eps)
	require.InDelta(t, 0.6, m.WeightedRecall(), eps)
	require.InDelta(t, 0.6, m.WeightedF1(), eps)
}

// Classes that are never predicted, never occur, or neither:
//
//	truth [0 0 1 3], pred [0 1 1 2], 5 classes.
//	class 0: TP 1, FP 0, FN 1 -> P 1,   R 1/2, F1 2/3
//	class 1: TP 1, FP 1, FN 0 -> P 1/2, R 1,   F1 2/3
//	class 2: predicted once, never true -> P 0, R 0 (no support), F1 0
//	class 3: true once, never predicted -> P 0 (zero_division=0), R 0, F1 0
//	class 4: absent from both -> left out of the macro averages
func TestConfusionZeroDivision(t *testing.T) {
	m := NewConfusion([]int{0, 1, 1, 2}, []int{0, 0, 1, 3}, 5)
	const eps = 1e-12
	want := []struct{ p, r, f float64 }{{1, 0.5, 2.0 / 3}, {0.5, 1, 2.0 / 3}, {0, 0, 0}, {0, 0, 0}, {0, 0, 0}}
	for c, w := range want {
		require.InDelta(t, w.p, m.Precision(c), eps, "precision %d", c)
		require.InDelta(t, w.r, m.Recall(c), eps, "recall %d", c)
		require.InDelta(t, w.f, m.F1(c), eps, "F1 %d", c)
	}
	require.InDelta(t, 0.375, m.MacroPrecision(), eps)
	require.InDelta(t, 0.375, m.MacroRecall(), eps)
	require.InDelta(t, 1.0/3, m.MacroF1(), eps)
	require.InDelta(t, 0.625, m.WeightedPrecision(), eps)
	require.InDelta(t, 0.5, m.WeightedRecall(), eps)
	require.InDelta(t, 0.5, m.WeightedF1(), eps)

	empty := NewConfusion(nil, nil, 3)
	require.Zero(t, empty.Accuracy())
	require.Zero(t, empty.MacroF1())
	require.Zero(t, empty.WeightedF1())

	requireShapePanic(t, "sample 1: prediction 3, truth 0, want both in [0, 3)", func() { NewConfusion([]int{0, 3}, []int{0, 0}, 3) })
	requireShapePanic(t, "1 predictions for 2 true labels", func() { NewConfusion([]int{0}, []int{0, 0}, 3) })
}

func TestConfusionString(t *testing.T) {
	truth := []int{0, 0, 0, 0, 1, 1, 1, 2, 2, 2}
	pred := []int{0, 0, 1, 2, 1, 1, 0, 2, 2, 1}
	m := NewConfusion(pred, truth, 3)
	require.Equal(t, ""+
		"true \\ pred  0  1  2\n"+
		"0            2  1  1\n"+
		"1            1  2  0\n"+
		"2            0  1  2\n", m.String())

	m.ClassNames = []string{"setosa", "versicolor", "virginica"}
	m.Counts[0][0] = 120
	require.Equal(t, ""+
		"true \\ pred  setosa  versicolor  virginica\n"+
		"setosa          120           1          1\n"+
		"versicolor        1           2          0\n"+
		"virginica         0           1          2\n", m.String())
}

func TestConfusionReport(t *testing.T) {
	m := NewConfusion([]int{0, 0, 1, 2, 1, 1, 0, 2, 2, 1}, []int{0, 0, 0, 0, 1, 1, 1, 2, 2, 2}, 3)
	m.ClassNames = []string{"cat", "dog", "bird"}
	require.Equal(t, ""+
		"              precision     recall   f1-score  support\n"+
		"cat               0.667      0.500      0.571        4\n"+
		"dog               0.500      0.667      0.571        3\n"+
		"bird              0.667      0.667      0.667        3\n"+
		"\n"+
		"accuracy                                0.600       10\n"+
		"macro avg         0.611      0.611      0.603       10\n"+
		"weighted avg      0.617      0.600      0.600       10\n", m.Report())
}

// The worked multi-label example: 4 samples, 3 labels, threshold 0.5.
//
//	targets   scores            predicted
//	1 0 1     0.9 0.2 0.4       1 0 0   label 2 missed
//	0 1 0     0.1 0.7 0.6       0 1 1   label 2 false alarm
//	1 1 0     0.8 0.6 0.1       1 1 0   exact
//	0 0 0     0.3 0.2 0.5       0 0 0   exact (0.5 is not above 0.5)
//
// Labels 0 and 1: TP 2, TN 2, perfect. Label 2: TP 0, FP 1, FN 1, TN 2.
// Micro: TP 4, FP 1, FN 1 -> P = R = F1 = 4/5. Macro: (1+1+0)/3 = 2/3.
// Subset accuracy 2/4; Hamming loss 2/12.
func TestMultiLabelWorkedExample(t *testing.T) {
	targets := tensor.New([]float64{1, 0, 1, 0, 1, 0, 1, 1, 0, 0, 0, 0}, 4, 3)
	scores := tensor.New([]float64{0.9, 0.2, 0.4, 0.1, 0.7, 0.6, 0.8, 0.6, 0.1, 0.3, 0.2, 0.5}, 4, 3)
	m := NewMultiLabel(scores, targets, 0.5)

	require.Equal(t, []int{2, 2, 0}, m.TP)
	require.Equal(t, []int{0, 0, 1}, m.FP)
	require.Equal(t, []int{0, 0, 1}, m.FN)
	require.Equal(t, []int{2, 2, 2}, m.TN)
	require.Equal(t, 4, m.Samples)
	require.Equal(t, 3, m.Labels())
	require.Equal(t, []int{2, 2, 1}, []int{m.Support(0), m.Support(1), m.Support(2)})

	const eps = 1e-12
	for l, w := range []struct{ p, r, f float64 }{{1, 1, 1}, {1, 1, 1}, {0, 0, 0}} {
		require.InDelta(t, w.p, m.Precision(l), eps)
		require.InDelta(t, w.r, m.Recall(l), eps)
		require.InDelta(t, w.f, m.F1(l), eps)
	}
	require.InDelta(t, 0.8, m.MicroPrecision(), eps)
	require.InDelta(t, 0.8, m.MicroRecall(), eps)
	require.InDelta(t, 0.8, m.MicroF1(), eps)
	require.InDelta(t, 2.0/3, m.MacroPrecision(), eps)
	require.InDelta(t, 2.0/3, m.MacroRecall(), eps)
	require.InDelta(t, 2.0/3, m.MacroF1(), eps)
	require.InDelta(t, 0.5, m.SubsetAccuracy(), eps)
	require.InDelta(t, 1.0/6, m.HammingLoss(), eps)

	// 0/1 predictions with threshold 0.5, and logits with threshold 0, give
	// the same counts.
	preds := tensor.New([]float32{1, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0}, 4, 3)
	t32 := tensor.New([]float32{1, 0, 1, 0, 1, 0, 1, 1, 0, 0, 0, 0}, 4, 3)
	require.Equal(t, m, NewMultiLabel(preds, t32, 0.5))
	logits := tensor.New([]float32{2, -1, -0.5, -3, 1, 0.4, 1, 0.2, -2, -1, -1, 0}, 4, 3)
	require.Equal(t, m, NewMultiLabel(logits, t32, 0))
}

func TestMultiLabelEdgeCases(t *testing.T) {
	// A label nobody carries and nobody predicts scores 0 and still counts
	// in the macro average (scikit-learn's behaviour for indicator matrices).
	m := NewMultiLabel(tensor.New([]float64{1, 0, 1, 0}, 2, 2), tensor.New([]float64{1, 0, 1, 0}, 2, 2), 0.5)
	require.Equal(t, 1.0, m.MicroF1())
	require.Equal(t, 0.5, m.MacroF1())
	require.Equal(t, 1.0, m.SubsetAccuracy())
	require.Equal(t, 0.0, m.HammingLoss())

	empty := NewMultiLabel(tensor.New([]float64{}, 0, 3), tensor.New([]float64{}, 0, 3), 0.5)
	require.Zero(t, empty.SubsetAccuracy())
	require.Zero(t, empty.HammingLoss())
	require.Zero(t, empty.MicroF1())

	requireShapePanic(t, "scores of shape [2 2] and targets of shape [2 3]", func() {
		NewMultiLabel(tensor.New(make([]float64, 4), 2, 2), tensor.New(make([]float64, 6), 2, 3), 0.5)
	})
	require.PanicsWithValue(t, "metrics.NewMultiLabel: target 0.5 at [1, 0], want 0 or 1", func() {
		NewMultiLabel(tensor.New(make([]float64, 4), 2, 2), tensor.New([]float64{0, 1, 0.5, 0}, 2, 2), 0.5)
	})
}

func TestMultiLabelString(t *testing.T) {
	targets := tensor.New([]float64{1, 0, 1, 0, 1, 0, 1, 1, 0, 0, 0, 0}, 4, 3)
	scores := tensor.New([]float64{0.9, 0.2, 0.4, 0.1, 0.7, 0.6, 0.8, 0.6, 0.1, 0.3, 0.2, 0.5}, 4, 3)
	m := NewMultiLabel(scores, targets, 0.5)
	m.LabelNames = []string{"sunny", "windy", "rain"}
	require.Equal(t, ""+
		"              precision     recall   f1-score  support\n"+
		"sunny             1.000      1.000      1.000        2\n"+
		"windy             1.000      1.000      1.000        2\n"+
		"rain              0.000      0.000      0.000        1\n"+
		"\n"+
		"micro avg         0.800      0.800      0.800        5\n"+
		"macro avg         0.667      0.667      0.667        5\n"+
		"\n"+
		"subset accuracy 0.500, Hamming loss 0.167 over 4 samples\n", m.String())
}
