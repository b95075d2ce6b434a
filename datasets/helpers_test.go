package datasets

import (
	"testing"

	"github.com/nabla-go/nabla/internal/testkit"
	"github.com/nabla-go/nabla/tensor"
)

// indexed returns a data set whose sample i has features [i, 10*i] and
// label labels[i], so that tests can tell which samples ended up where.
func indexed(labels []int) *Dataset[float64] {
	x := make([]float64, 0, 2*len(labels))
	for i := range labels {
		x = append(x, float64(i), float64(10*i))
	}
	return New(tensor.New(x, len(labels), 2), append([]int(nil), labels...))
}

// ids returns the sample indices of a data set built by indexed.
func ids(d *Dataset[float64]) []int {
	out := make([]int, d.Len())
	for i := range out {
		out[i] = int(d.X.At(i, 0))
	}
	return out
}

// requireShapePanic asserts that f panics with an error wrapping
// tensor.ErrShape whose message contains want.
func requireShapePanic(t *testing.T, want string, f func()) {
	testkit.RequirePanicIs(t, tensor.ErrShape, want, f)
}
