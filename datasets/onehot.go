package datasets

import (
	"fmt"

	"github.com/nabla-go/nabla/tensor"
)

// OneHot returns the one-hot encoding of labels: a [len(labels), classes]
// tensor with a 1 in column labels[i] of row i and 0 elsewhere. It panics,
// with an error that wraps tensor.ErrShape, on a label outside
// [0, classes).
func OneHot[T tensor.Float](labels []int, classes int) *tensor.Dense[T] {
	if classes < 0 {
		panic(fmt.Sprintf("datasets.OneHot: %d classes", classes))
	}
	out := make([]T, len(labels)*classes)
	for i, c := range labels {
		if c < 0 || c >= classes {
			panic(shapePanic("OneHot", "label %d of sample %d out of range for %d classes", c, i, classes))
		}
		out[i*classes+c] = 1
	}
	return tensor.New(out, len(labels), classes)
}
