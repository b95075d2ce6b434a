package optim

import (
	"math"
)

// A Schedule gives the learning rate for an epoch, counted from 0, from the
// optimizer's initial rate base. It is a closed form, so that a Scheduler
// can jump to any epoch when a run resumes. StepLR, ExponentialLR,
// CosineAnnealingLR and LinearWarmup are Schedules; a func can be one
// through ScheduleFunc.
type Schedule interface {
	LR(base float64, epoch int) float64
}

// ScheduleFunc adapts a function to a Schedule.
type ScheduleFunc func(base float64, epoch int) float64

// LR returns f(base, epoch).
func (f ScheduleFunc) LR(base float64, epoch int) float64 { return f(base, epoch) }

// Scheduler sets an optimizer's learning rate from a Schedule as training
// proceeds, as PyTorch's lr_scheduler classes do: it is created after the
// optimizer (which then holds the initial rate, the base), sets the rate for
// epoch 0 at once, and advances one epoch at every Step, called after the
// optimizer's Step once per epoch (or once per iteration, for a schedule
// counted in iterations):
//
//	sched := optim.NewScheduler(opt, optim.CosineAnnealingLR{TMax: 100})
//	for epoch := range 100 {
//		train(opt) // calls opt.Step()
//		sched.Step()
//	}
type Scheduler struct {
	opt      Schedulable
	schedule Schedule
	base     float64
	epoch    int
}

// NewScheduler takes the optimizer's current learning rate as the base and
// sets the rate of epoch 0. It panics (with an error wrapping ErrConfig)
// when the schedule's fields are invalid.
func NewScheduler(opt Schedulable, s Schedule) *Scheduler {
	sc := &Scheduler{opt: opt, schedule: s, base: opt.LR()}
	sc.apply()
	return sc
}

// Step advances one epoch and sets the optimizer's learning rate for it.
func (s *Scheduler) Step() {
	s.epoch++
	s.apply()
}

// SetEpoch jumps to an epoch and sets its learning rate: a resumed run calls
// it with the number of Steps taken before the checkpoint.
func (s *Scheduler) SetEpoch(epoch int) {
	if epoch < 0 {
		panic(configErrorf("Scheduler.SetEpoch", "epoch %d is negative", epoch))
	}
	s.epoch = epoch
	s.apply()
}

// Epoch returns the number of Steps taken (PyTorch's last_epoch).
func (s *Scheduler) Epoch() int { return s.epoch }

// Base returns the initial learning rate that the schedule scales.
func (s *Scheduler) Base() float64 { return s.base }

// LR returns the learning rate set for the current epoch.
func (s *Scheduler) LR() float64 { return s.opt.LR() }

func (s *Scheduler) apply() { s.opt.SetLR(s.schedule.LR(s.base, s.epoch)) }

// StepLR multiplies the learning rate by Gamma every StepSize epochs, as
// torch.optim.lr_scheduler.StepLR: base·Gamma^⌊epoch/StepSize⌋.
type StepLR struct {
	StepSize int     // epochs between decays; required
	Gamma    float64 // decay factor; default 0.1
}

// LR returns base·Gamma^⌊epoch/StepSize⌋.
func (s StepLR) LR(base float64, epoch int) float64 {
	if s.StepSize <= 0 {
		panic(configErrorf("StepLR", "StepSize = %d is not positive", s.StepSize))
	}
	gamma := resolve("StepLR", "Gamma", s.Gamma, 0.1)
	return base * math.Pow(gamma, float64(epoch/s.StepSize))
}

// ExponentialLR multiplies the learning rate by Gamma every epoch, as
// torch.optim.lr_scheduler.ExponentialLR: base·Gamma^epoch.
type ExponentialLR struct {
	Gamma float64 // decay factor; required
}

// LR returns base·Gamma^epoch.
func (s ExponentialLR) LR(base float64, epoch int) float64 {
	if s.Gamma == 0 {
		panic(configErrorf("ExponentialLR", "Gamma is required"))
	}
	gamma := resolve("ExponentialLR", "Gamma", s.Gamma, 0)
	return base * math.Pow(gamma, float64(epoch))
}

// CosineAnnealingLR anneals the learning rate from base to EtaMin along half
// a cosine over TMax epochs, with PyTorch's closed form (which, past TMax,
// climbs back up and repeats with period 2·TMax):
//
//	EtaMin + (base − EtaMin)·(1 + cos(π·epoch/TMax))/2
type CosineAnnealingLR struct {
	TMax   int     // epochs of the half period; required
	EtaMin float64 // the smallest learning rate; default 0
}

// LR returns EtaMin + (base − EtaMin)(1 + cos(π·epoch/TMax))/2.
func (s CosineAnnealingLR) LR(base float64, epoch int) float64 {
	if s.TMax <= 0 {
		panic(configErrorf("CosineAnnealingLR", "TMax = %d is not positive", s.TMax))
	}
	etaMin := resolve("CosineAnnealingLR", "EtaMin", s.EtaMin, 0)
	return etaMin + (base-etaMin)*(1+math.Cos(math.Pi*float64(epoch)/float64(s.TMax)))/2
}

// LinearWarmup scales the learning rate by a factor that moves linearly
// from StartFactor at epoch 0 to EndFactor at epoch Iters, as
// torch.optim.lr_scheduler.LinearLR (with start_factor, end_factor and
// total_iters):
//
//	base·(StartFactor + (EndFactor − StartFactor)·min(epoch, Iters)/Iters)
//
// Standalone (Then nil) it holds base·EndFactor after Iters. With Then, it
// warms up and then hands over: from epoch Iters on the rate is
// Then.LR(base, epoch−Iters), as SequentialLR([LinearLR, then],
// milestones=[Iters]) does in PyTorch, so a warm-up to EndFactor 1 joins
// a schedule that starts at base without a jump.
type LinearWarmup struct {
	StartFactor float64  // factor at epoch 0, in [0, 1]; default 1/3 (Zero for 0)
	EndFactor   float64  // factor at epoch Iters, in [0, 1]; default 1
	Iters       int      // epochs of the ramp; default 5 (Zero for none)
	Then        Schedule // the schedule after the warm-up; nil to hold
}

// LR returns the warmed-up rate for epoch, or Then's after the warm-up.
func (s LinearWarmup) LR(base float64, epoch int) float64 {
	const op = "LinearWarmup"
	start := resolve(op, "StartFactor", s.StartFactor, 1.0/3)
	end := resolve(op, "EndFactor", s.EndFactor, 1)
	if start > 1 || end > 1 {
		panic(configErrorf(op, "factors %v and %v must be in [0, 1]", start, end))
	}
	iters := s.Iters
	switch {
	case iters == 0:
		iters = 5
	case iters == Zero:
		iters = 0
	case iters < 0:
		panic(configErrorf(op, "Iters = %d is negative", iters))
	}
	if s.Then != nil && epoch >= iters {
		return s.Then.LR(base, epoch-iters)
	}
	if epoch >= iters {
		return base * end
	}
	return base * (start + (end-start)*float64(epoch)/float64(iters))
}
