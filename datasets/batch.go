package datasets

import (
	"fmt"
	"iter"
	"math/rand/v2"

	"github.com/nabla-go/nabla/tensor"
)

// BatchOptions configure BatchesWith.
type BatchOptions struct {
	// Size is the number of samples per batch; it must be positive.
	Size int
	// RNG, when not nil, shuffles the samples at the start of each pass.
	// When nil the samples come in order.
	RNG *rand.Rand
	// DropLast drops a last batch smaller than Size, for models that need
	// equal batches (batch norm, fixed-shape benchmarks).
	DropLast bool
}

// Batches ranges over the data set in mini-batches of size samples, yielding
// each batch's features, a fresh contiguous tensor of shape [b, ...] (the
// sample shape of X), and its labels, a fresh slice: both may be kept or
// modified. The last batch holds the remaining samples when Len() is not a
// multiple of size. With an rng the order is shuffled anew each time the
// sequence is ranged over (each epoch), drawing from rng; with a nil rng the
// samples come in order. It panics when size is not positive.
//
//	for x, y := range train.Batches(64, rng) { ... }
func (d *Dataset[T]) Batches(size int, rng *rand.Rand) iter.Seq2[*tensor.Dense[T], []int] {
	return d.BatchesWith(BatchOptions{Size: size, RNG: rng})
}

// BatchesWith is Batches configured by o, which may also drop the last,
// partial batch.
func (d *Dataset[T]) BatchesWith(o BatchOptions) iter.Seq2[*tensor.Dense[T], []int] {
	if o.Size <= 0 {
		panic(fmt.Sprintf("datasets.Batches: batch size %d, want > 0", o.Size))
	}
	d.check("Batches")
	return func(yield func(*tensor.Dense[T], []int) bool) {
		n, row := d.Len(), d.NumFeatures()
		src := d.X.Data()
		sample := d.SampleShape()
		order := make([]int, n)
		for i := range order {
			order[i] = i
		}
		if o.RNG != nil {
			o.RNG.Shuffle(n, func(i, j int) { order[i], order[j] = order[j], order[i] })
		}
		for start := 0; start < n; start += o.Size {
			b := min(o.Size, n-start)
			if b < o.Size && o.DropLast {
				return
			}
			x := make([]T, b*row)
			y := make([]int, b)
			for i, j := range order[start : start+b] {
				copy(x[i*row:(i+1)*row], src[j*row:(j+1)*row])
				y[i] = d.Y[j]
			}
			if !yield(tensor.New(x, append([]int{b}, sample...)...), y) {
				return
			}
		}
	}
}

// NumBatches is the number of batches of the given size that Batches
// (dropLast false) or BatchesWith yields for this data set.
func (d *Dataset[T]) NumBatches(size int, dropLast bool) int {
	if size <= 0 {
		panic(fmt.Sprintf("datasets.NumBatches: batch size %d, want > 0", size))
	}
	if dropLast {
		return d.Len() / size
	}
	return (d.Len() + size - 1) / size
}
