package tensor

import (
	"math/rand/v2"
	"testing"
)

func BenchmarkMaxPoolBackward(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	x := RandN[float32](rng, 64, 32, 28, 28)
	win := Window2D{Kernel: [2]int{2, 2}, Stride: [2]int{2, 2}}
	y, idx := MaxPool2D(x, win)
	g := RandN[float32](rng, y.Shape()...)
	b.Run("forward", func(b *testing.B) {
		for b.Loop() {
			MaxPool2D(x, win)
		}
	})
	b.Run("backward", func(b *testing.B) {
		for b.Loop() {
			ScatterAddPlanes(g, idx, 28, 28)
		}
	})
	// As in a training step that releases its graph: the output comes from
	// the buffer pool, warm, not zeroed.
	b.Run("backward-pooled", func(b *testing.B) {
		for b.Loop() {
			Release(ScatterAddPlanes(g, idx, 28, 28))
		}
	})
}

// BenchmarkReLUBackward compares ReLU's backward as a mask and a product
// with the fused MaskPositive, on the first ReLU of the reference CNN.
func BenchmarkReLUBackward(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := RandN[float32](rng, 64, 32, 28, 28)
	g := RandN[float32](rng, 64, 32, 28, 28)
	b.Run("mul-positive", func(b *testing.B) {
		for b.Loop() {
			Mul(g, Positive(x))
		}
	})
	b.Run("mask-positive", func(b *testing.B) {
		for b.Loop() {
			MaskPositive(g, x)
		}
	})
	b.Run("mul-positive-pooled", func(b *testing.B) {
		for b.Loop() {
			m := Positive(x)
			Release(Mul(g, m), m)
		}
	})
	b.Run("mask-positive-pooled", func(b *testing.B) {
		for b.Loop() {
			Release(MaskPositive(g, x))
		}
	})
}

func BenchmarkIndexAddRows(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	g := RandN[float32](rng, 4096, 64) // an embedding gradient: 4096 lookups of 64
	idx := make([]int, 4096)
	for i := range idx {
		idx[i] = rng.IntN(1000)
	}
	b.ReportAllocs()
	for b.Loop() {
		IndexAdd(g, 0, idx, []int{1000, 64})
	}
}

// BenchmarkIm2ColCol2Im times the unfold and its adjoint at the two
// convolutions of the reference CNN (3x3, padding 1, batch 64), with the
// outputs released to the buffer pool as a training step does.
func BenchmarkIm2ColCol2Im(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 3))
	win := Window2D{Kernel: [2]int{3, 3}, Padding: [2]int{1, 1}}
	for _, s := range []struct {
		name    string
		c, h, w int
	}{{"c1x28x28", 1, 28, 28}, {"c32x14x14", 32, 14, 14}} {
		x := RandN[float32](rng, 64, s.c, s.h, s.w)
		cols := Im2Col(x, win)
		b.Run("im2col/"+s.name, func(b *testing.B) {
			for b.Loop() {
				Release(Im2Col(x, win))
			}
		})
		b.Run("col2im/"+s.name, func(b *testing.B) {
			for b.Loop() {
				Release(Col2Im(cols, x.Shape(), win))
			}
		})
	}
}

// BenchmarkConvForward times the forward products of the reference CNN's
// convolutions at batch 64, with their bias and ReLU: the filters against
// each image's columns (GroupedMatMulReLU).
func BenchmarkConvForward(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 3))
	for _, s := range []struct {
		name       string
		out, k, hw int
	}{{"conv1", 32, 9, 784}, {"conv2", 64, 288, 196}} {
		w := RandN[float32](rng, 1, s.out, s.k)
		cols := RandN[float32](rng, 64, 1, s.k, s.hw)
		bias := RandN[float32](rng, s.out)
		b.Run(s.name, func(b *testing.B) {
			for b.Loop() {
				Release(GroupedMatMulReLU(w, cols, bias))
			}
		})
	}
}
