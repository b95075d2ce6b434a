package layers_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nabla-go/nabla/autograd"
	"github.com/nabla-go/nabla/layers"
	"github.com/nabla-go/nabla/tensor"
)

// The fixtures in testdata were computed by PyTorch in float64 with
// testdata/make_fixtures.py; the tests rebuild every case and compare.

// parityRtol bounds the relative error against PyTorch: the largest
// elementwise difference over the largest reference magnitude (the
// infinity-norm relative error) of every value and gradient.
const parityRtol = 1e-6

type jsonTensor struct {
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
}

func (j *jsonTensor) dense() *tensor.Dense[float64] {
	if len(j.Shape) == 0 {
		return tensor.Scalar(j.Data[0])
	}
	return tensor.New(append([]float64(nil), j.Data...), j.Shape...)
}

type lossCase struct {
	Group          string      `json:"group"`
	Name           string      `json:"name"`
	Loss           string      `json:"loss"`
	Reduction      string      `json:"reduction"`
	Input          jsonTensor  `json:"input"`
	Target         *jsonTensor `json:"target"`
	Labels         []int       `json:"labels"`
	Weight         []float64   `json:"weight"`
	PosWeight      []float64   `json:"pos_weight"`
	LabelSmoothing float64     `json:"label_smoothing"`
	GradOutput     *jsonTensor `json:"grad_output"`
	Value          jsonTensor  `json:"value"`
	Grad           *jsonTensor `json:"grad"`
	TargetGrad     *jsonTensor `json:"target_grad"`
}

func readJSON(t *testing.T, name string, v any) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, v))
}

// relError is the infinity-norm relative error of got against want, which
// must have one shape.
func relError(t *testing.T, what string, got *tensor.Dense[float64], want *jsonTensor) float64 {
	t.Helper()
	require.Equal(t, want.Shape, got.Shape(), "%s: shape", what)
	var diff, scale float64
	for i, g := range got.Data() {
		require.False(t, math.IsNaN(g) || math.IsInf(g, 0), "%s: element %d is %v", what, i, g)
		diff = max(diff, math.Abs(g-want.Data[i]))
		scale = max(scale, math.Abs(want.Data[i]))
	}
	if scale == 0 {
		return diff
	}
	return diff / scale
}

// worst tracks the largest relative error per fixture group and reports
// them at the end of a test.
type worst map[string]float64

func (w worst) add(t *testing.T, group, what string, got *tensor.Dense[float64], want *jsonTensor) {
	t.Helper()
	e := relError(t, what, got, want)
	require.LessOrEqual(t, e, parityRtol, "%s: relative error against PyTorch", what)
	w[group] = max(w[group], e)
}

func (w worst) report(t *testing.T) {
	groups := make([]string, 0, len(w))
	for g := range w {
		groups = append(groups, g)
	}
	sort.Strings(groups)
	for _, g := range groups {
		t.Logf("largest relative error against PyTorch, %-20s %.3g", g, w[g])
	}
}

func reductionOf(t *testing.T, s string) layers.Reduction {
	for _, r := range []layers.Reduction{layers.ReduceMean, layers.ReduceSum, layers.ReduceNone} {
		if r.String() == s {
			return r
		}
	}
	t.Fatalf("unknown reduction %q", s)
	return 0
}

// lossOf computes the case's loss of x (and target y) with nabla.
func lossOf(t *testing.T, c *lossCase, x, y *autograd.Var[float64]) *autograd.Var[float64] {
	r := reductionOf(t, c.Reduction)
	switch c.Loss {
	case "mse":
		return layers.MSEWith(x, y, r)
	case "l1":
		return layers.L1With(x, y, r)
	case "cross_entropy":
		return layers.CrossEntropyWith(x, c.Labels, layers.CrossEntropyOptions{Reduction: r, Weight: c.Weight, LabelSmoothing: c.LabelSmoothing})
	case "cross_entropy_probs":
		return layers.CrossEntropyProbsWith(x, y, layers.CrossEntropyOptions{Reduction: r, Weight: c.Weight, LabelSmoothing: c.LabelSmoothing})
	case "nll":
		return layers.NLLWith(x, c.Labels, layers.NLLOptions{Reduction: r, Weight: c.Weight})
	case "bce":
		return layers.BCEWith(x, y, layers.BCEOptions{Reduction: r, Weight: c.Weight})
	case "bce_with_logits":
		return layers.BCEWithLogitsWith(x, y, layers.BCEWithLogitsOptions{Reduction: r, Weight: c.Weight, PosWeight: c.PosWeight})
	case "hinge":
		return layers.HingeWith(x, c.Labels, r)
	}
	t.Fatalf("unknown loss %q", c.Loss)
	return nil
}

