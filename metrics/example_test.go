package metrics_test

import (
	"fmt"

	"github.com/nabla-go/nabla/metrics"
	"github.com/nabla-go/nabla/tensor"
)

// From a model's scores to predictions to metrics.
func ExampleArgMax() {
	logits := tensor.New([]float32{
		2.0, 0.1, -1.0,
		0.3, 1.5, 0.2,
		0.1, 0.2, 0.3,
		1.0, 0.9, 0.8,
	}, 4, 3)
	truth := []int{0, 1, 2, 2}
	pred := metrics.ArgMax(logits)
	fmt.Println(pred, metrics.Accuracy(pred, truth))
	// Output:
	// [0 1 2 0] 0.75
}

func ExampleConfusionMatrix() {
	truth := []int{0, 0, 0, 0, 1, 1, 1, 2, 2, 2}
	pred := []int{0, 0, 1, 2, 1, 1, 0, 2, 2, 1}
	cm := metrics.NewConfusion(pred, truth, 3)
	cm.ClassNames = []string{"cat", "dog", "bird"}
	fmt.Print(cm)
	fmt.Println()
	fmt.Print(cm.Report())
	fmt.Printf("\nrecall of dog %.3f, macro F1 %.3f\n", cm.Recall(1), cm.MacroF1())
	// Output:
	// true \ pred  cat  dog  bird
	// cat            2    1     1
	// dog            1    2     0
	// bird           0    1     2
	//
	//               precision     recall   f1-score  support
	// cat               0.667      0.500      0.571        4
	// dog               0.500      0.667      0.571        3
	// bird              0.667      0.667      0.667        3
	//
	// accuracy                                0.600       10
	// macro avg         0.611      0.611      0.603       10
	// weighted avg      0.617      0.600      0.600       10
	//
	// recall of dog 0.667, macro F1 0.603
}

func ExampleNewMultiLabel() {
	// Two samples, three tags; the model outputs probabilities.
	probs := tensor.New([]float64{
		0.9, 0.6, 0.1,
		0.2, 0.4, 0.8,
	}, 2, 3)
	targets := tensor.New([]float64{
		1, 0, 0,
		0, 0, 1,
	}, 2, 3)
	m := metrics.NewMultiLabel(probs, targets, 0.5)
	fmt.Printf("micro F1 %.3f, macro F1 %.3f\n", m.MicroF1(), m.MacroF1())
	fmt.Printf("subset accuracy %.2f, Hamming loss %.3f\n", m.SubsetAccuracy(), m.HammingLoss())
	// Output:
	// micro F1 0.800, macro F1 0.667
	// subset accuracy 0.50, Hamming loss 0.167
}
