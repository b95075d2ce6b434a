package autograd_test

import (
	"fmt"

	"github.com/nabla-go/nabla/autograd"
	"github.com/nabla-go/nabla/tensor"
)

// A gradient computation: y = sum(tanh(a @ b)), then dy/da and dy/db.
func Example() {
	a := autograd.Param(tensor.New([]float64{0.1, 0.2, 0.3, 0.4}, 2, 2))
	b := autograd.Param(tensor.New([]float64{1, -1, 0.5, 2}, 2, 2))
	y := autograd.Sum(autograd.Tanh(autograd.MatMul(a, b)))
	y.Backward()
	fmt.Printf("y = %.4f\n", y.Item())
	fmt.Printf("da = %.4f\n", a.Grad().Data())
	fmt.Printf("db = %.4f\n", b.Grad().Data())
	// Output:
	// y = 1.4129
	// da = [0.0459 2.3108 0.0000 1.9661]
	// db = [0.3320 0.3274 0.5068 0.4976]
}

// GradCheck compares backpropagation with central differences.
func ExampleGradCheck() {
	a := tensor.New([]float64{0.1, 0.2, 0.3, 0.4, 0.5, 0.6}, 2, 3)
	b := tensor.New([]float64{1, -1, 0.5, 2, 0, 1}, 3, 2)
	err := autograd.GradCheck(func(in []*autograd.Var[float64]) *autograd.Var[float64] {
		return autograd.Sum(autograd.Tanh(autograd.MatMul(in[0], in[1])))
	}, []*tensor.Dense[float64]{a, b}, autograd.GradCheckOptions{})
	fmt.Println("first order:", err)
	err = autograd.GradGradCheck(func(in []*autograd.Var[float64]) *autograd.Var[float64] {
		return autograd.Sum(autograd.Tanh(autograd.MatMul(in[0], in[1])))
	}, []*tensor.Dense[float64]{a, b}, autograd.GradCheckOptions{})
	fmt.Println("second order:", err)
	// Output:
	// first order: <nil>
	// second order: <nil>
}

// Gradients of gradients: d²/dx² of x³ at x = 2.
func ExampleGrad() {
	x := autograd.Param(tensor.Scalar(2.0))
	y := autograd.Mul(autograd.Mul(x, x), x)
	dy := autograd.Grad([]*autograd.Var[float64]{y}, []*autograd.Var[float64]{x},
		autograd.GradOptions[float64]{CreateGraph: true})[0]
	d2y := autograd.Grad([]*autograd.Var[float64]{dy}, []*autograd.Var[float64]{x},
		autograd.GradOptions[float64]{})[0]
	fmt.Println(dy.Item(), d2y.Item())
	// Output: 12 12
}

func ExampleNoGrad() {
	w := autograd.Param(tensor.New([]float64{1, 2}))
	autograd.NoGrad(func() {
		y := autograd.Mul(w, w)
		fmt.Println(y.RequiresGrad())
	})
	// Output: false
}
