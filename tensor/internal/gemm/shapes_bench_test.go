package gemm

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

// convShapes are the products of the reference CNN training step
// (benchmarks TrainStep/cnn), per image: the forward convolutions, the input
// and weight gradients of the second, and the Linear layers.
var convShapes = []struct {
	name           string
	transA, transB bool
	m, n, k        int
	beta           float32
}{
	{"conv2fwd", false, false, 64, 196, 288, 1},
	{"conv2dx", true, false, 288, 196, 64, 0},
	{"conv2dw", false, true, 288, 64, 196, 1},
	{"conv1fwd", false, false, 32, 784, 9, 1},
	{"conv1dw", false, true, 9, 32, 784, 1},
	{"fc1fwd", false, true, 64, 128, 3136, 0},
	{"fc1dx", false, false, 64, 3136, 128, 0},
	{"fc1dw", true, false, 128, 3136, 64, 0},
}

// BenchmarkShapes times Gemm on the shapes of convShapes, in float32.
func BenchmarkShapes(b *testing.B) {
	for _, s := range convShapes {
		b.Run(s.name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 1))
			x := newMat[float32](rng, s.m, s.k, s.transA, 0)
			y := newMat[float32](rng, s.k, s.n, s.transB, 0)
			c := make([]float32, s.m*s.n)
			for b.Loop() {
				Gemm(s.transA, s.transB, s.m, s.n, s.k, 1, x.data, x.ld, y.data, y.ld, s.beta, c, s.n)
			}
			b.ReportMetric(2*float64(s.m*s.n*s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
		})
	}
}

// BenchmarkPaths times square products on the small-product path and,
// forced, on the packed path, at sizes up to supMax: where the packed path
// wins on a machine, supMax is too high for it.
//
//	go test -run '^$' -bench Paths -count 5 ./tensor/internal/gemm/
func BenchmarkPaths(b *testing.B) {
	for _, n := range []int{256, 512, 768, 1024} {
		for _, packed := range []bool{false, true} {
			name := "n=" + strconv.Itoa(n) + "/small-product"
			if packed {
				name = "n=" + strconv.Itoa(n) + "/packed"
			}
			b.Run("float32/"+name, func(b *testing.B) { benchSquare[float32](b, n, packed) })
			b.Run("float64/"+name, func(b *testing.B) { benchSquare[float64](b, n, packed) })
		}
	}
}

func benchSquare[T float](b *testing.B, n int, packed bool) {
	if kernelFor[T]().sup == nil {
		b.Skip("no small-product kernel here: both would be the packed path")
	}
	if n*n*n > supMax {
		b.Skipf("n = %d is beyond supMax", n)
	}
	saved := forcePacked
	forcePacked = packed
	defer func() { forcePacked = saved }()
	rng := rand.New(rand.NewPCG(1, uint64(n)))
	x := newMat[T](rng, n, n, false, 0)
	y := newMat[T](rng, n, n, false, 0)
	c := make([]T, n*n)
	for b.Loop() {
		Gemm(false, false, n, n, n, 1, x.data, x.ld, y.data, y.ld, 0, c, n)
	}
	b.ReportMetric(2*float64(n*n*n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
}
