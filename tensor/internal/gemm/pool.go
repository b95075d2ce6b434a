package gemm

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Helpers for the small-product path.
//
// A product that takes tens of microseconds cannot afford to start a
// goroutine: waking an idle processor takes about as long as the product,
// and the caller has claimed every unit before the new goroutine runs. So
// the small-product path hands its units to long-lived helper goroutines
// that, after finishing a job, watch for the next one for a short while
// before they sleep. Convolutions call Gemm once per image, back to back, and
// the helpers are then already awake.
//
// A job is a set of units claimed from a counter. The caller works on its
// own job too and returns once every unit is done; a helper that arrives
// late finds nothing left to claim. A helper may take a job that is not the
// latest; the caller never depends on a helper joining, so Gemm calls from
// several goroutines at once stay correct.

// helperSpin is how long an idle helper watches for a new job before it
// sleeps.
const helperSpin = 200 * time.Microsecond

// job is one product's set of units.
type job struct {
	units int
	next  atomic.Int64 // next unit to claim
	done  atomic.Int64 // units completed
	run   func(u int)  // computes unit u
}

// work claims and runs units until none is left.
func (j *job) work() {
	for {
		u := int(j.next.Add(1)) - 1
		if u >= j.units {
			return
		}
		j.run(u)
		j.done.Add(1)
	}
}

var helpers struct {
	mu       sync.Mutex
	started  int
	cur      atomic.Pointer[job]
	seq      atomic.Uint64 // bumped for every job posted
	sleeping atomic.Int32  // helpers waiting on wake
	wake     chan struct{}
}

// runJob runs the units of j with the caller and up to w-1 helpers, and
// returns once all are done.
func runJob(j *job, w int) {
	if w > 1 {
		startHelpers(w - 1)
		helpers.cur.Store(j)
		helpers.seq.Add(1)
		for {
			s := helpers.sleeping.Load()
			if s == 0 {
				break
			}
			if helpers.sleeping.CompareAndSwap(s, s-1) {
				helpers.wake <- struct{}{}
			}
		}
	}
	j.work()
	for j.done.Load() < int64(j.units) {
		// A helper is finishing a unit; it holds a processor, so yielding
		// ours costs it nothing.
		runtime.Gosched()
	}
}

// startHelpers makes sure at least n helpers exist.
func startHelpers(n int) {
	n = min(n, maxWorkers-1)
	if int(atomicStarted.Load()) >= n {
		return
	}
	helpers.mu.Lock()
	defer helpers.mu.Unlock()
	if helpers.wake == nil {
		helpers.wake = make(chan struct{}, maxWorkers)
	}
	for helpers.started < n {
		helpers.started++
		go helper()
	}
	atomicStarted.Store(int32(helpers.started))
}

var atomicStarted atomic.Int32

// helper runs posted jobs forever.
func helper() {
	last := helpers.seq.Load()
	for {
		if s := helpers.seq.Load(); s != last {
			last = s
			helpers.cur.Load().work()
			continue
		}
		deadline := time.Now().Add(helperSpin)
		for spins := 1; helpers.seq.Load() == last; spins++ {
			if spins%32 == 0 && time.Now().After(deadline) {
				break
			}
			runtime.Gosched()
		}
		if helpers.seq.Load() != last {
			continue
		}
		helpers.sleeping.Add(1)
		if helpers.seq.Load() != last {
			// A job arrived meanwhile: take back the sleep unless the
			// poster already counted us and is sending a wake-up.
			if s := helpers.sleeping.Load(); s > 0 && helpers.sleeping.CompareAndSwap(s, s-1) {
				continue
			}
		}
		<-helpers.wake
	}
}
