package optim

import (
	"github.com/nabla-go/nabla/autograd"
	"github.com/nabla-go/nabla/tensor"
)

// RMSPropConfig configures RMSProp. Zero fields take PyTorch's defaults;
// use Zero for an actual 0 where the default is not 0.
type RMSPropConfig struct {
	LR          float64 // learning rate γ; default 1e-2
	Alpha       float64 // smoothing constant α; default 0.99
	Eps         float64 // ε added to the denominator; default 1e-8
	WeightDecay float64 // L2 penalty λ added to the gradient; default 0
	Momentum    float64 // momentum factor μ; default 0 (none)
	Centered    bool    // divide by the estimated variance instead of the second moment
	Maximize    bool    // ascend the objective instead of descending it
}

// RMSProp is the RMSProp optimizer, as torch.optim.RMSprop. For each
// parameter θ with gradient g:
//
//	g ← g + λθ                          (when λ ≠ 0)
//	v ← αv + (1−α)g²
//	ḡ ← αḡ + (1−α)g; d ← √(v − ḡ²) + ε   (centered)
//	d ← √v + ε                          (otherwise)
//	b ← μb + g/d; θ ← θ − γb            (when μ > 0)
//	θ ← θ − γg/d                        (otherwise)
//
// Its state is "<i>.step", "<i>.square_avg" (v), "<i>.momentum_buffer" (b)
// when μ > 0 and "<i>.grad_avg" (ḡ) when centered.
type RMSProp[T tensor.Float] struct {
	c   core[T]
	cfg RMSPropConfig
}

// NewRMSProp returns an RMSProp optimizer over params. It panics, with an
// error wrapping ErrConfig, when a field is out of range.
func NewRMSProp[T tensor.Float](params []*autograd.Var[T], cfg RMSPropConfig) *RMSProp[T] {
	const op = "NewRMSProp"
	cfg.LR = resolve(op, "LR", cfg.LR, 1e-2)
	cfg.Alpha = resolve(op, "Alpha", cfg.Alpha, 0.99)
	cfg.Eps = resolve(op, "Eps", cfg.Eps, 1e-8)
	cfg.WeightDecay = resolve(op, "WeightDecay", cfg.WeightDecay, 0)
	cfg.Momentum = resolve(op, "Momentum", cfg.Momentum, 0)
	bufs := []string{"square_avg"}
	if cfg.Momentum > 0 {
		bufs = append(bufs, "momentum_buffer")
	}
	if cfg.Centered {
		bufs = append(bufs, "grad_avg")
	}
	return &RMSProp[T]{c: newCore("RMSProp", params, cfg.LR, true, false, 0, bufs...), cfg: cfg}
}

// Config returns the configuration in use, defaults filled in; its LR is
// the initial learning rate.
func (o *RMSProp[T]) Config() RMSPropConfig { return o.cfg }

// Step updates every parameter that has a gradient.
func (o *RMSProp[T]) Step() {
	lr, wd, eps := T(o.c.lr), T(o.cfg.WeightDecay), T(o.cfg.Eps)
	alpha, oma := T(o.cfg.Alpha), T(1-o.cfg.Alpha)
	mu := T(o.cfg.Momentum)
	maximize, centered := o.cfg.Maximize, o.cfg.Centered
	o.c.update(func(p, g []T, s *slot[T], _ bool) {
		s.step++
		n := len(p)
		g = g[:n]
		sq := s.buf[0][:n]
		var b, ga []T
		next := 1
		if mu > 0 {
			b = s.buf[next][:n]
			next++
		}
		if centered {
			ga = s.buf[next][:n]
		}
		for k, gk := range g {
			if maximize {
				gk = -gk
			}
			if wd != 0 {
				gk += wd * p[k]
			}
			sq[k] = sq[k]*alpha + oma*gk*gk
			var d T
			if centered {
				ga[k] = ga[k]*alpha + oma*gk
				d = sqrt(sq[k]-ga[k]*ga[k]) + eps
			} else {
				d = sqrt(sq[k]) + eps
			}
			if mu > 0 {
				b[k] = b[k]*mu + gk/d
				p[k] += -lr * b[k]
			} else {
				p[k] += -lr * (gk / d)
			}
		}
	})
}
