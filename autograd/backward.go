package autograd

import (
	"fmt"

	"github.com/nabla-go/nabla/tensor"
)

// Backward computes the gradient of v, which must hold a single element,
// with respect to every Param it depends on, and adds it to their Grad (as
// PyTorch does, gradients accumulate across calls until ZeroGrad).
func (v *Var[T]) Backward() {
	if v.value.Size() != 1 {
		panic(tensor.ShapeErrorf("Backward", "output of shape %v is not a scalar: use BackwardWith and pass its gradient", v.value.Shape()))
	}
	v.BackwardWith(tensor.Ones[T](v.value.Shape()...))
}

// BackwardWith is Backward for an output of any shape, given the gradient of
// the final objective with respect to v.
func (v *Var[T]) BackwardWith(grad *tensor.Dense[T]) {
	if !tensor.SameShape(grad.Shape(), v.value.Shape()) {
		panic(tensor.ShapeErrorf("BackwardWith", "gradient shape %v for output shape %v", grad.Shape(), v.value.Shape()))
	}
	if !v.requiresGrad {
		panic(tensor.ShapeErrorf("Backward", "output does not require a gradient: no Param reaches it, or it was computed under NoGrad"))
	}
	order, grads, spent := propagate([]*Var[T]{v}, []*Var[T]{Const(grad)}, false)
	dead := spent
	for u, g := range grads {
		if !u.IsLeaf() || !u.requiresGrad {
			dead = append(dead, g.value)
		}
	}
	// Storage that a forward value, a constant or the caller's seed uses
	// stays untouched; so does storage that two gradients share, which
	// no leaf adopts.
	inUse := map[uintptr]bool{tensor.StorageID(grad): true}
	for _, u := range order {
		inUse[tensor.StorageID(u.value)] = true
		if u.node != nil {
			for _, in := range u.node.inputs {
				inUse[tensor.StorageID(in.value)] = true
			}
		}
	}
	users := make(map[uintptr]int, len(grads))
	for _, g := range grads {
		users[tensor.StorageID(g.value)]++
	}
	for u, g := range grads {
		if !u.IsLeaf() || !u.requiresGrad {
			continue
		}
		id := tensor.StorageID(g.value)
		switch {
		case u.grad == nil && id != 0 && !inUse[id] && users[id] == 1 && g.value.IsContiguous() && g.value.Offset() == 0 && len(g.value.Storage()) == g.value.Size():
			u.grad = g.value // a gradient nothing else holds: adopt it, no copy
		case u.grad == nil:
			u.grad = g.value.Clone()
			dead = append(dead, g.value)
		default:
			sum := tensor.Add(u.grad, g.value)
			if u.ownsGrad {
				tensor.Release(u.grad)
			}
			u.grad = sum
			dead = append(dead, g.value)
		}
		u.ownsGrad = true
		inUse[tensor.StorageID(u.grad)] = true
	}
	free := dead[:0]
	for _, d := range dead {
		if id := tensor.StorageID(d); id != 0 && !inUse[id] {
			free = append(free, d)
		}
	}
	tensor.Release(free...)
}

// GradOptions configures Grad.
type GradOptions[T tensor.Float] struct {
	// OutputGrads are the gradients of the objective with respect to each
	// output; nil means ones, which is what a scalar output wants.
	OutputGrads []*tensor.Dense[T]
	// CreateGraph records the gradient computation, so that the returned
	// gradients can be differentiated again.
	CreateGraph bool
}

