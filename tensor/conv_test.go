package tensor

import (
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
)

var convWindows = []Window2D{
	{Kernel: [2]int{3, 3}},
	{Kernel: [2]int{3, 3}, Padding: [2]int{1, 1}},
	{Kernel: [2]int{3, 3}, Stride: [2]int{2, 2}, Padding: [2]int{1, 1}},
	{Kernel: [2]int{3, 3}, Dilation: [2]int{2, 2}, Padding: [2]int{2, 2}},
	{Kernel: [2]int{2, 3}, Stride: [2]int{1, 2}, Padding: [2]int{0, 1}, Dilation: [2]int{2, 1}},
	{Kernel: [2]int{1, 1}, Stride: [2]int{3, 2}},
	{Kernel: [2]int{5, 5}, Stride: [2]int{3, 3}, Padding: [2]int{4, 4}},
}

// naiveAt reads x[n, c, y, x] or 0 outside the input.
func naiveAt(x *Dense[float64], n, c, y, xx int) float64 {
	if y < 0 || y >= x.shape[2] || xx < 0 || xx >= x.shape[3] {
		return 0
	}
	return x.At(n, c, y, xx)
}

// naiveIm2Col follows the definition of Im2Col element by element.
func naiveIm2Col(x *Dense[float64], win Window2D) *Dense[float64] {
	win = win.normalized()
	n, c, h, w := nchw("test", x.shape)
	oh, ow := win.OutSize(h, w)
	kh, kw := win.Kernel[0], win.Kernel[1]
	out := Zeros[float64](n, c*kh*kw, oh*ow)
	for ch := range c {
		for i := range kh {
			for j := range kw {
				for img := range n {
					for y := range oh {
						for xx := range ow {
							v := naiveAt(x, img, ch, y*win.Stride[0]-win.Padding[0]+i*win.Dilation[0], xx*win.Stride[1]-win.Padding[1]+j*win.Dilation[1])
							out.Set(v, img, (ch*kh+i)*kw+j, y*ow+xx)
						}
					}
				}
			}
		}
	}
	return out
}

func dot(a, b *Dense[float64]) float64 {
	s := 0.0
	for i, v := range a.Data() {
		s += v * b.Data()[i]
	}
	return s
}

func TestIm2ColMatchesDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, win := range convWindows {
		x := RandN[float64](rng, 2, 3, 7, 8)
		got := Im2Col(x, win)
		require.Equal(t, naiveIm2Col(x, win).Data(), got.Data(), "window %+v", win)
		// A strided view gives the same columns as its copy.
		xt := RandN[float64](rng, 2, 3, 8, 7).Transpose(2, 3)
		require.Equal(t, naiveIm2Col(xt.Clone(), win).Data(), Im2Col(xt, win).Data())
		// So does a contiguous view at an offset.
		xs := x.Slice(0, 1, 2)
		require.Equal(t, naiveIm2Col(xs.Clone(), win).Data(), Im2Col(xs, win).Data())
		y := RandN[float64](rng, Im2Col(xs, win).Shape()...)
		require.Equal(t, Col2Im(y, xs.Shape(), win).Data(), Col2Im(y.T().Clone().T(), xs.Shape(), win).Data())
	}
}

func TestCol2ImIsAdjoint(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, win := range convWindows {
		x := RandN[float64](rng, 2, 3, 7, 8)
		cols := Im2Col(x, win)
		y := RandN[float64](rng, cols.Shape()...)
		back := Col2Im(y, x.Shape(), win)
		require.Equal(t, x.Shape(), back.Shape())
		lhs, rhs := dot(cols, y), dot(x, back)
		require.InDelta(t, lhs, rhs, 1e-9*math.Max(1, math.Abs(lhs)), "window %+v", win)
	}
}