func TestLossParityWithPyTorch(t *testing.T) {
	var fx struct {
		Cases []lossCase `json:"cases"`
	}
	readJSON(t, "losses.json", &fx)
	require.NotEmpty(t, fx.Cases)
	w := worst{}
	for i := range fx.Cases {
		c := &fx.Cases[i]
		t.Run(c.Name, func(t *testing.T) {
			x := autograd.Param(c.Input.dense())
			inputs := []*autograd.Var[float64]{x}
			var y *autograd.Var[float64]
			if c.Target != nil {
				y = autograd.Param(c.Target.dense())
				inputs = append(inputs, y)
			}
			loss := lossOf(t, c, x, y)
			w.add(t, c.Group, c.Name+" value", loss.Value(), &c.Value)
			if c.Grad == nil {
				return
			}
			opts := autograd.GradOptions[float64]{}
			if c.GradOutput != nil {
				opts.OutputGrads = []*tensor.Dense[float64]{c.GradOutput.dense()}
			}
			grads := autograd.Grad([]*autograd.Var[float64]{loss}, inputs, opts)
			w.add(t, c.Group, c.Name+" input gradient", grads[0].Value(), c.Grad)
			if c.TargetGrad != nil {
				w.add(t, c.Group, c.Name+" target gradient", grads[1].Value(), c.TargetGrad)
			}
		})
	}
	w.report(t)
}

type layerFixtures struct {
	Linear       linearCase            `json:"linear"`
	LinearNoBias linearCase            `json:"linear_nobias"`
	MLP          mlpCase               `json:"mlp"`
	Activations  map[string]activation `json:"activations"`
}

type linearCase struct {
	X, Weight, Output, GradOutput, GradX, GradWeight jsonTensor
	Bias, GradBias                                   *jsonTensor
}

// UnmarshalJSON maps the fixture's snake_case keys.
func (l *linearCase) UnmarshalJSON(b []byte) error {
	var m map[string]*jsonTensor
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	for key, dst := range map[string]*jsonTensor{"x": &l.X, "weight": &l.Weight, "output": &l.Output,
		"grad_output": &l.GradOutput, "grad_x": &l.GradX, "grad_weight": &l.GradWeight} {
		if m[key] == nil {
			return fmt.Errorf("linear fixture lacks %q", key)
		}
		*dst = *m[key]
	}
	l.Bias, l.GradBias = m["bias"], m["grad_bias"]
	return nil
}

type mlpCase struct {
	X         jsonTensor            `json:"x"`
	Labels    []int                 `json:"labels"`
	Logits    jsonTensor            `json:"logits"`
	Loss      jsonTensor            `json:"loss"`
	GradX     jsonTensor            `json:"grad_x"`
	StateDict map[string]jsonTensor `json:"state_dict"`
	Grads     map[string]jsonTensor `json:"grads"`
}

type activation struct {
	X          jsonTensor  `json:"x"`
	Output     jsonTensor  `json:"output"`
	GradOutput jsonTensor  `json:"grad_output"`
	Grad       jsonTensor  `json:"grad"`
	Grad2      *jsonTensor `json:"grad2"`
}

