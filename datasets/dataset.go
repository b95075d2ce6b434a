package datasets

import (
	"fmt"
	"slices"

	"github.com/nabla-go/nabla/tensor"
)

// Dataset is a labelled data set held in memory: one feature tensor whose
// first axis indexes the samples, and one integer class label per sample.
//
// The fields are exported so that a Dataset can be built or inspected
// directly; New checks that they fit together. Methods that derive a data set
// (Subset, Split, Reshape, Cast, the scalers) return a new Dataset and leave
// the receiver unchanged.
type Dataset[T tensor.Float] struct {
	// Name says where the data came from ("iris", a file name, ...).
	Name string
	// X holds the features, the first axis indexing samples: [N, F] for a
	// table, [N, 1, 28, 28] for images after Reshape(1, 28, 28).
	X *tensor.Dense[T]
	// Y holds the class of each sample, 0-based: len(Y) == X.Dim(0).
	Y []int
	// ClassNames names the classes, indexed by label. It may be nil.
	ClassNames []string
	// FeatureNames names the features of one sample, flattened in row-major
	// order. It may be nil.
	FeatureNames []string
}

// New returns a data set of features x (first axis = sample) and labels y.
// It panics, with an error that wraps tensor.ErrShape, when x is not at least
// one-dimensional, when x.Dim(0) != len(y), or when a label is negative.
func New[T tensor.Float](x *tensor.Dense[T], y []int) *Dataset[T] {
	d := &Dataset[T]{X: x, Y: y}
	d.check("New")
	for i, c := range y {
		if c < 0 {
			panic(shapePanic("New", "label %d of sample %d is negative", c, i))
		}
	}
	return d
}

// Len is the number of samples.
func (d *Dataset[T]) Len() int { return len(d.Y) }

// NumClasses is len(ClassNames) when the class names are known, else one
// more than the largest label (0 for an empty data set without names).
func (d *Dataset[T]) NumClasses() int {
	if len(d.ClassNames) > 0 {
		return len(d.ClassNames)
	}
	n := 0
	for _, c := range d.Y {
		n = max(n, c+1)
	}
	return n
}

// NumFeatures is the number of values in one sample: the product of X's
// dimensions after the first (F for [N, F], 784 for [N, 1, 28, 28]).
func (d *Dataset[T]) NumFeatures() int {
	shape := d.X.Shape()
	n := 1
	for _, s := range shape[1:] {
		n *= s
	}
	return n
}

// SampleShape is the shape of one sample: X's shape without the first axis.
func (d *Dataset[T]) SampleShape() []int { return d.X.Shape()[1:] }

// ClassCounts returns the number of samples of each class, indexed by label;
// its length is NumClasses().
func (d *Dataset[T]) ClassCounts() []int {
	counts := make([]int, d.NumClasses())
	for _, c := range d.Y {
		if c >= 0 && c < len(counts) {
			counts[c]++
		}
	}
	return counts
}

// Subset returns a new data set holding the samples at the given indices, in
// that order (an index may repeat). X and Y are fresh copies; the name slices
// are shared with d. It panics, with an error that wraps tensor.ErrShape, on
// an index out of range.
func (d *Dataset[T]) Subset(idx []int) *Dataset[T] {
	d.check("Subset")
	n, row := d.Len(), d.NumFeatures()
	src := d.X.Data()
	x := make([]T, len(idx)*row)
	y := make([]int, len(idx))
	for i, j := range idx {
		if j < 0 || j >= n {
			panic(shapePanic("Subset", "index %d out of range for %d samples", j, n))
		}
		copy(x[i*row:(i+1)*row], src[j*row:(j+1)*row])
		y[i] = d.Y[j]
	}
	out := d.withX(tensor.New(x, append([]int{len(idx)}, d.SampleShape()...)...))
	out.Y = y
	return out
}

// Reshape returns a data set whose samples have the given shape, for
// example Reshape(1, 28, 28) turns X of [N, 784] into [N, 1, 28, 28], the
// layout a convolution wants. X shares storage with d's when d.X is
// contiguous; Y and the names are shared. It panics, with an error that wraps
// tensor.ErrShape, when the sample shape does not hold NumFeatures() values.
func (d *Dataset[T]) Reshape(sampleShape ...int) *Dataset[T] {
	d.check("Reshape")
	n := 1
	for _, s := range sampleShape {
		if s < 0 {
			panic(shapePanic("Reshape", "negative dimension in sample shape %v", sampleShape))
		}
		n *= s
	}
	if n != d.NumFeatures() {
		panic(shapePanic("Reshape", "sample shape %v holds %d values, samples of shape %v hold %d",
			sampleShape, n, d.SampleShape(), d.NumFeatures()))
	}
	return d.withX(tensor.New(d.X.Data(), append([]int{d.Len()}, sampleShape...)...))
}

// Flatten returns a data set with X of shape [N, NumFeatures()], undoing
// Reshape. Storage is shared as in Reshape.
func (d *Dataset[T]) Flatten() *Dataset[T] { return d.Reshape(d.NumFeatures()) }

// Cast returns a copy of d with features of element type U, to move between
// float32 (training) and float64 (gradient checks). Y and the names are
// copied as well, so the result shares nothing with d.
func Cast[U, T tensor.Float](d *Dataset[T]) *Dataset[U] {
	d.check("Cast")
	src := d.X.Data()
	x := make([]U, len(src))
	for i, v := range src {
		x[i] = U(v)
	}
	return &Dataset[U]{
		Name:         d.Name,
		X:            tensor.New(x, d.X.Shape()...),
		Y:            slices.Clone(d.Y),
		ClassNames:   slices.Clone(d.ClassNames),
		FeatureNames: slices.Clone(d.FeatureNames),
	}
}

// String describes the data set in one line, for logs.
func (d *Dataset[T]) String() string {
	return fmt.Sprintf("%s: %d samples of shape %v, %d classes", d.Name, d.Len(), d.SampleShape(), d.NumClasses())
}

// withX returns a shallow copy of d with features x.
func (d *Dataset[T]) withX(x *tensor.Dense[T]) *Dataset[T] {
	out := *d
	out.X = x
	return &out
}

// check panics when X and Y do not describe the same samples.
func (d *Dataset[T]) check(op string) {
	if d.X == nil {
		panic(shapePanic(op, "data set has no features (X is nil)"))
	}
	if d.X.Dims() == 0 {
		panic(shapePanic(op, "features X are a scalar, want a first axis of samples"))
	}
	if d.X.Dim(0) != len(d.Y) {
		panic(shapePanic(op, "features X of shape %v for %d labels", d.X.Shape(), len(d.Y)))
	}
}

// shapePanic returns the value a datasets function panics with on a
// programmer error about shapes or indices; it wraps tensor.ErrShape.
func shapePanic(op, format string, args ...any) error {
	return fmt.Errorf("datasets.%s: %s: %w", op, fmt.Sprintf(format, args...), tensor.ErrShape)
}
