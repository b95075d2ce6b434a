package optim

import (
	"github.com/nabla-go/nabla/autograd"
	"github.com/nabla-go/nabla/tensor"
)

// The methods that every optimizer shares, forwarding to core.

// ZeroGrad clears every parameter's gradient (sets it to nil, as PyTorch's
// zero_grad(set_to_none=True)).
func (o *SGD[T]) ZeroGrad() { o.c.zeroGrad() }

// LR returns the learning rate that the next Step will use.
func (o *SGD[T]) LR() float64 { return o.c.lr }

// SetLR sets the learning rate for the following steps; a Scheduler calls
// it. A negative or NaN rate panics.
func (o *SGD[T]) SetLR(lr float64) { o.c.setLR(lr) }

// Params returns the parameters that the optimizer updates, in the order
// that the state's names number them.
func (o *SGD[T]) Params() []*autograd.Var[T] { return o.c.paramList() }

// State returns a copy of the per-parameter state as named tensors (see the
// type's documentation for the names, and the package's for the format).
func (o *SGD[T]) State() map[string]*tensor.Dense[T] { return o.c.state() }

// LoadState replaces the state with one that State returned (see the
// package documentation). On error the state is unchanged and the error
// wraps ErrState.
func (o *SGD[T]) LoadState(state map[string]*tensor.Dense[T]) error { return o.c.loadState(state) }

// ZeroGrad clears every parameter's gradient (sets it to nil, as PyTorch's
// zero_grad(set_to_none=True)).
func (o *Adam[T]) ZeroGrad() { o.c.zeroGrad() }

// LR returns the learning rate that the next Step will use.
func (o *Adam[T]) LR() float64 { return o.c.lr }

// SetLR sets the learning rate for the following steps; a Scheduler calls
// it. A negative or NaN rate panics.
func (o *Adam[T]) SetLR(lr float64) { o.c.setLR(lr) }

// Params returns the parameters that the optimizer updates, in the order
// that the state's names number them.
func (o *Adam[T]) Params() []*autograd.Var[T] { return o.c.paramList() }

// State returns a copy of the per-parameter state as named tensors (see the
// type's documentation for the names, and the package's for the format).
func (o *Adam[T]) State() map[string]*tensor.Dense[T] { return o.c.state() }

// LoadState replaces the state with one that State returned (see the
// package documentation). On error the state is unchanged and the error
// wraps ErrState.
func (o *Adam[T]) LoadState(state map[string]*tensor.Dense[T]) error { return o.c.loadState(state) }

// ZeroGrad clears every parameter's gradient (sets it to nil, as PyTorch's
// zero_grad(set_to_none=True)).
func (o *AdamW[T]) ZeroGrad() { o.c.zeroGrad() }

// LR returns the learning rate that the next Step will use.
func (o *AdamW[T]) LR() float64 { return o.c.lr }

// SetLR sets the learning rate for the following steps; a Scheduler calls
// it. A negative or NaN rate panics.
func (o *AdamW[T]) SetLR(lr float64) { o.c.setLR(lr) }

// Params returns the parameters that the optimizer updates, in the order
// that the state's names number them.
func (o *AdamW[T]) Params() []*autograd.Var[T] { return o.c.paramList() }

// State returns a copy of the per-parameter state as named tensors (see the
// type's documentation for the names, and the package's for the format).
func (o *AdamW[T]) State() map[string]*tensor.Dense[T] { return o.c.state() }

// LoadState replaces the state with one that State returned (see the
// package documentation). On error the state is unchanged and the error
// wraps ErrState.
func (o *AdamW[T]) LoadState(state map[string]*tensor.Dense[T]) error { return o.c.loadState(state) }

// ZeroGrad clears every parameter's gradient (sets it to nil, as PyTorch's
// zero_grad(set_to_none=True)).
func (o *RMSProp[T]) ZeroGrad() { o.c.zeroGrad() }

// LR returns the learning rate that the next Step will use.
func (o *RMSProp[T]) LR() float64 { return o.c.lr }

// SetLR sets the learning rate for the following steps; a Scheduler calls
// it. A negative or NaN rate panics.
func (o *RMSProp[T]) SetLR(lr float64) { o.c.setLR(lr) }

// Params returns the parameters that the optimizer updates, in the order
// that the state's names number them.
func (o *RMSProp[T]) Params() []*autograd.Var[T] { return o.c.paramList() }

// State returns a copy of the per-parameter state as named tensors (see the
// type's documentation for the names, and the package's for the format).
func (o *RMSProp[T]) State() map[string]*tensor.Dense[T] { return o.c.state() }

// LoadState replaces the state with one that State returned (see the
// package documentation). On error the state is unchanged and the error
// wraps ErrState.
func (o *RMSProp[T]) LoadState(state map[string]*tensor.Dense[T]) error { return o.c.loadState(state) }

// ZeroGrad clears every parameter's gradient (sets it to nil, as PyTorch's
// zero_grad(set_to_none=True)).
func (o *Adagrad[T]) ZeroGrad() { o.c.zeroGrad() }

// LR returns the learning rate that the next Step will use.
func (o *Adagrad[T]) LR() float64 { return o.c.lr }

// SetLR sets the learning rate for the following steps; a Scheduler calls
// it. A negative or NaN rate panics.
func (o *Adagrad[T]) SetLR(lr float64) { o.c.setLR(lr) }

// Params returns the parameters that the optimizer updates, in the order
// that the state's names number them.
func (o *Adagrad[T]) Params() []*autograd.Var[T] { return o.c.paramList() }

// State returns a copy of the per-parameter state as named tensors (see the
// type's documentation for the names, and the package's for the format).
func (o *Adagrad[T]) State() map[string]*tensor.Dense[T] { return o.c.state() }

// LoadState replaces the state with one that State returned (see the
// package documentation). On error the state is unchanged and the error
// wraps ErrState.
func (o *Adagrad[T]) LoadState(state map[string]*tensor.Dense[T]) error { return o.c.loadState(state) }

var (
	_ Optimizer[float32] = (*SGD[float32])(nil)
	_ Optimizer[float64] = (*Adam[float64])(nil)
	_ Optimizer[float32] = (*AdamW[float32])(nil)
	_ Optimizer[float64] = (*RMSProp[float64])(nil)
	_ Optimizer[float32] = (*Adagrad[float32])(nil)
)
