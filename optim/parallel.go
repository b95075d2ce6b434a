package optim

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// The update loops are elementwise: element k of the result depends only on
// element k of the inputs, so however the elements are split between
// goroutines the bits come out the same. A large parameter is cut into
// blocks that the calling goroutine and a few long-lived helpers take in
// turn; a small one is done on the calling goroutine, where handing it out
// would cost more than it saves.
//
// The helpers live for the life of the process, blocked on a channel when
// idle, so that a step starts no goroutine and allocates nothing: what
// travels on the channel is a pointer to a rangeJob that the optimizer
// owns.
const (
	// parallelMin is the parameter size from which the work is shared.
	parallelMin = 1 << 15
	// parallelBlock is the number of elements taken at a time: large enough
	// that taking one is cheap next to doing it, small enough that the
	// goroutines finish together when one of them is slowed down.
	parallelBlock = 1 << 13
)

// rangeKernel is an update loop over the elements [lo, hi) of one parameter.
type rangeKernel interface {
	run(lo, hi int)
}

// rangeJob is one parallel run of a kernel. An optimizer keeps one and
// reuses it at every parameter; it is not safe for concurrent use, as the
// optimizer itself is not.
type rangeJob struct {
	k    rangeKernel
	n    int
	next atomic.Int64 // index of the next block to take
	wg   sync.WaitGroup
}

// work takes blocks until there are none left.
func (j *rangeJob) work() {
	for {
		lo := int(j.next.Add(1)-1) * parallelBlock
		if lo >= j.n {
			return
		}
		j.k.run(lo, min(lo+parallelBlock, j.n))
	}
}

// helpers is the process-wide set of helper goroutines, started on demand.
var helpers struct {
	mu      sync.Mutex
	started int
	jobs    chan *rangeJob
}

// ensureHelpers starts helper goroutines until there are at least n.
func ensureHelpers(n int) {
	helpers.mu.Lock()
	defer helpers.mu.Unlock()
	if helpers.jobs == nil {
		// Buffered, so that a caller never waits to hand out work that it
		// could be doing itself; a helper that arrives late finds no block
		// left and returns.
		helpers.jobs = make(chan *rangeJob, 64)
	}
	for ; helpers.started < n; helpers.started++ {
		go func(jobs <-chan *rangeJob) {
			for j := range jobs {
				j.work()
				j.wg.Done()
			}
		}(helpers.jobs)
	}
}

// run applies k to [0, n), sharing the blocks with the helpers when n is
// large enough and there is more than one processor. It returns when every
// element is done.
func (j *rangeJob) run(k rangeKernel, n int) {
	blocks := (n + parallelBlock - 1) / parallelBlock
	extra := min(runtime.GOMAXPROCS(0), blocks) - 1
	if n < parallelMin || extra < 1 {
		k.run(0, n)
		return
	}
	ensureHelpers(extra)
	j.k, j.n = k, n
	j.next.Store(0)
	j.wg.Add(extra)
	for range extra {
		helpers.jobs <- j
	}
	j.work()
	j.wg.Wait()
	j.k = nil
}
