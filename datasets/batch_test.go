package datasets

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nabla-go/nabla/tensor"
)

func TestBatchesCoverEverySampleOnce(t *testing.T) {
	labels := make([]int, 23)
	for i := range labels {
		labels[i] = i % 3
	}
	d := indexed(labels)
	tests := []struct {
		name  string
		opts  BatchOptions
		sizes []int
	}{
		{"in order", BatchOptions{Size: 5}, []int{5, 5, 5, 5, 3}},
		{"shuffled", BatchOptions{Size: 5, RNG: rand.New(rand.NewPCG(1, 2))}, []int{5, 5, 5, 5, 3}},
		{"drop last", BatchOptions{Size: 5, DropLast: true}, []int{5, 5, 5, 5}},
		{"exact multiple", BatchOptions{Size: 23, DropLast: true}, []int{23}},
		{"one big batch", BatchOptions{Size: 100}, []int{23}},
		{"drop the only batch", BatchOptions{Size: 100, DropLast: true}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var sizes, seen []int
			for x, y := range d.BatchesWith(tc.opts) {
				require.Equal(t, []int{len(y), 2}, x.Shape())
				require.True(t, x.IsContiguous())
				sizes = append(sizes, len(y))
				for i := range y {
					id := int(x.At(i, 0))
					require.Equal(t, float64(10*id), x.At(i, 1))
					require.Equal(t, labels[id], y[i], "labels match their samples")
					seen = append(seen, id)
				}
			}
			require.Equal(t, tc.sizes, sizes)
			require.Equal(t, len(tc.sizes), d.NumBatches(tc.opts.Size, tc.opts.DropLast))
			if !tc.opts.DropLast || tc.opts.Size == 23 {
				sorted := slices.Sorted(slices.Values(seen))
				for i, id := range sorted {
					require.Equal(t, i, id, "every sample exactly once")
				}
			}
			if tc.opts.RNG == nil {
				require.True(t, slices.IsSorted(seen), "nil rng: in order")
			} else {
				require.False(t, slices.IsSorted(seen), "shuffled")
			}
		})
	}
}

func TestBatchesEpochsAndSeeds(t *testing.T) {
	d := indexed(make([]int, 50))
	order := func(rng *rand.Rand) []int {
		var out []int
		for x := range d.Batches(8, rng) {
			for i := range x.Dim(0) {
				out = append(out, int(x.At(i, 0)))
			}
		}
		return out
	}
	rng := rand.New(rand.NewPCG(9, 9))
	epoch1, epoch2 := order(rng), order(rng)
	require.NotEqual(t, epoch1, epoch2, "each pass reshuffles")
	require.Equal(t, epoch1, order(rand.New(rand.NewPCG(9, 9))), "a seed reproduces the order")

	// Breaking out of the loop stops the sequence.
	n := 0
	for range d.Batches(8, nil) {
		n++
		if n == 2 {
			break
		}
	}
	require.Equal(t, 2, n)
}

func TestBatchesFreshAndShaped(t *testing.T) {
	x := make([]float32, 4*6)
	for i := range x {
		x[i] = float32(i)
	}
	d := New(tensor.New(x, 4, 6), []int{0, 1, 2, 3}).Reshape(1, 2, 3)
	var first *tensor.Dense[float32]
	var firstY []int
	for xb, yb := range d.Batches(3, nil) {
		if first == nil {
			first, firstY = xb, yb
		}
	}
	require.Equal(t, []int{3, 1, 2, 3}, first.Shape())
	require.Equal(t, float32(6+5), first.At(1, 0, 1, 2))
	first.Data()[0] = -1
	firstY[0] = 9
	require.Equal(t, float32(0), d.X.At(0, 0, 0, 0), "a batch is a copy")
	require.Equal(t, 0, d.Y[0])

	require.Panics(t, func() { d.Batches(0, nil) })
}
