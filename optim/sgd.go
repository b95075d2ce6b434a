package optim

import (
	"github.com/nabla-go/nabla/autograd"
	"github.com/nabla-go/nabla/tensor"
)

// SGDConfig configures SGD. Zero fields take PyTorch's defaults, which are
// all 0 and false here; only LR is required.
type SGDConfig struct {
	LR          float64 // learning rate γ; required (use Zero for an actual 0)
	Momentum    float64 // momentum factor μ; default 0 (none)
	Dampening   float64 // dampening τ of the momentum; default 0
	WeightDecay float64 // L2 penalty λ added to the gradient; default 0
	Nesterov    bool    // Nesterov momentum; needs Momentum > 0 and no Dampening
	Maximize    bool    // ascend the objective instead of descending it
}

// SGD is stochastic gradient descent with optional momentum, dampening,
// Nesterov momentum and weight decay, as torch.optim.SGD. For each
// parameter θ with gradient g, at step t:
//
//	g ← g + λθ                     (when λ ≠ 0)
//	b ← g at t = 1, else μb + (1−τ)g  (when μ ≠ 0)
//	g ← g + μb with Nesterov, else b  (when μ ≠ 0)
//	θ ← θ − γg
//
// Its state is "<i>.momentum_buffer" (b) when μ ≠ 0.
type SGD[T tensor.Float] struct {
	c   core[T]
	cfg SGDConfig
}

// NewSGD returns an SGD optimizer over params. It panics, with an error
// wrapping ErrConfig, when the configuration is invalid (no learning rate,
// a negative field, Nesterov without momentum or with dampening).
func NewSGD[T tensor.Float](params []*autograd.Var[T], cfg SGDConfig) *SGD[T] {
	const op = "NewSGD"
	if cfg.LR == 0 {
		panic(configErrorf(op, "LR is required (SGD has no default learning rate)"))
	}
	cfg.LR = resolve(op, "LR", cfg.LR, 0)
	cfg.Momentum = resolve(op, "Momentum", cfg.Momentum, 0)
	cfg.Dampening = resolve(op, "Dampening", cfg.Dampening, 0)
	cfg.WeightDecay = resolve(op, "WeightDecay", cfg.WeightDecay, 0)
	if cfg.Nesterov && (cfg.Momentum <= 0 || cfg.Dampening != 0) {
		panic(configErrorf(op, "Nesterov momentum requires a momentum and zero dampening"))
	}
	var bufs []string
	if cfg.Momentum != 0 {
		bufs = []string{"momentum_buffer"}
	}
	return &SGD[T]{c: newCore("SGD", params, cfg.LR, false, false, 0, bufs...), cfg: cfg}
}

// Config returns the configuration in use, defaults filled in; its LR is
// the initial learning rate.
func (o *SGD[T]) Config() SGDConfig { return o.cfg }

// Step updates every parameter that has a gradient.
func (o *SGD[T]) Step() {
	lr, wd := T(o.c.lr), T(o.cfg.WeightDecay)
	mu, damp := T(o.cfg.Momentum), T(1-o.cfg.Dampening)
	maximize, nesterov := o.cfg.Maximize, o.cfg.Nesterov
	o.c.update(func(p, g []T, s *slot[T], fresh bool) {
		g = g[:len(p)]
		if mu == 0 {
			for k, gk := range g {
				if maximize {
					gk = -gk
				}
				if wd != 0 {
					gk += wd * p[k]
				}
				p[k] += -lr * gk
			}
			return
		}
		b := s.buf[0][:len(p)]
		for k, gk := range g {
			if maximize {
				gk = -gk
			}
			if wd != 0 {
				gk += wd * p[k]
			}
			if fresh {
				b[k] = gk
			} else {
				b[k] = b[k]*mu + damp*gk
			}
			if nesterov {
				gk += mu * b[k]
			} else {
				gk = b[k]
			}
			p[k] += -lr * gk
		}
	})
}
