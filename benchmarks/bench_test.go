package benchmarks

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/nabla-go/nabla/tensor"
)

// BenchmarkMatMul times tensor.MatMul of two square n x n matrices, the
// reference's GEMM workload, and reports GFLOPS (2n³ per product).
//
//	go test -run '^$' -bench MatMul ./benchmarks/
func BenchmarkMatMul(b *testing.B) {
	for _, dt := range MatMulDTypes {
		for _, n := range MatMulSizes {
			b.Run(dt+"/n="+strconv.Itoa(n), func(b *testing.B) {
				if dt == "float32" {
					benchMatMul[float32](b, n)
				} else {
					benchMatMul[float64](b, n)
				}
			})
		}
	}
}

func benchMatMul[T tensor.Float](b *testing.B, n int) {
	rng := rand.New(rand.NewPCG(1, uint64(n)))
	x := tensor.RandN[T](rng, n, n)
	y := tensor.RandN[T](rng, n, n)
	b.ReportAllocs()
	for b.Loop() {
		tensor.MatMul(x, y)
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
