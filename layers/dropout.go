package layers

import (
	"fmt"
	"math/rand/v2"

	"github.com/nabla-go/nabla/autograd"
	"github.com/nabla-go/nabla/tensor"
)

// Dropout zeroes each element with probability P during training and scales
// the survivors by 1/(1-P) (inverted dropout, as PyTorch's nn.Dropout), so
// that evaluation, where it is the identity, needs no rescaling. The masks
// are drawn from the layer's own *rand.Rand, so a seed fixes them.
type Dropout[T tensor.Float] struct {
	// P is the probability of zeroing an element, in [0, 1].
	P        float64
	rng      *rand.Rand
	training bool
}

// NewDropout returns a Dropout layer, in training mode, that zeroes elements
// with probability p and draws its masks from rng. It panics unless
// 0 <= p <= 1.
func NewDropout[T tensor.Float](p float64, rng *rand.Rand) *Dropout[T] {
	if !(p >= 0 && p <= 1) {
		panic(fmt.Sprintf("layers.NewDropout: probability %v is outside [0, 1]", p))
	}
	return &Dropout[T]{P: p, rng: rng, training: true}
}

// Forward multiplies x by a fresh random mask of 0 and 1/(1-P) in training
// mode (all zeros when P is 1) and returns x unchanged in evaluation mode.
func (d *Dropout[T]) Forward(x *autograd.Var[T]) *autograd.Var[T] {
	if !d.training || d.P == 0 {
		return x
	}
	mask := tensor.Zeros[T](x.Shape()...)
	if d.P < 1 {
		keep := T(1 / (1 - d.P))
		m := mask.Data()
		for i := range m {
			if d.rng.Float64() >= d.P {
				m[i] = keep
			}
		}
	}
	return autograd.Mul(x, autograd.Const(mask))
}

// NamedParameters returns nil: Dropout has no parameters.
func (d *Dropout[T]) NamedParameters() []Named[T] { return nil }

// SetTraining switches masking on (training) or off (evaluation).
func (d *Dropout[T]) SetTraining(training bool) { d.training = training }

// Training reports whether the layer is in training mode.
func (d *Dropout[T]) Training() bool { return d.training }
