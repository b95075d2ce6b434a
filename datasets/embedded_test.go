package datasets

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestEmbedded(t *testing.T) {
	tests := []struct {
		name     string
		load     func() *Dataset[float32]
		shape    []int
		counts   []int
		classes  []string
		firstRow []float32
		feature0 string
	}{
		{"iris", Iris, []int{150, 4}, []int{50, 50, 50},
			[]string{"setosa", "versicolor", "virginica"},
			[]float32{5.1, 3.5, 1.4, 0.2}, "sepal length (cm)"},
		{"digits", Digits, []int{1797, 64}, []int{178, 182, 177, 183, 181, 182, 181, 179, 174, 180},
			[]string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"},
			[]float32{0, 0, 5, 13, 9, 1, 0, 0}, "pixel_0_0"},
		{"wine", Wine, []int{178, 13}, []int{59, 71, 48},
			[]string{"class_0", "class_1", "class_2"},
			[]float32{14.23, 1.71, 2.43, 15.6, 127, 2.8, 3.06, 0.28, 2.29, 5.64, 1.04, 3.92, 1065}, "alcohol"},
		{"breast_cancer", BreastCancer, []int{569, 30}, []int{212, 357},
			[]string{"malignant", "benign"},
			[]float32{17.99, 10.38, 122.8, 1001}, "mean radius"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := tc.load()
			require.Equal(t, tc.name, d.Name)
			require.Equal(t, tc.shape, d.X.Shape())
			require.Equal(t, tc.counts, d.ClassCounts())
			require.Equal(t, tc.classes, d.ClassNames)
			require.Equal(t, tc.firstRow, d.X.Data()[:len(tc.firstRow)])
			require.Len(t, d.FeatureNames, tc.shape[1])
			require.Equal(t, tc.feature0, d.FeatureNames[0])

			// Each call is a fresh copy.
			d.X.Data()[0] = -1
			require.Equal(t, tc.firstRow[0], tc.load().X.At(0, 0))
		})
	}
}

func TestDigitsRawPixels(t *testing.T) {
	d := Digits()
	lo, hi := float32(100), float32(-100)
	for _, v := range d.X.Data() {
		lo, hi = min(lo, v), max(hi, v)
	}
	require.Equal(t, float32(0), lo)
	require.Equal(t, float32(16), hi, "pixels stay raw 0..16")
	require.Equal(t, 0, d.Y[0])
	require.Equal(t, "worst fractal dimension", BreastCancer().FeatureNames[29])
	require.Equal(t, "proline", Wine().FeatureNames[12])
}
