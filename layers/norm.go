package layers

import (
	"fmt"

	"github.com/nabla-go/nabla/autograd"
	"github.com/nabla-go/nabla/tensor"
)

// Batch and layer normalisation. PyTorch's defaults: eps 1e-5, batch norm
// momentum 0.1, affine weight 1 and bias 0.

// DefaultNormEps is the eps that PyTorch's BatchNorm and LayerNorm add to
// the variance.
const DefaultNormEps = 1e-5

// DefaultBatchNormMomentum is PyTorch's batch norm momentum: the weight of
// the new batch in the running statistics.
const DefaultBatchNormMomentum = 0.1

// BatchNorm1D normalises each channel of an input [N, C] or [N, C, L] over
// the batch (and length), PyTorch's nn.BatchNorm1d. In training it uses the
// batch's mean and biased variance and updates the running mean, the running
// unbiased variance and the batch count; in evaluation it uses the running
// statistics. Weight and Bias apply a per-channel affine map.
type BatchNorm1D[T tensor.Float] struct {
	// Weight and Bias, [C], are the affine map (nil for none).
	Weight, Bias *autograd.Var[T]
	// RunningMean and RunningVar, [C], are updated in place in training.
	RunningMean, RunningVar *tensor.Dense[T]
	// NumBatchesTracked counts the training batches seen (a scalar).
	NumBatchesTracked *tensor.Dense[T]
	// Momentum weighs the new batch in the running statistics.
	Momentum T
	// Eps is added to the variance.
	Eps      T
	training bool
}

// NewBatchNorm1D returns a BatchNorm1D layer over c channels, in training
// mode, initialised as PyTorch's: weight 1, bias 0, running mean 0, running
// variance 1, momentum 0.1, eps 1e-5.
func NewBatchNorm1D[T tensor.Float](c int) *BatchNorm1D[T] {
	b := &BatchNorm1D[T]{Momentum: DefaultBatchNormMomentum, Eps: DefaultNormEps, training: true}
	b.Weight, b.Bias, b.RunningMean, b.RunningVar, b.NumBatchesTracked = newBatchNormState[T](c)
	return b
}

// Forward normalises x [N, C] or [N, C, L].
func (b *BatchNorm1D[T]) Forward(x *autograd.Var[T]) *autograd.Var[T] {
	if d := len(x.Shape()); d != 2 && d != 3 {
		panic(tensor.ShapeErrorf("BatchNorm1D", "want an input [N C] or [N C L], got shape %v", x.Shape()))
	}
	return batchNorm(x, b.Weight, b.Bias, b.RunningMean, b.RunningVar, b.NumBatchesTracked, b.training, b.Momentum, b.Eps)
}

// NamedParameters returns "weight" and "bias" when present.
func (b *BatchNorm1D[T]) NamedParameters() []Named[T] { return affineParams(b.Weight, b.Bias) }

// NamedBuffers returns "running_mean", "running_var" and
// "num_batches_tracked", as PyTorch's state dict names them.
func (b *BatchNorm1D[T]) NamedBuffers() []NamedBuffer[T] {
	return batchNormBuffers(b.RunningMean, b.RunningVar, b.NumBatchesTracked)
}

// SetTraining switches between batch statistics (training) and running
// statistics (evaluation).
func (b *BatchNorm1D[T]) SetTraining(training bool) { b.training = training }

// BatchNorm2D normalises each channel of an input [N, C, H, W] over the
// batch and the image, PyTorch's nn.BatchNorm2d. In training it uses the
// batch's mean and biased variance and updates the running mean, the running
// unbiased variance and the batch count; in evaluation it uses the running
// statistics. Weight and Bias apply a per-channel affine map.
type BatchNorm2D[T tensor.Float] struct {
	// Weight and Bias, [C], are the affine map (nil for none).
	Weight, Bias *autograd.Var[T]
	// RunningMean and RunningVar, [C], are updated in place in training.
	RunningMean, RunningVar *tensor.Dense[T]
	// NumBatchesTracked counts the training batches seen (a scalar).
	NumBatchesTracked *tensor.Dense[T]
	// Momentum weighs the new batch in the running statistics.
	Momentum T
	// Eps is added to the variance.
	Eps      T
	training bool
}

// NewBatchNorm2D returns a BatchNorm2D layer over c channels, in training
// mode, initialised as PyTorch's: weight 1, bias 0, running mean 0, running
// variance 1, momentum 0.1, eps 1e-5.
func NewBatchNorm2D[T tensor.Float](c int) *BatchNorm2D[T] {
	b := &BatchNorm2D[T]{Momentum: DefaultBatchNormMomentum, Eps: DefaultNormEps, training: true}
	b.Weight, b.Bias, b.RunningMean, b.RunningVar, b.NumBatchesTracked = newBatchNormState[T](c)
	return b
}

