package tensor

import (
	"sync"
	"unsafe"
)

// A training step allocates the same tensors, of the same sizes, step after
// step: a CNN at batch 64 makes over 100 MB of activations and gradients.
// Left to the garbage collector, every one of them is fresh memory that the
// kernel faults in and zeroes, and the collector runs several times a step.
// The pool keeps the storage that autograd.Release and the backward pass
// hand back, by element type and exact length, so the next step's kernels
// write into memory that is already mapped and warm in the cache.
type bufferPool[T any] struct {
	mu    sync.Mutex
	free  map[int][][]T
	bytes int64
}

var (
	pool32 = &bufferPool[float32]{free: map[int][][]float32{}}
	pool64 = &bufferPool[float64]{free: map[int][][]float64{}}
	// poolIdx holds MaxPool2D's argmax indices, as large as its input.
	poolIdx = &bufferPool[int]{free: map[int][][]int{}}

	poolLimitMu sync.Mutex
	poolLimit   int64 = 1 << 30
)

func poolOf[T Float]() *bufferPool[T] {
	var zero T
	switch any(zero).(type) {
	case float32:
		return any(pool32).(*bufferPool[T])
	case float64:
		return any(pool64).(*bufferPool[T])
	}
	return nil // another type in constraints.Float's type set: no pooling
}

// SetPoolLimit sets how many bytes of released storage the buffer pool may
// keep for reuse, summed over the element types, and returns the previous
// limit (1 GiB by default). The pool is what makes a steady-state training
// step allocate little; a limit of 0 turns it off and empties it, handing
// the memory to the garbage collector.
func SetPoolLimit(bytes int64) (previous int64) {
	poolLimitMu.Lock()
	previous, poolLimit = poolLimit, max(bytes, 0)
	poolLimitMu.Unlock()
	if bytes <= 0 {
		pool32.drain()
		pool64.drain()
		poolIdx.drain()
	}
	return previous
}

// PoolBytes reports how many bytes of storage the buffer pool holds for
// reuse now.
func PoolBytes() int64 { return pool32.size() + pool64.size() + poolIdx.size() }

func currentPoolLimit() int64 {
	poolLimitMu.Lock()
	defer poolLimitMu.Unlock()
	return poolLimit
}

func (p *bufferPool[T]) size() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.bytes
}

func (p *bufferPool[T]) drain() {
	p.mu.Lock()
	clear(p.free)
	p.bytes = 0
	p.mu.Unlock()
}

// get returns a pooled slice of length n, or nil when the pool has none.
func (p *bufferPool[T]) get(n int) []T {
	p.mu.Lock()
	defer p.mu.Unlock()
	list := p.free[n]
	if len(list) == 0 {
		return nil
	}
	buf := list[len(list)-1]
	list[len(list)-1] = nil
	p.free[n] = list[:len(list)-1]
	p.bytes -= int64(n) * int64(unsafe.Sizeof(buf[0]))
	return buf
}

// put keeps buf for reuse unless the pool is full or already holds it: two
// views of one storage released separately must not hand it out twice.
func (p *bufferPool[T]) put(buf []T, limit int64) {
	n := len(buf)
	size := int64(n) * int64(unsafe.Sizeof(buf[0]))
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bytes+size > limit {
		return
	}
	for _, b := range p.free[n] {
		if &b[0] == &buf[0] {
			return
		}
	}
	p.free[n] = append(p.free[n], buf)
	p.bytes += size
}

// alloc returns a slice of length n, from the pool when it has one of that
// length; its contents are arbitrary unless zero is set.
func alloc[T Float](n int, zero bool) []T {
	if n > 0 {
		if p := poolOf[T](); p != nil {
			if buf := p.get(n); buf != nil {
				if zero {
					clear(buf)
				}
				return buf
			}
		}
	}
	return make([]T, n)
}

// empty returns a contiguous tensor of the given shape for a kernel that
// writes every element before anything reads it, so its contents need not
// be zero.
func empty[T Float](shape ...int) *Dense[T] {
	n := checkShape("empty", shape)
	return &Dense[T]{data: alloc[T](n, false), shape: cloneInts(shape), strides: contiguousStrides(shape)}
}

// Release hands the storage of the given tensors to the buffer pool, each
// storage once, where a later operation of the same element type and size
// will reuse it, and leaves every given tensor without storage: reading one
// afterwards panics. Release storage only when nothing else uses it: no view
// outside ts (Reshape, Transpose, Slice and Expand share storage) and no
// slice from Data or Storage may be used afterwards. autograd.Release
// applies these rules to a whole graph, and is what a training loop calls.
func Release[T Float](ts ...*Dense[T]) {
	p := poolOf[T]()
	limit := currentPoolLimit()
	for _, t := range ts {
		if t == nil || len(t.data) == 0 {
			continue
		}
		if p != nil && limit > 0 {
			p.put(t.data, limit)
		}
		storage := t.data
		for _, u := range ts {
			if u != nil && len(u.data) > 0 && &u.data[0] == &storage[0] {
				u.data = nil
			}
		}
	}
}

// StorageID identifies the storage of t among live tensors: views of one
// storage share it, and a tensor without storage has 0. It lets a caller
// group tensors by storage in a map, to release each storage once and none
// that a tensor it keeps still uses.
func StorageID[T Float](t *Dense[T]) uintptr {
	if len(t.data) == 0 {
		return 0
	}
	return uintptr(unsafe.Pointer(&t.data[0]))
}

// allocIndices returns a slice of n indices, from the pool when it has one;
// its contents are arbitrary.
func allocIndices(n int) []int {
	if n > 0 {
		if buf := poolIdx.get(n); buf != nil {
			return buf
		}
	}
	return make([]int, n)
}

// ReleaseIndices hands the indices that MaxPool2D returned back to the
// buffer pool, for a later MaxPool2D of the same size; idx must not be used
// afterwards. autograd's MaxPool2D, which keeps its indices to itself, does
// this when its graph is released.
func ReleaseIndices(idx []int) {
	if limit := currentPoolLimit(); len(idx) > 0 && limit > 0 {
		poolIdx.put(idx, limit)
	}
}
