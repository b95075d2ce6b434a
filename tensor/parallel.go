package tensor

import (
	"runtime"
	"sync"
)

// grain is the number of elements below which a kernel runs on the calling
// goroutine: spreading less work than this costs more than it saves.
const grain = 1 << 15

// parallelFor runs body over [0, n) in fixed blocks of size block. The blocks
// do not depend on GOMAXPROCS, so a kernel whose blocks write disjoint outputs
// gives the same bits on one core or many.
func parallelFor(n, block int, body func(lo, hi int)) {
	if block <= 0 {
		block = 1
	}
	blocks := (n + block - 1) / block
	workers := min(runtime.GOMAXPROCS(0), blocks)
	if workers <= 1 {
		for lo := 0; lo < n; lo += block {
			body(lo, min(lo+block, n))
		}
		return
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	next := 0
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				b := next
				next++
				mu.Unlock()
				if b >= blocks {
					return
				}
				lo := b * block
				body(lo, min(lo+block, n))
			}
		}()
	}
	wg.Wait()
}

// elementwiseFor splits n independent elements into blocks when there are
// enough of them to be worth it.
func elementwiseFor(n int, body func(lo, hi int)) {
	if n < 2*grain {
		body(0, n)
		return
	}
	parallelFor(n, grain, body)
}
