package tensor

import (
	"math/rand/v2"
	"testing"
)

func BenchmarkAddSameShape(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	x, y := RandN[float32](rng, 128, 512), RandN[float32](rng, 128, 512)
	b.SetBytes(128 * 512 * 4 * 3)
	for b.Loop() {
		Add(x, y)
	}
}

func BenchmarkAddBias(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	x, y := RandN[float32](rng, 128, 512), RandN[float32](rng, 512)
	b.SetBytes(128 * 512 * 4 * 2)
	for b.Loop() {
		Add(x, y)
	}
}

func BenchmarkReLU(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	x := RandN[float32](rng, 128, 512)
	b.SetBytes(128 * 512 * 4 * 2)
	for b.Loop() {
		ReLU(x)
	}
}

func BenchmarkSumRows(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	x := RandN[float32](rng, 128, 512)
	b.SetBytes(128 * 512 * 4)
	for b.Loop() {
		Sum(x, []int{0}, false)
	}
}
