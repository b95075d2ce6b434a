package optim

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nabla-go/nabla/autograd"
	"github.com/nabla-go/nabla/tensor"
)

// fixture is testdata/optimizers.json, written by testdata/make_fixtures.py.
type fixture struct {
	TorchVersion   string               `json:"torch_version"`
	Steps          int                  `json:"steps"`
	ParamNames     []string             `json:"param_names"`
	Shapes         map[string][]int     `json:"shapes"`
	Init           map[string][]float64 `json:"init"`
	X              []float64            `json:"x"`
	XShape         []int                `json:"x_shape"`
	Y              []int                `json:"y"`
	Cases          []fixtureCase        `json:"cases"`
	ScheduleBaseLR float64              `json:"schedule_base_lr"`
	Schedules      []fixtureSchedule    `json:"schedules"`
}

type fixtureCase struct {
	Name   string               `json:"name"`
	Losses []float64            `json:"losses"`
	LRs    []float64            `json:"lrs"`
	Norms  []float64            `json:"norms"`
	Params map[string][]float64 `json:"params"`
}

type fixtureSchedule struct {
	Name string    `json:"name"`
	LRs  []float64 `json:"lrs"`
}

func loadFixture(t testing.TB) *fixture {
	t.Helper()
	b, err := os.ReadFile("testdata/optimizers.json")
	require.NoError(t, err)
	var f fixture
	require.NoError(t, json.Unmarshal(b, &f))
	require.NotEmpty(t, f.Cases)
	return &f
}

// mlp is the fixture's network, Linear(4, 8), ReLU, Linear(8, 3), written
// with autograd ops: parameters in PyTorch's order (0.weight [8 4], 0.bias,
// 2.weight [3 8], 2.bias), weights stored [out, in] and used transposed.
type mlp[T tensor.Float] struct {
	params []*autograd.Var[T]
	x      *autograd.Var[T]
	y      []int
}

func newMLP[T tensor.Float](f *fixture) *mlp[T] {
	m := &mlp[T]{x: autograd.Const(tensor.New(convert[T](f.X), f.XShape...)), y: f.Y}
	for _, name := range f.ParamNames {
		m.params = append(m.params, autograd.Param(tensor.New(convert[T](f.Init[name]), f.Shapes[name]...)))
	}
	return m
}

func convert[T tensor.Float](xs []float64) []T {
	out := make([]T, len(xs))
	for i, x := range xs {
		out[i] = T(x)
	}
	return out
}

// loss is the mean cross-entropy of the logits against the labels:
// mean over rows of logsumexp(logits) − logits[label].
func (m *mlp[T]) loss() *autograd.Var[T] {
	linear := func(x, w, b *autograd.Var[T]) *autograd.Var[T] {
		return autograd.Add(autograd.MatMul(x, autograd.Transpose(w, 0, 1)), b)
	}
	h := autograd.ReLU(linear(m.x, m.params[0], m.params[1]))
	logits := linear(h, m.params[2], m.params[3])
	return autograd.Mean(autograd.Sub(autograd.LogSumExp(logits, 1), autograd.Gather(logits, 1, m.y)))
}

// values returns copies of the parameters' elements.
func (m *mlp[T]) values() [][]T {
	out := make([][]T, len(m.params))
	for i, p := range m.params {
		out[i] = append([]T(nil), p.Value().Data()...)
	}
	return out
}

// trainCase builds, in Go, what the fixture case of the same name built in
// PyTorch.
type trainCase struct {
	name      string
	cfg       any // SGDConfig, AdamConfig, ...
	schedule  Schedule
	clipNorm  float64
	clipValue float64
}

