package autograd

import (
	"github.com/nabla-go/nabla/tensor"
)

// BatchNormOptions configures BatchNorm, following PyTorch's
// F.batch_norm.
type BatchNormOptions[T tensor.Float] struct {
	// RunningMean and RunningVar, of shape [C], hold the running
	// statistics. In training they are updated in place (when not nil);
	// in evaluation they normalise the input and must be set.
	RunningMean, RunningVar *tensor.Dense[T]
	// Training normalises with the batch's statistics (and updates the
	// running ones); otherwise the running statistics are used.
	Training bool
	// Momentum weighs the new batch in the running update:
	// running = (1-Momentum)*running + Momentum*batch. Zero means 0.1.
	Momentum T
	// Eps is added to the variance before the square root. Zero means 1e-5.
	Eps T
}

// BatchNorm normalises x [N, C, ...] per channel (axis 1) and applies the
// optional per-channel affine map weight*x̂ + bias (weight and bias [C] may
// be nil). In training it uses the batch mean and biased variance over all
// axes but the channel's, and moves the running mean and the running
// unbiased variance towards them, exactly as PyTorch does. It is composed of
// differentiable ops, so second derivatives work.
func BatchNorm[T tensor.Float](x, weight, bias *Var[T], opts BatchNormOptions[T]) *Var[T] {
	s := x.Shape()
	if len(s) < 2 {
		panic(tensor.ShapeErrorf("BatchNorm", "want an input [N C ...], got shape %v", s))
	}
	ch := s[1]
	bshape := make([]int, len(s)) // [1, C, 1, ...]
	for i := range bshape {
		bshape[i] = 1
	}
	bshape[1] = ch
	axes := []int{0}
	for i := 2; i < len(s); i++ {
		axes = append(axes, i)
	}
	eps, momentum := opts.Eps, opts.Momentum
	if eps == 0 {
		eps = 1e-5
	}
	if momentum == 0 {
		momentum = 0.1
	}
	for _, t := range []*tensor.Dense[T]{opts.RunningMean, opts.RunningVar} {
		if t != nil && !tensor.SameShape(t.Shape(), []int{ch}) {
			panic(tensor.ShapeErrorf("BatchNorm", "running statistics of shape %v for %d channels", t.Shape(), ch))
		}
	}
	var centred, variance *Var[T]
	if opts.Training {
		count := x.value.Size() / ch
		if count < 2 {
			panic(tensor.ShapeErrorf("BatchNorm", "expected more than 1 value per channel when training, got input shape %v", s))
		}
		mean := Reshape(Mean(x, axes...), bshape...)
		centred = Sub(x, mean)
		variance = Reshape(Mean(Mul(centred, centred), axes...), bshape...)
		if opts.RunningMean != nil {
			updateRunning(opts.RunningMean, mean.value, momentum, 1)
		}
		if opts.RunningVar != nil {
			updateRunning(opts.RunningVar, variance.value, momentum, T(count)/T(count-1))
		}
	} else {
		if opts.RunningMean == nil || opts.RunningVar == nil {
			panic(tensor.ShapeErrorf("BatchNorm", "evaluation needs the running statistics"))
		}
		centred = Sub(x, Const(opts.RunningMean.Reshape(bshape...)))
		variance = Const(opts.RunningVar.Reshape(bshape...))
	}
	y := Div(centred, Sqrt(AddScalar(variance, eps)))
	if weight != nil {
		y = Mul(y, Reshape(weight, bshape...))
	}
	if bias != nil {
		y = Add(y, Reshape(bias, bshape...))
	}
	return y
}

// updateRunning sets running = (1-momentum)*running + momentum*scale*batch
// in place, so that views of running (a state dict) see the update.
func updateRunning[T tensor.Float](running, batch *tensor.Dense[T], momentum, scale T) {
	b := batch.Data()
	r := running.Data()
	next := make([]T, len(r))
	for i := range r {
		next[i] = (1-momentum)*r[i] + momentum*scale*b[i]
	}
	running.CopyFrom(tensor.New(next, running.Shape()...))
}

// LayerNorm normalises x over its last ndims dimensions (PyTorch's
// normalized_shape) with the biased variance, then applies the optional
// elementwise affine map weight*x̂ + bias, where weight and bias have the
// shape of those dimensions (either may be nil). eps is added to the
// variance; PyTorch's default is 1e-5.
func LayerNorm[T tensor.Float](x, weight, bias *Var[T], ndims int, eps T) *Var[T] {
	s := x.Shape()
	if ndims < 1 || ndims > len(s) {
		panic(tensor.ShapeErrorf("LayerNorm", "cannot normalise the last %d dimensions of shape %v", ndims, s))
	}
	norm := s[len(s)-ndims:]
	for _, p := range []*Var[T]{weight, bias} {
		if p != nil && !tensor.SameShape(p.Shape(), norm) {
			panic(tensor.ShapeErrorf("LayerNorm", "affine parameter of shape %v for normalised shape %v", p.Shape(), norm))
		}
	}
	axes := make([]int, ndims)
	keep := append([]int{}, s...)
	for i := range axes {
		axes[i] = len(s) - ndims + i
		keep[axes[i]] = 1
	}
	mean := Reshape(Mean(x, axes...), keep...)
	centred := Sub(x, mean)
	variance := Reshape(Mean(Mul(centred, centred), axes...), keep...)
	y := Div(centred, Sqrt(AddScalar(variance, eps)))
	if weight != nil {
		y = Mul(y, weight)
	}
	if bias != nil {
		y = Add(y, bias)
	}
	return y
}
