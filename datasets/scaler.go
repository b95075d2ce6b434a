package datasets

import (
	"fmt"
	"math"
	"slices"

	"github.com/nabla-go/nabla/tensor"
)

// StandardScaler centres each feature on its mean and divides it by its
// standard deviation (the population one, as scikit-learn's), so that the
// training data have mean 0 and variance 1 per feature. A feature that is
// constant in the training data is only centred (its scale is 1), so it
// becomes 0 rather than a division by zero.
//
//	var sc datasets.StandardScaler[float32]
//	train = sc.FitTransform(train)
//	test = sc.Transform(test)
type StandardScaler[T tensor.Float] struct {
	// Mean and Scale hold, per feature, the training mean and standard
	// deviation (1 for a constant feature); set by Fit.
	Mean, Scale []float64
}

// Fit learns each feature's mean and standard deviation from d and returns
// s. It panics on an empty data set.
func (s *StandardScaler[T]) Fit(d *Dataset[T]) *StandardScaler[T] {
	rows, f := fitData(d, "StandardScaler.Fit")
	s.Mean = make([]float64, f)
	s.Scale = make([]float64, f)
	n := float64(len(rows) / f)
	for i, v := range rows {
		s.Mean[i%f] += float64(v)
	}
	for j := range s.Mean {
		s.Mean[j] /= n
	}
	lo, hi := columnRange(rows, f)
	for i, v := range rows {
		dv := float64(v) - s.Mean[i%f]
		s.Scale[i%f] += dv * dv
	}
	for j := range s.Scale {
		s.Scale[j] = math.Sqrt(s.Scale[j] / n)
		if lo[j] == hi[j] {
			s.Scale[j] = 1
		}
	}
	return s
}

// Transform returns a copy of d with each feature x replaced by
// (x - Mean) / Scale. It panics if s has not been fitted or d has a different
// number of features.
func (s *StandardScaler[T]) Transform(d *Dataset[T]) *Dataset[T] {
	return transform(d, s.Mean, s.Scale, "StandardScaler.Transform")
}

// FitTransform fits s on d and transforms d.
func (s *StandardScaler[T]) FitTransform(d *Dataset[T]) *Dataset[T] {
	return s.Fit(d).Transform(d)
}

// TransformTensor scales a tensor of samples [N, ...] laid out as the
// fitted data set's X, for inputs that do not come in a Dataset. The result
// is a new tensor.
func (s *StandardScaler[T]) TransformTensor(x *tensor.Dense[T]) *tensor.Dense[T] {
	return transformTensor(x, s.Mean, s.Scale, "StandardScaler.TransformTensor")
}

// MinMaxScaler maps each feature's training range [min, max] onto [0, 1]:
// x becomes (x - min) / (max - min). Values of other data outside the
// training range map outside [0, 1]. A feature that is constant in the
// training data maps to 0 (its scale is 1) rather than dividing by zero.
type MinMaxScaler[T tensor.Float] struct {
	// Min and Scale hold, per feature, the training minimum and range
	// max - min (1 for a constant feature); set by Fit.
	Min, Scale []float64
}

// Fit learns each feature's minimum and maximum from d and returns s. It
// panics on an empty data set.
func (s *MinMaxScaler[T]) Fit(d *Dataset[T]) *MinMaxScaler[T] {
	rows, f := fitData(d, "MinMaxScaler.Fit")
	lo, hi := columnRange(rows, f)
	s.Min = lo
	s.Scale = make([]float64, f)
	for j := range s.Scale {
		s.Scale[j] = hi[j] - lo[j]
		if s.Scale[j] == 0 {
			s.Scale[j] = 1
		}
	}
	return s
}

// Transform returns a copy of d with each feature x replaced by
// (x - Min) / Scale. It panics if s has not been fitted or d has a different
// number of features.
func (s *MinMaxScaler[T]) Transform(d *Dataset[T]) *Dataset[T] {
	return transform(d, s.Min, s.Scale, "MinMaxScaler.Transform")
}

// FitTransform fits s on d and transforms d.
func (s *MinMaxScaler[T]) FitTransform(d *Dataset[T]) *Dataset[T] {
	return s.Fit(d).Transform(d)
}

// TransformTensor scales a tensor of samples [N, ...] laid out as the
// fitted data set's X. The result is a new tensor.
func (s *MinMaxScaler[T]) TransformTensor(x *tensor.Dense[T]) *tensor.Dense[T] {
	return transformTensor(x, s.Min, s.Scale, "MinMaxScaler.TransformTensor")
}

// fitData returns d's features in row-major order and the number of
// features per sample.
func fitData[T tensor.Float](d *Dataset[T], op string) ([]T, int) {
	d.check(op)
	if d.Len() == 0 {
		panic(fmt.Sprintf("datasets.%s: empty data set", op))
	}
	return d.X.Data(), d.NumFeatures()
}

func columnRange[T tensor.Float](rows []T, f int) (lo, hi []float64) {
	lo = make([]float64, f)
	hi = make([]float64, f)
	for j := range f {
		lo[j], hi[j] = math.Inf(1), math.Inf(-1)
	}
	for i, v := range rows {
		lo[i%f] = min(lo[i%f], float64(v))
		hi[i%f] = max(hi[i%f], float64(v))
	}
	return lo, hi
}

func transform[T tensor.Float](d *Dataset[T], shift, scale []float64, op string) *Dataset[T] {
	d.check(op)
	out := d.withX(transformTensor(d.X, shift, scale, op))
	out.Y = slices.Clone(d.Y)
	return out
}

func transformTensor[T tensor.Float](x *tensor.Dense[T], shift, scale []float64, op string) *tensor.Dense[T] {
	if scale == nil {
		panic(fmt.Sprintf("datasets.%s: the scaler has not been fitted", op))
	}
	shape := x.Shape()
	f := 1
	if len(shape) > 0 {
		for _, s := range shape[1:] {
			f *= s
		}
	}
	if len(shape) == 0 || f != len(scale) {
		panic(shapePanic(op, "samples of shape %v for a scaler fitted on %d features", shape[min(1, len(shape)):], len(scale)))
	}
	src := x.Data()
	out := make([]T, len(src))
	for i, v := range src {
		j := i % f
		out[i] = T((float64(v) - shift[j]) / scale[j])
	}
	return tensor.New(out, shape...)
}
