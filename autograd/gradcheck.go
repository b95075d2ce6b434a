package autograd

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/nabla-go/nabla/tensor"
)

// GradCheckOptions sets the tolerances of GradCheck and GradGradCheck. Zero
// fields take torch.autograd.gradcheck's defaults.
type GradCheckOptions struct {
	Eps  float64 // central-difference step; default 1e-6
	Atol float64 // absolute tolerance; default 1e-5
	Rtol float64 // relative tolerance; default 1e-3
	// Seed chooses the random output gradient used for a non-scalar output
	// (and the random directions of GradGradCheck).
	Seed uint64
}

func (o GradCheckOptions) withDefaults() GradCheckOptions {
	if o.Eps == 0 {
		o.Eps = 1e-6
	}
	if o.Atol == 0 {
		o.Atol = 1e-5
	}
	if o.Rtol == 0 {
		o.Rtol = 1e-3
	}
	return o
}

// GradCheckError describes the first element whose analytical gradient
// disagrees with the numerical one.
type GradCheckError struct {
	Input      int   // which input
	Index      []int // the element's coordinates in that input
	Analytical float64
	Numerical  float64
	Order      int // 1 for GradCheck, 2 for GradGradCheck
}

// Error says what went wrong and where.
func (e *GradCheckError) Error() string {
	kind := "gradient"
	if e.Order == 2 {
		kind = "second-order gradient"
	}
	return fmt.Sprintf("autograd: %s of input %d at %v: analytical %.10g, numerical %.10g (difference %.3g)",
		kind, e.Input, e.Index, e.Analytical, e.Numerical, math.Abs(e.Analytical-e.Numerical))
}

// GradCheck compares the gradient that backpropagation computes for f with
// central differences, element by element, over every input. f may return a
// tensor of any shape: it is reduced to a scalar with a fixed random weight
// per output element, so that every column of the Jacobian is exercised. It
// works in float64 only, where central differences are accurate enough to
// judge. It returns nil when every element satisfies
// |analytical - numerical| <= Atol + Rtol*|numerical|, and otherwise a
// *GradCheckError naming the first input and element that do not.
func GradCheck(f func(in []*Var[float64]) *Var[float64], inputs []*tensor.Dense[float64], opts GradCheckOptions) error {
	return gradCheck(f, inputs, opts, 1)
}

func gradCheck(f func(in []*Var[float64]) *Var[float64], inputs []*tensor.Dense[float64], opts GradCheckOptions, order int) error {
	opts = opts.withDefaults()
	ins := make([]*tensor.Dense[float64], len(inputs))
	for i, t := range inputs {
		ins[i] = t.Clone() // perturbed in place below; the caller's stay as they are
	}
	var weights *tensor.Dense[float64]
	scalar := func(vs []*Var[float64]) *Var[float64] {
		out := f(vs)
		if weights == nil {
			rng := rand.New(rand.NewPCG(opts.Seed, 0x5eed))
			weights = tensor.RandUniform[float64](rng, 0.5, 1.5, out.Shape()...)
		}
		return Sum(Mul(out, Const(weights)))
	}
	params := make([]*Var[float64], len(ins))
	for i, t := range ins {
		params[i] = Param(t)
	}
	analytical := Grad([]*Var[float64]{scalar(params)}, params, GradOptions[float64]{})

	eval := func() float64 {
		vs := make([]*Var[float64], len(ins))
		for i, t := range ins {
			vs[i] = Const(t)
		}
		return scalar(vs).Item()
	}
	for i, t := range ins {
		data := t.Storage()
		ga := analytical[i].value.Data()
		shape := t.Shape()
		for j := range data {
			orig := data[j]
			data[j] = orig + opts.Eps
			plus := eval()
			data[j] = orig - opts.Eps
			minus := eval()
			data[j] = orig
			num := (plus - minus) / (2 * opts.Eps)
			if !(math.Abs(ga[j]-num) <= opts.Atol+opts.Rtol*math.Abs(num)) {
				return &GradCheckError{Input: i, Index: unravel(j, shape), Analytical: ga[j], Numerical: num, Order: order}
			}
		}
	}
	return nil
}

// GradGradCheck checks second derivatives: it runs GradCheck on the function
// that maps the inputs to the first-order gradients of f (computed with
// CreateGraph), so the backward of every op's backward is compared with
// central differences too.
func GradGradCheck(f func(in []*Var[float64]) *Var[float64], inputs []*tensor.Dense[float64], opts GradCheckOptions) error {
	var weights *tensor.Dense[float64]
	var dirs []*tensor.Dense[float64]
	rng := rand.New(rand.NewPCG(opts.Seed, 0x9a9))
	firstOrder := func(vs []*Var[float64]) *Var[float64] {
		out := f(vs)
		if weights == nil {
			weights = tensor.RandUniform[float64](rng, 0.5, 1.5, out.Shape()...)
			for _, v := range vs {
				dirs = append(dirs, tensor.RandUniform[float64](rng, -1, 1, v.Shape()...))
			}
		}
		grads := Grad([]*Var[float64]{out}, vs, GradOptions[float64]{OutputGrads: []*tensor.Dense[float64]{weights}, CreateGraph: true})
		total := Scalar[float64](0)
		for i, g := range grads {
			total = Add(total, Sum(Mul(g, Const(dirs[i]))))
		}
		return total
	}
	return gradCheck(func(vs []*Var[float64]) *Var[float64] {
		// The inputs are Params on the analytical pass and Consts on the
		// numerical one, which need leaves to differentiate with respect to.
		leaves := make([]*Var[float64], len(vs))
		for i, v := range vs {
			if v.requiresGrad {
				leaves[i] = v
			} else {
				leaves[i] = Param(v.value)
			}
		}
		return firstOrder(leaves)
	}, inputs, opts, 2)
}

func unravel(j int, shape []int) []int {
	idx := make([]int, len(shape))
	for d := len(shape) - 1; d >= 0; d-- {
		if shape[d] > 0 {
			idx[d] = j % shape[d]
			j /= shape[d]
		}
	}
	return idx
}
