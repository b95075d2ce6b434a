package optim

import (
	"math"

	"github.com/nabla-go/nabla/autograd"
	"github.com/nabla-go/nabla/tensor"
)

// AdamConfig configures Adam. Zero fields take PyTorch's defaults; use Zero
// for an actual 0 where the default is not 0 (Beta1: optim.Zero).
type AdamConfig struct {
	LR          float64 // learning rate γ; default 1e-3
	Beta1       float64 // decay β1 of the first moment; default 0.9
	Beta2       float64 // decay β2 of the second moment; default 0.999
	Eps         float64 // ε added to the denominator; default 1e-8
	WeightDecay float64 // L2 penalty λ added to the gradient; default 0
	AMSGrad     bool    // keep the maximum of the second moments
	Maximize    bool    // ascend the objective instead of descending it
}

// Adam is the Adam optimizer with bias correction, optional AMSGrad and
// L2 weight decay added to the gradient, as torch.optim.Adam. For each
// parameter θ with gradient g, at its step t:
//
//	g ← g + λθ                         (when λ ≠ 0)
//	m ← β1·m + (1−β1)·g
//	v ← β2·v + (1−β2)·g²
//	vmax ← max(vmax, v)                (AMSGrad; then vmax stands for v below)
//	θ ← θ − γ/(1−β1^t) · m / (√v/√(1−β2^t) + ε)
//
// With AMSGrad the maximum is taken of the uncorrected v and the bias
// correction applied after it, as PyTorch 1.13's code does. (Its documented
// pseudo-code takes the maximum of the corrected v̂ instead, which is not
// the same: on the test fixture it moves parameters by 5% within 20 steps.
// The fixtures follow the code, and so does this package.)
//
// Its state is "<i>.step" (t), "<i>.exp_avg" (m), "<i>.exp_avg_sq" (v) and,
// with AMSGrad, "<i>.max_exp_avg_sq" (vmax).
type Adam[T tensor.Float] struct {
	c   core[T]
	cfg AdamConfig
}

// AdamWConfig configures AdamW. Zero fields take PyTorch's defaults; use
// Zero for an actual 0 (WeightDecay: optim.Zero turns the decay off).
type AdamWConfig struct {
	LR          float64 // learning rate γ; default 1e-3
	Beta1       float64 // decay β1 of the first moment; default 0.9
	Beta2       float64 // decay β2 of the second moment; default 0.999
	Eps         float64 // ε added to the denominator; default 1e-8
	WeightDecay float64 // decoupled weight decay λ; default 1e-2
	AMSGrad     bool    // keep the maximum of the second moments
	Maximize    bool    // ascend the objective instead of descending it
}

// AdamW is Adam with decoupled weight decay, as torch.optim.AdamW: the
// parameter shrinks by θ ← θ(1 − γλ) before Adam's update, and λ does not
// enter the moments. Its state has Adam's names.
type AdamW[T tensor.Float] struct {
	c   core[T]
	cfg AdamWConfig
}

// NewAdam returns an Adam optimizer over params:
//
//	opt := optim.NewAdam(params, optim.AdamConfig{LR: 1e-3})
//
// It panics, with an error wrapping ErrConfig, when a field is out of range.
func NewAdam[T tensor.Float](params []*autograd.Var[T], cfg AdamConfig) *Adam[T] {
	w := resolveAdam("NewAdam", AdamWConfig(cfg), 0)
	return &Adam[T]{c: newAdamCore("Adam", params, w), cfg: AdamConfig(w)}
}

// NewAdamW returns an AdamW optimizer over params. It panics, with an
// error wrapping ErrConfig, when a field is out of range.
func NewAdamW[T tensor.Float](params []*autograd.Var[T], cfg AdamWConfig) *AdamW[T] {
	w := resolveAdam("NewAdamW", cfg, 1e-2)
	return &AdamW[T]{c: newAdamCore("AdamW", params, w), cfg: w}
}

func resolveAdam(op string, c AdamWConfig, wd float64) AdamWConfig {
	c.LR = resolve(op, "LR", c.LR, 1e-3)
	c.Beta1 = resolve(op, "Beta1", c.Beta1, 0.9)
	c.Beta2 = resolve(op, "Beta2", c.Beta2, 0.999)
	c.Eps = resolve(op, "Eps", c.Eps, 1e-8)
	c.WeightDecay = resolve(op, "WeightDecay", c.WeightDecay, wd)
	checkBelowOne(op, "Beta1", c.Beta1)
	checkBelowOne(op, "Beta2", c.Beta2)
	return c
}

func newAdamCore[T tensor.Float](kind string, params []*autograd.Var[T], c AdamWConfig) core[T] {
	bufs := []string{"exp_avg", "exp_avg_sq"}
	if c.AMSGrad {
		bufs = append(bufs, "max_exp_avg_sq")
	}
	return newCore(kind, params, c.LR, true, false, 0, bufs...)
}

// Config returns the configuration in use, defaults filled in; its LR is
// the initial learning rate.
func (o *Adam[T]) Config() AdamConfig { return o.cfg }

// Config returns the configuration in use, defaults filled in; its LR is
// the initial learning rate.
func (o *AdamW[T]) Config() AdamWConfig { return o.cfg }

// Step updates every parameter that has a gradient.
func (o *Adam[T]) Step() { adamStep(&o.c, AdamWConfig(o.cfg), false) }

// Step updates every parameter that has a gradient.
func (o *AdamW[T]) Step() { adamStep(&o.c, o.cfg, true) }

// adamStep is the update of Adam (decoupled false: weight decay as L2 in
// the gradient) and AdamW (decoupled true: weight decay on the parameter).
func adamStep[T tensor.Float](c *core[T], cfg AdamWConfig, decoupled bool) {
	b1, b2 := T(cfg.Beta1), T(cfg.Beta2)
	omb1, omb2 := T(1-cfg.Beta1), T(1-cfg.Beta2)
	eps := T(cfg.Eps)
	l2, shrink := T(0), T(1)
	if decoupled {
		shrink = T(1 - c.lr*cfg.WeightDecay)
	} else {
		l2 = T(cfg.WeightDecay)
	}
	maximize, amsgrad := cfg.Maximize, cfg.AMSGrad
	c.update(func(p, g []T, s *slot[T], _ bool) {
		s.step++
		t := float64(s.step)
		stepSize := T(c.lr / (1 - math.Pow(cfg.Beta1, t)))
		bc2 := T(math.Sqrt(1 - math.Pow(cfg.Beta2, t)))
		g = g[:len(p)]
		m, v := s.buf[0][:len(p)], s.buf[1][:len(p)]
		var vmax []T
		if amsgrad {
			vmax = s.buf[2][:len(p)]
		}
		for k, gk := range g {
			if maximize {
				gk = -gk
			}
			if decoupled {
				p[k] *= shrink
			} else if l2 != 0 {
				gk += l2 * p[k]
			}
			m[k] = m[k]*b1 + omb1*gk
			v[k] = v[k]*b2 + omb2*gk*gk
			vk := v[k]
			if amsgrad {
				if !(vmax[k] >= vk) {
					vmax[k] = vk
				}
				vk = vmax[k]
			}
			p[k] += -stepSize * (m[k] / (sqrt(vk)/bc2 + eps))
		}
	})
}
