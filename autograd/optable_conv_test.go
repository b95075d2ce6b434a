package autograd

import (
	"math/rand/v2"

	"github.com/nabla-go/nabla/tensor"
)

// convOpTable lists the convolution, pooling and normalisation ops for the
// gradient suite; opTable appends it.
func convOpTable() []opEntry {
	win := func(k, s, p, d int) tensor.Window2D {
		return tensor.Window2D{Kernel: [2]int{k, k}, Stride: [2]int{s, s}, Padding: [2]int{p, p}, Dilation: [2]int{d, d}}
	}
	conv := func(o Conv2DOptions) func([]*Var[float64]) *Var[float64] {
		return func(in []*Var[float64]) *Var[float64] { return Conv2D(in[0], in[1], nil, o) }
	}
	convX := tensor.RandN[float64](rand.New(rand.NewPCG(5, 6)), 2, 1, 4, 5)
	convW := tensor.RandN[float64](rand.New(rand.NewPCG(7, 8)), 3, 1, 3, 3)
	convBias := func(o Conv2DOptions) func([]*Var[float64]) *Var[float64] {
		return func(in []*Var[float64]) *Var[float64] { return Conv2D(in[0], in[1], in[2], o) }
	}
	// Overlapping 3x3 windows with stride 2 on a 5x5 plane: the centre
	// elements are picked by several windows, so MaxUnpool2D must add.
	poolIdx := func() []int {
		_, idx := tensor.MaxPool2D(tensor.RandN[float64](rand.New(rand.NewPCG(3, 4)), 2, 2, 5, 5), win(3, 2, 1, 1))
		return idx
	}()
	gatherIdx := []int{0, 5, 5, 7, 11, 11, 3, 0, 19, 19, 2, 6} // [1 2 2 3] from 4x5 planes, with repeats
	bnStats := func() (*tensor.Dense[float64], *tensor.Dense[float64]) {
		return tensor.New([]float64{0.1, -0.3, 0.2}), tensor.New([]float64{0.5, 1.5, 0.8})
	}
	return []opEntry{
		{"Im2Col", []opCase{
			{name: "pad-stride", fn: unary(func(a *Var[float64]) *Var[float64] { return Im2Col(a, win(3, 2, 1, 1)) }), inputs: gens(randn(2, 2, 5, 6))},
			{name: "dilation", fn: unary(func(a *Var[float64]) *Var[float64] { return Im2Col(a, win(2, 1, 1, 2)) }), inputs: gens(randn(1, 3, 5, 5))},
			{name: "rect", fn: unary(func(a *Var[float64]) *Var[float64] {
				return Im2Col(a, tensor.Window2D{Kernel: [2]int{2, 3}, Stride: [2]int{1, 2}, Padding: [2]int{0, 1}})
			}), inputs: gens(randn(2, 1, 4, 6))},
		}},
		{"Col2Im", []opCase{
			// 2 channels, 3x3 kernel, stride 2, pad 1 on 5x6 -> 3x3 outputs per image.
			{name: "pad-stride", fn: unary(func(a *Var[float64]) *Var[float64] { return Col2Im(a, []int{2, 2, 5, 6}, win(3, 2, 1, 1)) }), inputs: gens(randn(2, 18, 9))},
			{name: "dilation", fn: unary(func(a *Var[float64]) *Var[float64] { return Col2Im(a, []int{1, 1, 5, 5}, win(2, 1, 1, 2)) }), inputs: gens(randn(1, 4, 25))},
		}},
		{"Conv2D", []opCase{
			{name: "plain", fn: conv(Conv2DOptions{}), inputs: gens(randn(2, 3, 5, 5), randn(4, 3, 3, 3))},
			{name: "stride2-pad1", fn: conv(Conv2DOptions{Stride: [2]int{2, 2}, Padding: [2]int{1, 1}}), inputs: gens(randn(2, 2, 6, 5), randn(3, 2, 3, 3))},
			{name: "dilation2", fn: conv(Conv2DOptions{Dilation: [2]int{2, 2}, Padding: [2]int{1, 1}}), inputs: gens(randn(1, 2, 6, 6), randn(2, 2, 3, 3))},
			{name: "groups2", fn: conv(Conv2DOptions{Groups: 2, Padding: [2]int{1, 0}}), inputs: gens(randn(2, 4, 4, 5), randn(6, 2, 3, 2))},
			{name: "rect-1x1", fn: conv(Conv2DOptions{Stride: [2]int{1, 2}}), inputs: gens(randn(2, 3, 3, 4), randn(2, 3, 1, 1))},
			{name: "bias-pad1", fn: convBias(Conv2DOptions{Padding: [2]int{1, 1}}), inputs: gens(randn(2, 2, 4, 4), randn(3, 2, 3, 3), randn(3))},
			{name: "bias-groups2-stride2", fn: convBias(Conv2DOptions{Groups: 2, Stride: [2]int{2, 1}, Padding: [2]int{1, 1}}), inputs: gens(randn(2, 4, 5, 4), randn(4, 2, 2, 3), randn(4))},
			{name: "bias-only-grad", fn: func(in []*Var[float64]) *Var[float64] {
				// x and w held constant: only the bias path is differentiated.
				return Conv2D(Const(convX), Const(convW), in[0], Conv2DOptions{Padding: [2]int{1, 1}})
			}, inputs: gens(randn(3))},
			{name: "const-input", fn: func(in []*Var[float64]) *Var[float64] {
				// A constant input (a first layer's batch): the input gradient is skipped.
				return Conv2D(Const(convX), in[0], in[1], Conv2DOptions{Padding: [2]int{1, 1}})
			}, inputs: gens(randn(3, 1, 3, 3), randn(3))},
		}},
		{"Conv2DReLU", []opCase{
			// Through Tanh, so that the second derivative is not zero.
			{name: "bias-pad1", fn: func(in []*Var[float64]) *Var[float64] {
				return Tanh(Conv2DReLU(in[0], in[1], in[2], Conv2DOptions{Padding: [2]int{1, 1}}))
			}, inputs: gens(randn(2, 2, 4, 4), randn(3, 2, 3, 3), randn(3))},
			{name: "groups2-no-bias", fn: func(in []*Var[float64]) *Var[float64] {
				return Tanh(Conv2DReLU(in[0], in[1], nil, Conv2DOptions{Groups: 2, Stride: [2]int{2, 1}}))
			}, inputs: gens(randn(2, 4, 5, 4), randn(4, 2, 2, 3))},
			{name: "const-input", fn: func(in []*Var[float64]) *Var[float64] {
				return Tanh(Conv2DReLU(Const(convX), in[0], in[1], Conv2DOptions{Padding: [2]int{1, 1}}))
			}, inputs: gens(randn(3, 1, 3, 3), randn(3))},
		}},
		{"convGEMM", []opCase{
			{name: "bias", fn: func(in []*Var[float64]) *Var[float64] { return convGEMM(in[0], in[1], in[2]) }, inputs: gens(randn(2, 3, 4), randn(3, 2, 4, 5), randn(6))},
			{name: "transposed", fn: func(in []*Var[float64]) *Var[float64] { return convGEMM(Transpose(in[0], 1, 2), in[1], nil) }, inputs: gens(randn(1, 4, 3), randn(2, 1, 4, 5))},
		}},
		{"sumMatMulT", []opCase{
			{name: "groups2", fn: func(in []*Var[float64]) *Var[float64] { return sumMatMulT(in[0], in[1]) }, inputs: gens(randn(3, 2, 3, 5), randn(3, 2, 4, 5))},
		}},
		{"MaxPool2D", []opCase{
			{name: "2x2", fn: unary(func(a *Var[float64]) *Var[float64] { return MaxPool2D(a, Pool2DOptions{Kernel: [2]int{2, 2}}) }), inputs: gens(distinct(2, 2, 4, 6))},
			{name: "overlap-pad", fn: unary(func(a *Var[float64]) *Var[float64] {
				return MaxPool2D(a, Pool2DOptions{Kernel: [2]int{3, 3}, Stride: [2]int{2, 2}, Padding: [2]int{1, 1}})
			}), inputs: gens(distinct(1, 2, 5, 5))},
			{name: "dilation", fn: unary(func(a *Var[float64]) *Var[float64] {
				return MaxPool2D(a, Pool2DOptions{Kernel: [2]int{2, 2}, Stride: [2]int{1, 1}, Dilation: [2]int{2, 2}})
			}), inputs: gens(distinct(1, 2, 5, 5))},
		}},
		{"MaxPool2DWithIndices", []opCase{
			{name: "", fn: unary(func(a *Var[float64]) *Var[float64] {
				out, _ := MaxPool2DWithIndices(a, Pool2DOptions{Kernel: [2]int{2, 3}, Stride: [2]int{1, 2}})
				return out
			}), inputs: gens(distinct(2, 1, 4, 7))},
		}},
		{"MaxUnpool2D", []opCase{
			{name: "repeats", fn: unary(func(a *Var[float64]) *Var[float64] { return Tanh(MaxUnpool2D(a, poolIdx, 5, 5)) }), inputs: gens(randn(2, 2, 3, 3))},
		}},
		{"GatherPlanes", []opCase{
			{name: "repeats", fn: unary(func(a *Var[float64]) *Var[float64] { return Tanh(GatherPlanes(a, gatherIdx, 2, 3)) }), inputs: gens(randn(1, 2, 4, 5))},
		}},
		{"AvgPool2D", []opCase{
			{name: "2x2", fn: unary(func(a *Var[float64]) *Var[float64] { return AvgPool2D(a, Pool2DOptions{Kernel: [2]int{2, 2}}) }), inputs: gens(randn(2, 3, 4, 4))},
			{name: "pad-include", fn: unary(func(a *Var[float64]) *Var[float64] {
				return AvgPool2D(a, Pool2DOptions{Kernel: [2]int{3, 3}, Stride: [2]int{2, 2}, Padding: [2]int{1, 1}})
			}), inputs: gens(randn(1, 2, 5, 6))},
			{name: "pad-exclude", fn: unary(func(a *Var[float64]) *Var[float64] {
				return AvgPool2D(a, Pool2DOptions{Kernel: [2]int{3, 2}, Stride: [2]int{2, 1}, Padding: [2]int{1, 1}, ExcludePad: true})
			}), inputs: gens(randn(1, 2, 5, 4))},
		}},
		{"AdaptiveAvgPool2D", []opCase{
			{name: "1x1", fn: unary(func(a *Var[float64]) *Var[float64] { return AdaptiveAvgPool2D(a, 1, 1) }), inputs: gens(randn(2, 3, 4, 5))},
			{name: "uneven", fn: unary(func(a *Var[float64]) *Var[float64] { return AdaptiveAvgPool2D(a, 2, 3) }), inputs: gens(randn(2, 2, 5, 7))},
		}},
		{"BatchNorm", []opCase{
			{name: "train-2d", fn: func(in []*Var[float64]) *Var[float64] {
				return BatchNorm(in[0], in[1], in[2], BatchNormOptions[float64]{Training: true})
			}, inputs: gens(randn(3, 3, 2, 2), randn(3), randn(3))},
			{name: "train-1d", fn: func(in []*Var[float64]) *Var[float64] {
				m, v := bnStats()
				return BatchNorm(in[0], in[1], in[2], BatchNormOptions[float64]{Training: true, RunningMean: m, RunningVar: v})
			}, inputs: gens(randn(4, 3), randn(3), randn(3))},
			{name: "train-no-affine", fn: unary(func(a *Var[float64]) *Var[float64] {
				return BatchNorm(a, nil, nil, BatchNormOptions[float64]{Training: true})
			}), inputs: gens(randn(2, 3, 4))},
			{name: "eval", fn: func(in []*Var[float64]) *Var[float64] {
				m, v := bnStats()
				return BatchNorm(in[0], in[1], in[2], BatchNormOptions[float64]{RunningMean: m, RunningVar: v})
			}, inputs: gens(randn(2, 3, 2, 2), randn(3), randn(3))},
		}},
		{"LayerNorm", []opCase{
			{name: "last", fn: func(in []*Var[float64]) *Var[float64] { return LayerNorm(in[0], in[1], in[2], 1, 1e-5) }, inputs: gens(randn(3, 5), randn(5), randn(5))},
			{name: "last2", fn: func(in []*Var[float64]) *Var[float64] { return LayerNorm(in[0], in[1], in[2], 2, 1e-5) }, inputs: gens(randn(2, 3, 4), randn(3, 4), randn(3, 4))},
			{name: "no-affine", fn: unary(func(a *Var[float64]) *Var[float64] { return LayerNorm(a, nil, nil, 1, 1e-5) }), inputs: gens(randn(2, 2, 4))},
		}},
	}
}
