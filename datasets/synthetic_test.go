package datasets

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSynthetic(t *testing.T) {
	tests := []struct {
		name    string
		make    func(rng *rand.Rand) *Dataset[float32]
		n       int
		classes int
		counts  []int
	}{
		{"spiral", func(r *rand.Rand) *Dataset[float32] { return Spiral(100, 3, 0.2, r) }, 300, 3, []int{100, 100, 100}},
		{"xor", func(r *rand.Rand) *Dataset[float32] { return XOR(200, 0.1, r) }, 200, 2, nil},
		{"moons", func(r *rand.Rand) *Dataset[float32] { return Moons(101, 0.1, r) }, 101, 2, []int{50, 51}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := tc.make(rand.New(rand.NewPCG(1, 2)))
			b := tc.make(rand.New(rand.NewPCG(1, 2)))
			c := tc.make(rand.New(rand.NewPCG(3, 4)))
			require.Equal(t, tc.name, a.Name)
			require.Equal(t, []int{tc.n, 2}, a.X.Shape())
			require.Len(t, a.Y, tc.n)
			require.Equal(t, tc.classes, a.NumClasses())
			if tc.counts != nil {
				require.Equal(t, tc.counts, a.ClassCounts())
			}
			require.Equal(t, a.X.Data(), b.X.Data(), "same seed, same data")
			require.Equal(t, a.Y, b.Y)
			require.NotEqual(t, a.X.Data(), c.X.Data(), "another seed, other data")
		})
	}
}

func TestSyntheticGeometry(t *testing.T) {
	// Without noise the points lie exactly where the definitions put them.
	m := Moons(10, 0, nil)
	for i := range 10 {
		x, y := float64(m.X.At(i, 0)), float64(m.X.At(i, 1))
		if m.Y[i] == 0 {
			require.InDelta(t, 1, math.Hypot(x, y), 1e-6)
			require.GreaterOrEqual(t, y, -1e-6)
		} else {
			require.InDelta(t, 1, math.Hypot(x-1, y-0.5), 1e-6)
			require.LessOrEqual(t, y, 0.5+1e-6)
		}
	}
	require.Equal(t, []float32{1, 0}, m.X.Data()[:2])      // t = 0 on the outer moon
	require.Equal(t, []float32{0, 0.5}, m.X.Data()[10:12]) // t = 0 on the inner moon

	s := Spiral(5, 2, 0, nil)
	for i := range 10 {
		r := math.Hypot(float64(s.X.At(i, 0)), float64(s.X.At(i, 1)))
		require.InDelta(t, float64(i%5)/4, r, 1e-6, "radius grows 0..1 along each arm")
	}
	require.Equal(t, []int{0, 0, 0, 0, 0, 1, 1, 1, 1, 1}, s.Y)

	x := XOR(500, 0, rand.New(rand.NewPCG(5, 6)))
	for i := range 500 {
		a, b := x.X.At(i, 0), x.X.At(i, 1)
		want := 0
		if (a > 0) != (b > 0) {
			want = 1
		}
		require.Equal(t, want, x.Y[i])
		require.True(t, a >= -1 && a <= 1 && b >= -1 && b <= 1)
	}
	counts := x.ClassCounts()
	require.InDelta(t, 250, counts[0], 50)

	require.Panics(t, func() { Spiral(10, 3, 0.2, nil) }, "noise needs an rng")
	require.Panics(t, func() { XOR(10, 0, nil) })
	require.Panics(t, func() { Moons(-1, 0, nil) })
	require.Panics(t, func() { Moons(10, -0.1, nil) })
	require.Panics(t, func() { Spiral(10, 0, 0, nil) })
}
