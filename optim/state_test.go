package optim

import (
	"errors"
	"maps"
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nabla-go/nabla/autograd"
	"github.com/nabla-go/nabla/tensor"
)

// TestResumeBitIdentical trains every fixture configuration for 20 steps
// straight, and again for 10 steps, exports the state, builds a new model
// and optimizer from the parameters and the state, and trains 10 more: the
// two runs must end with identical parameters, in float64 and float32.
func TestResumeBitIdentical(t *testing.T) {
	f := loadFixture(t)
	for _, tc := range trainCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Run("float64", func(t *testing.T) { checkResume[float64](t, f, tc) })
			t.Run("float32", func(t *testing.T) { checkResume[float32](t, f, tc) })
		})
	}
}

func checkResume[T tensor.Float](t *testing.T, f *fixture, tc trainCase) {
	const steps, cut = 20, 10
	straight := newMLP[T](f)
	full := train(straight, newOptimizer(tc.cfg, straight.params), tc, 0, steps)

	first := newMLP[T](f)
	opt := newOptimizer(tc.cfg, first.params)
	train(first, opt, tc, 0, cut)
	state := opt.State()

	// The checkpoint: parameter values and optimizer state, into a new run.
	second := newMLP[T](f)
	for i, v := range first.values() {
		copy(second.params[i].Value().Data(), v)
	}
	resumed := newOptimizer(tc.cfg, second.params)
	require.NoError(t, resumed.LoadState(state))
	for _, s := range state { // the loaded state must be a copy
		fill(s.Data(), T(math.NaN()))
	}
	rest := train(second, resumed, tc, cut, steps-cut)

	require.Equal(t, straight.values(), second.values())
	require.Equal(t, full.losses[cut:], rest.losses)
	require.Equal(t, full.lrs[cut:], rest.lrs)
}

// twoParams returns parameters of shapes [2 3] and [3] with fixed gradients.
func twoParams() []*autograd.Var[float64] {
	w := autograd.Param(tensor.New([]float64{1, -2, 3, -4, 5, -6}, 2, 3))
	b := autograd.Param(tensor.New([]float64{0.5, 0.25, -1}))
	w.SetGrad(tensor.New([]float64{0.1, 0.2, -0.3, 0.4, -0.5, 0.6}, 2, 3))
	b.SetGrad(tensor.New([]float64{-1, 2, 0.5}))
	return []*autograd.Var[float64]{w, b}
}

func TestStateNames(t *testing.T) {
	tests := []struct {
		cfg  any
		want []string // names for parameter 0 (parameter 1 the same)
	}{
		{SGDConfig{LR: 0.1}, nil},
		{SGDConfig{LR: 0.1, Momentum: 0.9}, []string{"momentum_buffer"}},
		{AdamConfig{}, []string{"exp_avg", "exp_avg_sq", "step"}},
		{AdamConfig{AMSGrad: true}, []string{"exp_avg", "exp_avg_sq", "max_exp_avg_sq", "step"}},
		{AdamWConfig{}, []string{"exp_avg", "exp_avg_sq", "step"}},
		{RMSPropConfig{}, []string{"square_avg", "step"}},
		{RMSPropConfig{Momentum: 0.5, Centered: true}, []string{"grad_avg", "momentum_buffer", "square_avg", "step"}},
		{AdagradConfig{}, []string{"step", "sum"}},
	}
	for _, tt := range tests {
		ps := twoParams()
		opt := newOptimizer(tt.cfg, ps)
		opt.Step()
		var want []string
		for _, i := range []string{"0.", "1."} {
			for _, n := range tt.want {
				want = append(want, i+n)
			}
		}
		require.ElementsMatch(t, want, slices.Collect(maps.Keys(opt.State())), "%#v", tt.cfg)
	}
}

func TestStateValues(t *testing.T) {
	ps := twoParams()
	ps = append(ps, autograd.Param(tensor.Zeros[float64](4))) // never has a gradient
	opt := NewAdam(ps, AdamConfig{AMSGrad: true})
	require.Empty(t, opt.State(), "no state before the first update")
	opt.Step()
	opt.Step()
	st := opt.State()
	require.Len(t, st, 8, "the parameter without a gradient has no state")
	g := ps[1].Grad().Data()
	require.Equal(t, []int{}, st["1.step"].Shape())
	require.Equal(t, 2.0, st["1.step"].Item())
	require.Equal(t, []int{2, 3}, st["0.exp_avg"].Shape())
	for k, gk := range g {
		m := 0.9*0.1*gk + 0.1*gk
		v := 0.999*0.001*gk*gk + 0.001*gk*gk
		require.InDelta(t, m, st["1.exp_avg"].Data()[k], 1e-15)
		require.InDelta(t, v, st["1.exp_avg_sq"].Data()[k], 1e-15)
		require.InDelta(t, v, st["1.max_exp_avg_sq"].Data()[k], 1e-15)
	}

	// The export is a copy, both ways.
	st["1.exp_avg"].Data()[0] = 42
	require.NotEqual(t, 42.0, opt.State()["1.exp_avg"].Data()[0])
	before := st["0.exp_avg"].Data()[0]
	opt.Step()
	require.Equal(t, before, st["0.exp_avg"].Data()[0])

	// Loading an empty state starts afresh.
	require.NoError(t, opt.LoadState(nil))
	require.Empty(t, opt.State())

	// Adagrad's state exists from the start and resets to the accumulator.
	ada := NewAdagrad(ps, AdagradConfig{InitialAccumulatorValue: 0.5})
	st = ada.State()
	require.Len(t, st, 6)
	require.Equal(t, 0.0, st["2.step"].Item())
	require.Equal(t, []float64{0.5, 0.5, 0.5, 0.5}, st["2.sum"].Data())
	ada.Step()
	require.Equal(t, 1.0, ada.State()["0.step"].Item())
	require.Equal(t, 0.0, ada.State()["2.step"].Item(), "no gradient, no step")
	require.NoError(t, ada.LoadState(map[string]*tensor.Dense[float64]{}))
	require.Equal(t, st, ada.State())
}

