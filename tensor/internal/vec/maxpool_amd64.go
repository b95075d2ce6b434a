//go:build amd64 && !purego

package vec

import "golang.org/x/sys/cpu"

// useAVX512 selects the AVX-512 max-pool kernel, which needs mask registers
// for its tails and the two-source permute to split even and odd columns;
// without it the Go loop runs. The tests turn useAsm off to compare paths.
var useAVX512 = cpu.X86.HasAVX512F

// maxPool2x2AVX512 (maxpool_amd64.s) pools planes of planeLen elements,
// writing oh*ow outputs per plane, with the permutes, lane offsets and
// masks of tab laid out as maxPoolTab describes.
//
//go:noescape
func maxPool2x2AVX512(dst *float32, idx *int, src *float32, planes, w, oh, ow, planeLen int, tab *maxPoolTab)

// maxPoolTab is what the kernel needs to know of the row shape. Rows of
// more than 8 windows go 16 windows at a time, a masked tail ending each
// row; narrower rows go two at a time, the two output rows filling one
// vector (the 14x14 planes of a CNN's second pool have 7 windows a row),
// and a last odd row alone.
type maxPoolTab struct {
	even, odd [16]int32 // VPERMT2PS indices of a lane's left and right column
	base      [16]int32 // a lane's index of its window's top-left element
	main      [3]int32  // masks: outputs, first and second loads (tail or pair)
	last      [3]int32  // the same for a pair-mode plane's odd last row
	_         [2]int32
}

func maxPool2x2Asm(dst []float32, idx []int, src []float32, planes, h, w int) bool {
	// The kernel computes indices in 32-bit lanes.
	if !useAsm || !useAVX512 || h*w >= 1<<31 {
		return false
	}
	oh, ow := h/2, w/2
	var tab maxPoolTab
	for j := range int32(16) {
		tab.even[j], tab.base[j] = 2*j, 2*j
	}
	ones := func(n int) int32 { return int32(1)<<n - 1 }
	if ow > 8 {
		if t := ow % 16; t > 0 {
			tab.main = [3]int32{ones(t), ones(min(2*t, 16)), ones(max(2*t-16, 0))}
		}
	} else {
		for j := ow; j < 2*ow; j++ {
			k := int32(j - ow)
			tab.even[j], tab.base[j] = 16+2*k, int32(2*w)+2*k
		}
		tab.main = [3]int32{ones(2 * ow), ones(2 * ow), ones(2 * ow)}
		tab.last = [3]int32{ones(ow), ones(2 * ow), 0}
	}
	for j := range tab.odd {
		tab.odd[j] = tab.even[j] + 1
	}
	maxPool2x2AVX512(&dst[0], &idx[0], &src[0], planes, w, oh, ow, h*w, &tab)
	return true
}

func maxPoolHasAsm() bool { return useAVX512 }
