package tensor

import (
	"math"
	"math/rand/v2"
)

// Zeros returns a tensor of the given shape filled with 0.
func Zeros[T Float](shape ...int) *Dense[T] {
	return &Dense[T]{data: alloc[T](checkShape("Zeros", shape), true), shape: cloneInts(shape), strides: contiguousStrides(shape)}
}

// Ones returns a tensor of the given shape filled with 1.
func Ones[T Float](shape ...int) *Dense[T] { return Full(T(1), shape...) }

// Full returns a tensor of the given shape filled with v.
func Full[T Float](v T, shape ...int) *Dense[T] {
	if v == 0 {
		return Zeros[T](shape...)
	}
	t := empty[T](shape...)
	for i := range t.data {
		t.data[i] = v
	}
	return t
}

// ZerosLike returns zeros with t's shape.
func ZerosLike[T Float](t *Dense[T]) *Dense[T] { return Zeros[T](t.shape...) }

// FullLike returns a tensor of t's shape filled with v.
func FullLike[T Float](t *Dense[T], v T) *Dense[T] { return Full(v, t.shape...) }

// Arange returns the vector start, start+step, ... up to but excluding stop.
func Arange[T Float](start, stop, step T) *Dense[T] {
	if step == 0 {
		panic(shapeErrorf("Arange", "step is 0"))
	}
	n := int(math.Ceil(float64((stop - start) / step)))
	n = max(n, 0)
	data := make([]T, n)
	for i := range data {
		data[i] = start + T(i)*step
	}
	return New(data, n)
}

// Eye returns the n x n identity matrix.
func Eye[T Float](n int) *Dense[T] {
	t := Zeros[T](n, n)
	for i := range n {
		t.data[i*n+i] = 1
	}
	return t
}

// RandN returns samples of the standard normal distribution drawn from rng.
func RandN[T Float](rng *rand.Rand, shape ...int) *Dense[T] {
	t := empty[T](shape...)
	for i := range t.data {
		t.data[i] = T(rng.NormFloat64())
	}
	return t
}

// RandUniform returns samples of the uniform distribution on [lo, hi) drawn
// from rng.
func RandUniform[T Float](rng *rand.Rand, lo, hi T, shape ...int) *Dense[T] {
	t := empty[T](shape...)
	for i := range t.data {
		t.data[i] = lo + (hi-lo)*T(rng.Float64())
	}
	return t
}
