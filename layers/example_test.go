package layers_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/nabla-go/nabla/autograd"
	"github.com/nabla-go/nabla/layers"
	"github.com/nabla-go/nabla/tensor"
)

// Build a two-layer classifier for 8×8 digit images and list its
// parameters, named as PyTorch names them.
func ExampleNewSequential() {
	rng := rand.New(rand.NewPCG(1, 2))
	model := layers.NewSequential[float32](
		layers.NewLinear[float32](64, 50, rng),
		layers.NewReLU[float32](),
		layers.NewLinear[float32](50, 10, rng),
	)
	for _, p := range model.NamedParameters() {
		fmt.Println(p.Name, p.Var.Shape())
	}
	// Output:
	// 0.weight [50 64]
	// 0.bias [50]
	// 2.weight [10 50]
	// 2.bias [10]
}

// One step of gradient descent on a batch lowers the loss.
func ExampleCrossEntropy_trainingStep() {
	rng := rand.New(rand.NewPCG(1, 2))
	model := layers.NewSequential[float32](
		layers.NewLinear[float32](64, 50, rng),
		layers.NewReLU[float32](),
		layers.NewLinear[float32](50, 10, rng),
	)
	x := tensor.RandN[float32](rng, 32, 64) // a batch of 32 inputs
	y := make([]int, 32)                    // and their class labels
	for i := range y {
		y[i] = rng.IntN(10)
	}

	loss := layers.CrossEntropy(model.Forward(autograd.Const(x)), y)
	loss.Backward()
	autograd.NoGrad(func() {
		for _, p := range model.Parameters() {
			w, g := p.Value().Data(), p.Grad().Data()
			for i := range w {
				w[i] -= 0.1 * g[i]
			}
			p.ZeroGrad()
		}
	})
	after := layers.CrossEntropy(model.Forward(autograd.Const(x)), y)
	fmt.Println("loss decreased:", after.Item() < loss.Item())
	// Output:
	// loss decreased: true
}

// TwoLayer is a custom module: any type with Forward, NamedParameters and
// SetTraining is a layers.Module, and can sit in a Sequential.
type TwoLayer struct {
	hidden, out *layers.Linear[float64]
}

func NewTwoLayer(in, hidden, out int, rng *rand.Rand) *TwoLayer {
	return &TwoLayer{
		hidden: layers.NewLinear[float64](in, hidden, rng),
		out:    layers.NewLinear[float64](hidden, out, rng),
	}
}

func (m *TwoLayer) Forward(x *autograd.Var[float64]) *autograd.Var[float64] {
	return m.out.Forward(autograd.Tanh(m.hidden.Forward(x)))
}

// NamedParameters prefixes the children's names with their field names, as
// PyTorch does for submodules.
func (m *TwoLayer) NamedParameters() []layers.Named[float64] {
	var ps []layers.Named[float64]
	for _, child := range []struct {
		name string
		l    *layers.Linear[float64]
	}{{"hidden", m.hidden}, {"out", m.out}} {
		for _, p := range child.l.NamedParameters() {
			ps = append(ps, layers.Named[float64]{Name: child.name + "." + p.Name, Var: p.Var})
		}
	}
	return ps
}

func (m *TwoLayer) SetTraining(bool) {}

func Example_customModule() {
	rng := rand.New(rand.NewPCG(1, 2))
	var model layers.Module[float64] = NewTwoLayer(3, 4, 2, rng)
	y := model.Forward(autograd.Const(tensor.Ones[float64](5, 3)))
	fmt.Println("output", y.Shape())
	for _, e := range layers.StateDict(model) {
		fmt.Println(e.Name, e.Tensor.Shape())
	}
	// Output:
	// output [5 2]
	// hidden.weight [4 3]
	// hidden.bias [4]
	// out.weight [2 4]
	// out.bias [2]
}

// Class labels, probabilities and options.
func ExampleCrossEntropyWith() {
	logits := autograd.Const(tensor.New([]float64{2, 1, 0.1}, 1, 3))
	fmt.Printf("%.4f\n", layers.CrossEntropy(logits, []int{0}).Item())
	smooth := layers.CrossEntropyWith(logits, []int{0}, layers.CrossEntropyOptions{LabelSmoothing: 0.1})
	fmt.Printf("%.4f\n", smooth.Item())
	// Output:
	// 0.4170
	// 0.5137
}
