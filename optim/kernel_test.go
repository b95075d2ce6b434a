package optim

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestAdamAssemblyMatchesGo checks that Adam's assembly loop gives the
// same bits as its Go loop, over lengths with and without a tail, with and
// without AdamW's shrink and maximizing, from a first step (v = 0) on.
func TestAdamAssemblyMatchesGo(t *testing.T) {
	if !useAVX2 {
		t.Skip("no assembly loop on this CPU or build")
	}
	rng := rand.New(rand.NewPCG(5, 6))
	randn := func(n int, scale float32) []float32 {
		s := make([]float32, n)
		for i := range s {
			s[i] = float32(rng.NormFloat64()) * scale
		}
		return s
	}
	for _, n := range []int{1, 7, 8, 9, 16, 31, 1000, 1027} {
		for _, c := range []struct{ shrink, sign float32 }{{1, 1}, {0.999, 1}, {1, -1}} {
			p, m := randn(n, 1), randn(n, 0.1)
			v := randn(n, 0.01)
			for i := range v {
				v[i] = v[i] * v[i]
			}
			clear(v[:n/2]) // the first step's state
			g := randn(n, 1)
			g[0] = 0
			bc2 := math.Sqrt(1 - math.Pow(0.999, 3))
			k := adamKernel[float32]{
				g: g, b1: 0.9, b2: 0.999, c1: 0.1 * c.sign, omb2: 0.001, sign: c.sign,
				shrink: c.shrink, stepSize: float32(1e-3 * bc2 / (1 - math.Pow(0.9, 3))), eps: float32(1e-8 * bc2),
			}
			run := func(avx bool) (p2, m2, v2 []float32) {
				defer func(old bool) { useAVX2 = old }(useAVX2)
				useAVX2 = avx
				k.p, k.m, k.v = slices.Clone(p), slices.Clone(m), slices.Clone(v)
				k.run(0, n)
				return k.p, k.m, k.v
			}
			pa, ma, va := run(true)
			pg, mg, vg := run(false)
			bits := func(s []float32) []uint32 {
				out := make([]uint32, len(s))
				for i, x := range s {
					out[i] = math.Float32bits(x)
				}
				return out
			}
			require.Equal(t, bits(pg), bits(pa), "p, n = %d, %+v", n, c)
			require.Equal(t, bits(mg), bits(ma), "m, n = %d, %+v", n, c)
			require.Equal(t, bits(vg), bits(va), "v, n = %d, %+v", n, c)
			require.NotEqual(t, p, pa, "the update did nothing")
		}
	}
}
