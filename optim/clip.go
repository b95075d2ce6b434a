package optim

import (
	"math"

	"github.com/nabla-go/nabla/autograd"
	"github.com/nabla-go/nabla/tensor"
)

// ClipGradNorm rescales the gradients of params in place so that their
// global L2 norm (the norm of all of them as one vector) is at most maxNorm,
// as torch.nn.utils.clip_grad_norm_: every gradient is multiplied by
// maxNorm/(total+1e-6) when that factor is below 1, and left alone
// otherwise. It returns the total norm before clipping. Parameters without a
// gradient are skipped. The norm is accumulated in float64. When it is not
// finite the gradients are left as they are, and the caller can test the
// returned norm and skip the step.
func ClipGradNorm[T tensor.Float](params []*autograd.Var[T], maxNorm float64) (totalNorm float64) {
	if !(maxNorm >= 0) {
		panic(configErrorf("ClipGradNorm", "maxNorm = %v is negative", maxNorm))
	}
	var sum float64
	for _, p := range params {
		if g := p.Grad(); g != nil {
			for _, x := range g.Data() {
				sum += float64(x) * float64(x)
			}
		}
	}
	totalNorm = math.Sqrt(sum)
	coef := maxNorm / (totalNorm + 1e-6)
	if coef < 1 && !math.IsInf(totalNorm, 0) {
		c := T(coef)
		eachGrad(params, func(g []T) {
			for i := range g {
				g[i] *= c
			}
		})
	}
	return totalNorm
}

// ClipGradValue limits every gradient element of params to [−clip, clip] in
// place, as torch.nn.utils.clip_grad_value_. Parameters without a gradient
// are skipped; NaN elements stay NaN.
func ClipGradValue[T tensor.Float](params []*autograd.Var[T], clip float64) {
	if !(clip >= 0) {
		panic(configErrorf("ClipGradValue", "clip = %v is negative", clip))
	}
	hi := T(clip)
	eachGrad(params, func(g []T) {
		for i, x := range g {
			if x > hi {
				g[i] = hi
			} else if x < -hi {
				g[i] = -hi
			}
		}
	})
}

// eachGrad calls f on the elements of every gradient that is not nil, and
// writes them back when the gradient is a view that Data had to copy.
func eachGrad[T tensor.Float](params []*autograd.Var[T], f func(g []T)) {
	for _, p := range params {
		gt := p.Grad()
		if gt == nil {
			continue
		}
		g := gt.Data()
		f(g)
		if !gt.IsContiguous() {
			gt.CopyFrom(tensor.New(g, gt.Shape()...))
		}
	}
}
