package tensor

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// Each test uses a length of its own, so that what another test releases
// cannot be what this one gets back.

func TestReleasedStorageIsReusedAndZeroedWhenAsked(t *testing.T) {
	a := Full[float32](7, 3, 1237)
	id := StorageID(a)
	Release(a)
	require.Nil(t, a.Storage(), "a released tensor keeps no storage")

	b := Zeros[float32](1237, 3) // another shape, the same length
	require.Equal(t, id, StorageID(b), "Zeros reuses the released storage")
	for i, v := range b.Data() {
		require.Zero(t, v, "element %d of a reused Zeros", i)
	}
	Release(b)
	c := empty[float32](3711)
	require.Equal(t, id, StorageID(c), "empty reuses it too")

	d := Zeros[float32](3711)
	require.NotEqual(t, id, StorageID(d), "the pool held one buffer of this length, now in use")
	require.NotEqual(t, StorageID(c), StorageID(d))
}

func TestReleaseHandsOutSharedStorageOnce(t *testing.T) {
	a := RandN[float64](rand.New(rand.NewPCG(1, 2)), 4, 1239)
	views := []*Dense[float64]{a, a.Reshape(1239, 4), a.Slice(0, 1, 3), a.T()}
	Release(views...)
	Release(a) // a second release of the same storage is a no-op
	for i, v := range views {
		require.Nil(t, v.Storage(), "view %d still has storage", i)
	}
	x, y := empty[float64](4956), empty[float64](4956)
	require.NotEqual(t, StorageID(x), StorageID(y), "two live tensors got one storage")
}

func TestReadingAReleasedTensorPanics(t *testing.T) {
	a := Ones[float32](2, 1241)
	Release(a)
	require.Panics(t, func() { _ = a.Data() })
	require.Panics(t, func() { _ = Add(a, a) })
	require.Equal(t, []int{2, 1241}, a.Shape(), "the shape stays for error messages")
}

func TestPoolLimit(t *testing.T) {
	prev := SetPoolLimit(0)
	defer SetPoolLimit(prev)
	require.Equal(t, int64(1<<30), prev, "the default limit")
	require.Zero(t, PoolBytes(), "a limit of 0 empties the pool")

	a := Zeros[float32](1243)
	id := StorageID(a)
	Release(a)
	require.Zero(t, PoolBytes())
	require.NotEqual(t, id, StorageID(Zeros[float32](1243)), "no reuse with the pool off")

	SetPoolLimit(4 * 1245)
	b, c := Zeros[float32](1245), Zeros[float32](1245)
	Release(b, c)
	require.Equal(t, int64(4*1245), PoolBytes(), "the second buffer does not fit under the limit")
	got := Zeros[float32](1245)
	require.NotZero(t, StorageID(got))
	require.Zero(t, PoolBytes())
}

func TestStorageID(t *testing.T) {
	a := Zeros[float64](3, 4)
	require.Equal(t, StorageID(a), StorageID(a.Reshape(4, 3)))
	require.Equal(t, StorageID(a), StorageID(a.Slice(0, 1, 2)), "a slice is identified by its whole storage")
	require.NotEqual(t, StorageID(a), StorageID(a.Clone()))
	require.Zero(t, StorageID(Zeros[float64](0)))
}

func TestReleasedIndicesAreReused(t *testing.T) {
	x := RandN[float32](rand.New(rand.NewPCG(3, 4)), 1, 1, 2*1247, 2)
	_, idx := MaxPool2D(x, Window2D{Kernel: [2]int{2, 2}, Stride: [2]int{2, 2}})
	require.Len(t, idx, 1247)
	ReleaseIndices(idx)
	_, again := MaxPool2D(x, Window2D{Kernel: [2]int{2, 2}, Stride: [2]int{2, 2}})
	require.Equal(t, &idx[0], &again[0], "the second pooling reuses the indices")
	for i, at := range again {
		require.Equal(t, 4*i+int(argmax4(x.Data()[4*i:4*i+4])), at, "index %d", i)
	}
}

// argmax4 is the position of the first maximum of a 2x2 window stored as
// the rows of a width-2 plane.
func argmax4(w []float32) int {
	best := 0
	for i, v := range w {
		if v > w[best] {
			best = i
		}
	}
	return best
}
