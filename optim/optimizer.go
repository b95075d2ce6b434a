package optim

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/nabla-go/nabla/autograd"
	"github.com/nabla-go/nabla/tensor"
)

// Optimizer updates a fixed list of parameters from their gradients. SGD,
// Adam, AdamW, RMSProp and Adagrad implement it.
type Optimizer[T tensor.Float] interface {
	Schedulable
	// Step applies one update to every parameter whose Grad is not nil,
	// reading the gradients and writing the values in place. It records no
	// graph.
	Step()
	// ZeroGrad clears the gradient of every parameter, so that the next
	// Backward starts from nothing.
	ZeroGrad()
	// State returns a copy of the optimizer's per-parameter state as named
	// tensors, for a checkpoint (see the package documentation for the names).
	State() map[string]*tensor.Dense[T]
	// LoadState replaces the optimizer's state with one that State returned,
	// possibly from another optimizer of the same kind and configuration over
	// parameters of the same shapes. On error nothing changes.
	LoadState(state map[string]*tensor.Dense[T]) error
}

// Schedulable is the part of an optimizer that a learning-rate Scheduler
// drives. Every Optimizer is one, whatever its element type.
type Schedulable interface {
	// LR returns the learning rate that the next Step will use.
	LR() float64
	// SetLR sets the learning rate for the following steps.
	SetLR(lr float64)
}

// Zero asks for an actual 0 in a configuration field whose zero value means
// PyTorch's default: AdamWConfig{WeightDecay: optim.Zero} turns weight decay
// off, where 0 would mean the default 1e-2. It works in every numeric
// configuration field (the legal values of which are never negative) and in
// the fields of the schedules. Other negative values are invalid.
const Zero = -1

// ErrConfig is carried by the panic of a constructor given an invalid
// configuration (a negative learning rate, a beta outside [0, 1), Nesterov
// momentum without momentum...): recover the panic value, an error, and test
// it with errors.Is.
var ErrConfig = errors.New("optim: invalid configuration")

// ErrState is wrapped by the errors of LoadState: a name that the optimizer
// does not keep, a parameter index out of range, a shape that does not match
// the parameter, a missing buffer or a step count that is not a whole number.
var ErrState = errors.New("optim: state does not fit the optimizer")

// resolve turns a configuration field into its value: 0 means def, Zero
// means 0. Any other negative value is an error (panic) naming the field.
func resolve(op, field string, v, def float64) float64 {
	switch {
	case v == 0:
		return def
	case v == Zero:
		return 0
	case v < 0 || math.IsNaN(v):
		panic(configErrorf(op, "%s = %v is negative", field, v))
	}
	return v
}

func configErrorf(op, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrConfig, op, fmt.Sprintf(format, args...))
}

// checkBelowOne panics unless 0 <= v < 1 (betas, momentum coefficients).
func checkBelowOne(op, field string, v float64) {
	if !(v >= 0 && v < 1) {
		panic(configErrorf(op, "%s = %v is not in [0, 1)", field, v))
	}
}

// core is what every optimizer shares: its parameters, learning rate and
// per-parameter state, and the State, LoadState, ZeroGrad and learning-rate
// methods that only depend on those.
type core[T tensor.Float] struct {
	kind    string // the optimizer's name, for messages
	params  []*autograd.Var[T]
	lr      float64
	bufs    []string // names of the per-parameter buffers, PyTorch's names
	counted bool     // whether each parameter keeps a step count
	eager   bool     // state exists from construction (Adagrad)
	initial T        // what buffers start as
	slots   []slot[T]
	job     *rangeJob // shares a large parameter's update between goroutines
}

// slot is one parameter's state. Its buffers are allocated at the
// parameter's first update (or at construction when eager) and reused.
type slot[T tensor.Float] struct {
	ready bool // buffers allocated and meaningful
	step  int64
	buf   [][]T // one per core.bufs, each the parameter's size
}

func newCore[T tensor.Float](kind string, params []*autograd.Var[T], lr float64, counted, eager bool, initial T, bufs ...string) core[T] {
	for i, p := range params {
		if p == nil {
			panic(configErrorf("New"+kind, "parameter %d is nil", i))
		}
	}
	c := core[T]{
		kind:    kind,
		params:  slices.Clone(params),
		lr:      lr,
		bufs:    bufs,
		counted: counted,
		eager:   eager,
		initial: initial,
		slots:   make([]slot[T], len(params)),
		job:     new(rangeJob),
	}
	if eager {
		for i := range c.slots {
			c.reset(i)
		}
	}
	return c
}

// reset returns parameter i's state to what it is before any step.
func (c *core[T]) reset(i int) {
	s := &c.slots[i]
	s.step = 0
	s.ready = false
	if c.eager {
		c.alloc(i)
	}
}

// alloc makes parameter i's buffers, filled with the initial value, and
// marks the slot ready.
func (c *core[T]) alloc(i int) *slot[T] {
	s := &c.slots[i]
	n := c.params[i].Value().Size()
	if len(s.buf) != len(c.bufs) {
		s.buf = make([][]T, len(c.bufs))
	}
	for j := range s.buf {
		if len(s.buf[j]) != n {
			s.buf[j] = make([]T, n)
		}
		fill(s.buf[j], c.initial)
	}
	s.ready = true
	return s
}

func fill[T tensor.Float](s []T, v T) {
	if v == 0 {
		clear(s)
		return
	}
	for i := range s {
		s[i] = v
	}
}

