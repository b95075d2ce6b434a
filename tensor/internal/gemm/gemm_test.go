package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
)

// mat is a test operand: an r x c matrix op(X) stored row-major, transposed
// when trans, with leading dimension ld and padding filled with a sentinel.
type mat[T float] struct {
	data  []T
	ld    int
	trans bool
}

func (x mat[T]) at(i, j int) T {
	if x.trans {
		return x.data[j*x.ld+i]
	}
	return x.data[i*x.ld+j]
}

// newMat returns a random r x c op(X) with leading dimension (stored columns)
// + pad. Padding holds 1e30 so that reading it shows in the result.
func newMat[T float](rng *rand.Rand, r, c int, trans bool, pad int) mat[T] {
	rows, cols := r, c
	if trans {
		rows, cols = c, r
	}
	ld := cols + pad
	data := make([]T, max(0, (rows-1)*ld+cols))
	for i := range data {
		if i%ld >= cols {
			data[i] = 1e30
			continue
		}
		data[i] = T(rng.Float64()*2 - 1)
	}
	return mat[T]{data: data, ld: max(ld, 1), trans: trans}
}

// reference computes alpha*op(A)*op(B) + beta*C0 in float64 along with a
// bound on the rounding error of a float T computation.
func reference[T float](m, n, k int, alpha T, a, b mat[T], beta T, c0 []T, ldc int) (want, bound []float64) {
	eps := 0x1p-52
	if _, ok := any(alpha).(float32); ok {
		eps = 0x1p-23
	}
	want = make([]float64, m*n)
	bound = make([]float64, m*n)
	for i := range m {
		for j := range n {
			var s, abs float64
			for p := range k {
				v := float64(a.at(i, p)) * float64(b.at(p, j))
				s += v
				abs += math.Abs(v)
			}
			r := float64(alpha) * s
			e := math.Abs(float64(alpha)) * abs
			if beta != 0 {
				cv := float64(c0[i*ldc+j])
				r += float64(beta) * cv
				e += math.Abs(float64(beta) * cv)
			}
			want[i*n+j] = r
			bound[i*n+j] = float64(k+4)*eps*e + 1e-300
		}
	}
	return want, bound
}

// check runs one Gemm and compares it with the reference.
func check[T float](t *testing.T, rng *rand.Rand, transA, transB bool, m, n, k int, alpha, beta T, pad int) {
	t.Helper()
	checkPads(t, rng, transA, transB, m, n, k, alpha, beta, pad, pad+1, pad+2)
}

// checkPads is check with the padding of each operand's rows given.
func checkPads[T float](t *testing.T, rng *rand.Rand, transA, transB bool, m, n, k int, alpha, beta T, padA, padB, padC int) {
	t.Helper()
	a := newMat[T](rng, m, k, transA, padA)
	b := newMat[T](rng, k, n, transB, padB)
	ldc := n + padC
	c := make([]T, max(0, (m-1)*ldc+n))
	for i := range c {
		switch {
		case i%ldc >= n:
			c[i] = 7 // padding: must survive
		case beta == 0:
			c[i] = T(math.NaN())
		default:
			c[i] = T(rng.Float64()*2 - 1)
		}
	}
	want, bound := reference(m, n, k, alpha, a, b, beta, c, ldc)
	Gemm(transA, transB, m, n, k, alpha, a.data, a.ld, b.data, b.ld, beta, c, ldc)
	for i := range m {
		for j := range n {
			got := float64(c[i*ldc+j])
			w := want[i*n+j]
			if math.IsNaN(got) || math.Abs(got-w) > bound[i*n+j] {
				require.Failf(t, "wrong element", "C[%d,%d] = %v, want %v (bound %g)", i, j, got, w, bound[i*n+j])
			}
		}
		for j := n; j < ldc && i*ldc+j < len(c); j++ {
			require.Equal(t, T(7), c[i*ldc+j], "padding of C changed at row %d col %d", i, j)
		}
	}
}

