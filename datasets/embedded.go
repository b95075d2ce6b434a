package datasets

import (
	"bytes"
	"embed"
	"fmt"
)

// The embedded files and their provenance: data/README.md.
//
//go:embed data/iris.csv data/digits.csv.gz data/wine_data.csv data/breast_cancer.csv
var embedded embed.FS

// Iris returns Fisher's Iris data: 150 flowers, 4 features (sepal length,
// sepal width, petal length, petal width, in cm), 3 classes (setosa,
// versicolor, virginica), 50 of each, in class order. It is embedded in the
// binary; each call returns a fresh copy.
func Iris() *Dataset[float32] {
	return mustEmbedded("iris", "data/iris.csv", CSVOptions{
		Header:       HeaderCounts,
		FeatureNames: []string{"sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"},
	})
}

// Digits returns the UCI optical hand-written digits test set (the data of
// scikit-learn's load_digits): 1797 images of 8x8 pixels, X of shape
// [1797, 64] in row-major pixel order, classes "0".."9".
//
// Pixel values are the raw counts 0..16. Scale them before training, for
// example with a MinMaxScaler fitted on the training part, or divide by 16.
// Reshape(1, 8, 8) gives the [N, 1, 8, 8] layout of a convolution.
func Digits() *Dataset[float32] {
	classes := make([]string, 10)
	for i := range classes {
		classes[i] = fmt.Sprint(i)
	}
	features := make([]string, 0, 64)
	for r := range 8 {
		for c := range 8 {
			features = append(features, fmt.Sprintf("pixel_%d_%d", r, c))
		}
	}
	return mustEmbedded("digits", "data/digits.csv.gz", CSVOptions{ClassNames: classes, FeatureNames: features})
}

// Wine returns the UCI Wine recognition data: 178 wines, 13 chemical
// measurements, 3 cultivars (class_0, class_1, class_2). The features' scales
// differ by three orders of magnitude (proline is in the hundreds): use a
// StandardScaler.
func Wine() *Dataset[float32] {
	return mustEmbedded("wine", "data/wine_data.csv", CSVOptions{
		Header: HeaderCounts,
		FeatureNames: []string{
			"alcohol", "malic_acid", "ash", "alcalinity_of_ash", "magnesium",
			"total_phenols", "flavanoids", "nonflavanoid_phenols", "proanthocyanins",
			"color_intensity", "hue", "od280/od315_of_diluted_wines", "proline",
		},
	})
}

// BreastCancer returns the Wisconsin diagnostic breast cancer data: 569
// tumours, 30 features (mean, standard error and worst value of ten
// measurements of cell nuclei), 2 classes: 0 malignant (212), 1 benign (357).
func BreastCancer() *Dataset[float32] {
	var features []string
	base := []string{"radius", "texture", "perimeter", "area", "smoothness",
		"compactness", "concavity", "concave points", "symmetry", "fractal dimension"}
	for _, b := range base {
		features = append(features, "mean "+b)
	}
	for _, b := range base {
		features = append(features, b+" error")
	}
	for _, b := range base {
		features = append(features, "worst "+b)
	}
	return mustEmbedded("breast_cancer", "data/breast_cancer.csv", CSVOptions{Header: HeaderCounts, FeatureNames: features})
}

// mustEmbedded parses an embedded file with the public CSV loader. The files
// are part of the package, so a failure is a bug and panics.
func mustEmbedded(name, file string, opts CSVOptions) *Dataset[float32] {
	b, err := embedded.ReadFile(file)
	if err != nil {
		panic(fmt.Sprintf("datasets: embedded %s: %v", file, err))
	}
	d, err := ReadCSV(bytes.NewReader(b), file, opts)
	if err != nil {
		panic(fmt.Sprintf("datasets: embedded %s: %v", file, err))
	}
	d.Name = name
	return d
}
