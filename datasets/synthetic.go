package datasets

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/nabla-go/nabla/tensor"
)

// Spiral returns the classic intertwined-spirals problem (as in Stanford's
// CS231n notes): one arm of nPerClass points in the plane per class, class
// k's arm sweeping the angles [4k, 4k+4] radians while its
// radius grows from 0 to 1. noise is the standard deviation of Gaussian
// noise added to each angle (0.2 is customary). Samples come in class order;
// Split and Batches shuffle.
//
// X is [nPerClass*classes, 2]; classes are named "0", "1", .... rng may be nil
// only when noise is 0. Spiral panics on a negative count or noise.
func Spiral(nPerClass, classes int, noise float64, rng *rand.Rand) *Dataset[float32] {
	checkSynthetic("Spiral", nPerClass, noise, rng)
	if classes < 1 {
		panic(fmt.Sprintf("datasets.Spiral: %d classes, want at least 1", classes))
	}
	n := nPerClass * classes
	x := make([]float32, 0, 2*n)
	y := make([]int, 0, n)
	for k := range classes {
		for i := range nPerClass {
			s := frac(i, nPerClass)
			t := 4*float64(k) + 4*s
			if noise > 0 {
				t += noise * rng.NormFloat64()
			}
			x = append(x, float32(s*math.Sin(t)), float32(s*math.Cos(t)))
			y = append(y, k)
		}
	}
	return synthetic("spiral", x, y, classes)
}

// XOR returns n points drawn uniformly from the square [-1, 1]², labelled 1
// when their coordinates have opposite signs and 0 otherwise (the XOR of the
// two signs), then moved by Gaussian noise of standard deviation noise, so
// that points near the axes may cross them. X is [n, 2]. XOR panics on a
// negative count or noise, or a nil rng.
func XOR(n int, noise float64, rng *rand.Rand) *Dataset[float32] {
	if rng == nil {
		panic("datasets.XOR: nil rng")
	}
	checkSynthetic("XOR", n, noise, rng)
	x := make([]float32, 0, 2*n)
	y := make([]int, 0, n)
	for range n {
		a, b := 2*rng.Float64()-1, 2*rng.Float64()-1
		c := 0
		if (a > 0) != (b > 0) {
			c = 1
		}
		if noise > 0 {
			a += noise * rng.NormFloat64()
			b += noise * rng.NormFloat64()
		}
		x = append(x, float32(a), float32(b))
		y = append(y, c)
	}
	return synthetic("xor", x, y, 2)
}

// Moons returns two interleaving half circles, as scikit-learn's make_moons:
// n/2 points (rounded down) on the upper half of the unit circle, class 0,
// and the rest on a lower half circle centred at (1, 0.5), class 1, evenly
// spaced, then moved by Gaussian noise of standard deviation noise. Samples
// come in class order. X is [n, 2]. rng may be nil only when noise is 0.
// Moons panics on a negative count or noise.
func Moons(n int, noise float64, rng *rand.Rand) *Dataset[float32] {
	checkSynthetic("Moons", n, noise, rng)
	nOuter := n / 2
	nInner := n - nOuter
	x := make([]float32, 0, 2*n)
	y := make([]int, 0, n)
	add := func(a, b float64, c int) {
		if noise > 0 {
			a += noise * rng.NormFloat64()
			b += noise * rng.NormFloat64()
		}
		x = append(x, float32(a), float32(b))
		y = append(y, c)
	}
	for i := range nOuter {
		t := math.Pi * frac(i, nOuter)
		add(math.Cos(t), math.Sin(t), 0)
	}
	for i := range nInner {
		t := math.Pi * frac(i, nInner)
		add(1-math.Cos(t), 1-math.Sin(t)-0.5, 1)
	}
	return synthetic("moons", x, y, 2)
}

// frac is i/(n-1), the i-th of n evenly spaced points of [0, 1] (0 when n
// is 1), as NumPy's linspace.
func frac(i, n int) float64 {
	if n <= 1 {
		return 0
	}
	return float64(i) / float64(n-1)
}

func checkSynthetic(op string, n int, noise float64, rng *rand.Rand) {
	if n < 0 {
		panic(fmt.Sprintf("datasets.%s: negative count %d", op, n))
	}
	if noise < 0 || math.IsNaN(noise) {
		panic(fmt.Sprintf("datasets.%s: noise %v, want >= 0", op, noise))
	}
	if noise > 0 && rng == nil {
		panic(fmt.Sprintf("datasets.%s: noise %v needs an rng, got nil", op, noise))
	}
}

func synthetic(name string, x []float32, y []int, classes int) *Dataset[float32] {
	names := make([]string, classes)
	for i := range names {
		names[i] = fmt.Sprint(i)
	}
	return &Dataset[float32]{
		Name:         name,
		X:            tensor.New(x, len(y), 2),
		Y:            y,
		ClassNames:   names,
		FeatureNames: []string{"x0", "x1"},
	}
}