var sizes = []int{1, 7, 63, 65, 257}

var transCases = []struct{ a, b bool }{{false, false}, {false, true}, {true, false}, {true, true}}

func testSizes[T float](t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tr := range transCases {
		for _, m := range sizes {
			for _, n := range sizes {
				for _, k := range sizes {
					name := fmt.Sprintf("tA=%v/tB=%v/%dx%dx%d", tr.a, tr.b, m, n, k)
					t.Run(name, func(t *testing.T) {
						alpha := T(1)
						beta := T(0)
						if (m+n+k)%2 == 1 {
							alpha, beta = T(-0.75), T(1.5)
						}
						check(t, rng, tr.a, tr.b, m, n, k, alpha, beta, (m+k)%3)
					})
				}
			}
		}
	}
}

func TestGemmSizesFloat32(t *testing.T) { testSizes[float32](t) }
func TestGemmSizesFloat64(t *testing.T) { testSizes[float64](t) }

// rect lists rectangular and awkward shapes, including depths beyond one k
// block and widths beyond one register tile.
var rect = [][3]int{
	{1, 1000, 3}, {1000, 1, 5}, {3, 5, 1000}, {14, 32, 256}, {15, 33, 257},
	{28, 64, 512}, {100, 20, 300}, {20, 300, 100}, {129, 130, 131}, {6, 16, 1},
	{2, 700, 70}, {513, 17, 9}, {50, 50, 600},
	{15, 530, 4100}, // several column blocks of packed B
}

func testRect[T float](t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, s := range rect {
		for _, tr := range transCases {
			t.Run(fmt.Sprintf("tA=%v/tB=%v/%dx%dx%d", tr.a, tr.b, s[0], s[1], s[2]), func(t *testing.T) {
				check(t, rng, tr.a, tr.b, s[0], s[1], s[2], T(1.25), T(-0.5), 1)
			})
		}
	}
}

func TestGemmRectFloat32(t *testing.T) { testRect[float32](t) }
func TestGemmRectFloat64(t *testing.T) { testRect[float64](t) }

func testAlphaBeta[T float](t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	ab := []struct{ alpha, beta T }{
		{1, 0}, {1, 1}, {-1, 0}, {2.5, 0}, {0.5, -2}, {0, 0}, {0, 3}, {-3, 1}, {1, -1},
	}
	shapes := [][3]int{{7, 63, 65}, {65, 7, 257}, {63, 65, 7}, {40, 40, 0}, {1, 1, 1}}
	for _, v := range ab {
		for _, s := range shapes {
			for _, tr := range transCases {
				t.Run(fmt.Sprintf("a=%v/b=%v/tA=%v/tB=%v/%v", v.alpha, v.beta, tr.a, tr.b, s), func(t *testing.T) {
					check(t, rng, tr.a, tr.b, s[0], s[1], s[2], v.alpha, v.beta, 2)
				})
			}
		}
	}
}

func TestGemmAlphaBetaFloat32(t *testing.T) { testAlphaBeta[float32](t) }
func TestGemmAlphaBetaFloat64(t *testing.T) { testAlphaBeta[float64](t) }

