package layers

import (
	"github.com/nabla-go/nabla/autograd"
	"github.com/nabla-go/nabla/tensor"
)

// MaxPool2D takes the maximum over sliding windows of an input
// [N, C, H, W], PyTorch's nn.MaxPool2d (with ceil_mode=False).
type MaxPool2D[T tensor.Float] struct {
	// Options are the kernel, stride (zero: the kernel size), padding and
	// dilation.
	Options autograd.Pool2DOptions
}

// NewMaxPool2D returns a MaxPool2D layer; NewMaxPool2D[float32](
// autograd.Pool2DOptions{Kernel: [2]int{2, 2}}) halves the height and width.
func NewMaxPool2D[T tensor.Float](opts autograd.Pool2DOptions) *MaxPool2D[T] {
	return &MaxPool2D[T]{Options: opts}
}

// Forward pools x [N, C, H, W] to [N, C, oH, oW].
func (p *MaxPool2D[T]) Forward(x *autograd.Var[T]) *autograd.Var[T] {
	return autograd.MaxPool2D(x, p.Options)
}

// NamedParameters returns nil: pooling has no parameters.
func (p *MaxPool2D[T]) NamedParameters() []Named[T] { return nil }

// SetTraining does nothing: pooling behaves alike in both modes.
func (p *MaxPool2D[T]) SetTraining(bool) {}

// AvgPool2D averages sliding windows of an input [N, C, H, W], PyTorch's
// nn.AvgPool2d (with ceil_mode=False). The padding counts as zeros in the
// average unless Options.ExcludePad is set (count_include_pad=False).
type AvgPool2D[T tensor.Float] struct {
	// Options are the kernel, stride (zero: the kernel size), padding and
	// whether the padding is left out of the average.
	Options autograd.Pool2DOptions
}

// NewAvgPool2D returns an AvgPool2D layer.
func NewAvgPool2D[T tensor.Float](opts autograd.Pool2DOptions) *AvgPool2D[T] {
	return &AvgPool2D[T]{Options: opts}
}

// Forward pools x [N, C, H, W] to [N, C, oH, oW].
func (p *AvgPool2D[T]) Forward(x *autograd.Var[T]) *autograd.Var[T] {
	return autograd.AvgPool2D(x, p.Options)
}

// NamedParameters returns nil: pooling has no parameters.
func (p *AvgPool2D[T]) NamedParameters() []Named[T] { return nil }

// SetTraining does nothing: pooling behaves alike in both modes.
func (p *AvgPool2D[T]) SetTraining(bool) {}

// AdaptiveAvgPool2D averages an input [N, C, H, W] down to a fixed output
// size whatever H and W are, PyTorch's nn.AdaptiveAvgPool2d. With a 1x1
// output it is global average pooling, the usual bridge from convolutional
// features to a classifier.
type AdaptiveAvgPool2D[T tensor.Float] struct {
	// Size is the output (height, width).
	Size [2]int
}

// NewAdaptiveAvgPool2D returns an AdaptiveAvgPool2D layer with an oh x ow
// output; NewAdaptiveAvgPool2D[float32](1, 1) pools globally.
func NewAdaptiveAvgPool2D[T tensor.Float](oh, ow int) *AdaptiveAvgPool2D[T] {
	return &AdaptiveAvgPool2D[T]{Size: [2]int{oh, ow}}
}

// Forward pools x [N, C, H, W] to [N, C, Size[0], Size[1]].
func (p *AdaptiveAvgPool2D[T]) Forward(x *autograd.Var[T]) *autograd.Var[T] {
	return autograd.AdaptiveAvgPool2D(x, p.Size[0], p.Size[1])
}

// NamedParameters returns nil: pooling has no parameters.
func (p *AdaptiveAvgPool2D[T]) NamedParameters() []Named[T] { return nil }

// SetTraining does nothing: pooling behaves alike in both modes.
func (p *AdaptiveAvgPool2D[T]) SetTraining(bool) {}
