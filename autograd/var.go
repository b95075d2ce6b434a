package autograd

import (
	"fmt"
	"sync/atomic"

	"github.com/nabla-go/nabla/tensor"
)

// Var is a node of the computation graph: a tensor value, the gradient that
// Backward accumulates into it, and (for a value computed by an op) the op
// that made it. Ops on Vars record the graph as they compute.
type Var[T tensor.Float] struct {
	value        *tensor.Dense[T]
	grad         *tensor.Dense[T]
	node         *node[T]
	requiresGrad bool
	// ownsGrad is set when the engine made grad (not SetGrad), so that
	// ZeroGrad may hand its storage back for reuse.
	ownsGrad bool
}

// backwardFunc pushes the gradient g of an op's output back to its inputs. It
// is written with the package's differentiable ops, so that it can itself be
// recorded (Grad with CreateGraph). It may return nil for an input whose
// gradient is not needed (c.needs).
type backwardFunc[T tensor.Float] func(c *ctx[T], g *Var[T]) []*Var[T]

type node[T tensor.Float] struct {
	op       string
	inputs   []*Var[T]
	backward backwardFunc[T]
	site     string // where the op was called, recorded in anomaly mode
	released bool   // Release handed the graph's buffers back
	// scratch holds tensors that the op computed for its backward alone
	// (a convolution's unfolded input): Release hands them back with the
	// graph.
	scratch []*tensor.Dense[T]
	indices [][]int // likewise, a max-pool's argmax positions
}

// ctx is what an op's backward sees: its inputs and output (detached when no
// graph of the gradient is wanted) and which inputs need a gradient.
type ctx[T tensor.Float] struct {
	in    []*Var[T]
	out   *Var[T]
	needs []bool
}

// Const wraps a tensor as a graph input that needs no gradient (data, labels).
func Const[T tensor.Float](t *tensor.Dense[T]) *Var[T] { return &Var[T]{value: t} }

// Param wraps a tensor as a leaf that requires a gradient: Backward
// accumulates into its Grad. Model weights are Params.
func Param[T tensor.Float](t *tensor.Dense[T]) *Var[T] {
	return &Var[T]{value: t, requiresGrad: true}
}

// Scalar returns a constant holding one number.
func Scalar[T tensor.Float](v T) *Var[T] { return Const(tensor.Scalar(v)) }

// Value is the tensor that v holds.
func (v *Var[T]) Value() *tensor.Dense[T] { return v.value }

// Grad is the gradient accumulated by Backward, or nil before any.
func (v *Var[T]) Grad() *tensor.Dense[T] { return v.grad }

// SetGrad replaces the accumulated gradient (nil clears it).
func (v *Var[T]) SetGrad(g *tensor.Dense[T]) {
	if g != nil && !tensor.SameShape(g.Shape(), v.value.Shape()) {
		panic(tensor.ShapeErrorf("SetGrad", "gradient shape %v for value shape %v", g.Shape(), v.value.Shape()))
	}
	v.grad = g
	v.ownsGrad = false
}

// ZeroGrad clears the accumulated gradient. A gradient that Backward made
// goes back to the tensor package's buffer pool, where the next Backward
// finds it, so a training loop does not allocate its gradients every step:
// a tensor from Grad is unusable after ZeroGrad (reading it panics); Clone
// it to keep it. A gradient given with SetGrad is only dropped.
func (v *Var[T]) ZeroGrad() {
	if v.ownsGrad {
		tensor.Release(v.grad)
	}
	v.grad, v.ownsGrad = nil, false
}

// RequiresGrad reports whether gradients flow to v: it is a Param or was
// computed from one while recording.
func (v *Var[T]) RequiresGrad() bool { return v.requiresGrad }

// IsLeaf reports whether v was not made by a recorded op.
func (v *Var[T]) IsLeaf() bool { return v.node == nil }

// Op names the op that made v, or "" for a leaf.
func (v *Var[T]) Op() string {
	if v.node == nil {
		return ""
	}
	return v.node.op
}

// Detach returns a constant sharing v's value, cut from the graph.
func (v *Var[T]) Detach() *Var[T] { return &Var[T]{value: v.value} }

// Shape returns the value's dimensions.
func (v *Var[T]) Shape() []int { return v.value.Shape() }

// Item returns the value of a one-element Var.
func (v *Var[T]) Item() T { return v.value.Item() }

// String shows the value and, when recorded, the op that made it.
func (v *Var[T]) String() string {
	if v.node != nil {
		return fmt.Sprintf("Var(%v, op=%s)", v.value, v.node.op)
	}
	return fmt.Sprintf("Var(%v)", v.value)
}

var noGradDepth atomic.Int32

// NoGrad runs f with recording switched off: ops compute values only and
// build no graph (evaluation, optimizer updates). The switch is
// process-wide, so do not train in another goroutine meanwhile.
func NoGrad(f func()) {
	noGradDepth.Add(1)
	defer noGradDepth.Add(-1)
	f()
}

// IsRecording reports whether ops record the graph now (outside NoGrad).
func IsRecording() bool { return noGradDepth.Load() == 0 }

// record wraps an op's result. The op joins the graph when recording is on and
// any input requires a gradient; otherwise the result is a constant.
func record[T tensor.Float](op string, value *tensor.Dense[T], inputs []*Var[T], backward backwardFunc[T]) *Var[T] {
	out := &Var[T]{value: value}
	if !IsRecording() {
		return out
	}
	for _, in := range inputs {
		if in.requiresGrad {
			out.requiresGrad = true
			out.node = &node[T]{op: op, inputs: inputs, backward: backward}
			if anomalyOn() {
				out.node.site = callSite()
				checkFinite(op, "forward", out.node.site, value)
			}
			return out
		}
	}
	return out
}

// withScratch notes tensors that out's op keeps for its backward only, so
// that Release hands them back with the graph; when out records no op they
// are dead already and go back at once.
func withScratch[T tensor.Float](out *Var[T], scratch ...*tensor.Dense[T]) *Var[T] {
	if out.node == nil {
		tensor.Release(scratch...)
		return out
	}
	out.node.scratch = append(out.node.scratch, scratch...)
	return out
}

// withIndices is withScratch for index slices from the tensor package's
// pool (tensor.MaxPool2D's).
func withIndices[T tensor.Float](out *Var[T], idx []int) *Var[T] {
	if out.node == nil {
		tensor.ReleaseIndices(idx)
		return out
	}
	out.node.indices = append(out.node.indices, idx)
	return out
}

// dropTemporary hands back the value of v, a tensor that a backward function
// made for its own use and no returned gradient shares, unless v is part of
// a graph being recorded (Grad with CreateGraph), which needs it later.
func dropTemporary[T tensor.Float](v *Var[T]) {
	if v.node == nil {
		tensor.Release(v.value)
	}
}