// TestKernelSets runs every kernel set this CPU supports (the assembly ones
// and the portable Go one), checks each against the reference and against
// the default set.
func TestKernelSets(t *testing.T) {
	n32, n64 := KernelName()
	t.Logf("selected kernels: float32 %s, float64 %s", n32, n64)
	sets := archKernels()
	defer useKernels(sets[0])
	require.Equal(t, "generic", sets[len(sets)-1].k32.name, "the portable kernels must always be available")
	shapes := [][3]int{{1, 1, 1}, {7, 63, 65}, {65, 257, 63}, {100, 90, 300}, {257, 65, 7}, {30, 50, 1000}}
	for _, ks := range sets {
		t.Run(ks.k32.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, 8))
			for _, s := range shapes {
				for _, tr := range transCases {
					m, n, k := s[0], s[1], s[2]
					useKernels(ks)
					check(t, rng, tr.a, tr.b, m, n, k, float32(0.5), float32(2), 1)
					check(t, rng, tr.a, tr.b, m, n, k, 0.5, 0.0, 1)
					c32 := fixedRun[float32](t, tr.a, tr.b, m, n, k)
					c64 := fixedRun[float64](t, tr.a, tr.b, m, n, k)
					useKernels(sets[0])
					near(t, c32, fixedRun[float32](t, tr.a, tr.b, m, n, k), 1e-5*math.Sqrt(float64(k+1)))
					near(t, c64, fixedRun[float64](t, tr.a, tr.b, m, n, k), 1e-13*math.Sqrt(float64(k+1)))
				}
			}
		})
	}
}

// fixedRun returns alpha*op(A)*op(B) + beta*C for fixed pseudo-random operands.
func fixedRun[T float](t *testing.T, transA, transB bool, m, n, k int) []T {
	t.Helper()
	rng := rand.New(rand.NewPCG(uint64(m), uint64(n*k)))
	a := newMat[T](rng, m, k, transA, 0)
	b := newMat[T](rng, k, n, transB, 0)
	c := newMat[T](rng, m, n, false, 0).data
	Gemm(transA, transB, m, n, k, 1.5, a.data, a.ld, b.data, b.ld, 0.5, c, n)
	return c
}

func near[T float](t *testing.T, got, want []T, tol float64) {
	t.Helper()
	for i := range got {
		d := math.Abs(float64(got[i]) - float64(want[i]))
		require.LessOrEqualf(t, d, tol, "element %d: %v vs default kernels %v", i, got[i], want[i])
	}
}

// TestDeterministic checks that results are bit-identical whatever
// GOMAXPROCS is.
func TestDeterministic(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	shapes := [][3]int{{300, 270, 600}, {20, 2000, 300}, {2000, 20, 300}, {97, 131, 1100}, {100, 900, 3000}}
	for _, s := range shapes {
		for _, tr := range transCases {
			t.Run(fmt.Sprintf("tA=%v/tB=%v/%v", tr.a, tr.b, s), func(t *testing.T) {
				deterministic[float32](t, tr.a, tr.b, s[0], s[1], s[2])
				deterministic[float64](t, tr.a, tr.b, s[0], s[1], s[2])
			})
		}
	}
}

func deterministic[T float](t *testing.T, transA, transB bool, m, n, k int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(9, 10))
	a := newMat[T](rng, m, k, transA, 1)
	b := newMat[T](rng, k, n, transB, 1)
	c0 := newMat[T](rng, m, n, false, 0).data
	var first []T
	for _, procs := range []int{1, 2, 3, 1} {
		runtime.GOMAXPROCS(procs)
		c := append([]T(nil), c0...)
		Gemm(transA, transB, m, n, k, 0.75, a.data, a.ld, b.data, b.ld, 1.25, c, n)
		if first == nil {
			first = c
			continue
		}
		for i := range c {
			if math.Float64bits(float64(c[i])) != math.Float64bits(float64(first[i])) {
				require.Failf(t, "not bit-identical", "GOMAXPROCS=%d: C[%d] = %v, GOMAXPROCS=1 gave %v", procs, i, c[i], first[i])
			}
		}
	}
}

func TestPanics(t *testing.T) {
	a := make([]float32, 12)
	require.Panics(t, func() { Gemm(false, false, -1, 2, 2, 1, a, 2, a, 2, 0, a, 2) })
	require.Panics(t, func() { Gemm(false, false, 2, 2, 3, 1, a, 2, a, 2, 0, a, 2) }) // lda < k
	require.Panics(t, func() { Gemm(true, false, 3, 2, 2, 1, a, 2, a, 2, 0, a, 2) })  // lda < m (trans)
	require.Panics(t, func() { Gemm(false, false, 4, 4, 4, 1, a, 4, a, 4, 0, a, 4) }) // a too short
	require.Panics(t, func() { Gemm(false, false, 2, 5, 2, 1, a, 2, a, 5, 0, a, 4) }) // ldc < n
	require.NotPanics(t, func() { Gemm[float32](false, false, 0, 0, 0, 1, nil, 1, nil, 1, 0, nil, 1) })
}

