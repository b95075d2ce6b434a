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
	k   sgdKernel[T]
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
	k := &o.k
	k.lr, k.wd = T(o.c.lr), T(o.cfg.WeightDecay)
	k.mu, k.damp = T(o.cfg.Momentum), T(1-o.cfg.Dampening)
	k.sign, k.nesterov = 1, o.cfg.Nesterov
	if o.cfg.Maximize {
		k.sign = -1
	}
	o.c.update(func(p, g []T, s *slot[T], fresh bool) {
		n := len(p)
		k.p, k.g, k.fresh = p, g[:n], fresh
		if k.mu != 0 {
			k.b = s.buf[0][:n]
		}
		o.c.job.run(k, n)
		k.p, k.g, k.b = nil, nil, nil
	})
}

// sgdKernel is SGD's element loop over one parameter. The configurations
// met in practice have a loop of their own; the rest share one that tests
// the options element by element.
type sgdKernel[T tensor.Float] struct {
	p, g, b  []T // b, the momentum buffer, is nil without momentum
	lr, wd   T   // γ, λ
	mu, damp T   // μ, 1−τ
	sign     T   // −1 when maximizing, else 1
	nesterov bool
	fresh    bool // b holds nothing yet: this is its first step
}

func (k *sgdKernel[T]) run(lo, hi int) {
	switch {
	case k.b == nil && k.wd == 0:
		k.plain(lo, hi)
	case k.b != nil && k.wd == 0 && !k.nesterov && !k.fresh:
		k.momentum(lo, hi)
	default:
		k.general(lo, hi)
	}
}

// plain is SGD without momentum or weight decay: θ ← θ − γg, the sign of
// maximizing folded into the factor (negation is exact).
func (k *sgdKernel[T]) plain(lo, hi int) {
	p := k.p[lo:hi]
	g := k.g[lo:hi][:len(p)]
	a := -k.lr * k.sign
	for i := range p {
		p[i] += a * g[i]
	}
}

// momentum is SGD with momentum, without weight decay or Nesterov, after
// the first step.
func (k *sgdKernel[T]) momentum(lo, hi int) {
	p := k.p[lo:hi]
	n := len(p)
	g, b := k.g[lo:hi][:n], k.b[lo:hi][:n]
	mu, c, a := k.mu, k.damp*k.sign, -k.lr
	for i := range p {
		bi := b[i]*mu + c*g[i]
		b[i] = bi
		p[i] += a * bi
	}
}

// general handles every configuration.
func (k *sgdKernel[T]) general(lo, hi int) {
	p := k.p[lo:hi]
	n := len(p)
	g := k.g[lo:hi][:n]
	var b []T
	if k.b != nil {
		b = k.b[lo:hi][:n]
	}
	lr, wd, mu, damp, sign := k.lr, k.wd, k.mu, k.damp, k.sign
	fresh, nesterov := k.fresh, k.nesterov
	for i := range p {
		gi := sign * g[i]
		if wd != 0 {
			gi += wd * p[i]
		}
		if b != nil {
			if fresh {
				b[i] = gi
			} else {
				b[i] = b[i]*mu + damp*gi
			}
			if nesterov {
				gi += mu * b[i]
			} else {
				gi = b[i]
			}
		}
		p[i] += -lr * gi
	}
}
