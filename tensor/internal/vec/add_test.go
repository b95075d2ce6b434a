package vec

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// requireSameSum asserts that two sums have the same bits, or are both NaN:
// which payload wins when two NaNs meet depends on how the compiler orders
// an addition's operands, which differs between builds (the race detector's
// among them), so it is not part of the contract.
func requireSameSum(t *testing.T, want, got float32, msg string, args ...any) {
	t.Helper()
	if want != want {
		require.True(t, got != got, append([]any{msg + ": want NaN, got %v"}, append(args, got)...)...)
		return
	}
	require.Equal(t, math.Float32bits(want), math.Float32bits(got), append([]any{msg}, args...)...)
}

func requireSameSums(t *testing.T, want, got []float32, msg string, args ...any) {
	t.Helper()
	require.Len(t, got, len(want))
	for i := range want {
		requireSameSum(t, want[i], got[i], msg+" (element %d)", append(args, i)...)
	}
}

func TestAddMatchesTheGoLoop(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	// Two NaNs with different payloads: the one in dst must win, as in Go.
	nanA, nanB := math.Float32frombits(0x7fc00001), math.Float32frombits(0xffc00002)
	for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 180, 1031} {
		dst, src := sample(rng, n), sample(rng, n)
		for i := range n {
			if rng.IntN(8) == 0 {
				dst[i], src[i] = nanA, nanB
			}
		}
		got := append([]float32(nil), dst...)
		want := append([]float32(nil), dst...)
		Add(got, src)
		withoutAsm(func() { Add(want, src) })
		requireSameSums(t, want, got, "Add, n=%d", n)
		for i := range n {
			sum := dst[i] + src[i]
			requireSameSum(t, sum, got[i], "Add element %d, n=%d", i, n)
		}
	}
}

func TestAddLeavesTheRestAlone(t *testing.T) {
	dst := make([]float32, 40)
	src := make([]float32, 40)
	for i := range src {
		src[i] = float32(i + 1)
	}
	Add(dst[:33], src)
	for i := range dst {
		want := float32(0)
		if i < 33 {
			want = float32(i + 1)
		}
		require.Equal(t, want, dst[i], "element %d", i)
	}
}

func BenchmarkAdd(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 8))
	src := sample(rng, 180)
	dst := make([]float32, len(src))
	for _, asm := range []bool{true, false} {
		name := "go"
		if asm {
			name = "asm"
		}
		b.Run(name, func(b *testing.B) {
			saved := useAsm
			useAsm = asm && saved
			defer func() { useAsm = saved }()
			b.SetBytes(int64(8 * len(src)))
			for b.Loop() {
				clear(dst)
				Add(dst, src)
			}
		})
	}
}

func TestAddRowsMatchesTheGoLoop(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	nanA, nanB := math.Float32frombits(0x7fc00001), math.Float32frombits(0xffc00002)
	for _, rows := range []int{1, 2, 5, 14} {
		for _, cols := range []int{1, 5, 7, 8, 9, 13, 14, 16, 17, 27, 28, 29, 40} {
			for _, pad := range []int{0, 1, 3} {
				ds, ss := cols+pad, cols+2*pad
				dst := sample(rng, (rows-1)*ds+cols+5)
				src := sample(rng, (rows-1)*ss+cols+5)
				for i := range src {
					if rng.IntN(8) == 0 {
						src[i] = nanB
						dst[min(i, len(dst)-1)] = nanA
					}
				}
				got := append([]float32(nil), dst...)
				want := append([]float32(nil), dst...)
				AddRows(got, src, rows, cols, ds, ss)
				withoutAsm(func() { AddRows(want, src, rows, cols, ds, ss) })
				requireSameSums(t, want, got, "AddRows rows=%d cols=%d pad=%d", rows, cols, pad)
				for i, v := range dst {
					r, c := i/ds, i%ds
					if r < rows && c < cols {
						v += src[r*ss+c]
					}
					requireSameSum(t, v, got[i], "AddRows element %d, rows=%d cols=%d pad=%d", i, rows, cols, pad)
				}
			}
		}
	}
}

func TestAddScalarMatchesTheGoLoop(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	biases := append([]float32{0.75, -2}, specials...)
	for _, n := range []int{0, 1, 7, 8, 9, 31, 32, 33, 65, 196, 1031} {
		for _, b := range biases {
			for _, relu := range []bool{false, true} {
				x := sample(rng, n)
				got, want := append([]float32(nil), x...), append([]float32(nil), x...)
				AddScalar(got, b, relu)
				withoutAsm(func() { AddScalar(want, b, relu) })
				requireSameSums(t, want, got, "AddScalar(n=%d, b=%v, relu=%v)", n, b, relu)
			}
		}
	}
}

func TestAddScalarValues(t *testing.T) {
	// Nine elements: eight in a vector, one in the Go tail.
	x := []float32{-3, -1, 0, 2, 5, -0.5, float32(math.Inf(-1)), 10, -1}
	plain := append([]float32(nil), x...)
	AddScalar(plain, 1, false)
	require.Equal(t, []float32{-2, 0, 1, 3, 6, 0.5, float32(math.Inf(-1)), 11, 0}, plain)
	AddScalar(x, 1, true)
	require.Equal(t, []float32{0, 0, 1, 3, 6, 0.5, 0, 11, 0}, x)
	for i, v := range x {
		require.False(t, math.Signbit(float64(v)), "element %d: ReLU gives +0, not -0", i)
	}
	nan := []float32{float32(math.NaN())}
	AddScalar(nan, 1, true)
	require.True(t, nan[0] != nan[0], "NaN passes the ReLU")
}