// update calls f for every parameter whose gradient is not nil with the
// parameter's elements p (written in place), its gradient g and its state.
// fresh is true when the state was allocated just now. Parameters without a
// gradient are skipped, as PyTorch does.
func (c *core[T]) update(f func(p, g []T, s *slot[T], fresh bool)) {
	for i, v := range c.params {
		gt := v.Grad()
		if gt == nil {
			continue
		}
		val := v.Value()
		p, g := val.Data(), gt.Data()
		if len(g) != len(p) {
			panic(tensor.ShapeErrorf(c.kind+".Step", "gradient of parameter %d has shape %v for value shape %v", i, gt.Shape(), val.Shape()))
		}
		s := &c.slots[i]
		fresh := !s.ready
		if fresh {
			s = c.alloc(i)
		}
		f(p, g, s, fresh)
		if !val.IsContiguous() {
			// Data was a copy: write the result back into the view.
			val.CopyFrom(tensor.New(p, val.Shape()...))
		}
	}
}

func (c *core[T]) zeroGrad() {
	for _, p := range c.params {
		p.ZeroGrad()
	}
}

func (c *core[T]) setLR(lr float64) {
	if !(lr >= 0) {
		panic(configErrorf(c.kind+".SetLR", "learning rate %v is negative", lr))
	}
	c.lr = lr
}

func (c *core[T]) paramList() []*autograd.Var[T] { return slices.Clone(c.params) }

// state returns a copy of the per-parameter state as named tensors
// "<i>.<name>": i is the parameter's index in the slice given to the
// constructor and name is PyTorch's name for the buffer ("exp_avg",
// "momentum_buffer", ...) or "step", a one-element tensor holding the
// parameter's update count. A parameter that has not been updated yet has
// no entries (unless the state is eager, as Adagrad's). The tensors are
// copies: later steps do not change them.
func (c *core[T]) state() map[string]*tensor.Dense[T] {
	m := make(map[string]*tensor.Dense[T])
	for i, s := range c.slots {
		if !s.ready {
			continue
		}
		if c.counted {
			m[stateKey(i, "step")] = tensor.Scalar(T(s.step))
		}
		shape := c.params[i].Value().Shape()
		for j, name := range c.bufs {
			m[stateKey(i, name)] = tensor.New(slices.Clone(s.buf[j]), shape...)
		}
	}
	return m
}

func stateKey(i int, name string) string { return strconv.Itoa(i) + "." + name }

// loadState replaces the state with one that state returned. Every entry
// must be a name this optimizer keeps in its configuration, for an existing
// parameter, with that parameter's shape; a parameter with any entry needs
// all of them; a step must be a whole number. A parameter with no entries
// starts afresh. The tensors are copied. On error the state is unchanged and
// the error wraps ErrState.
func (c *core[T]) loadState(state map[string]*tensor.Dense[T]) error {
	type pending struct {
		step int64
		bufs []*tensor.Dense[T]
		seen int // entries found, step included
	}
	loaded := make([]*pending, len(c.params))
	keys := make([]string, 0, len(state))
	for k := range state {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, key := range keys {
		t := state[key]
		idx, name, ok := strings.Cut(key, ".")
		i, err := strconv.Atoi(idx)
		if !ok || err != nil || strconv.Itoa(i) != idx {
			return c.stateErrorf("entry %q: want a name of the form <parameter index>.<name>", key)
		}
		if i < 0 || i >= len(c.params) {
			return c.stateErrorf("entry %q: there is no parameter %d (the optimizer has %d)", key, i, len(c.params))
		}
		if t == nil {
			return c.stateErrorf("entry %q is nil", key)
		}
		if loaded[i] == nil {
			loaded[i] = &pending{bufs: make([]*tensor.Dense[T], len(c.bufs))}
		}
		p := loaded[i]
		if name == "step" && c.counted {
			if t.Size() != 1 {
				return c.stateErrorf("entry %q has shape %v, want a single number", key, t.Shape())
			}
			v := float64(t.Data()[0])
			if !(v >= 0 && v <= 1<<53) || v != math.Trunc(v) {
				return c.stateErrorf("entry %q is %v, not a step count", key, v)
			}
			p.step = int64(v)
			p.seen++
			continue
		}
		j := slices.Index(c.bufs, name)
		if j < 0 {
			return c.stateErrorf("entry %q: %s in this configuration keeps %s", key, c.kind, c.names())
		}
		want := c.params[i].Value().Shape()
		if !tensor.SameShape(t.Shape(), want) {
			return c.stateErrorf("entry %q has shape %v but parameter %d has shape %v", key, t.Shape(), i, want)
		}
		p.bufs[j] = t
		p.seen++
	}
	for i, p := range loaded {
		if p == nil {
			continue
		}
		for j, b := range p.bufs {
			if b == nil {
				return c.stateErrorf("parameter %d has state but no %q", i, stateKey(i, c.bufs[j]))
			}
		}
		if c.counted && p.seen == len(c.bufs) {
			return c.stateErrorf("parameter %d has state but no %q", i, stateKey(i, "step"))
		}
	}
	for i, p := range loaded {
		if p == nil {
			c.reset(i)
			continue
		}
		s := c.alloc(i)
		s.step = p.step
		for j, b := range p.bufs {
			copy(s.buf[j], b.Data())
		}
	}
	return nil
}

// names lists the state names kept per parameter, for messages.
func (c *core[T]) names() string {
	var ns []string
	if c.counted {
		ns = append(ns, "step")
	}
	ns = append(ns, c.bufs...)
	if len(ns) == 0 {
		return "no state"
	}
	return strings.Join(ns, ", ")
}

func (c *core[T]) stateErrorf(format string, args ...any) error {
	return fmt.Errorf("%w: %s.LoadState: %s", ErrState, c.kind, fmt.Sprintf(format, args...))
}

// sqrt is math.Sqrt in T; for float32 the compiler emits the single
// precision instruction.
func sqrt[T tensor.Float](x T) T { return T(math.Sqrt(float64(x))) }