// TestConvAsGEMM checks a convolution computed as weights times columns
// against the direct sum.
func TestConvAsGEMM(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, win := range convWindows {
		win = win.normalized()
		x := RandN[float64](rng, 2, 3, 7, 8)
		wt := RandN[float64](rng, 4, 3, win.Kernel[0], win.Kernel[1])
		oh, ow := win.OutSize(7, 8)
		got := MatMul(wt.Reshape(4, -1), Im2Col(x, win)).Reshape(2, 4, oh, ow).Permute(1, 0, 2, 3)
		for o := range 4 {
			for n := range 2 {
				for y := range oh {
					for xx := range ow {
						want := 0.0
						for c := range 3 {
							for i := range win.Kernel[0] {
								for j := range win.Kernel[1] {
									want += wt.At(o, c, i, j) * naiveAt(x, n, c, y*win.Stride[0]-win.Padding[0]+i*win.Dilation[0], xx*win.Stride[1]-win.Padding[1]+j*win.Dilation[1])
								}
							}
						}
						require.InDelta(t, want, got.At(o, n, y, xx), 1e-12)
					}
				}
			}
		}
	}
}

func TestMaxPool2DMatchesDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	wins := []Window2D{
		{Kernel: [2]int{2, 2}, Stride: [2]int{2, 2}},
		{Kernel: [2]int{3, 3}, Stride: [2]int{2, 2}, Padding: [2]int{1, 1}},
		{Kernel: [2]int{2, 3}, Stride: [2]int{1, 2}, Dilation: [2]int{2, 1}, Padding: [2]int{1, 1}},
	}
	for _, win := range wins {
		x := RandN[float64](rng, 2, 3, 7, 6)
		out, idx := MaxPool2D(x, win)
		w := win.normalized()
		oh, ow := w.OutSize(7, 6)
		require.Equal(t, []int{2, 3, oh, ow}, out.Shape())
		p := 0
		for n := range 2 {
			for c := range 3 {
				for y := range oh {
					for xx := range ow {
						best, at := math.Inf(-1), -1
						for i := range w.Kernel[0] {
							for j := range w.Kernel[1] {
								r, s := y*w.Stride[0]-w.Padding[0]+i*w.Dilation[0], xx*w.Stride[1]-w.Padding[1]+j*w.Dilation[1]
								if r >= 0 && r < 7 && s >= 0 && s < 6 && x.At(n, c, r, s) > best {
									best, at = x.At(n, c, r, s), r*6+s
								}
							}
						}
						require.Equal(t, best, out.At(n, c, y, xx))
						require.Equal(t, at, idx[p])
						p++
					}
				}
			}
		}
		require.Equal(t, out.Data(), GatherPlanes(x, idx, oh, ow).Data())
	}
}

func TestMaxPool2DTiesAndNaN(t *testing.T) {
	x := New([]float64{1, 1, 0, 1, math.NaN(), 2, 3, 3}, 1, 2, 2, 2)
	out, idx := MaxPool2D(x, Window2D{Kernel: [2]int{2, 2}})
	require.Equal(t, 1.0, out.At(0, 0, 0, 0))
	require.Equal(t, 0, idx[0]) // the first of the tied maxima
	require.True(t, math.IsNaN(out.At(0, 1, 0, 0)))
	require.Equal(t, 0, idx[1])
}

func TestScatterAddPlanesIsAdjoint(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	a := RandN[float64](rng, 2, 3, 4, 5)
	idx := make([]int, 2*3*3*3)
	for i := range idx {
		idx[i] = rng.IntN(4 * 5 / 2) // many repeats
	}
	g := GatherPlanes(a, idx, 3, 3)
	y := RandN[float64](rng, 2, 3, 3, 3)
	s := ScatterAddPlanes(y, idx, 4, 5)
	require.InDelta(t, dot(g, y), dot(a, s), 1e-10)
}

// TestConvKernelsIgnoreGOMAXPROCS checks that the parallel kernels give the
// same bits on one core and on many.
func TestConvKernelsIgnoreGOMAXPROCS(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	x := RandN[float32](rng, 16, 8, 20, 20)
	win := Window2D{Kernel: [2]int{3, 3}, Stride: [2]int{2, 2}, Padding: [2]int{1, 1}}
	run := func() (a, b, c []float32) {
		cols := Im2Col(x, win)
		back := Col2Im(cols, x.Shape(), win)
		m, _ := MaxPool2D(x, win)
		return cols.Data(), back.Data(), m.Data()
	}
	prev := runtime.GOMAXPROCS(1)
	a1, b1, c1 := run()
	runtime.GOMAXPROCS(max(4, prev))
	a2, b2, c2 := run()
	runtime.GOMAXPROCS(prev)
	require.Equal(t, a1, a2)
	require.Equal(t, b1, b2)
	require.Equal(t, c1, c2)
}

