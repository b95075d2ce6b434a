package optim

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nabla-go/nabla/autograd"
	"github.com/nabla-go/nabla/tensor"
)

func TestConfigDefaults(t *testing.T) {
	ps := twoParams()
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"Adam zero", NewAdam(ps, AdamConfig{}).Config(), AdamConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}},
		{"Adam headline", NewAdam(ps, AdamConfig{LR: 1e-3}).Config(), AdamConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}},
		{"Adam Zero fields", NewAdam(ps, AdamConfig{Beta1: Zero, Beta2: Zero, Eps: Zero, WeightDecay: Zero}).Config(),
			AdamConfig{LR: 1e-3}},
		{"Adam set fields", NewAdam(ps, AdamConfig{LR: 0.1, Beta1: 0.5, Beta2: 0.6, Eps: 1e-3, WeightDecay: 0.2, AMSGrad: true}).Config(),
			AdamConfig{LR: 0.1, Beta1: 0.5, Beta2: 0.6, Eps: 1e-3, WeightDecay: 0.2, AMSGrad: true}},
		{"AdamW zero", NewAdamW(ps, AdamWConfig{}).Config(), AdamWConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 1e-2}},
		{"AdamW no decay", NewAdamW(ps, AdamWConfig{WeightDecay: Zero}).Config(), AdamWConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}},
		{"SGD", NewSGD(ps, SGDConfig{LR: 0.5}).Config(), SGDConfig{LR: 0.5}},
		{"SGD Zero LR", NewSGD(ps, SGDConfig{LR: Zero, Momentum: Zero}).Config(), SGDConfig{}},
		{"RMSProp zero", NewRMSProp(ps, RMSPropConfig{}).Config(), RMSPropConfig{LR: 1e-2, Alpha: 0.99, Eps: 1e-8}},
		{"RMSProp Zero alpha", NewRMSProp(ps, RMSPropConfig{Alpha: Zero}).Config(), RMSPropConfig{LR: 1e-2, Eps: 1e-8}},
		{"Adagrad zero", NewAdagrad(ps, AdagradConfig{}).Config(), AdagradConfig{LR: 1e-2, Eps: 1e-10}},
		{"Adagrad Zero eps", NewAdagrad(ps, AdagradConfig{Eps: Zero}).Config(), AdagradConfig{LR: 1e-2}},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, tt.got, tt.name)
	}
}

func TestConfigInvalid(t *testing.T) {
	ps := twoParams()
	tests := map[string]func(){
		"SGD without LR":            func() { NewSGD(ps, SGDConfig{}) },
		"SGD negative LR":           func() { NewSGD(ps, SGDConfig{LR: -0.1}) },
		"SGD negative momentum":     func() { NewSGD(ps, SGDConfig{LR: 0.1, Momentum: -0.5}) },
		"SGD Nesterov, no momentum": func() { NewSGD(ps, SGDConfig{LR: 0.1, Nesterov: true}) },
		"SGD Nesterov, dampening":   func() { NewSGD(ps, SGDConfig{LR: 0.1, Nesterov: true, Momentum: 0.9, Dampening: 0.1}) },
		"Adam beta1 of 1":           func() { NewAdam(ps, AdamConfig{Beta1: 1}) },
		"Adam beta2 above 1":        func() { NewAdam(ps, AdamConfig{Beta2: 1.5}) },
		"Adam negative eps":         func() { NewAdam(ps, AdamConfig{Eps: -1e-8}) },
		"Adam NaN LR":               func() { NewAdam(ps, AdamConfig{LR: math.NaN()}) },
		"AdamW negative decay":      func() { NewAdamW(ps, AdamWConfig{WeightDecay: -0.1}) },
		"RMSProp negative alpha":    func() { NewRMSProp(ps, RMSPropConfig{Alpha: -0.5}) },
		"Adagrad negative LR decay": func() { NewAdagrad(ps, AdagradConfig{LRDecay: -1e-3}) },
		"nil parameter":             func() { NewAdam([]*autograd.Var[float64]{nil}, AdamConfig{}) },
	}
	for name, f := range tests {
		t.Run(name, func(t *testing.T) { requireConfigPanic(t, f) })
	}
}

// TestFirstStep checks one update of each optimizer against the formula
// worked by hand for a parameter θ = 2 with gradient g = 0.5.
func TestFirstStep(t *testing.T) {
	const theta, g = 2.0, 0.5
	tests := []struct {
		name string
		cfg  any
		want float64
	}{
		{"SGD", SGDConfig{LR: 0.1}, theta - 0.1*g},
		{"SGD weight decay", SGDConfig{LR: 0.1, WeightDecay: 0.5}, theta - 0.1*(g+0.5*theta)},
		{"SGD Nesterov", SGDConfig{LR: 0.1, Momentum: 0.9, Nesterov: true}, theta - 0.1*(g+0.9*g)},
		{"SGD maximize", SGDConfig{LR: 0.1, Maximize: true}, theta + 0.1*g},
		// m̂ = g and v̂ = g², so the step is lr·g/(|g|+ε).
		{"Adam", AdamConfig{LR: 0.1}, theta - 0.1*g/(g+1e-8)},
		{"Adam L2", AdamConfig{LR: 0.1, WeightDecay: 1}, theta - 0.1*(g+theta)/((g+theta)+1e-8)},
		{"AdamW", AdamWConfig{LR: 0.1, WeightDecay: 1}, theta*(1-0.1) - 0.1*g/(g+1e-8)},
		// v = (1−α)g².
		{"RMSProp", RMSPropConfig{LR: 0.01}, theta - 0.01*g/(math.Sqrt(0.01)*g+1e-8)},
		{"RMSProp centered", RMSPropConfig{LR: 0.01, Centered: true}, theta - 0.01*g/(math.Sqrt(0.01*g*g-0.0001*g*g)+1e-8)},
		// s = s0 + g².
		{"Adagrad", AdagradConfig{LR: 0.1, InitialAccumulatorValue: 0.75}, theta - 0.1*g/(1+1e-10)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := autograd.Param(tensor.New([]float64{theta}))
			p.SetGrad(tensor.New([]float64{g}))
			opt := newOptimizer(tt.cfg, []*autograd.Var[float64]{p})
			opt.Step()
			require.InDelta(t, tt.want, p.Value().Data()[0], 1e-15)
		})
	}
}

