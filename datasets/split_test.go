package datasets

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSplitStratified(t *testing.T) {
	tests := []struct {
		name        string
		d           *Dataset[float32]
		frac        float64
		trainCounts []int
		testCounts  []int
	}{
		{"iris 0.8", Iris(), 0.8, []int{40, 40, 40}, []int{10, 10, 10}},
		{"wine 0.75", Wine(), 0.75, []int{44, 54, 36}, []int{15, 17, 12}},    // 133.5 rounds to 134; the tie of remainders .25 goes to the larger class
		{"cancer 0.7", BreastCancer(), 0.7, []int{148, 250}, []int{64, 107}}, // 398.3 rounds to 398
		{"digits 0.8", Digits(), 0.8, []int{142, 146, 142, 146, 145, 146, 145, 143, 139, 144}, nil},
		{"all train", Iris(), 1, []int{50, 50, 50}, []int{0, 0, 0}},
		{"all test", Iris(), 0, []int{0, 0, 0}, []int{50, 50, 50}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			train, test := tc.d.Split(tc.frac, rand.New(rand.NewPCG(7, 8)))
			require.Equal(t, tc.trainCounts, train.ClassCounts())
			if tc.testCounts != nil {
				require.Equal(t, tc.testCounts, test.ClassCounts())
			}
			require.Equal(t, tc.d.Len(), train.Len()+test.Len())
			require.Equal(t, int(float64(tc.d.Len())*tc.frac+0.5), train.Len())
			require.Equal(t, tc.d.ClassNames, train.ClassNames)
			require.Equal(t, tc.d.SampleShape(), test.SampleShape())
		})
	}
}

func TestSplitPartitionsAndReproduces(t *testing.T) {
	labels := make([]int, 103)
	for i := range labels {
		labels[i] = (i * i) % 4
	}
	d := indexed(labels)

	train, test := d.Split(0.6, rand.New(rand.NewPCG(1, 1)))
	all := append(ids(train), ids(test)...)
	slices.Sort(all)
	for i, id := range all {
		require.Equal(t, i, id, "every sample in exactly one part")
	}
	for i, id := range ids(train) {
		require.Equal(t, labels[id], train.Y[i], "labels travel with their samples")
		require.Equal(t, float64(10*id), train.X.At(i, 1))
	}

	train2, test2 := d.Split(0.6, rand.New(rand.NewPCG(1, 1)))
	require.Equal(t, ids(train), ids(train2), "same seed, same split")
	require.Equal(t, ids(test), ids(test2))

	train3, _ := d.Split(0.6, rand.New(rand.NewPCG(2, 2)))
	require.NotEqual(t, ids(train), ids(train3), "another seed, another split")
	require.Equal(t, train.ClassCounts(), train3.ClassCounts(), "but the same class counts")
	require.False(t, slices.IsSorted(ids(train)), "the training part is shuffled")

	// A nil rng takes the first samples of each class and keeps the order.
	tr, te := indexed([]int{0, 0, 1, 1, 0, 1, 0, 1, 0, 1}).Split(0.6, nil)
	require.Equal(t, []int{0, 1, 2, 3, 4, 5}, ids(tr))
	require.Equal(t, []int{6, 7, 8, 9}, ids(te))
}

func TestSplitThree(t *testing.T) {
	d := Iris()
	rng := rand.New(rand.NewPCG(3, 9))
	train, val, test := d.SplitThree(0.6, 0.2, rng)
	require.Equal(t, []int{30, 30, 30}, train.ClassCounts())
	require.Equal(t, []int{10, 10, 10}, val.ClassCounts())
	require.Equal(t, []int{10, 10, 10}, test.ClassCounts())

	idx := indexed(Iris().Y)
	a1, b1, c1 := idx.SplitThree(0.7, 0.15, rand.New(rand.NewPCG(4, 4)))
	a2, b2, c2 := idx.SplitThree(0.7, 0.15, rand.New(rand.NewPCG(4, 4)))
	require.Equal(t, ids(a1), ids(a2))
	require.Equal(t, ids(b1), ids(b2))
	require.Equal(t, ids(c1), ids(c2))
	require.Equal(t, 105, a1.Len())
	require.Equal(t, 23, b1.Len()) // round(22.5)
	require.Equal(t, 22, c1.Len())
	all := append(append(ids(a1), ids(b1)...), ids(c1)...)
	slices.Sort(all)
	for i, id := range all {
		require.Equal(t, i, id)
	}
	for _, part := range []*Dataset[float64]{a1, b1, c1} {
		counts := part.ClassCounts()
		require.LessOrEqual(t, slices.Max(counts)-slices.Min(counts), 1, "stratified: %v", counts)
	}

	require.Panics(t, func() { d.SplitThree(0.8, 0.3, rng) })
	require.Panics(t, func() { d.Split(1.5, rng) })
	require.Panics(t, func() { d.Split(-0.1, rng) })
}
