package optim

import (
	"github.com/nabla-go/nabla/autograd"
	"github.com/nabla-go/nabla/tensor"
)

// AdagradConfig configures Adagrad. Zero fields take PyTorch's defaults;
// use Zero for an actual 0 where the default is not 0 (Eps).
type AdagradConfig struct {
	LR                      float64 // learning rate γ; default 1e-2
	LRDecay                 float64 // learning-rate decay η; default 0
	WeightDecay             float64 // L2 penalty λ added to the gradient; default 0
	InitialAccumulatorValue float64 // what the sum of squares starts at; default 0
	Eps                     float64 // ε added to the denominator; default 1e-10
	Maximize                bool    // ascend the objective instead of descending it
}

// Adagrad is the Adagrad optimizer, as torch.optim.Adagrad. For each
// parameter θ with gradient g, at its step t:
//
//	γ̃ ← γ / (1 + (t−1)η)
//	g ← g + λθ             (when λ ≠ 0)
//	s ← s + g²
//	θ ← θ − γ̃ g/(√s + ε)
//
// Its state is "<i>.step" (t) and "<i>.sum" (s), which exist from the
// start, s filled with the initial accumulator value, as in PyTorch.
type Adagrad[T tensor.Float] struct {
	c   core[T]
	cfg AdagradConfig
}

// NewAdagrad returns an Adagrad optimizer over params. It panics, with an
// error wrapping ErrConfig, when a field is out of range.
func NewAdagrad[T tensor.Float](params []*autograd.Var[T], cfg AdagradConfig) *Adagrad[T] {
	const op = "NewAdagrad"
	cfg.LR = resolve(op, "LR", cfg.LR, 1e-2)
	cfg.LRDecay = resolve(op, "LRDecay", cfg.LRDecay, 0)
	cfg.WeightDecay = resolve(op, "WeightDecay", cfg.WeightDecay, 0)
	cfg.InitialAccumulatorValue = resolve(op, "InitialAccumulatorValue", cfg.InitialAccumulatorValue, 0)
	cfg.Eps = resolve(op, "Eps", cfg.Eps, 1e-10)
	c := newCore("Adagrad", params, cfg.LR, true, true, T(cfg.InitialAccumulatorValue), "sum")
	return &Adagrad[T]{c: c, cfg: cfg}
}

// Config returns the configuration in use, defaults filled in; its LR is
// the initial learning rate.
func (o *Adagrad[T]) Config() AdagradConfig { return o.cfg }

// Step updates every parameter that has a gradient.
func (o *Adagrad[T]) Step() {
	wd, eps := T(o.cfg.WeightDecay), T(o.cfg.Eps)
	maximize := o.cfg.Maximize
	o.c.update(func(p, g []T, s *slot[T], _ bool) {
		s.step++
		clr := T(o.c.lr / (1 + float64(s.step-1)*o.cfg.LRDecay))
		g = g[:len(p)]
		sum := s.buf[0][:len(p)]
		for k, gk := range g {
			if maximize {
				gk = -gk
			}
			if wd != 0 {
				gk += wd * p[k]
			}
			sum[k] += gk * gk
			p[k] += -clr * (gk / (sqrt(sum[k]) + eps))
		}
	})
}
