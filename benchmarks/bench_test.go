package benchmarks

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/nabla-go/nabla/tensor"
)

// BenchmarkMatMul times tensor.MatMul of two square n x n matrices, the
// reference's GEMM workload, and reports GFLOPS (2n³ per product). Each
// product is released once made, as the comparison does (PyTorch frees each
// result when the loop drops it); BenchmarkMatMulGarbage leaves them to the
// garbage collector instead.
//
//	go test -run '^$' -bench MatMul ./benchmarks/
func BenchmarkMatMul(b *testing.B) {
	benchMatMulSizes(b, MatMulSizes, true)
}

// BenchmarkMatMulGarbage is BenchmarkMatMul without the release: what a
// loop that drops its products costs, the collector's work included.
func BenchmarkMatMulGarbage(b *testing.B) {
	benchMatMulSizes(b, []int{64, 512}, false)
}

func benchMatMulSizes(b *testing.B, sizes []int, release bool) {
	for _, dt := range MatMulDTypes {
		for _, n := range sizes {
			b.Run(dt+"/n="+strconv.Itoa(n), func(b *testing.B) {
				if dt == "float32" {
					benchMatMul[float32](b, n, release)
				} else {
					benchMatMul[float64](b, n, release)
				}
			})
		}
	}
}

func benchMatMul[T tensor.Float](b *testing.B, n int, release bool) {
	rng := rand.New(rand.NewPCG(1, uint64(n)))
	x := tensor.RandN[T](rng, n, n)
	y := tensor.RandN[T](rng, n, n)
	b.ReportAllocs()
	for b.Loop() {
		c := tensor.MatMul(x, y)
		if release {
			tensor.Release(c)
		}
	}
	b.ReportMetric(MatMulFLOP(n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
}

// BenchmarkTrainStep times one training step (forward, cross-entropy loss,
// zero grad, backward, optimizer step) of each reference model on a random
// Fashion-MNIST-shaped batch of its batch size, after one untimed step that
// creates the optimizer's state. It reports samples/s besides time, bytes
// and allocations per step.
//
//	go test -run '^$' -bench TrainStep -benchmem ./benchmarks/
//	go test -run '^$' -bench TrainStep/cnn -cpuprofile cpu.out ./benchmarks/
func BenchmarkTrainStep(b *testing.B) {
	for _, spec := range Models {
		b.Run(spec.Name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			tr := spec.NewTrainer(rng)
			x, y := spec.RandomBatch(rng)
			tr.Step(x, y)
			b.ReportAllocs()
			for b.Loop() {
				tr.Step(x, y)
			}
			b.ReportMetric(float64(spec.Batch*b.N)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}
