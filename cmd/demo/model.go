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

// net is a multi-layer perceptron: Linear layers with ReLU between them.
type net[T tensor.Float] struct {
	*layers.Sequential[T]
	linears []*layers.Linear[T] // the Sequential's Linear layers, in order
}

// newNet builds in-hidden...-classes with ReLU after each hidden layer,
// initialised from rng as PyTorch's nn.Linear. The same seed gives the same
// weights in float32 and float64 (rounded), so a float64 twin of the float32
// model can check its gradients.
func newNet[T tensor.Float](in int, hidden []int, classes int, rng *rand.Rand) *net[T] {
	n := &net[T]{Sequential: layers.NewSequential[T]()}
	width := in
	for _, h := range hidden {
		l := layers.NewLinear[T](width, h, rng)
		n.linears = append(n.linears, l)
		n.Append(l, layers.NewReLU[T]())
		width = h
	}
	l := layers.NewLinear[T](width, classes, rng)
	n.linears = append(n.linears, l)
	n.Append(l)
	return n
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
