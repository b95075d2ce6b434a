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
	k   adagradKernel[T]
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
	k := &o.k
	k.wd, k.eps, k.sign = T(o.cfg.WeightDecay), T(o.cfg.Eps), 1
	if o.cfg.Maximize {
		k.sign = -1
	}
	o.c.update(func(p, g []T, s *slot[T], _ bool) {
		s.step++
		k.clr = T(o.c.lr / (1 + float64(s.step-1)*o.cfg.LRDecay))
		n := len(p)
		k.p, k.g, k.sum = p, g[:n], s.buf[0][:n]
		o.c.job.run(k, n)
		k.p, k.g, k.sum = nil, nil, nil
	})
}

// adagradKernel is Adagrad's element loop over one parameter, with the
// learning rate γ̃ of its current step.
type adagradKernel[T tensor.Float] struct {
	p, g, sum []T
	clr, wd   T // γ̃, λ
	eps       T
	sign      T // −1 when maximizing, else 1
}

// run is the loop, the weight decay test taken out of it. Negating g
// negates g/d and leaves g² alone, so without weight decay maximizing
// only flips the step's sign.
func (k *adagradKernel[T]) run(lo, hi int) {
	p := k.p[lo:hi]
	n := len(p)
	g, sum := k.g[lo:hi][:n], k.sum[lo:hi][:n]
	eps := k.eps
	if k.wd == 0 {
		a := -k.clr * k.sign
		for i := range p {
			gi := g[i]
			si := sum[i] + gi*gi
			sum[i] = si
			p[i] += a * (gi / (sqrt(si) + eps))
		}
		return
	}
	a, wd, sign := -k.clr, k.wd, k.sign
	for i := range p {
		gi := sign*g[i] + wd*p[i]
		si := sum[i] + gi*gi
		sum[i] = si
		p[i] += a * (gi / (sqrt(si) + eps))
	}
}
