package optim

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nabla-go/nabla/autograd"
	"github.com/nabla-go/nabla/internal/testkit"
	"github.com/nabla-go/nabla/tensor"
)

// fixtureSchedules mirrors SCHEDULES in make_fixtures.py.
var fixtureSchedules = map[string]Schedule{
	"steplr":               StepLR{StepSize: 7, Gamma: 0.5},
	"steplr_default_gamma": StepLR{StepSize: 3},
	"exponential":          ExponentialLR{Gamma: 0.9},
	"cosine":               CosineAnnealingLR{TMax: 10, EtaMin: 0.001},
	"cosine_no_min":        CosineAnnealingLR{TMax: 25},
	"linear":               LinearWarmup{StartFactor: 0.25, EndFactor: 1, Iters: 4},
	"linear_default":       LinearWarmup{},
	"linear_decay":         LinearWarmup{StartFactor: 1, EndFactor: 0.5, Iters: 8},
	"warmup_cosine":        LinearWarmup{StartFactor: 0.1, Iters: 5, Then: CosineAnnealingLR{TMax: 10}},
}

// TestSchedulesMatchPyTorch drives a Scheduler through 40 epochs of every
// schedule in the fixture and compares the rates with PyTorch's (which
// computes most of them recursively, hence the tolerance).
func TestSchedulesMatchPyTorch(t *testing.T) {
	f := loadFixture(t)
	require.Len(t, f.Schedules, len(fixtureSchedules))
	for _, want := range f.Schedules {
		t.Run(want.Name, func(t *testing.T) {
			s, ok := fixtureSchedules[want.Name]
			require.True(t, ok, "no Go schedule for fixture %q", want.Name)
			opt := NewSGD([]*autograd.Var[float64]{autograd.Param(tensor.Zeros[float64](1))}, SGDConfig{LR: f.ScheduleBaseLR})
			sched := NewScheduler(opt, s)
			for epoch, lr := range want.LRs {
				require.Equal(t, epoch, sched.Epoch())
				require.InDelta(t, lr, opt.LR(), 1e-12*f.ScheduleBaseLR, "epoch %d", epoch)
				require.Equal(t, opt.LR(), sched.LR())
				sched.Step()
			}
		})
	}
}

func TestScheduleValues(t *testing.T) {
	cosine := func(epoch, tmax float64) float64 { return (1 + math.Cos(math.Pi*epoch/tmax)) / 2 }
	tests := []struct {
		name     string
		schedule Schedule
		want     map[int]float64 // epoch -> rate for base 1
	}{
		{"step", StepLR{StepSize: 3, Gamma: 0.5}, map[int]float64{0: 1, 2: 1, 3: 0.5, 5: 0.5, 6: 0.25, 9: 0.125}},
		{"step default gamma", StepLR{StepSize: 2}, map[int]float64{1: 1, 2: 0.1, 4: 0.01}},
		{"step gamma zero", StepLR{StepSize: 2, Gamma: Zero}, map[int]float64{1: 1, 2: 0}},
		{"exponential", ExponentialLR{Gamma: 0.5}, map[int]float64{0: 1, 1: 0.5, 3: 0.125}},
		{"cosine", CosineAnnealingLR{TMax: 4}, map[int]float64{0: 1, 1: cosine(1, 4), 2: 0.5, 4: 0, 6: 0.5, 8: 1}},
		{"cosine eta_min", CosineAnnealingLR{TMax: 4, EtaMin: 0.1}, map[int]float64{0: 1, 2: 0.55, 4: 0.1}},
		{"warmup", LinearWarmup{StartFactor: 0.5, Iters: 4}, map[int]float64{0: 0.5, 1: 0.625, 2: 0.75, 4: 1, 10: 1}},
		{"warmup defaults", LinearWarmup{}, map[int]float64{0: 1.0 / 3, 5: 1, 6: 1}},
		{"warmup down", LinearWarmup{StartFactor: 1, EndFactor: 0.5, Iters: 2}, map[int]float64{0: 1, 1: 0.75, 2: 0.5, 3: 0.5}},
		{"warmup from zero then step", LinearWarmup{StartFactor: Zero, Iters: 2, Then: StepLR{StepSize: 1, Gamma: 0.5}},
			map[int]float64{0: 0, 1: 0.5, 2: 1, 3: 0.5, 4: 0.25}},
		{"no warmup", LinearWarmup{Iters: Zero, Then: ExponentialLR{Gamma: 0.5}}, map[int]float64{0: 1, 1: 0.5}},
		{"func", ScheduleFunc(func(base float64, epoch int) float64 { return base / float64(epoch+1) }), map[int]float64{0: 1, 3: 0.25}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for epoch, want := range tt.want {
				require.InDelta(t, want, tt.schedule.LR(1, epoch), 1e-15, "epoch %d", epoch)
			}
		})
	}
}

func TestScheduler(t *testing.T) {
	p := autograd.Param(tensor.Zeros[float32](2))
	opt := NewAdam([]*autograd.Var[float32]{p}, AdamConfig{LR: 0.2})
	sched := NewScheduler(opt, LinearWarmup{StartFactor: 0.5, Iters: 2})
	require.Equal(t, 0.1, opt.LR(), "the rate of epoch 0 is set at once")
	require.Equal(t, 0.2, sched.Base())
	sched.Step()
	require.InDelta(t, 0.15, opt.LR(), 1e-15)
	require.Equal(t, 1, sched.Epoch())
	sched.SetEpoch(7)
	require.Equal(t, 0.2, opt.LR())
	require.Equal(t, 7, sched.Epoch())
	sched.SetEpoch(0)
	require.Equal(t, 0.1, sched.LR())
	require.Equal(t, 0.2, opt.Config().LR, "Config keeps the initial rate")
}

func TestScheduleInvalid(t *testing.T) {
	opt := NewSGD([]*autograd.Var[float64]{autograd.Param(tensor.Zeros[float64](1))}, SGDConfig{LR: 1})
	tests := map[string]func(){
		"StepLR without StepSize":     func() { NewScheduler(opt, StepLR{}) },
		"StepLR negative gamma":       func() { NewScheduler(opt, StepLR{StepSize: 1, Gamma: -0.5}) },
		"ExponentialLR without Gamma": func() { NewScheduler(opt, ExponentialLR{}) },
		"CosineAnnealingLR no TMax":   func() { NewScheduler(opt, CosineAnnealingLR{}) },
		"LinearWarmup factor above 1": func() { NewScheduler(opt, LinearWarmup{StartFactor: 2}) },
		"LinearWarmup negative iters": func() { NewScheduler(opt, LinearWarmup{Iters: -3}) },
		"SetEpoch negative":           func() { NewScheduler(opt, ExponentialLR{Gamma: 0.5}).SetEpoch(-1) },
		"SetLR negative":              func() { opt.SetLR(-1e-3) },
	}
	for name, f := range tests {
		t.Run(name, func(t *testing.T) { requireConfigPanic(t, f) })
	}
}

// requireConfigPanic asserts that f panics with an error wrapping ErrConfig.
func requireConfigPanic(t *testing.T, f func()) {
	testkit.RequirePanicIs(t, ErrConfig, "", f)
}
