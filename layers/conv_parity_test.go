package layers

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nabla-go/nabla/autograd"
	"github.com/nabla-go/nabla/tensor"
)

// The PyTorch parity tests compare each layer, in float64, with the values
// that testdata/conv_make_fixtures.py recorded from PyTorch 1.13: outputs,
// input and parameter gradients, and batch norm's running statistics.

// parityTol is the largest relative error allowed: max|got-want| over
// max|want| for each tensor.
const parityTol = 1e-6

type fixtureTensor struct {
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
}

func (f *fixtureTensor) dense() *tensor.Dense[float64] {
	return tensor.New(append([]float64{}, f.Data...), f.Shape...)
}

type fixtureCase struct {
	Name    string         `json:"name"`
	X       *fixtureTensor `json:"x"`
	GradOut *fixtureTensor `json:"grad_out"`
	Out     *fixtureTensor `json:"out"`
	GradX   *fixtureTensor `json:"grad_x"`

	Weight     *fixtureTensor `json:"weight"`
	Bias       *fixtureTensor `json:"bias"`
	GradWeight *fixtureTensor `json:"grad_weight"`
	GradBias   *fixtureTensor `json:"grad_bias"`

	Config struct {
		In       int    `json:"cin"`
		Out      int    `json:"cout"`
		Kernel   [2]int `json:"k"`
		Stride   [2]int `json:"stride"`
		Padding  [2]int `json:"padding"`
		Dilation [2]int `json:"dilation"`
		Groups   int    `json:"groups"`
		Bias     bool   `json:"bias"`
	} `json:"config"`

	Kernel          [2]int `json:"kernel"`
	Stride          [2]int `json:"stride"`
	Padding         [2]int `json:"padding"`
	Dilation        [2]int `json:"dilation"`
	CountIncludePad bool   `json:"count_include_pad"`
	OutputSize      [2]int `json:"output_size"`

	X2                *fixtureTensor `json:"x2"`
	XEval             *fixtureTensor `json:"x_eval"`
	EvalOut           *fixtureTensor `json:"eval_out"`
	RunningMean       *fixtureTensor `json:"running_mean"`
	RunningVar        *fixtureTensor `json:"running_var"`
	NumBatchesTracked int            `json:"num_batches_tracked"`

	NormalizedShape []int `json:"normalized_shape"`

	Num     int            `json:"num"`
	Dim     int            `json:"dim"`
	Indices *fixtureTensor `json:"indices"`
}

type fixtures struct {
	Conv2D            []fixtureCase `json:"conv2d"`
	MaxPool2D         []fixtureCase `json:"maxpool2d"`
	AvgPool2D         []fixtureCase `json:"avgpool2d"`
	AdaptiveAvgPool2D []fixtureCase `json:"adaptive_avgpool2d"`
	BatchNorm1D       []fixtureCase `json:"batchnorm1d"`
	BatchNorm2D       []fixtureCase `json:"batchnorm2d"`
	LayerNorm         []fixtureCase `json:"layernorm"`
	Embedding         []fixtureCase `json:"embedding"`
}

func loadFixtures(t *testing.T) *fixtures {
	t.Helper()
	raw, err := os.ReadFile("testdata/conv_fixtures.json")
	require.NoError(t, err)
	var f fixtures
	require.NoError(t, json.Unmarshal(raw, &f))
	return &f
}

// relErr is max|got-want| / max|want| (with max|want| at least 1e-12).
func relErr(t *testing.T, what string, got *tensor.Dense[float64], want *fixtureTensor) float64 {
	t.Helper()
	require.NotNil(t, got, what)
	require.Equal(t, want.Shape, got.Shape(), what)
	diff, scale := 0.0, 1e-12
	for i, g := range got.Data() {
		diff = math.Max(diff, math.Abs(g-want.Data[i]))
		scale = math.Max(scale, math.Abs(want.Data[i]))
	}
	return diff / scale
}

// parityRun tracks the largest relative error of a layer kind.
type parityRun struct {
	t     *testing.T
	worst map[string]float64
}

func (p *parityRun) check(layer, what string, got *tensor.Dense[float64], want *fixtureTensor) {
	p.t.Helper()
	e := relErr(p.t, layer+" "+what, got, want)
	require.LessOrEqual(p.t, e, parityTol, "%s %s: relative error %.3g", layer, what, e)
	p.worst[layer] = math.Max(p.worst[layer], e)
}

// forwardBackward runs m on x, then backpropagates sum(out * gradOut).
func forwardBackward(m Module[float64], x *autograd.Var[float64], gradOut *fixtureTensor) *autograd.Var[float64] {
	out := m.Forward(x)
	out.BackwardWith(gradOut.dense())
	return out
}