func TestConvKernelShapePanics(t *testing.T) {
	cases := map[string]func(){
		"rank":       func() { Im2Col(Zeros[float64](2, 3, 4), Window2D{Kernel: [2]int{1, 1}}) },
		"too-big":    func() { Im2Col(Zeros[float64](1, 1, 2, 2), Window2D{Kernel: [2]int{3, 3}}) },
		"no-kernel":  func() { Im2Col(Zeros[float64](1, 1, 2, 2), Window2D{}) },
		"cols-shape": func() { Col2Im(Zeros[float64](1, 4, 5), []int{1, 1, 3, 3}, Window2D{Kernel: [2]int{2, 2}}) },
		"pool-pad":   func() { MaxPool2D(Zeros[float64](1, 1, 4, 4), Window2D{Kernel: [2]int{2, 2}, Padding: [2]int{2, 2}}) },
		"index":      func() { GatherPlanes(Zeros[float64](1, 1, 2, 2), []int{4}, 1, 1) },
		"count":      func() { ScatterAddPlanes(Zeros[float64](1, 1, 1, 2), []int{0}, 2, 2) },
	}
	for name, f := range cases {
		t.Run(name, func(t *testing.T) {
			defer func() {
				err, ok := recover().(error)
				require.True(t, ok, "want a panic carrying an error")
				require.True(t, errors.Is(err, ErrShape), "%v", err)
			}()
			f()
		})
	}
}

// TestPlaneIndicesOutOfRange puts bad indices in a tensor large enough for
// the planes to be split over goroutines: the panic still reaches the
// caller, and it names the lowest bad position, whichever goroutine met it.
func TestPlaneIndicesOutOfRange(t *testing.T) {
	const n, c, h, w = 8, 16, 28, 28 // 128 planes of 784, pooled to 14x14
	rng := rand.New(rand.NewPCG(3, 4))
	x := RandN[float64](rng, n, c, h, w)
	_, idx := MaxPool2D(x, Window2D{Kernel: [2]int{2, 2}, Stride: [2]int{2, 2}})
	g := RandN[float64](rng, n, c, 14, 14)
	for _, tc := range []struct {
		name string
		bad  map[int]int // position: index
		want string
	}{
		{"past-the-end", map[int]int{20000: h * w, 5000: h*w + 7}, "index 791 (element 5000) out of range [0, 784)"},
		{"negative", map[int]int{25087: -1}, "index -1 (element 25087) out of range [0, 784)"},
	} {
		bad := append([]int(nil), idx...)
		for p, i := range tc.bad {
			bad[p] = i
		}
		for op, f := range map[string]func(){
			"GatherPlanes":     func() { GatherPlanes(x, bad, 14, 14) },
			"ScatterAddPlanes": func() { ScatterAddPlanes(g, bad, h, w) },
		} {
			t.Run(tc.name+"/"+op, func(t *testing.T) {
				defer func() {
					err, ok := recover().(error)
					require.True(t, ok, "want a panic carrying an error")
					require.ErrorIs(t, err, ErrShape)
					require.Contains(t, err.Error(), op+": "+tc.want)
				}()
				f()
			})
		}
	}
}

func TestWindowOutSize(t *testing.T) {
	// Values from torch.nn.functional.conv2d output shapes.
	oh, ow := Window2D{Kernel: [2]int{3, 3}, Stride: [2]int{2, 2}, Padding: [2]int{1, 1}}.OutSize(28, 27)
	require.Equal(t, [2]int{14, 14}, [2]int{oh, ow})
	oh, ow = Window2D{Kernel: [2]int{3, 3}, Dilation: [2]int{2, 2}}.OutSize(7, 5)
	require.Equal(t, [2]int{3, 1}, [2]int{oh, ow})
}