// trainCases mirrors CASES, SCHEDULED and CLIPPED in make_fixtures.py.
var trainCases = []trainCase{
	{name: "sgd", cfg: SGDConfig{LR: 0.1}},
	{name: "sgd_momentum", cfg: SGDConfig{LR: 0.1, Momentum: 0.9}},
	{name: "sgd_dampening", cfg: SGDConfig{LR: 0.1, Momentum: 0.9, Dampening: 0.3}},
	{name: "sgd_nesterov", cfg: SGDConfig{LR: 0.1, Momentum: 0.9, Nesterov: true}},
	{name: "sgd_weight_decay", cfg: SGDConfig{LR: 0.1, Momentum: 0.5, WeightDecay: 0.05}},
	{name: "sgd_maximize", cfg: SGDConfig{LR: 0.01, Maximize: true}},
	{name: "adam", cfg: AdamConfig{LR: 0.01}},
	{name: "adam_amsgrad", cfg: AdamConfig{LR: 0.01, AMSGrad: true}},
	{name: "adam_weight_decay", cfg: AdamConfig{LR: 0.01, Beta1: 0.8, Beta2: 0.99, Eps: 1e-6, WeightDecay: 0.1}},
	{name: "adamw", cfg: AdamWConfig{LR: 0.01}},
	{name: "adamw_amsgrad", cfg: AdamWConfig{LR: 0.01, WeightDecay: 0.1, AMSGrad: true}},
	{name: "rmsprop", cfg: RMSPropConfig{LR: 0.01}},
	{name: "rmsprop_momentum", cfg: RMSPropConfig{LR: 0.01, Momentum: 0.9, WeightDecay: 0.01}},
	{name: "rmsprop_centered", cfg: RMSPropConfig{LR: 0.01, Alpha: 0.9, Centered: true, Momentum: 0.5}},
	{name: "adagrad", cfg: AdagradConfig{LR: 0.1}},
	{name: "adagrad_decay", cfg: AdagradConfig{LR: 0.1, LRDecay: 0.05, WeightDecay: 0.01, InitialAccumulatorValue: 0.1}},
	{name: "sgd_steplr", cfg: SGDConfig{LR: 0.1, Momentum: 0.9}, schedule: StepLR{StepSize: 5, Gamma: 0.5}},
	{name: "adam_cosine", cfg: AdamConfig{LR: 0.05}, schedule: CosineAnnealingLR{TMax: 15, EtaMin: 1e-3}},
	{name: "adamw_warmup_cosine", cfg: AdamWConfig{LR: 0.02}, schedule: LinearWarmup{StartFactor: 0.1, Iters: 5, Then: CosineAnnealingLR{TMax: 10}}},
	{name: "rmsprop_exponential", cfg: RMSPropConfig{LR: 0.01}, schedule: ExponentialLR{Gamma: 0.9}},
	{name: "sgd_clip_norm", cfg: SGDConfig{LR: 0.5, Momentum: 0.9}, clipNorm: 0.1},
	{name: "adam_clip_value", cfg: AdamConfig{LR: 0.01}, clipValue: 0.02},
}

// newOptimizer builds the optimizer that cfg configures.
func newOptimizer[T tensor.Float](cfg any, ps []*autograd.Var[T]) Optimizer[T] {
	switch c := cfg.(type) {
	case SGDConfig:
		return NewSGD(ps, c)
	case AdamConfig:
		return NewAdam(ps, c)
	case AdamWConfig:
		return NewAdamW(ps, c)
	case RMSPropConfig:
		return NewRMSProp(ps, c)
	case AdagradConfig:
		return NewAdagrad(ps, c)
	}
	panic("unknown configuration")
}

// trace is what one training run records at every step.
type trace struct {
	losses, lrs, norms []float64
}

// train runs steps training steps of tc on m with opt, starting at step
// first (which matters to the schedule only), as the fixture script does:
// zero the gradients, compute the loss, backward, clip, step, schedule.
func train[T tensor.Float](m *mlp[T], opt Optimizer[T], tc trainCase, first, steps int) trace {
	var tr trace
	var sched *Scheduler
	if tc.schedule != nil {
		sched = NewScheduler(opt, tc.schedule)
		sched.SetEpoch(first)
	}
	for range steps {
		opt.ZeroGrad()
		loss := m.loss()
		tr.losses = append(tr.losses, float64(loss.Item()))
		loss.Backward()
		switch {
		case tc.clipNorm > 0:
			tr.norms = append(tr.norms, ClipGradNorm(m.params, tc.clipNorm))
		case tc.clipValue > 0:
			ClipGradValue(m.params, tc.clipValue)
		}
		tr.lrs = append(tr.lrs, opt.LR())
		opt.Step()
		if sched != nil {
			sched.Step()
		}
	}
	return tr
}

// maxErr returns the largest |got−want|/max(1, |want|) (the tolerance's
// measure) and the largest plain relative error |got−want|/|want| over
// elements with want ≠ 0.
func maxErr(got, want []float64) (combined, relative float64) {
	for i := range want {
		d := math.Abs(got[i] - want[i])
		combined = math.Max(combined, d/math.Max(1, math.Abs(want[i])))
		if want[i] != 0 {
			relative = math.Max(relative, d/math.Abs(want[i]))
		}
	}
	return combined, relative
}