// TestAllocs checks that steady-state calls reuse their packing buffers:
// only a few small bookkeeping objects are allocated per call.
func TestAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under the race detector")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	rng := rand.New(rand.NewPCG(11, 12))
	for _, procs := range []int{1, 2} {
		runtime.GOMAXPROCS(procs)
		for _, n := range []int{16, 200} {
			a := newMat[float32](rng, n, n, false, 0)
			b := newMat[float32](rng, n, n, true, 0)
			c := make([]float32, n*n)
			f := func() { Gemm(false, true, n, n, n, 1, a.data, n, b.data, n, 0, c, n) }
			f()
			const runs = 50
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for range runs {
				f()
			}
			runtime.ReadMemStats(&after)
			allocs := float64(after.Mallocs-before.Mallocs) / runs
			bytes := float64(after.TotalAlloc-before.TotalAlloc) / runs
			t.Logf("GOMAXPROCS=%d n=%d: %.1f allocs, %.0f bytes per call", procs, n, allocs, bytes)
			require.LessOrEqual(t, allocs, float64(4*procs+2))
			require.Less(t, bytes, 4096.0, "packing buffers are not being reused")
		}
	}
}

func BenchmarkGemm(b *testing.B) {
	for _, n := range []int{64, 128, 256, 512, 1024} {
		b.Run(fmt.Sprintf("float32/n=%d", n), func(b *testing.B) { benchGemm[float32](b, n) })
	}
	for _, n := range []int{64, 128, 256, 512, 1024} {
		b.Run(fmt.Sprintf("float64/n=%d", n), func(b *testing.B) { benchGemm[float64](b, n) })
	}
}

func benchGemm[T float](b *testing.B, n int) {
	rng := rand.New(rand.NewPCG(1, 1))
	x := newMat[T](rng, n, n, false, 0).data
	y := newMat[T](rng, n, n, false, 0).data
	c := make([]T, n*n)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		Gemm(false, false, n, n, n, 1, x, n, y, n, 0, c, n)
	}
	b.ReportMetric(2*float64(n)*float64(n)*float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
}

// TestPackedPath runs the size and shape tests on the packed path, which
// small products otherwise skip when the kernels have strided forms.
func TestPackedPath(t *testing.T) {
	forcePacked = true
	defer func() { forcePacked = false }()
	t.Run("sizes32", testSizes[float32])
	t.Run("sizes64", testSizes[float64])
	t.Run("rect32", testRect[float32])
	t.Run("rect64", testRect[float64])
	t.Run("alphabeta32", testAlphaBeta[float32])
	t.Run("deterministic", TestDeterministic)
}

// TestCacheStrides checks operands whose row strides are multiples of 2 or
// 4 KiB, which the small-product path packs instead of reading in place.
func TestCacheStrides(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, tr := range transCases {
		for _, s := range [][3]int{{30, 100, 300}, {29, 70, 40}} {
			m, n, k := s[0], s[1], s[2]
			// Stored columns of A and B: k or m, and n or k.
			ca, cb := k, n
			if tr.a {
				ca = m
			}
			if tr.b {
				cb = k
			}
			checkPads(t, rng, tr.a, tr.b, m, n, k, float32(1), float32(0.5), 512-ca, 1024-cb, 0)
			checkPads(t, rng, tr.a, tr.b, m, n, k, 1.0, 0.0, 512-ca, 512-cb, 3)
		}
	}
}
