package datasets_test

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/nabla-go/nabla/datasets"
)

// Load the embedded Iris data, split it 80/20 stratified by class, and scale
// it with statistics of the training part only.
func ExampleIris() {
	iris := datasets.Iris()
	fmt.Println(iris)
	fmt.Println(iris.FeatureNames)

	rng := rand.New(rand.NewPCG(1, 2))
	train, test := iris.Split(0.8, rng)
	fmt.Println("train", train.Len(), train.ClassCounts())
	fmt.Println("test ", test.Len(), test.ClassCounts())

	var sc datasets.StandardScaler[float32]
	train = sc.FitTransform(train)
	test = sc.Transform(test)
	fmt.Printf("training mean of %s: %.1f cm\n", iris.FeatureNames[0], sc.Mean[0])
	fmt.Println("scaled test set:", test.X.Shape())
	// Output:
	// iris: 150 samples of shape [4], 3 classes
	// [sepal length (cm) sepal width (cm) petal length (cm) petal width (cm)]
	// train 120 [40 40 40]
	// test  30 [10 10 10]
	// training mean of sepal length (cm): 5.9 cm
	// scaled test set: [30 4]
}

func ExampleDataset_Batches() {
	digits := datasets.Digits()
	rng := rand.New(rand.NewPCG(1, 2))
	n := 0
	for x, y := range digits.Batches(500, rng) {
		fmt.Println(x.Shape(), len(y))
		n += len(y)
	}
	fmt.Println(n, "samples")
	// Output:
	// [500 64] 500
	// [500 64] 500
	// [500 64] 500
	// [297 64] 297
	// 1797 samples
}

func ExampleDataset_SplitThree() {
	rng := rand.New(rand.NewPCG(1, 2))
	train, val, test := datasets.BreastCancer().SplitThree(0.6, 0.2, rng)
	for _, p := range []*datasets.Dataset[float32]{train, val, test} {
		fmt.Println(p.Len(), p.ClassCounts())
	}
	// Output:
	// 341 [127 214]
	// 114 [42 72]
	// 114 [43 71]
}

func ExampleReadCSV() {
	csv := `sepal,petal,species
5.1,1.4,0
7.0,4.7,1
6.3,6.0,2
`
	d, err := datasets.ReadCSV(strings.NewReader(csv), "flowers.csv", datasets.CSVOptions{
		Header:     datasets.HeaderNames,
		ClassNames: []string{"setosa", "versicolor", "virginica"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.X.Shape(), d.Y, d.FeatureNames)

	_, err = datasets.ReadCSV(strings.NewReader("1,2,0\n3,oops,1\n"), "bad.csv", datasets.CSVOptions{})
	fmt.Println(err)
	// Output:
	// [3 2] [0 1 2] [sepal petal]
	// datasets: bad.csv:2: column 2: "oops" is not a number
}

func ExampleMoons() {
	rng := rand.New(rand.NewPCG(1, 2))
	train, test := datasets.Moons(200, 0.1, rng).Split(0.75, rng)
	fmt.Println(train.Len(), test.Len(), train.ClassCounts())
	// Output:
	// 150 50 [75 75]
}

func ExampleOneHot() {
	fmt.Println(datasets.OneHot[float32]([]int{2, 0, 1}, 3))
	// Output:
	// [[0, 0, 1], [1, 0, 0], [0, 1, 0]]
}

// Fashion-MNIST comes from Debian's dataset-fashion-mnist package; without
// it, the error says how to install it.
func ExampleLoadFashionMNIST() {
	train, err := datasets.LoadFashionMNIST("", true) // FashionMNISTDir
	if err != nil {
		fmt.Println(err)
		return
	}
	images := train.Reshape(1, 28, 28) // [60000, 1, 28, 28] for a convolution
	fmt.Println(images.X.Shape(), images.ClassNames[9])
}
