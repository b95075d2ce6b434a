package vec

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// poolValues are drawn from a few values so that windows often tie, with
// both zeros, both infinities and NaNs of distinct bits, so that a test can
// see which NaN won.
var poolValues = []float32{
	0, float32(math.Copysign(0, -1)), 1, -1, 2,
	float32(math.Inf(1)), float32(math.Inf(-1)),
	math.Float32frombits(0x7fc00001), math.Float32frombits(0xffc00002),
	math.Float32frombits(0x7f800003), // a signalling NaN passes through too
}

func poolSample(rng *rand.Rand, n int, pNaN int) []float32 {
	s := make([]float32, n)
	for i := range s {
		switch r := rng.IntN(100); {
		case r < pNaN:
			s[i] = poolValues[7+rng.IntN(3)]
		case r < 60:
			s[i] = poolValues[rng.IntN(7)]
		default:
			s[i] = float32(rng.IntN(7) - 3)
		}
	}
	return s
}

// naivePool is the definition: scan each window in row-major order and keep
// the first element that beats the running maximum.
func naivePool(src []float32, planes, h, w int) ([]uint32, []int) {
	oh, ow := h/2, w/2
	var vals []uint32
	var idx []int
	for p := range planes {
		plane := src[p*h*w : (p+1)*h*w]
		for y := range oh {
			for x := range ow {
				at := -1
				for i := range 2 {
					for j := range 2 {
						pos := (2*y+i)*w + 2*x + j
						v := plane[pos]
						if at < 0 || v > plane[at] || (v != v && plane[at] == plane[at]) {
							at = pos
						}
					}
				}
				vals = append(vals, math.Float32bits(plane[at]))
				idx = append(idx, at)
			}
		}
	}
	return vals, idx
}

// TestMaxPool2x2 compares the kernel (assembly where the CPU has it) and
// the Go loop with the definition, bit for bit and index for index, over
// row widths on both sides of the kernel's 8- and 16-window steps, odd
// heights and widths, and several planes per call.
func TestMaxPool2x2(t *testing.T) {
	if !useAsm || !maxPoolHasAsm() {
		t.Log("no assembly on this machine: checking the Go loop only")
	}
	rng := rand.New(rand.NewPCG(7, 11))
	for _, ow := range []int{1, 2, 3, 7, 8, 9, 14, 15, 16, 17, 31, 32, 33, 48} {
		for _, oh := range []int{1, 2, 3, 7, 14} {
			for _, odd := range [][2]int{{0, 0}, {1, 0}, {0, 1}, {1, 1}} {
				h, w := 2*oh+odd[0], 2*ow+odd[1]
				for _, planes := range []int{1, 3} {
					for _, pNaN := range []int{0, 5, 40} {
						name := fmt.Sprintf("%dx%dx%d/nan%d", planes, h, w, pNaN)
						// One element of slack in front, so the planes
						// start off any vector alignment.
						buf := poolSample(rng, 1+planes*h*w, pNaN)
						src := buf[1:]
						wantV, wantI := naivePool(src, planes, h, w)
						for _, asm := range []bool{true, false} {
							dst := make([]float32, planes*oh*ow+1)
							idx := make([]int, planes*oh*ow+1)
							dst[len(dst)-1], idx[len(idx)-1] = 42, 42
							func() {
								saved := useAsm
								useAsm = asm && saved
								defer func() { useAsm = saved }()
								MaxPool2x2(dst[:len(dst)-1], idx[:len(idx)-1], src, h, w)
							}()
							require.Equal(t, wantV, bits(dst[:len(dst)-1]), "%s asm=%v: values", name, asm)
							require.Equal(t, wantI, idx[:len(idx)-1], "%s asm=%v: indices", name, asm)
							require.Equal(t, float32(42), dst[len(dst)-1], "%s asm=%v: wrote past dst", name, asm)
							require.Equal(t, 42, idx[len(idx)-1], "%s asm=%v: wrote past idx", name, asm)
						}
					}
				}
			}
		}
	}
}

