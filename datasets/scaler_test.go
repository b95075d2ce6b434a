package datasets

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nabla-go/nabla/tensor"
)

func table(rows [][]float64) *Dataset[float64] {
	var x []float64
	for _, r := range rows {
		x = append(x, r...)
	}
	return New(tensor.New(x, len(rows), len(rows[0])), make([]int, len(rows)))
}

func TestStandardScaler(t *testing.T) {
	// Feature 0: 1, 2, 3, 6 (mean 3, population variance (4+1+0+9)/4 = 3.5).
	// Feature 1: constant 5. Feature 2: -1, 1, -1, 1 (mean 0, std 1).
	train := table([][]float64{{1, 5, -1}, {2, 5, 1}, {3, 5, -1}, {6, 5, 1}})
	test := table([][]float64{{10, 7, 0}})

	var sc StandardScaler[float64]
	trainS := sc.FitTransform(train)
	std0 := math.Sqrt(3.5)
	require.Equal(t, []float64{3, 5, 0}, sc.Mean)
	require.InDeltaSlice(t, []float64{std0, 1, 1}, sc.Scale, 1e-12)
	require.InDeltaSlice(t, []float64{
		-2 / std0, 0, -1,
		-1 / std0, 0, 1,
		0, 0, -1,
		3 / std0, 0, 1,
	}, trainS.X.Data(), 1e-12)

	// The test set is scaled with the training statistics, not its own.
	testS := sc.Transform(test)
	require.InDeltaSlice(t, []float64{7 / std0, 2, 0}, testS.X.Data(), 1e-12)
	require.Equal(t, []float64{10, 7, 0}, test.X.Data(), "input unchanged")
	require.Equal(t, []float64{1, 5, -1}, train.X.Data()[:3])

	out := sc.TransformTensor(tensor.New([]float64{3, 5, 2}, 1, 3))
	require.InDeltaSlice(t, []float64{0, 0, 2}, out.Data(), 1e-12)
}

func TestStandardScalerConstantFloat32(t *testing.T) {
	// 0.1 is not exact in binary: a naive mean leaves a tiny non-zero
	// variance and dividing by it would blow the feature up.
	rows := make([][]float64, 1000)
	for i := range rows {
		rows[i] = []float64{float64(float32(0.1)), float64(i)}
	}
	d := Cast[float32](table(rows))
	var sc StandardScaler[float32]
	out := sc.FitTransform(d)
	require.Equal(t, 1.0, sc.Scale[0])
	for i := range 1000 {
		v := out.X.At(i, 0)
		require.False(t, math.IsNaN(float64(v)) || math.IsInf(float64(v), 0))
		require.InDelta(t, 0, v, 1e-6)
	}
	var mean, sq float64
	for i := range 1000 {
		v := float64(out.X.At(i, 1))
		mean += v
		sq += v * v
	}
	require.InDelta(t, 0, mean/1000, 1e-5)
	require.InDelta(t, 1, sq/1000, 1e-5)
}

func TestMinMaxScaler(t *testing.T) {
	train := table([][]float64{{1, 5, -2}, {3, 5, 2}, {2, 5, 0}})
	test := table([][]float64{{5, 4, 1}, {0, 5, -2}})
	var sc MinMaxScaler[float64]
	trainS := sc.FitTransform(train)
	require.Equal(t, []float64{1, 5, -2}, sc.Min)
	require.Equal(t, []float64{2, 1, 4}, sc.Scale, "a constant feature has scale 1")
	require.Equal(t, []float64{0, 0, 0, 1, 0, 1, 0.5, 0, 0.5}, trainS.X.Data())
	require.Equal(t, []float64{2, -1, 0.75, -0.5, 0, 0}, sc.Transform(test).X.Data(),
		"test values outside the training range fall outside [0, 1]")
}

func TestScalersFitOnTrainOnly(t *testing.T) {
	d := Wine()
	train, test := d.Split(0.7, rand.New(rand.NewPCG(1, 2)))
	var sc StandardScaler[float32]
	trainS := sc.FitTransform(train)
	testS := sc.Transform(test)

	// Training features have mean 0 and std 1; the test features, scaled
	// with the training statistics, do not exactly.
	stats := func(x *tensor.Dense[float32], j int) (mean, std float64) {
		n := x.Dim(0)
		for i := range n {
			mean += float64(x.At(i, j))
		}
		mean /= float64(n)
		for i := range n {
			dv := float64(x.At(i, j)) - mean
			std += dv * dv
		}
		return mean, math.Sqrt(std / float64(n))
	}
	for j := range 13 {
		m, s := stats(trainS.X, j)
		require.InDelta(t, 0, m, 1e-5)
		require.InDelta(t, 1, s, 1e-5)
	}
	m, _ := stats(testS.X, 12)
	require.NotEqual(t, 0.0, math.Round(m*1e4)/1e4)
	require.Equal(t, test.Y, testS.Y)

	// Images: one statistic per pixel position.
	img := Digits().Reshape(1, 8, 8)
	var mm MinMaxScaler[float32]
	imgS := mm.FitTransform(img)
	require.Len(t, mm.Min, 64)
	require.Equal(t, []int{1797, 1, 8, 8}, imgS.X.Shape())

	requireShapePanic(t, "fitted on 13 features", func() { sc.Transform(Iris()) })
	require.PanicsWithValue(t, "datasets.MinMaxScaler.Transform: the scaler has not been fitted", func() {
		var s MinMaxScaler[float32]
		s.Transform(Iris())
	})
}
