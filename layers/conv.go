package layers

import (
	"fmt"
	"math/rand/v2"

	"github.com/nabla-go/nabla/autograd"
	"github.com/nabla-go/nabla/tensor"
)

// Conv2D is a 2-D convolution layer, PyTorch's nn.Conv2d: it maps an input
// [N, in, H, W] to [N, out, oH, oW] by cross-correlating it with out filters
// and adding a per-channel bias. Its parameters have PyTorch's names and
// layouts, so state dicts line up.
type Conv2D[T tensor.Float] struct {
	// Weight holds the filters, [out, in/groups, kH, kW].
	Weight *autograd.Var[T]
	// Bias is the [out] bias, or nil for a layer without one.
	Bias *autograd.Var[T]
	// Options are the stride, padding, dilation and groups.
	Options autograd.Conv2DOptions
}

// NewConv2D returns a Conv2D layer from in to out channels with a kernel of
// kernel[0] x kernel[1], configured by conv (stride, padding, dilation,
// groups; the zero value is PyTorch's default), its parameters drawn from
// rng. By default they are initialised as PyTorch's nn.Conv2d: weight and
// bias from U(-1/sqrt(fanIn), 1/sqrt(fanIn)) with
// fanIn = in/groups*kH*kW (kaiming-uniform with a = sqrt(5)). WithoutBias,
// WithInit and WithBiasInit change that. It panics when the groups do not
// divide both channel counts.
func NewConv2D[T tensor.Float](in, out int, kernel [2]int, conv autograd.Conv2DOptions, rng *rand.Rand, opts ...Option) *Conv2D[T] {
	groups := max(conv.Groups, 1)
	if in < 1 || out < 1 || kernel[0] < 1 || kernel[1] < 1 || in%groups != 0 || out%groups != 0 {
		panic(fmt.Sprintf("layers.NewConv2D: %d input and %d output channels, kernel %v and %d groups do not fit", in, out, kernel, groups))
	}
	fanIn := in / groups * kernel[0] * kernel[1]
	c := configure(fanIn, opts)
	l := &Conv2D[T]{
		Weight:  autograd.Param(NewWeight[T](rng, c.weightInit, out, in/groups, kernel[0], kernel[1])),
		Options: conv,
	}
	if !c.noBias {
		l.Bias = autograd.Param(NewWeight[T](rng, c.biasInit, out))
	}
	return l
}

// Forward convolves x [N, in, H, W], giving [N, out, oH, oW]. The bias is
// added by the convolution itself, as it writes its output.
func (l *Conv2D[T]) Forward(x *autograd.Var[T]) *autograd.Var[T] {
	return autograd.Conv2D(x, l.Weight, l.Bias, l.Options)
}

// forwardReLU is ReLU(l.Forward(x)) as one fused op (Sequential's).
func (l *Conv2D[T]) forwardReLU(x *autograd.Var[T]) *autograd.Var[T] {
	return autograd.Conv2DReLU(x, l.Weight, l.Bias, l.Options)
}

// NamedParameters returns "weight" and, when present, "bias".
func (l *Conv2D[T]) NamedParameters() []Named[T] {
	ps := []Named[T]{{Name: "weight", Var: l.Weight}}
	if l.Bias != nil {
		ps = append(ps, Named[T]{Name: "bias", Var: l.Bias})
	}
	return ps
}

// SetTraining does nothing: Conv2D behaves alike in training and
// evaluation.
func (l *Conv2D[T]) SetTraining(bool) {}