// TestSkipsParamsWithoutGrad: a parameter whose Grad is nil is not
// touched, even with weight decay, and gets no state; its step count stays
// behind the others'.
func TestSkipsParamsWithoutGrad(t *testing.T) {
	for _, cfg := range []any{
		SGDConfig{LR: 0.1, Momentum: 0.9, WeightDecay: 0.1},
		AdamConfig{WeightDecay: 0.1},
		AdamWConfig{},
		RMSPropConfig{WeightDecay: 0.1},
		AdagradConfig{WeightDecay: 0.1},
	} {
		ps := twoParams()
		opt := newOptimizer(cfg, ps)
		opt.Step()
		ps[1].ZeroGrad()
		before := append([]float64(nil), ps[1].Value().Data()...)
		w := append([]float64(nil), ps[0].Value().Data()...)
		opt.Step()
		require.Equal(t, before, ps[1].Value().Data(), "%#v", cfg)
		require.NotEqual(t, w, ps[0].Value().Data(), "%#v", cfg)
		if st := opt.State(); st["0.step"] != nil {
			require.Equal(t, 2.0, st["0.step"].Item())
			require.Equal(t, 1.0, st["1.step"].Item())
		}
	}
}

func TestZeroGradAndLR(t *testing.T) {
	ps := twoParams()
	opt := NewAdamW(ps, AdamWConfig{LR: 0.1})
	require.Equal(t, 0.1, opt.LR())
	opt.SetLR(0.05)
	require.Equal(t, 0.05, opt.LR())
	require.Equal(t, ps, opt.Params())
	opt.ZeroGrad()
	for _, p := range ps {
		require.Nil(t, p.Grad())
	}
	require.Empty(t, opt.State())
}

// TestViewParameter: a parameter that is a non-contiguous view (here a
// transposed matrix) is updated in its own storage like any other.
func TestViewParameter(t *testing.T) {
	data := []float64{1, 2, 3, 4, 5, 6}
	view := autograd.Param(tensor.New(append([]float64(nil), data...), 2, 3).T()) // [3 2]
	flat := autograd.Param(view.Value().Clone())
	grad := tensor.New([]float64{0.1, -0.2, 0.3, -0.4, 0.5, -0.6}, 3, 2)
	view.SetGrad(grad)
	flat.SetGrad(grad.Clone())
	for _, cfg := range []any{SGDConfig{LR: 0.1, Momentum: 0.9}, AdamConfig{}} {
		a := newOptimizer(cfg, []*autograd.Var[float64]{view})
		b := newOptimizer(cfg, []*autograd.Var[float64]{flat})
		for range 3 {
			a.Step()
			b.Step()
		}
		require.False(t, view.Value().IsContiguous())
		require.Equal(t, flat.Value().Data(), view.Value().Data())
	}
}

// TestFloat32Training runs the fixture in float32: it follows PyTorch's
// float64 run to float32 accuracy.
func TestFloat32Training(t *testing.T) {
	f := loadFixture(t)
	for _, tc := range trainCases {
		t.Run(tc.name, func(t *testing.T) {
			want := fixtureCaseNamed(f, tc.name)
			m := newMLP[float32](f)
			tr := train(m, newOptimizer(tc.cfg, m.params), tc, 0, f.Steps)
			c, _ := maxErr(tr.losses, want.Losses)
			require.Less(t, c, 1e-4)
			for i, name := range f.ParamNames {
				got := make([]float64, len(want.Params[name]))
				for k, v := range m.values()[i] {
					got[k] = float64(v)
				}
				c, _ := maxErr(got, want.Params[name])
				require.Less(t, c, 1e-4, name)
			}
		})
	}
}

func fixtureCaseNamed(f *fixture, name string) fixtureCase {
	for _, c := range f.Cases {
		if c.Name == name {
			return c
		}
	}
	panic("no fixture case " + name)
}

// TestStepAllocatesNothing: once each parameter's state exists, Step makes
// no allocation, for every optimizer and configuration of the fixture.
func TestStepAllocatesNothing(t *testing.T) {
	f := loadFixture(t)
	for _, tc := range trainCases {
		m := newMLP[float32](f)
		m.loss().Backward()
		opt := newOptimizer(tc.cfg, m.params)
		opt.Step()
		require.Zero(t, testing.AllocsPerRun(10, opt.Step), tc.name)
	}
}
