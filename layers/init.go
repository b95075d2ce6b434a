package layers

import (
	"math"
	"math/rand/v2"

	"github.com/nabla-go/nabla/tensor"
)

// Init is a weight-initialisation scheme. It fills data, the row-major
// elements of a tensor of the given shape, with values drawn from rng.
// Schemes that depend on the fan-in or fan-out derive them from the shape
// with Fans, as PyTorch's torch.nn.init does, so one scheme serves a Linear
// weight [out, in] and a convolution kernel [out, in, kh, kw] alike.
type Init func(rng *rand.Rand, data []float64, shape []int)

// NewWeight returns a tensor of the given shape initialised by init with
// values drawn from rng. Layers call it for their parameters:
//
//	w := layers.NewWeight[float32](rng, layers.KaimingUniform(math.Sqrt(5)), out, in, kh, kw)
func NewWeight[T tensor.Float](rng *rand.Rand, init Init, shape ...int) *tensor.Dense[T] {
	t := tensor.Zeros[T](shape...)
	vals := make([]float64, t.Size())
	init(rng, vals, shape)
	data := t.Data()
	for i, v := range vals {
		data[i] = T(v)
	}
	return t
}

// Fans returns the fan-in and fan-out of a weight of the given shape, as
// PyTorch computes them: for [out, in, k1, k2, ...] the fan-in is
// in·k1·k2·… and the fan-out out·k1·k2·…. A vector [n] has fan-in and
// fan-out n, and a scalar 1.
func Fans(shape ...int) (fanIn, fanOut int) {
	switch len(shape) {
	case 0:
		return 1, 1
	case 1:
		return shape[0], shape[0]
	}
	receptive := 1
	for _, d := range shape[2:] {
		receptive *= d
	}
	return shape[1] * receptive, shape[0] * receptive
}

// Uniform draws every element from the uniform distribution on [lo, hi).
func Uniform(lo, hi float64) Init {
	return func(rng *rand.Rand, data []float64, _ []int) {
		for i := range data {
			data[i] = lo + (hi-lo)*rng.Float64()
		}
	}
}

// Normal draws every element from the normal distribution with the given
// mean and standard deviation; Normal(0, 0.01) is the classic small-weight
// initialisation.
func Normal(mean, std float64) Init {
	return func(rng *rand.Rand, data []float64, _ []int) {
		for i := range data {
			data[i] = mean + std*rng.NormFloat64()
		}
	}
}

// Constant sets every element to v.
func Constant(v float64) Init {
	return func(_ *rand.Rand, data []float64, _ []int) {
		for i := range data {
			data[i] = v
		}
	}
}

// leakyReLUGain is torch.nn.init.calculate_gain("leaky_relu", a).
func leakyReLUGain(a float64) float64 { return math.Sqrt(2 / (1 + a*a)) }

// KaimingUniform is He initialisation with a uniform distribution, in
// PyTorch's fan-in mode for a leaky ReLU of negative slope a: U(-b, b) with
// b = gain·sqrt(3/fanIn) and gain = sqrt(2/(1+a²)). KaimingUniform(0) suits
// ReLU networks. KaimingUniform(math.Sqrt(5)), where b = 1/sqrt(fanIn), is
// the default initialisation of PyTorch's nn.Linear and nn.Conv2d weights.
func KaimingUniform(a float64) Init {
	return func(rng *rand.Rand, data []float64, shape []int) {
		fanIn, _ := Fans(shape...)
		b := leakyReLUGain(a) * math.Sqrt(3/float64(fanIn))
		Uniform(-b, b)(rng, data, shape)
	}
}

// KaimingNormal is He initialisation with a normal distribution, in
// PyTorch's fan-in mode for a leaky ReLU of negative slope a: N(0, std²)
// with std = gain/sqrt(fanIn) and gain = sqrt(2/(1+a²)). KaimingNormal(0),
// std = sqrt(2/fanIn), is the He initialisation for ReLU networks.
func KaimingNormal(a float64) Init {
	return func(rng *rand.Rand, data []float64, shape []int) {
		fanIn, _ := Fans(shape...)
		Normal(0, leakyReLUGain(a)/math.Sqrt(float64(fanIn)))(rng, data, shape)
	}
}

// XavierUniform is Glorot initialisation with a uniform distribution:
// U(-b, b) with b = gain·sqrt(6/(fanIn+fanOut)). Use gain 1 for linear,
// sigmoid or tanh layers (PyTorch's gain for tanh is 5/3).
func XavierUniform(gain float64) Init {
	return func(rng *rand.Rand, data []float64, shape []int) {
		fanIn, fanOut := Fans(shape...)
		b := gain * math.Sqrt(6/float64(fanIn+fanOut))
		Uniform(-b, b)(rng, data, shape)
	}
}

// XavierNormal is Glorot initialisation with a normal distribution:
// N(0, std²) with std = gain·sqrt(2/(fanIn+fanOut)).
func XavierNormal(gain float64) Init {
	return func(rng *rand.Rand, data []float64, shape []int) {
		fanIn, fanOut := Fans(shape...)
		Normal(0, gain*math.Sqrt(2/float64(fanIn+fanOut)))(rng, data, shape)
	}
}

// Option configures a layer that has a weight and a bias (Linear, and
// other layers of this package that accept ...Option).
type Option func(*weightConfig)

// weightConfig is what the Options set. A nil init means the layer's
// default (PyTorch's).
type weightConfig struct {
	noBias     bool
	weightInit Init
	biasInit   Init
}

// WithoutBias leaves out the bias (PyTorch's bias=False).
func WithoutBias() Option { return func(c *weightConfig) { c.noBias = true } }

// WithInit initialises the weight with init instead of the layer's default
// (PyTorch's kaiming-uniform with a = sqrt(5)). The bias keeps its own
// default unless WithBiasInit is given too.
func WithInit(init Init) Option { return func(c *weightConfig) { c.weightInit = init } }

// WithBiasInit initialises the bias with init instead of the layer's
// default (PyTorch's U(-1/sqrt(fanIn), 1/sqrt(fanIn))); WithBiasInit(Constant(0))
// gives zero biases.
func WithBiasInit(init Init) Option { return func(c *weightConfig) { c.biasInit = init } }

// configure applies opts over the defaults: the weight's default is
// kaiming-uniform with a = sqrt(5) and the bias's U(-1/sqrt(fanIn),
// 1/sqrt(fanIn)) for the weight's fan-in, as in PyTorch.
func configure(fanIn int, opts []Option) weightConfig {
	var c weightConfig
	for _, o := range opts {
		o(&c)
	}
	if c.weightInit == nil {
		c.weightInit = KaimingUniform(math.Sqrt(5))
	}
	if c.biasInit == nil {
		b := 0.0
		if fanIn > 0 {
			b = 1 / math.Sqrt(float64(fanIn))
		}
		c.biasInit = Uniform(-b, b)
	}
	return c
}
