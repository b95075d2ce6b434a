package tensor

import (
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
)

// groupedRef computes GroupedMatMul with MatMul, one image and group at a
// time.
func groupedRef(a, b, bias *Dense[float64]) *Dense[float64] {
	g, m := a.shape[0], a.shape[1]
	nimg, n := b.shape[0], b.shape[3]
	out := Zeros[float64](nimg, g, m, n)
	for i := range nimg {
		for grp := range g {
			p := MatMul(a.Slice(0, grp, grp+1).Squeeze(0), b.Slice(0, i, i+1).Slice(1, grp, grp+1).Reshape(b.shape[2], n))
			for r := range m {
				for c := range n {
					v := p.At(r, c)
					if bias != nil {
						v += bias.At(grp*m + r)
					}
					out.Set(v, i, grp, r, c)
				}
			}
		}
	}
	return out
}

// sumRef computes SumMatMulT with MatMul and Add.
func sumRef(a, b *Dense[float64]) *Dense[float64] {
	nimg, g, m := a.shape[0], a.shape[1], a.shape[2]
	k, l := b.shape[2], b.shape[3]
	out := Zeros[float64](g, m, k)
	for grp := range g {
		acc := Zeros[float64](m, k)
		for i := range nimg {
			ai := a.Slice(0, i, i+1).Slice(1, grp, grp+1).Reshape(m, l)
			bi := b.Slice(0, i, i+1).Slice(1, grp, grp+1).Reshape(k, l)
			acc = Add(acc, MatMul(ai, bi.T()))
		}
		for r := range m {
			for c := range k {
				out.Set(acc.At(r, c), grp, r, c)
			}
		}
	}
	return out
}

func TestGroupedMatMul(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		name             string
		n, g, m, k, cols int
		bias, transposed bool
	}{
		{"plain", 3, 1, 4, 5, 6, false, false},
		{"bias", 2, 1, 5, 9, 7, true, false},
		{"groups-bias", 3, 2, 3, 4, 5, true, false},
		{"transposed", 2, 2, 4, 3, 6, false, true},
		{"large", 2, 1, 40, 150, 200, true, false}, // past GEMM's split threshold
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := RandN[float64](rng, tc.g, tc.m, tc.k)
			if tc.transposed {
				a = RandN[float64](rng, tc.g, tc.k, tc.m).Transpose(1, 2)
			}
			b := RandN[float64](rng, tc.n, tc.g, tc.k, tc.cols)
			var bias *Dense[float64]
			if tc.bias {
				bias = RandN[float64](rng, tc.g*tc.m)
			}
			got := GroupedMatMul(a, b, bias)
			want := groupedRef(a, b, bias)
			require.Equal(t, want.Shape(), got.Shape())
			require.InDeltaSlice(t, want.Data(), got.Data(), 1e-10)
			// The fused ReLU is the ReLU of the same product, to the bit.
			require.Equal(t, ReLU(got).Data(), GroupedMatMulReLU(a, b, bias).Data())
		})
	}
}

func TestSumMatMulT(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, tc := range []struct {
		name          string
		n, g, m, k, l int
	}{
		{"one", 1, 1, 3, 4, 5},
		{"chunked", 10, 2, 32, 9, 784}, // small products: three chunks of four images
		{"large", 3, 1, 64, 100, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := RandN[float64](rng, tc.n, tc.g, tc.m, tc.l)
			b := RandN[float64](rng, tc.n, tc.g, tc.k, tc.l)
			got := SumMatMulT(a, b)
			want := sumRef(a, b)
			require.Equal(t, want.Shape(), got.Shape())
			require.InDeltaSlice(t, want.Data(), got.Data(), 1e-9)
		})
	}
	// No images: zeros, whatever empty hands out.
	require.Equal(t, make([]float64, 6), SumMatMulT(Zeros[float64](0, 1, 2, 3), Zeros[float64](0, 1, 3, 3)).Data())
}

func TestConvGEMMShapesPanic(t *testing.T) {
	require.Panics(t, func() { GroupedMatMul(Zeros[float32](1, 2, 3), Zeros[float32](2, 1, 4, 5), nil) })
	require.Panics(t, func() { GroupedMatMul(Zeros[float32](1, 2, 3), Zeros[float32](2, 1, 3, 5), Zeros[float32](3)) })
	require.Panics(t, func() { SumMatMulT(Zeros[float32](2, 1, 3, 4), Zeros[float32](2, 1, 3, 5)) })
}

// TestConvGEMMIgnoresGOMAXPROCS checks both kernels give the same bits on
// one core and several, for the split paths (small products over the batch,
// large ones inside GEMM).
func TestConvGEMMIgnoresGOMAXPROCS(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	cases := [][2]*Dense[float32]{
		{RandN[float32](rng, 64, 1, 32, 784), RandN[float32](rng, 64, 1, 9, 784)}, // first layer
		{RandN[float32](rng, 8, 1, 64, 196), RandN[float32](rng, 8, 1, 288, 196)}, // second layer
	}
	bias := RandN[float32](rng, 64)
	run := func() [][]float32 {
		var res [][]float32
		for _, c := range cases {
			g, cols := c[0], c[1]
			m := g.Shape()[2]
			res = append(res, SumMatMulT(g, cols).Data())
			w := SumMatMulT(g, cols) // [1, m, k]
			res = append(res, GroupedMatMul(w, cols, bias.Slice(0, 0, m)).Data())
			res = append(res, GroupedMatMul(w.Transpose(1, 2), g, nil).Data())
		}
		return res
	}
	prev := runtime.GOMAXPROCS(1)
	one := run()
	runtime.GOMAXPROCS(max(4, prev))
	many := run()
	runtime.GOMAXPROCS(prev)
	require.Equal(t, one, many)
}
