package metrics

import (
	"fmt"
	"math"

	"github.com/nabla-go/nabla/tensor"
)

// Accuracy is the fraction of predictions equal to the truth, 0 for empty
// slices. It panics when the lengths differ.
func Accuracy(pred, truth []int) float64 {
	checkLen("Accuracy", pred, truth)
	if len(pred) == 0 {
		return 0
	}
	right := 0
	for i, p := range pred {
		if p == truth[i] {
			right++
		}
	}
	return float64(right) / float64(len(pred))
}

// ArgMax returns, for each row of a [N, C] tensor of scores (logits or
// probabilities), the column of its largest score: the predicted class. Ties
// go to the lowest column; a NaN counts as the largest (as in PyTorch), so
// a model that produces NaN does not look like it picks a sensible class.
// It panics unless scores is two-dimensional with C >= 1.
func ArgMax[T tensor.Float](scores *tensor.Dense[T]) []int {
	if scores.Dims() != 2 || scores.Dim(1) < 1 {
		panic(shapePanic("ArgMax", "scores of shape %v, want [N, C] with C >= 1", scores.Shape()))
	}
	n, c := scores.Dim(0), scores.Dim(1)
	data := scores.Data()
	out := make([]int, n)
	for i := range n {
		row := data[i*c : (i+1)*c]
		best, arg := row[0], 0
		for j := 1; j < c && !isNaN(best); j++ {
			if v := row[j]; v > best || isNaN(v) {
				best, arg = v, j
			}
		}
		out[i] = arg
	}
	return out
}

func isNaN[T tensor.Float](v T) bool { return math.IsNaN(float64(v)) }

func checkLen(op string, pred, truth []int) {
	if len(pred) != len(truth) {
		panic(shapePanic(op, "%d predictions for %d true labels", len(pred), len(truth)))
	}
}

// shapePanic returns the value metrics functions panic with on mismatched
// shapes or lengths; it wraps tensor.ErrShape.
func shapePanic(op, format string, args ...any) error {
	return fmt.Errorf("metrics.%s: %s: %w", op, fmt.Sprintf(format, args...), tensor.ErrShape)
}

// ratio is a/b, or 0 when b is 0 (scikit-learn's zero_division=0).
func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// f1 is 2·tp / (2·tp + fp + fn), 0 when that is 0/0.
func f1(tp, fp, fn int) float64 { return ratio(2*tp, 2*tp+fp+fn) }