// Grad returns the gradients of outputs with respect to inputs, without
// touching any Var's accumulated Grad. An input that the outputs do not
// depend on gets a zero gradient. With CreateGraph the results are part of
// the graph and can be differentiated again.
func Grad[T tensor.Float](outputs, inputs []*Var[T], opts GradOptions[T]) []*Var[T] {
	seeds := make([]*Var[T], len(outputs))
	for i, out := range outputs {
		g := tensor.Ones[T](out.value.Shape()...)
		if opts.OutputGrads != nil {
			g = opts.OutputGrads[i]
			if !tensor.SameShape(g.Shape(), out.value.Shape()) {
				panic(tensor.ShapeErrorf("Grad", "output gradient %d has shape %v for output shape %v", i, g.Shape(), out.value.Shape()))
			}
		}
		seeds[i] = Const(g)
	}
	_, grads, _ := propagate(outputs, seeds, opts.CreateGraph)
	res := make([]*Var[T], len(inputs))
	for i, in := range inputs {
		if g, ok := grads[in]; ok {
			res[i] = g
		} else {
			res[i] = Const(tensor.ZerosLike(in.value))
		}
	}
	return res
}

// propagate walks the graph below outputs in reverse topological order and
// returns the graph in topological order, the gradient of every Var that
// requires one, and the partial gradients that summing replaced. The sort is
// iterative, so graphs of any depth work. Without createGraph every backward
// sees detached Vars, so it records nothing.
func propagate[T tensor.Float](outputs, seeds []*Var[T], createGraph bool) (order []*Var[T], grads map[*Var[T]]*Var[T], spent []*tensor.Dense[T]) {
	order = topoOrder(outputs)
	grads = make(map[*Var[T]]*Var[T], len(order))
	accumulate := func(v, g *Var[T]) {
		if prev, ok := grads[v]; ok {
			grads[v] = Add(prev, g)
			spent = append(spent, prev.value, g.value)
		} else {
			grads[v] = g
		}
	}
	for i, out := range outputs {
		if out.requiresGrad {
			accumulate(out, seeds[i])
		}
	}
	for i := len(order) - 1; i >= 0; i-- {
		v := order[i]
		g, ok := grads[v]
		if !ok || v.node == nil {
			continue
		}
		if v.node.released {
			panic(fmt.Errorf("%w: Backward reached op %s; run the forward pass again", ErrReleased, v.node.op))
		}
		c := &ctx[T]{in: v.node.inputs, out: v, needs: make([]bool, len(v.node.inputs))}
		for j, in := range c.in {
			c.needs[j] = in.requiresGrad
		}
		if !createGraph {
			c.in = detachAll(c.in)
			c.out = v.Detach()
			g = g.Detach()
		}
		ins := v.node.backward(c, g)
		for j, gi := range ins {
			in := v.node.inputs[j]
			if gi == nil || !in.requiresGrad {
				continue
			}
			if !tensor.SameShape(gi.value.Shape(), in.value.Shape()) {
				panic(tensor.ShapeErrorf("Backward", "op %s returned gradient of shape %v for input %d of shape %v", v.node.op, gi.value.Shape(), j, in.value.Shape()))
			}
			if anomalyOn() {
				checkFinite(v.node.op, "backward", v.node.site, gi.value)
			}
			accumulate(in, gi)
		}
	}
	return order, grads, spent
}

func detachAll[T tensor.Float](vs []*Var[T]) []*Var[T] {
	out := make([]*Var[T], len(vs))
	for i, v := range vs {
		out[i] = v.Detach()
	}
	return out
}

// topoOrder lists the Vars that require a gradient below outputs so that
// every Var comes after all the Vars it was computed from. It uses an explicit
// stack: a chain a million ops deep is fine.
func topoOrder[T tensor.Float](outputs []*Var[T]) []*Var[T] {
	type frame struct {
		v    *Var[T]
		next int
	}
	visited := make(map[*Var[T]]bool)
	var order []*Var[T]
	var stack []frame
	for _, out := range outputs {
		if !out.requiresGrad || visited[out] {
			continue
		}
		visited[out] = true
		stack = append(stack, frame{v: out})
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			var inputs []*Var[T]
			if top.v.node != nil {
				inputs = top.v.node.inputs
			}
			if top.next < len(inputs) {
				in := inputs[top.next]
				top.next++
				if in.requiresGrad && !visited[in] {
					visited[in] = true
					stack = append(stack, frame{v: in})
				}
				continue
			}
			order = append(order, top.v)
			stack = stack[:len(stack)-1]
		}
	}
	return order
}