// Forward normalises x [N, C, H, W].
func (b *BatchNorm2D[T]) Forward(x *autograd.Var[T]) *autograd.Var[T] {
	if len(x.Shape()) != 4 {
		panic(tensor.ShapeErrorf("BatchNorm2D", "want an input [N C H W], got shape %v", x.Shape()))
	}
	return batchNorm(x, b.Weight, b.Bias, b.RunningMean, b.RunningVar, b.NumBatchesTracked, b.training, b.Momentum, b.Eps)
}

// NamedParameters returns "weight" and "bias" when present.
func (b *BatchNorm2D[T]) NamedParameters() []Named[T] { return affineParams(b.Weight, b.Bias) }

// NamedBuffers returns "running_mean", "running_var" and
// "num_batches_tracked", as PyTorch's state dict names them.
func (b *BatchNorm2D[T]) NamedBuffers() []NamedBuffer[T] {
	return batchNormBuffers(b.RunningMean, b.RunningVar, b.NumBatchesTracked)
}

// SetTraining switches between batch statistics (training) and running
// statistics (evaluation).
func (b *BatchNorm2D[T]) SetTraining(training bool) { b.training = training }

func newBatchNormState[T tensor.Float](c int) (w, b *autograd.Var[T], mean, variance, count *tensor.Dense[T]) {
	if c < 1 {
		panic(fmt.Sprintf("layers: batch norm over %d channels", c))
	}
	return autograd.Param(tensor.Ones[T](c)), autograd.Param(tensor.Zeros[T](c)),
		tensor.Zeros[T](c), tensor.Ones[T](c), tensor.Scalar[T](0)
}

func batchNorm[T tensor.Float](x, w, b *autograd.Var[T], mean, variance, count *tensor.Dense[T], training bool, momentum, eps T) *autograd.Var[T] {
	if training && count != nil {
		count.Set(count.Item() + 1)
	}
	return autograd.BatchNorm(x, w, b, autograd.BatchNormOptions[T]{
		RunningMean: mean, RunningVar: variance, Training: training, Momentum: momentum, Eps: eps,
	})
}

func affineParams[T tensor.Float](w, b *autograd.Var[T]) []Named[T] {
	var ps []Named[T]
	if w != nil {
		ps = append(ps, Named[T]{Name: "weight", Var: w})
	}
	if b != nil {
		ps = append(ps, Named[T]{Name: "bias", Var: b})
	}
	return ps
}

func batchNormBuffers[T tensor.Float](mean, variance, count *tensor.Dense[T]) []NamedBuffer[T] {
	return []NamedBuffer[T]{
		{Name: "running_mean", Tensor: mean},
		{Name: "running_var", Tensor: variance},
		{Name: "num_batches_tracked", Tensor: count},
	}
}

// LayerNorm normalises each sample over its last dimensions (the normalised
// shape) with the biased variance and applies an elementwise affine map,
// PyTorch's nn.LayerNorm. It behaves alike in training and evaluation.
type LayerNorm[T tensor.Float] struct {
	// Weight and Bias have the normalised shape (nil for none).
	Weight, Bias *autograd.Var[T]
	// Shape is the normalised shape: the trailing dimensions of the input.
	Shape []int
	// Eps is added to the variance.
	Eps T
}

// NewLayerNorm returns a LayerNorm over the trailing dimensions
// normalizedShape, initialised as PyTorch's: weight 1, bias 0, eps 1e-5.
func NewLayerNorm[T tensor.Float](normalizedShape ...int) *LayerNorm[T] {
	if len(normalizedShape) == 0 {
		panic("layers.NewLayerNorm: empty normalised shape")
	}
	shape := append([]int{}, normalizedShape...)
	return &LayerNorm[T]{
		Weight: autograd.Param(tensor.Ones[T](shape...)),
		Bias:   autograd.Param(tensor.Zeros[T](shape...)),
		Shape:  shape,
		Eps:    DefaultNormEps,
	}
}

// Forward normalises x [..., Shape...].
func (l *LayerNorm[T]) Forward(x *autograd.Var[T]) *autograd.Var[T] {
	s := x.Shape()
	if len(s) < len(l.Shape) || !tensor.SameShape(s[len(s)-len(l.Shape):], l.Shape) {
		panic(tensor.ShapeErrorf("LayerNorm", "input of shape %v does not end in the normalised shape %v", s, l.Shape))
	}
	return autograd.LayerNorm(x, l.Weight, l.Bias, len(l.Shape), l.Eps)
}

// NamedParameters returns "weight" and "bias" when present.
func (l *LayerNorm[T]) NamedParameters() []Named[T] { return affineParams(l.Weight, l.Bias) }

// SetTraining does nothing: LayerNorm behaves alike in both modes.
func (l *LayerNorm[T]) SetTraining(bool) {}