func TestPyTorchParity(t *testing.T) {
	f := loadFixtures(t)
	p := &parityRun{t: t, worst: map[string]float64{}}
	rng := rand.New(rand.NewPCG(1, 1))

	for _, c := range f.Conv2D {
		cfg := c.Config
		var opts []Option
		if !cfg.Bias {
			opts = append(opts, WithoutBias())
		}
		m := NewConv2D[float64](cfg.In, cfg.Out, cfg.Kernel, autograd.Conv2DOptions{
			Stride: cfg.Stride, Padding: cfg.Padding, Dilation: cfg.Dilation, Groups: cfg.Groups,
		}, rng, opts...)
		m.Weight = autograd.Param(c.Weight.dense())
		if cfg.Bias {
			m.Bias = autograd.Param(c.Bias.dense())
		}
		x := autograd.Param(c.X.dense())
		out := forwardBackward(m, x, c.GradOut)
		name := "Conv2D/" + c.Name
		p.check("Conv2D", name+" out", out.Value(), c.Out)
		p.check("Conv2D", name+" grad_x", x.Grad(), c.GradX)
		p.check("Conv2D", name+" grad_weight", m.Weight.Grad(), c.GradWeight)
		if cfg.Bias {
			p.check("Conv2D", name+" grad_bias", m.Bias.Grad(), c.GradBias)
		} else {
			require.Nil(t, m.Bias)
		}
	}

	pools := []struct {
		layer string
		cases []fixtureCase
		make  func(c fixtureCase) Module[float64]
	}{
		{"MaxPool2D", f.MaxPool2D, func(c fixtureCase) Module[float64] {
			return NewMaxPool2D[float64](autograd.Pool2DOptions{Kernel: c.Kernel, Stride: c.Stride, Padding: c.Padding, Dilation: c.Dilation})
		}},
		{"AvgPool2D", f.AvgPool2D, func(c fixtureCase) Module[float64] {
			return NewAvgPool2D[float64](autograd.Pool2DOptions{Kernel: c.Kernel, Stride: c.Stride, Padding: c.Padding, ExcludePad: !c.CountIncludePad})
		}},
		{"AdaptiveAvgPool2D", f.AdaptiveAvgPool2D, func(c fixtureCase) Module[float64] {
			return NewAdaptiveAvgPool2D[float64](c.OutputSize[0], c.OutputSize[1])
		}},
	}
	for _, pool := range pools {
		require.NotEmpty(t, pool.cases, pool.layer)
		for _, c := range pool.cases {
			x := autograd.Param(c.X.dense())
			out := forwardBackward(pool.make(c), x, c.GradOut)
			p.check(pool.layer, c.Name+" out", out.Value(), c.Out)
			p.check(pool.layer, c.Name+" grad_x", x.Grad(), c.GradX)
		}
	}

	type batchNorm interface {
		Module[float64]
		BufferHolder[float64]
	}
	bns := []struct {
		layer string
		cases []fixtureCase
		make  func(c int) (batchNorm, **autograd.Var[float64], **autograd.Var[float64])
	}{
		{"BatchNorm1D", f.BatchNorm1D, func(c int) (batchNorm, **autograd.Var[float64], **autograd.Var[float64]) {
			b := NewBatchNorm1D[float64](c)
			return b, &b.Weight, &b.Bias
		}},
		{"BatchNorm2D", f.BatchNorm2D, func(c int) (batchNorm, **autograd.Var[float64], **autograd.Var[float64]) {
			b := NewBatchNorm2D[float64](c)
			return b, &b.Weight, &b.Bias
		}},
	}
	for _, bn := range bns {
		require.NotEmpty(t, bn.cases, bn.layer)
		for _, c := range bn.cases {
			m, w, b := bn.make(c.X.Shape[1])
			*w, *b = autograd.Param(c.Weight.dense()), autograd.Param(c.Bias.dense())
			x := autograd.Param(c.X.dense())
			out := forwardBackward(m, x, c.GradOut)
			p.check(bn.layer, c.Name+" train out", out.Value(), c.Out)
			p.check(bn.layer, c.Name+" grad_x", x.Grad(), c.GradX)
			p.check(bn.layer, c.Name+" grad_weight", (*w).Grad(), c.GradWeight)
			p.check(bn.layer, c.Name+" grad_bias", (*b).Grad(), c.GradBias)
			autograd.NoGrad(func() { m.Forward(autograd.Const(c.X2.dense())) })
			bufs := map[string]*tensor.Dense[float64]{}
			for _, nb := range m.NamedBuffers() {
				bufs[nb.Name] = nb.Tensor
			}
			p.check(bn.layer, c.Name+" running_mean", bufs["running_mean"], c.RunningMean)
			p.check(bn.layer, c.Name+" running_var", bufs["running_var"], c.RunningVar)
			require.Equal(t, float64(c.NumBatchesTracked), bufs["num_batches_tracked"].Item())
			m.SetTraining(false)
			p.check(bn.layer, c.Name+" eval out", m.Forward(autograd.Const(c.XEval.dense())).Value(), c.EvalOut)
			require.Equal(t, float64(c.NumBatchesTracked), bufs["num_batches_tracked"].Item(), "evaluation counts no batch")
		}
	}

	require.NotEmpty(t, f.LayerNorm)
	for _, c := range f.LayerNorm {
		m := NewLayerNorm[float64](c.NormalizedShape...)
		m.Weight, m.Bias = autograd.Param(c.Weight.dense()), autograd.Param(c.Bias.dense())
		x := autograd.Param(c.X.dense())
		out := forwardBackward(m, x, c.GradOut)
		p.check("LayerNorm", c.Name+" out", out.Value(), c.Out)
		p.check("LayerNorm", c.Name+" grad_x", x.Grad(), c.GradX)
		p.check("LayerNorm", c.Name+" grad_weight", m.Weight.Grad(), c.GradWeight)
		p.check("LayerNorm", c.Name+" grad_bias", m.Bias.Grad(), c.GradBias)
	}

	require.NotEmpty(t, f.Embedding)
	for _, c := range f.Embedding {
		m := NewEmbedding[float64](c.Num, c.Dim, rng)
		m.Weight = autograd.Param(c.Weight.dense())
		out := forwardBackward(m, autograd.Const(c.Indices.dense()), c.GradOut)
		p.check("Embedding", c.Name+" out", out.Value(), c.Out)
		p.check("Embedding", c.Name+" grad_weight", m.Weight.Grad(), c.GradWeight)
	}

	names := make([]string, 0, len(p.worst))
	for n := range p.worst {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		t.Logf("largest relative error %-18s %.3g", n, p.worst[n])
	}
}