// TestMaxPool2x2Cases spells out the rules on single windows [a b; c d].
func TestMaxPool2x2Cases(t *testing.T) {
	nan1 := math.Float32frombits(0x7fc00001)
	nan2 := math.Float32frombits(0xffc00002)
	negZero := float32(math.Copysign(0, -1))
	inf := float32(math.Inf(1))
	cases := []struct {
		win  [4]float32
		want float32
		at   int // 0..3 for a, b, c, d
	}{
		{[4]float32{1, 1, 1, 1}, 1, 0},
		{[4]float32{0, 1, 1, 0}, 1, 1},
		{[4]float32{0, 0, 1, 1}, 1, 2},
		{[4]float32{0, 0, 0, 1}, 1, 3},
		{[4]float32{negZero, 0, 0, 0}, negZero, 0},
		{[4]float32{0, negZero, negZero, 0}, 0, 0},
		{[4]float32{-1, negZero, 0, -1}, negZero, 1},
		{[4]float32{1, nan1, nan2, 1}, nan1, 1},
		{[4]float32{1, 2, nan2, nan1}, nan2, 2},
		{[4]float32{inf, inf, 1, nan1}, nan1, 3},
		{[4]float32{nan2, nan1, nan1, nan2}, nan2, 0},
		{[4]float32{-inf, -inf, -inf, inf}, inf, 3},
		{[4]float32{-inf, -inf, -inf, -inf}, -inf, 0},
	}
	for _, asm := range []bool{true, false} {
		saved := useAsm
		useAsm = asm && saved
		for i, c := range cases {
			// 2x2 windows repeated across rows of 1, 7, 9 and 17 windows, so
			// that every lane of both kernel modes sees the case.
			for _, ow := range []int{1, 7, 9, 17} {
				w := 2 * ow
				src := make([]float32, 2*w)
				for x := range ow {
					src[2*x], src[2*x+1], src[w+2*x], src[w+2*x+1] = c.win[0], c.win[1], c.win[2], c.win[3]
				}
				dst, idx := make([]float32, ow), make([]int, ow)
				MaxPool2x2(dst, idx, src, 2, w)
				for x := range ow {
					require.Equal(t, math.Float32bits(c.want), math.Float32bits(dst[x]), "case %d ow %d asm=%v", i, ow, asm)
					require.Equal(t, 2*x+c.at%2+c.at/2*w, idx[x], "case %d ow %d asm=%v", i, ow, asm)
				}
			}
		}
		useAsm = saved
	}
}

// BenchmarkMaxPool2x2 pools the two max-pools of the reference CNN's step:
// 64x32 planes of 28x28 and 64x64 planes of 14x14.
func BenchmarkMaxPool2x2(b *testing.B) {
	for _, s := range []struct{ planes, h, w int }{{64 * 32, 28, 28}, {64 * 64, 14, 14}} {
		rng := rand.New(rand.NewPCG(1, 2))
		src := make([]float32, s.planes*s.h*s.w)
		for i := range src {
			src[i] = float32(rng.NormFloat64())
		}
		dst := make([]float32, s.planes*s.h*s.w/4)
		idx := make([]int, len(dst))
		for _, asm := range []bool{true, false} {
			name := fmt.Sprintf("%dx%dx%d/go", s.planes, s.h, s.w)
			if asm {
				if !useAsm || !maxPoolHasAsm() {
					continue
				}
				name = fmt.Sprintf("%dx%dx%d/asm", s.planes, s.h, s.w)
			}
			b.Run(name, func(b *testing.B) {
				saved := useAsm
				useAsm = asm && saved
				defer func() { useAsm = saved }()
				b.SetBytes(int64(4*len(src) + 12*len(dst)))
				for b.Loop() {
					MaxPool2x2(dst, idx, src, s.h, s.w)
				}
			})
		}
	}
}
