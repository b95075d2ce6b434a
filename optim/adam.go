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
	k   adamKernel[T]
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
	k   adamKernel[T]
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
func (o *Adam[T]) Step() { adamStep(&o.c, &o.k, AdamWConfig(o.cfg), false) }

// Step updates every parameter that has a gradient.
func (o *AdamW[T]) Step() { adamStep(&o.c, &o.k, o.cfg, true) }

// adamStep is the update of Adam (decoupled false: weight decay as L2 in
// the gradient) and AdamW (decoupled true: weight decay on the parameter).
// The scalars are worked out once per parameter in float64 and the element
// loop, in k, runs in T.
func adamStep[T tensor.Float](c *core[T], k *adamKernel[T], cfg AdamWConfig, decoupled bool) {
	k.b1, k.b2 = T(cfg.Beta1), T(cfg.Beta2)
	// Maximizing negates g. Negation is exact, so it can be folded into
	// the factor that multiplies g in m's update; v only sees g², and the
	// L2 term is added after the negation, as in PyTorch.
	k.sign, k.c1 = 1, T(1-cfg.Beta1)
	if cfg.Maximize {
		k.sign, k.c1 = -1, -k.c1
	}
	k.omb2 = T(1 - cfg.Beta2)
	k.l2, k.shrink = 0, 1
	if decoupled {
		k.shrink = T(1 - c.lr*cfg.WeightDecay)
	} else {
		k.l2 = T(cfg.WeightDecay)
	}
	amsgrad := cfg.AMSGrad
	c.update(func(p, g []T, s *slot[T], _ bool) {
		s.step++
		t := float64(s.step)
		// γ/(1−β1^t) · m/(√v/√(1−β2^t) + ε) is, in exact arithmetic,
		// γ√(1−β2^t)/(1−β1^t) · m/(√v + ε√(1−β2^t)): one division per
		// element instead of two, the divisions and the square root being
		// what the loop's time goes on. The rounding differs by an ulp or
		// two (float32, 200 steps: 2e-7 relative); the parity tests'
		// errors stay near 1e-15.
		bc2 := math.Sqrt(1 - math.Pow(cfg.Beta2, t))
		k.stepSize = T(c.lr * bc2 / (1 - math.Pow(cfg.Beta1, t)))
		k.eps = T(cfg.Eps * bc2)
		n := len(p)
		k.p, k.g, k.m, k.v = p, g[:n], s.buf[0][:n], s.buf[1][:n]
		if amsgrad {
			k.vmax = s.buf[2][:n]
		}
		c.job.run(k, n)
		k.p, k.g, k.m, k.v, k.vmax = nil, nil, nil, nil, nil
	})
}

// adamKernel is Adam's element loop over one parameter, with the scalars of
// its current step. There is one loop per configuration, so that the loop
// run on every element tests nothing but its bounds.
type adamKernel[T tensor.Float] struct {
	p, g, m, v, vmax []T // vmax is nil without AMSGrad
	b1, b2           T   // β1, β2
	c1, omb2         T   // ±(1−β1), negative when maximizing; 1−β2
	sign             T   // −1 when maximizing, else 1
	l2, shrink       T   // Adam's L2 penalty λ; AdamW's factor 1−γλ
	stepSize, eps    T   // γ√(1−β2^t)/(1−β1^t); ε√(1−β2^t)
}

func (k *adamKernel[T]) run(lo, hi int) {
	switch {
	case k.vmax == nil && k.l2 == 0:
		k.plain(lo, hi)
	case k.vmax == nil:
		k.withL2(lo, hi)
	default:
		k.amsgrad(lo, hi)
	}
}

// plain is the loop without L2 penalty or AMSGrad: Adam's default, and
// every AdamW without AMSGrad (shrink is 1 when AdamW's decay is 0, and
// multiplying by 1 is exact).
func (k *adamKernel[T]) plain(lo, hi int) {
	p := k.p[lo:hi]
	n := len(p)
	g, m, v := k.g[lo:hi][:n], k.m[lo:hi][:n], k.v[lo:hi][:n]
	b1, b2, c1, omb2 := k.b1, k.b2, k.c1, k.omb2
	shrink, stepSize, eps := k.shrink, k.stepSize, k.eps
	if p32, ok := any(p).([]float32); ok {
		done := adamPlainF32(p32, any(g).([]float32), any(m).([]float32), any(v).([]float32),
			float32(b1), float32(b2), float32(c1), float32(omb2), float32(shrink), float32(stepSize), float32(eps))
		p, g, m, v = p[done:], g[done:], m[done:], v[done:]
	}
	n = len(p)
	g, m, v = g[:n], m[:n], v[:n]
	// The conversions round every product and sum to T, as the assembly
	// does: without them the compiler may fuse a multiply and an add
	// (GOAMD64=v3), and the two loops would differ in the last bit.
	for i := range p {
		gi := g[i]
		mi := T(m[i]*b1) + T(c1*gi)
		vi := T(v[i]*b2) + T(omb2*gi*gi)
		m[i], v[i] = mi, vi
		p[i] = T(p[i]*shrink) - T(stepSize*(mi/(sqrt(vi)+eps)))
	}
}

// withL2 is Adam's loop with an L2 penalty and without AMSGrad.
func (k *adamKernel[T]) withL2(lo, hi int) {
	p := k.p[lo:hi]
	n := len(p)
	g, m, v := k.g[lo:hi][:n], k.m[lo:hi][:n], k.v[lo:hi][:n]
	b1, b2, omb1, omb2 := k.b1, k.b2, k.sign*k.c1, k.omb2
	sign, l2, stepSize, eps := k.sign, k.l2, k.stepSize, k.eps
	for i := range p {
		pi := p[i]
		gi := sign*g[i] + l2*pi
		mi := m[i]*b1 + omb1*gi
		vi := v[i]*b2 + omb2*gi*gi
		m[i], v[i] = mi, vi
		p[i] = pi - stepSize*(mi/(sqrt(vi)+eps))
	}
}

// amsgrad is the loop with AMSGrad, which is rare enough to keep the
// L2 test inside.
func (k *adamKernel[T]) amsgrad(lo, hi int) {
	p := k.p[lo:hi]
	n := len(p)
	g, m, v, vmax := k.g[lo:hi][:n], k.m[lo:hi][:n], k.v[lo:hi][:n], k.vmax[lo:hi][:n]
	b1, b2, omb1, omb2 := k.b1, k.b2, k.sign*k.c1, k.omb2
	sign, l2, shrink := k.sign, k.l2, k.shrink
	stepSize, eps := k.stepSize, k.eps
	for i := range p {
		pi := p[i] * shrink
		gi := sign * g[i]
		if l2 != 0 {
			gi += l2 * pi
		}
		mi := m[i]*b1 + omb1*gi
		vi := v[i]*b2 + omb2*gi*gi
		m[i], v[i] = mi, vi
		// !(a >= b) rather than a < b, so that a NaN in v propagates.
		if !(vmax[i] >= vi) {
			vmax[i] = vi
		}
		p[i] = pi - stepSize*(mi/(sqrt(vmax[i])+eps))
	}
}