func TestLayerParityWithPyTorch(t *testing.T) {
	var fx layerFixtures
	readJSON(t, "layers.json", &fx)
	w := worst{}

	for name, c := range map[string]linearCase{"linear": fx.Linear, "linear_nobias": fx.LinearNoBias} {
		t.Run(name, func(t *testing.T) {
			l := &layers.Linear[float64]{Weight: autograd.Param(c.Weight.dense())}
			if c.Bias != nil {
				l.Bias = autograd.Param(c.Bias.dense())
			}
			x := autograd.Param(c.X.dense())
			y := l.Forward(x)
			w.add(t, "linear", name+" output", y.Value(), &c.Output)
			y.BackwardWith(c.GradOutput.dense())
			w.add(t, "linear", name+" grad x", x.Grad(), &c.GradX)
			w.add(t, "linear", name+" grad weight", l.Weight.Grad(), &c.GradWeight)
			if c.Bias != nil {
				w.add(t, "linear", name+" grad bias", l.Bias.Grad(), c.GradBias)
			}
		})
	}

	t.Run("mlp", func(t *testing.T) {
		c := fx.MLP
		rng := newRNG()
		model := layers.NewSequential[float64](
			layers.NewLinear[float64](4, 5, rng),
			layers.NewReLU[float64](),
			layers.NewLinear[float64](5, 3, rng),
		)
		// PyTorch's state dict loads by name: this checks the names too.
		var sd []layers.NamedTensor[float64]
		for name, v := range c.StateDict {
			sd = append(sd, layers.NamedTensor[float64]{Name: name, Tensor: v.dense()})
		}
		require.NoError(t, layers.LoadStateDict(model, sd, true))
		x := autograd.Param(c.X.dense())
		logits := model.Forward(x)
		w.add(t, "mlp", "logits", logits.Value(), &c.Logits)
		loss := layers.CrossEntropy(logits, c.Labels)
		w.add(t, "mlp", "loss", loss.Value(), &c.Loss)
		loss.Backward()
		w.add(t, "mlp", "grad x", x.Grad(), &c.GradX)
		named := model.NamedParameters()
		require.Len(t, named, len(c.Grads))
		for _, p := range named {
			want := c.Grads[p.Name]
			w.add(t, "mlp", "grad "+p.Name, p.Var.Grad(), &want)
		}
	})

	modules := map[string]layers.Module[float64]{
		"gelu":            layers.NewGELU[float64](),
		"gelu_tanh":       layers.NewGELUTanh[float64](),
		"leaky_relu_0.01": layers.NewLeakyReLU[float64](layers.DefaultLeakySlope),
		"leaky_relu_0.2":  layers.NewLeakyReLU[float64](0.2),
		"relu":            layers.NewReLU[float64](),
		"sigmoid":         layers.NewSigmoid[float64](),
		"tanh":            layers.NewTanh[float64](),
		"softmax":         layers.NewSoftmax[float64](1),
		"log_softmax":     layers.NewLogSoftmax[float64](-1),
	}
	require.Len(t, fx.Activations, len(modules))
	for name, c := range fx.Activations {
		t.Run(name, func(t *testing.T) {
			m := modules[name]
			require.NotNil(t, m, name)
			x := autograd.Param(c.X.dense())
			in := x
			if name == "softmax" || name == "log_softmax" {
				in = autograd.Reshape(x, 5, 8)
			}
			y := autograd.Reshape(m.Forward(in), -1)
			w.add(t, "activations", name+" output", y.Value(), &c.Output)
			g := autograd.Grad([]*autograd.Var[float64]{y}, []*autograd.Var[float64]{x},
				autograd.GradOptions[float64]{OutputGrads: []*tensor.Dense[float64]{c.GradOutput.dense()}, CreateGraph: true})[0]
			w.add(t, "activations", name+" gradient", g.Value(), &c.Grad)
			if c.Grad2 != nil {
				g2 := autograd.Grad([]*autograd.Var[float64]{autograd.Sum(g)}, []*autograd.Var[float64]{x}, autograd.GradOptions[float64]{})[0]
				w.add(t, "activations", name+" second derivative", g2.Value(), c.Grad2)
			}
		})
	}
	w.report(t)
}
