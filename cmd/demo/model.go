package main

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/nabla-go/nabla/autograd"
	"github.com/nabla-go/nabla/layers"
	"github.com/nabla-go/nabla/optim"
	"github.com/nabla-go/nabla/tensor"
)

// net is the model a run trains: a multi-layer perceptron (Linear layers
// with ReLU between them) or a small convolutional network, as one
// layers.Sequential, so that its parameters carry PyTorch's names.
type net[T tensor.Float] struct {
	*layers.Sequential[T]
	arch string // short, for the plot's title and the checkpoint: 64-64-10, CNN 32-64-128-10
	desc string // the layers, for the report
}

// newModel builds the model cfg names for d, initialised from rng as
// PyTorch's layers are. The same seed gives the same weights in float32 and
// float64 (rounded), so a float64 twin of the float32 model can check its
// gradients.
func newModel[T tensor.Float](cfg *config, d *splitData, rng *rand.Rand) *net[T] {
	if cfg.model == "cnn" {
		return newCNN[T](cnnFor(d.side), d.side, d.classes, rng)
	}
	return newNet[T](d.features, cfg.hidden, d.classes, rng)
}

// newNet builds the MLP in-hidden...-classes with ReLU after each hidden
// layer.
func newNet[T tensor.Float](in int, hidden []int, classes int, rng *rand.Rand) *net[T] {
	arch := architecture(in, hidden, classes)
	n := &net[T]{Sequential: layers.NewSequential[T](), arch: arch, desc: arch + " MLP with ReLU"}
	width := in
	for _, h := range hidden {
		n.Append(layers.NewLinear[T](width, h, rng), layers.NewReLU[T]())
		width = h
	}
	n.Append(layers.NewLinear[T](width, classes, rng))
	return n
}

// cnnSpec is the shape of a CNN: two 3x3 convolutions (padding 1), each
// followed by ReLU and 2x2 max-pooling, then a hidden Linear layer with ReLU
// (none when hidden is 0) and the output Linear layer.
type cnnSpec struct {
	conv1, conv2 int // output channels of the convolutions
	hidden       int // width of the hidden Linear layer, or 0
}

// cnnFor returns the CNN for square images of the given side: for 28x28
// images the "cnn" of the PyTorch reference workloads (torch_reference.py),
// for Digits' 8x8 a smaller one that trains in a few seconds.
func cnnFor(side int) cnnSpec {
	if side >= 28 {
		return cnnSpec{conv1: 32, conv2: 64, hidden: 128}
	}
	return cnnSpec{conv1: 16, conv2: 32}
}

// newCNN builds the CNN s for single-channel images of side x side pixels:
//
//	Conv(1→conv1, 3x3, pad 1)-ReLU-MaxPool(2)-Conv(conv1→conv2, 3x3, pad 1)-ReLU-MaxPool(2)-
//	Flatten-[Linear(conv2·(side/4)²→hidden)-ReLU]-Linear(→classes)
//
// PyTorch's nn.Sequential of the same layers has the same parameter names
// ("0.weight", "3.weight", "7.weight", "9.weight").
func newCNN[T tensor.Float](s cnnSpec, side, classes int, rng *rand.Rand) *net[T] {
	conv := autograd.Conv2DOptions{Padding: [2]int{1, 1}}
	pool := autograd.Pool2DOptions{Kernel: [2]int{2, 2}}
	flat := s.conv2 * (side / 4) * (side / 4)
	n := &net[T]{Sequential: layers.NewSequential[T](
		layers.NewConv2D[T](1, s.conv1, [2]int{3, 3}, conv, rng), layers.NewReLU[T](), layers.NewMaxPool2D[T](pool),
		layers.NewConv2D[T](s.conv1, s.conv2, [2]int{3, 3}, conv, rng), layers.NewReLU[T](), layers.NewMaxPool2D[T](pool),
		layers.NewFlatten[T](),
	)}
	widths := []int{s.conv1, s.conv2}
	linears := fmt.Sprint(flat)
	width := flat
	if s.hidden > 0 {
		n.Append(layers.NewLinear[T](flat, s.hidden, rng), layers.NewReLU[T]())
		widths = append(widths, s.hidden)
		linears += fmt.Sprintf("-%d", s.hidden)
		width = s.hidden
	}
	n.Append(layers.NewLinear[T](width, classes, rng))
	widths = append(widths, classes)
	n.arch = "CNN " + joinInts(widths)
	relu := ""
	if s.hidden > 0 {
		relu = " with ReLU"
	}
	n.desc = fmt.Sprintf("CNN on 1x%dx%d images: conv 3x3 %d, ReLU, max-pool 2, conv 3x3 %d, ReLU, max-pool 2, linear %s-%d%s",
		side, side, s.conv1, s.conv2, linears, classes, relu)
	return n
}

// setParams makes the model's weights and biases the given Vars, in
// layers.Parameters order, for autograd.GradCheck, which differentiates a
// function of its inputs.
func setParams[T tensor.Float](m *net[T], in []*autograd.Var[T]) {
	i := 0
	next := func() *autograd.Var[T] { i++; return in[i-1] }
	for _, l := range m.Layers() {
		switch l := l.(type) {
		case *layers.Linear[T]:
			l.Weight = next()
			if l.Bias != nil {
				l.Bias = next()
			}
		case *layers.Conv2D[T]:
			l.Weight = next()
			if l.Bias != nil {
				l.Bias = next()
			}
		}
	}
}

// numParams counts the model's parameters.
func numParams[T tensor.Float](m layers.Module[T]) int {
	n := 0
	for _, p := range layers.Parameters(m) {
		n += p.Value().Size()
	}
	return n
}

// architecture writes the layer widths, such as 64-64-10.
func architecture(in int, hidden []int, classes int) string {
	parts := []string{strconv.Itoa(in)}
	for _, h := range hidden {
		parts = append(parts, strconv.Itoa(h))
	}
	parts = append(parts, strconv.Itoa(classes))
	return strings.Join(parts, "-")
}

// newOptimizer makes the optimizer cfg names over params.
func newOptimizer[T tensor.Float](name string, lr float64, params []*autograd.Var[T]) (optim.Optimizer[T], error) {
	switch name {
	case "sgd":
		return optim.NewSGD(params, optim.SGDConfig{LR: lr}), nil
	case "momentum":
		return optim.NewSGD(params, optim.SGDConfig{LR: lr, Momentum: 0.9}), nil
	case "adam":
		return optim.NewAdam(params, optim.AdamConfig{LR: lr}), nil
	case "adamw":
		return optim.NewAdamW(params, optim.AdamWConfig{LR: lr}), nil
	case "rmsprop":
		return optim.NewRMSProp(params, optim.RMSPropConfig{LR: lr}), nil
	case "adagrad":
		return optim.NewAdagrad(params, optim.AdagradConfig{LR: lr}), nil
	}
	return nil, fmt.Errorf("unknown optimizer %q", name)
}

// describeOptimizer names the optimizer and its settings for the report.
func describeOptimizer(cfg *config) string {
	name := map[string]string{
		"sgd":      "SGD",
		"momentum": "SGD with momentum 0.9",
		"adam":     "Adam",
		"adamw":    "AdamW (weight decay 0.01)",
		"rmsprop":  "RMSProp",
		"adagrad":  "Adagrad",
	}[cfg.opt]
	epochs := "epochs"
	if cfg.epochs == 1 {
		epochs = "epoch"
	}
	return fmt.Sprintf("%s, learning rate %g, batch %d, %d %s", name, cfg.lr, cfg.batch, cfg.epochs, epochs)
}