func TestLoadStateErrors(t *testing.T) {
	valid := func() map[string]*tensor.Dense[float64] {
		opt := NewAdam(twoParams(), AdamConfig{})
		opt.Step()
		return opt.State()
	}
	tests := []struct {
		name   string
		cfg    any
		change func(m map[string]*tensor.Dense[float64])
	}{
		{"unknown name", AdamConfig{}, func(m map[string]*tensor.Dense[float64]) { m["0.momentum"] = m["0.exp_avg"] }},
		{"no index", AdamConfig{}, func(m map[string]*tensor.Dense[float64]) { m["exp_avg"] = m["0.exp_avg"] }},
		{"index not a number", AdamConfig{}, func(m map[string]*tensor.Dense[float64]) { m["w.exp_avg"] = m["0.exp_avg"] }},
		{"index with a leading zero", AdamConfig{}, func(m map[string]*tensor.Dense[float64]) { m["01.exp_avg"] = m["1.exp_avg"] }},
		{"negative index", AdamConfig{}, func(m map[string]*tensor.Dense[float64]) { m["-1.step"] = m["0.step"] }},
		{"index out of range", AdamConfig{}, func(m map[string]*tensor.Dense[float64]) { m["2.step"] = m["0.step"] }},
		{"shape mismatch", AdamConfig{}, func(m map[string]*tensor.Dense[float64]) { m["0.exp_avg"] = tensor.Zeros[float64](3, 2) }},
		{"size mismatch", AdamConfig{}, func(m map[string]*tensor.Dense[float64]) { m["1.exp_avg_sq"] = tensor.Zeros[float64](4) }},
		{"missing buffer", AdamConfig{}, func(m map[string]*tensor.Dense[float64]) { delete(m, "0.exp_avg_sq") }},
		{"missing step", AdamConfig{}, func(m map[string]*tensor.Dense[float64]) { delete(m, "1.step") }},
		{"only a step", AdamConfig{}, func(m map[string]*tensor.Dense[float64]) { delete(m, "1.exp_avg"); delete(m, "1.exp_avg_sq") }},
		{"fractional step", AdamConfig{}, func(m map[string]*tensor.Dense[float64]) { m["0.step"] = tensor.Scalar(1.5) }},
		{"negative step", AdamConfig{}, func(m map[string]*tensor.Dense[float64]) { m["0.step"] = tensor.Scalar(-1.0) }},
		{"NaN step", AdamConfig{}, func(m map[string]*tensor.Dense[float64]) { m["0.step"] = tensor.Scalar(math.NaN()) }},
		{"step of two numbers", AdamConfig{}, func(m map[string]*tensor.Dense[float64]) { m["0.step"] = tensor.Zeros[float64](2) }},
		{"nil tensor", AdamConfig{}, func(m map[string]*tensor.Dense[float64]) { m["0.exp_avg"] = nil }},
		{"AMSGrad buffer without AMSGrad", AdamConfig{}, func(m map[string]*tensor.Dense[float64]) { m["0.max_exp_avg_sq"] = m["0.exp_avg_sq"] }},
		{"missing AMSGrad buffer", AdamConfig{AMSGrad: true}, func(map[string]*tensor.Dense[float64]) {}},
		{"Adam state into SGD", SGDConfig{LR: 1, Momentum: 0.9}, func(map[string]*tensor.Dense[float64]) {}},
		{"step into SGD", SGDConfig{LR: 1}, func(m map[string]*tensor.Dense[float64]) {
			clear(m)
			m["0.step"] = tensor.Scalar(1.0)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opt := newOptimizer(tt.cfg, twoParams())
			opt.Step()
			before := opt.State()
			m := valid()
			tt.change(m)
			err := opt.LoadState(m)
			require.Error(t, err)
			require.True(t, errors.Is(err, ErrState), "%v", err)
			require.Equal(t, before, opt.State(), "a failed LoadState changes nothing")
			t.Log(err)
		})
	}
}
