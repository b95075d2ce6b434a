package optim

import (
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nabla-go/nabla/autograd"
	"github.com/nabla-go/nabla/tensor"
)

// largeParams returns parameters big enough for their updates to be split
// between goroutines (the first two), with a small one besides, and with
// gradients drawn from seed. Values are positive and negative, so that
// maximizing and weight decay matter.
func largeParams(seed uint64) []*autograd.Var[float32] {
	rng := rand.New(rand.NewPCG(seed, 7))
	var ps []*autograd.Var[float32]
	for _, shape := range [][]int{{300, 250}, {parallelMin + 3*parallelBlock/2}, {7}} {
		p := autograd.Param(tensor.RandN[float32](rng, shape...))
		p.SetGrad(tensor.RandN[float32](rng, shape...))
		ps = append(ps, p)
	}
	return ps
}

// TestParallelStepMatchesSerial checks, for every configuration of the
// parity table, that updates shared between goroutines give the same bits
// as updates on one: the loops are elementwise, so how the elements are
// split must not show.
func TestParallelStepMatchesSerial(t *testing.T) {
	run := func(cfg any, procs int) [][]float32 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		ps := largeParams(3)
		opt := newOptimizer(cfg, ps)
		for step := range 3 {
			// New gradients at every step, as in training.
			for i, p := range largeParams(uint64(10 + step)) {
				ps[i].SetGrad(p.Grad())
			}
			opt.Step()
		}
		out := make([][]float32, len(ps))
		for i, p := range ps {
			out[i] = p.Value().Data()
		}
		return out
	}
	for _, tc := range trainCases {
		t.Run(tc.name, func(t *testing.T) {
			serial := run(tc.cfg, 1)
			parallel := run(tc.cfg, 2)
			require.Equal(t, serial, parallel)
		})
	}
	helpers.mu.Lock()
	defer helpers.mu.Unlock()
	require.Positive(t, helpers.started, "the updates were never shared")
}

// TestSharedStepAllocatesNothing is TestStepAllocatesNothing with
// parameters large enough for their updates to be shared between goroutines.
func TestSharedStepAllocatesNothing(t *testing.T) {
	for _, tc := range trainCases {
		t.Run(tc.name, func(t *testing.T) {
			opt := newOptimizer(tc.cfg, largeParams(5))
			opt.Step()
			require.Zero(t, testing.AllocsPerRun(5, opt.Step))
		})
	}
}
