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
	k   rmspropKernel[T]
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
	k := &o.k
	k.lr, k.wd, k.eps = T(o.c.lr), T(o.cfg.WeightDecay), T(o.cfg.Eps)
	k.alpha, k.oma = T(o.cfg.Alpha), T(1-o.cfg.Alpha)
	k.mu, k.sign = T(o.cfg.Momentum), 1
	if o.cfg.Maximize {
		k.sign = -1
	}
	o.c.update(func(p, g []T, s *slot[T], _ bool) {
		s.step++
		n := len(p)
		k.p, k.g, k.sq = p, g[:n], s.buf[0][:n]
		next := 1
		if k.mu > 0 {
			k.b = s.buf[next][:n]
			next++
		}
		if o.cfg.Centered {
			k.ga = s.buf[next][:n]
		}
		o.c.job.run(k, n)
		k.p, k.g, k.sq, k.b, k.ga = nil, nil, nil, nil, nil
	})
}

// rmspropKernel is RMSProp's element loop over one parameter: one loop
// for the default configuration and one for the others.
type rmspropKernel[T tensor.Float] struct {
	p, g, sq   []T
	b, ga      []T // momentum buffer and mean gradient, nil when not kept
	lr, wd     T   // γ, λ
	alpha, oma T   // α, 1−α
	mu, eps    T
	sign       T // −1 when maximizing, else 1
}

func (k *rmspropKernel[T]) run(lo, hi int) {
	if k.b == nil && k.ga == nil && k.wd == 0 {
		k.plain(lo, hi)
	} else {
		k.general(lo, hi)
	}
}

// plain is RMSProp without weight decay, momentum or centring. Negating g
// negates g/d and leaves g² alone, so maximizing only flips the step's
// sign.
func (k *rmspropKernel[T]) plain(lo, hi int) {
	p := k.p[lo:hi]
	n := len(p)
	g, sq := k.g[lo:hi][:n], k.sq[lo:hi][:n]
	alpha, oma, eps, a := k.alpha, k.oma, k.eps, -k.lr*k.sign
	for i := range p {
		gi := g[i]
		si := sq[i]*alpha + oma*gi*gi
		sq[i] = si
		p[i] += a * (gi / (sqrt(si) + eps))
	}
}

// general handles every configuration.
func (k *rmspropKernel[T]) general(lo, hi int) {
	p := k.p[lo:hi]
	n := len(p)
	g, sq := k.g[lo:hi][:n], k.sq[lo:hi][:n]
	var b, ga []T
	if k.b != nil {
		b = k.b[lo:hi][:n]
	}
	if k.ga != nil {
		ga = k.ga[lo:hi][:n]
	}
	lr, wd, eps, alpha, oma, mu, sign := k.lr, k.wd, k.eps, k.alpha, k.oma, k.mu, k.sign
	for i := range p {
		gi := sign * g[i]
		if wd != 0 {
			gi += wd * p[i]
		}
		sq[i] = sq[i]*alpha + oma*gi*gi
		var d T
		if ga != nil {
			ga[i] = ga[i]*alpha + oma*gi
			d = sqrt(sq[i]-ga[i]*ga[i]) + eps
		} else {
			d = sqrt(sq[i]) + eps
		}
		if b != nil {
			b[i] = b[i]*mu + gi/d
			p[i] += -lr * b[i]
		} else {
			p[i] += -lr * (gi / d)
		}
	}
}
