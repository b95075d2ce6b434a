package vec

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// specials are the values where a vector loop could part from the Go one.
var specials = []float32{
	0, float32(math.Copysign(0, -1)), 1, -1, 1e-45, -1e-45, math.MaxFloat32, -math.MaxFloat32,
	float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()),
	math.Float32frombits(0xffc00000), // x86's default NaN: sign bit set
}

func sample(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		if rng.IntN(4) == 0 {
			s[i] = specials[rng.IntN(len(specials))]
		} else {
			s[i] = float32(rng.NormFloat64())
		}
	}
	return s
}

func bits(s []float32) []uint32 {
	b := make([]uint32, len(s))
	for i, v := range s {
		b[i] = math.Float32bits(v)
	}
	return b
}

// withoutAsm runs f with the Go loops only.
func withoutAsm(f func()) {
	saved := useAsm
	useAsm = false
	defer func() { useAsm = saved }()
	f()
}

func TestKernelsMatchTheGoLoops(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 200, 1031} {
		x, g := sample(rng, n), sample(rng, n)

		got, want := make([]float32, n), make([]float32, n)
		ReLU(got, x)
		withoutAsm(func() { ReLU(want, x) })
		require.Equal(t, bits(want), bits(got), "ReLU, n=%d", n)
		for i, v := range x {
			if v != v {
				require.Equal(t, math.Float32bits(v), math.Float32bits(got[i]), "a NaN passes unchanged")
				continue
			}
			require.Equal(t, math.Float32bits(max(v, 0)), math.Float32bits(got[i]), "ReLU(%v), n=%d", v, n)
		}

		inPlace := append([]float32(nil), x...)
		ReLU(inPlace, inPlace)
		require.Equal(t, bits(got), bits(inPlace), "ReLU in place, n=%d", n)

		MaskPositive(got, g, x)
		withoutAsm(func() { MaskPositive(want, g, x) })
		require.Equal(t, bits(want), bits(got), "MaskPositive, n=%d", n)
	}
}

func TestMaskPositiveValues(t *testing.T) {
	nan := float32(math.NaN())
	inf := float32(math.Inf(1))
	x := []float32{2, -2, 0, nan, 1, -1, 3, 0.5, 1e-30}
	g := []float32{5, 5, 5, 5, nan, inf, -4, inf, -1}
	got := make([]float32, len(x))
	MaskPositive(got, g, x)
	want := []float32{5, 0, 0, 0, nan, nan, -4, inf, -1}
	for i := range want {
		if want[i] != want[i] {
			require.True(t, got[i] != got[i], "element %d: want NaN, got %v", i, got[i])
			continue
		}
		require.Equal(t, want[i], got[i], "element %d", i)
	}
}

func BenchmarkReLU(b *testing.B) {
	x := sample(rand.New(rand.NewPCG(3, 4)), 1<<16)
	dst := make([]float32, len(x))
	for _, asm := range []bool{true, false} {
		name := "go"
		if asm {
			name = "asm"
		}
		b.Run(name, func(b *testing.B) {
			saved := useAsm
			useAsm = asm && saved
			defer func() { useAsm = saved }()
			b.SetBytes(int64(8 * len(x)))
			for b.Loop() {
				ReLU(dst, x)
			}
		})
	}
}
