package datasets

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nabla-go/nabla/tensor"
)

func TestNewAndAccessors(t *testing.T) {
	d := indexed([]int{0, 2, 2, 1, 2})
	require.Equal(t, 5, d.Len())
	require.Equal(t, 3, d.NumClasses(), "max label + 1 without names")
	require.Equal(t, 2, d.NumFeatures())
	require.Equal(t, []int{2}, d.SampleShape())
	require.Equal(t, []int{1, 1, 3}, d.ClassCounts())

	d.ClassNames = []string{"a", "b", "c", "d"}
	require.Equal(t, 4, d.NumClasses(), "names win")
	require.Equal(t, []int{1, 1, 3, 0}, d.ClassCounts())

	requireShapePanic(t, "for 2 labels", func() { New(tensor.New(make([]float32, 6), 3, 2), []int{0, 1}) })
	requireShapePanic(t, "negative", func() { New(tensor.New(make([]float32, 4), 2, 2), []int{0, -1}) })
}

func TestSubset(t *testing.T) {
	d := indexed([]int{0, 1, 2, 0, 1})
	d.ClassNames = []string{"a", "b", "c"}
	s := d.Subset([]int{4, 0, 4})
	require.Equal(t, []int{4, 0, 4}, ids(s))
	require.Equal(t, []int{1, 0, 1}, s.Y)
	require.Equal(t, []float64{4, 40, 0, 0, 4, 40}, s.X.Data())
	require.Equal(t, []int{3, 2}, s.X.Shape())
	require.Equal(t, d.ClassNames, s.ClassNames)

	// A fresh copy: writing to it leaves d alone.
	s.X.Data()[0] = -1
	s.Y[0] = 2
	require.Equal(t, 4.0, d.X.At(4, 0))
	require.Equal(t, 1, d.Y[4])

	empty := d.Subset(nil)
	require.Equal(t, 0, empty.Len())
	require.Equal(t, []int{0, 2}, empty.X.Shape())

	requireShapePanic(t, "index 5 out of range", func() { d.Subset([]int{5}) })
	requireShapePanic(t, "index -1 out of range", func() { d.Subset([]int{-1}) })
}

func TestReshapeAndFlatten(t *testing.T) {
	x := make([]float32, 3*12)
	for i := range x {
		x[i] = float32(i)
	}
	d := New(tensor.New(x, 3, 12), []int{0, 1, 0})
	r := d.Reshape(3, 2, 2)
	require.Equal(t, []int{3, 3, 2, 2}, r.X.Shape())
	require.Equal(t, float32(12+7), r.X.At(1, 1, 1, 1))
	require.Equal(t, 12, r.NumFeatures())
	require.Equal(t, []int{3, 12}, r.Flatten().X.Shape())
	require.Equal(t, []int{3, 12}, d.X.Shape(), "receiver unchanged")
	requireShapePanic(t, "holds 10 values", func() { d.Reshape(5, 2) })
}

func TestCast(t *testing.T) {
	d := Iris()
	d64 := Cast[float64](d)
	require.Equal(t, d.X.Shape(), d64.X.Shape())
	require.Equal(t, float32(5.1), float32(d64.X.At(0, 0)))
	require.InDelta(t, 5.1, d64.X.At(0, 0), 1e-6)
	back := Cast[float32](d64)
	require.Equal(t, d.X.Data(), back.X.Data())
	require.Equal(t, d.Y, back.Y)
	require.Equal(t, d.ClassNames, back.ClassNames)

	d64.Y[0] = 2
	d64.ClassNames[0] = "changed"
	require.Equal(t, 0, d.Y[0], "Cast shares nothing")
	require.Equal(t, "setosa", d.ClassNames[0])
}

func TestOneHot(t *testing.T) {
	oh := OneHot[float32]([]int{2, 0, 1}, 3)
	require.Equal(t, []int{3, 3}, oh.Shape())
	require.Equal(t, []float32{0, 0, 1, 1, 0, 0, 0, 1, 0}, oh.Data())
	require.Equal(t, []int{0, 4}, OneHot[float64](nil, 4).Shape())
	requireShapePanic(t, "label 3 of sample 1 out of range for 3 classes", func() { OneHot[float64]([]int{0, 3}, 3) })
}

func TestString(t *testing.T) {
	require.Equal(t, "iris: 150 samples of shape [4], 3 classes", Iris().String())
}
