package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// refIm2Col and refCol2Im are the element-by-element definitions, with
// Col2Im's sums taken tap by tap in Im2Col's row order: the order of the
// general loop, which the stride-1 fast paths must reproduce to the bit.
func refIm2Col[T Float](x []T, n, c, h, w int, win Window2D) []T {
	win = win.normalized()
	oh, ow := win.OutSize(h, w)
	kh, kw := win.Kernel[0], win.Kernel[1]
	out := make([]T, n*c*kh*kw*oh*ow)
	o := 0
	for img := range n {
		for ch := range c {
			for i := range kh {
				for j := range kw {
					for y := range oh {
						for xx := range ow {
							ih := y*win.Stride[0] - win.Padding[0] + i*win.Dilation[0]
							iw := xx*win.Stride[1] - win.Padding[1] + j*win.Dilation[1]
							if ih >= 0 && ih < h && iw >= 0 && iw < w {
								out[o] = x[((img*c+ch)*h+ih)*w+iw]
							}
							o++
						}
					}
				}
			}
		}
	}
	return out
}

func refCol2Im[T Float](cols []T, n, c, h, w int, win Window2D) []T {
	win = win.normalized()
	oh, ow := win.OutSize(h, w)
	kh, kw := win.Kernel[0], win.Kernel[1]
	out := make([]T, n*c*h*w)
	o := 0
	for img := range n {
		for ch := range c {
			for i := range kh {
				for j := range kw {
					for y := range oh {
						for xx := range ow {
							ih := y*win.Stride[0] - win.Padding[0] + i*win.Dilation[0]
							iw := xx*win.Stride[1] - win.Padding[1] + j*win.Dilation[1]
							if ih >= 0 && ih < h && iw >= 0 && iw < w {
								out[((img*c+ch)*h+ih)*w+iw] += cols[o]
							}
							o++
						}
					}
				}
			}
		}
	}
	return out
}

// convSample draws values with the specials where an add could part from
// the Go loop's: signed zeros, infinities, NaNs with different payloads.
func convSample[T Float](rng *rand.Rand, n int) []T {
	specials := []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(), -math.NaN()}
	s := make([]T, n)
	for i := range s {
		if rng.IntN(16) == 0 {
			s[i] = T(specials[rng.IntN(len(specials))])
		} else {
			s[i] = T(rng.NormFloat64())
		}
	}
	return s
}

func floatBits[T Float](s []T) []uint64 {
	b := make([]uint64, len(s))
	for i, v := range s {
		switch v := any(v).(type) {
		case float32:
			b[i] = uint64(math.Float32bits(v))
		case float64:
			b[i] = math.Float64bits(v)
		}
	}
	return b
}

// dirtyPool leaves a buffer of NaNs of n elements in the pool, so that a
// kernel that fails to write an element of its output is caught.
func dirtyPool[T Float](n int) {
	d := make([]T, n)
	for i := range d {
		d[i] = T(math.NaN())
	}
	Release(New(d, n))
}

func testIm2ColFast[T Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	sizes := []int{1, 2, 5, 7, 14, 28, 29}
	var kernels = [][2]int{{3, 3}, {1, 1}, {2, 3}, {5, 1}}
	for _, h := range sizes {
		for _, w := range sizes {
			for _, k := range kernels {
				for _, pad := range []int{0, 1, 2} {
					for _, stride := range []int{1, 2} {
						for _, dil := range []int{1, 2} {
							win := Window2D{Kernel: k, Padding: [2]int{pad, pad}, Stride: [2]int{stride, stride}, Dilation: [2]int{dil, dil}}
							if oh, ow := win.OutSize(h, w); oh < 1 || ow < 1 {
								continue
							}
							name := fmt.Sprintf("%dx%d/%+v", h, w, win)
							n, c := 2, 3
							x := New(convSample[T](rng, n*c*h*w), n, c, h, w)
							want := refIm2Col(x.Data(), n, c, h, w, win)
							dirtyPool[T](len(want))
							cols := Im2Col(x, win)
							require.Equal(t, floatBits(want), floatBits(cols.Data()), "Im2Col %s", name)

							g := New(convSample[T](rng, cols.Size()), cols.Shape()...)
							wantX := refCol2Im(g.Data(), n, c, h, w, win)
							dirtyPool[T](len(wantX))
							got := Col2Im(g, x.Shape(), win)
							require.Equal(t, floatBits(wantX), floatBits(got.Data()), "Col2Im %s", name)
						}
					}
				}
			}
		}
	}
}

func TestIm2ColCol2ImFastPathsFloat64(t *testing.T) { testIm2ColFast[float64](t) }
func TestIm2ColCol2ImFastPathsFloat32(t *testing.T) { testIm2ColFast[float32](t) }

// TestCol2ImManyGaps covers the fast path's blocks of rows when the row
// ends' saved elements do not fit in one block (a wide padding, tall
// planes), and the rows one by one when a tap is mostly padding.
func TestCol2ImManyGaps(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, tc := range []struct{ h, w, k, pad, dil int }{
		{200, 9, 5, 2, 1}, {130, 30, 9, 4, 1}, {70, 40, 3, 3, 3}, {100, 12, 7, 3, 1},
		{9, 3, 3, 2, 2}, {40, 4, 5, 2, 1}, // more padding than input in some taps
	} {
		win := Window2D{Kernel: [2]int{tc.k, tc.k}, Padding: [2]int{tc.pad, tc.pad}, Dilation: [2]int{tc.dil, tc.dil}}
		n, c := 1, 2
		x := New(convSample[float32](rng, n*c*tc.h*tc.w), n, c, tc.h, tc.w)
		cols := Im2Col(x, win)
		require.Equal(t, floatBits(refIm2Col(x.Data(), n, c, tc.h, tc.w, win)), floatBits(cols.Data()), "Im2Col %+v", tc)
		g := New(convSample[float32](rng, cols.Size()), cols.Shape()...)
		want := refCol2Im(g.Data(), n, c, tc.h, tc.w, win)
		require.Equal(t, floatBits(want), floatBits(Col2Im(g, x.Shape(), win).Data()), "Col2Im %+v", tc)
	}
}
