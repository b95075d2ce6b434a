package tensor_test

import (
	"errors"
	"fmt"

	"github.com/nabla-go/nabla/tensor"
)

func Example() {
	a := tensor.New([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	bias := tensor.New([]float32{10, 20, 30}, 3)
	fmt.Println(tensor.Add(a, bias))            // broadcasting
	fmt.Println(tensor.Sum(a, []int{0}, false)) // reduce the first axis
	fmt.Println(tensor.MatMul(a, a.T()))        // a transposed view, no copy
	fmt.Println(tensor.Softmax(tensor.New([]float32{1000, 0, -1000}), 0))
	// Output:
	// [[11, 22, 33], [14, 25, 36]]
	// [5, 7, 9]
	// [[14, 32], [32, 77]]
	// [1, 0, 0]
}

func Example_shapeError() {
	defer func() {
		err := recover().(error)
		fmt.Println(errors.Is(err, tensor.ErrShape))
		fmt.Println(err)
	}()
	tensor.MatMul(tensor.Zeros[float64](2, 3), tensor.Zeros[float64](2, 3))
	// Output:
	// true
	// tensor.MatMul: inner dimensions differ: shapes [2 3] and [2 3]
}

func ExampleDense_Reshape() {
	t := tensor.Arange[float64](0, 6, 1)
	m := t.Reshape(2, -1)
	m.Set(100, 1, 2) // a view: writes show in t
	fmt.Println(m.Shape(), t)
	// Output: [2 3] [0, 1, 2, 3, 4, 100]
}
