package autograd

import (
	"errors"

	"github.com/nabla-go/nabla/tensor"
)

// ErrReleased is inside the panic of a backward pass that reaches a graph
// that Release handed back.
var ErrReleased = errors.New("autograd: the graph was released")

// Release hands the buffers of the graph that computed outputs back to the
// tensor package's pool, where the next forward and backward pass reuse
// them, so that a training step in steady state allocates little instead of
// its whole activation memory. Call it at the end of a step, after
// Backward and after reading what you need of the outputs (loss.Item(),
// the predictions): afterwards the value of every Var that an op computed
// in that graph, outputs included, is gone (reading it panics), and a
// backward pass through the graph panics with ErrReleased; a gradient graph
// made from it with Grad and CreateGraph must be released with it, not
// used after it. Leaves (Params
// and Consts) keep their values, and so does every op result that shares
// storage with a leaf, such as a Reshape of a weight. A tensor taken from
// such a value with Value and still needed must be cloned before Release;
// a view of it (Reshape, Slice, ...) shares the released storage.
//
//	loss := layers.CrossEntropy(model.Forward(autograd.Const(x)), y)
//	opt.ZeroGrad()
//	loss.Backward()
//	opt.Step()
//	total += loss.Item()
//	autograd.Release(loss)
func Release[T tensor.Float](outputs ...*Var[T]) {
	var inner []*Var[T]
	leafStorage := map[uintptr]bool{}
	seen := map[*Var[T]]bool{}
	stack := append([]*Var[T]{}, outputs...)
	for len(stack) > 0 {
		v := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if v == nil || seen[v] {
			continue
		}
		seen[v] = true
		if v.node == nil {
			leafStorage[tensor.StorageID(v.value)] = true
			continue
		}
		if v.node.released {
			continue
		}
		inner = append(inner, v)
		stack = append(stack, v.node.inputs...)
	}
	free := make([]*tensor.Dense[T], 0, len(inner))
	for _, v := range inner {
		if id := tensor.StorageID(v.value); id != 0 && !leafStorage[id] {
			free = append(free, v.value)
		}
		// Scratch is the op's own even when a constant Var wraps it (a
		// convolution's unfolded constant input): no leaf check.
		free = append(free, v.node.scratch...)
		// Drop the inputs and the closure: what they hold (indices, masks,
		// the inputs' Vars) is garbage now.
		for _, idx := range v.node.indices {
			tensor.ReleaseIndices(idx)
		}
		v.node.inputs, v.node.backward, v.node.scratch, v.node.indices, v.node.released = nil, nil, nil, nil, true
	}
	tensor.Release(free...)
}
