//go:build amd64 && !purego

package gemm

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

//go:noescape
func gatherF32(dst, src *float32, idx *int32, gmask, smask uint16, steps, dstStride int)

//go:noescape
func gatherF64(dst, src *float64, idx *int32, gmask, smask uint16, steps, dstStride int)

//go:noescape
func transF32(dst, src *float32, offs *int64, smask uint16, blocks, dstStride int)

//go:noescape
func transF64(dst, src *float64, offs *int64, smask uint16, blocks, dstStride int)

// hasAVX512 enables the AVX-512 transposing copies.
var hasAVX512 = cpu.X86.HasAVX512F

// fastPackT is packT with AVX-512: in-register transposes of 16x16
// (float32) or 8x8 (float64) blocks, and gathers for the last kb%lanes
// steps. It reports false when it cannot handle the arguments, and the
// caller falls back to portable code.
func fastPackT[T float](dst, src []T, base, ld, n, kb, width int) bool {
	const maxLanes = 32
	if !hasAVX512 || genericPack || n <= 0 || kb <= 0 || width > maxLanes || int64(ld)*maxLanes >= 1<<31 {
		return false
	}
	// The assembly reads src[base+i*ld+p] for i < n, p < kb and writes
	// dst[p*width+i] for i < min(n, width), p < kb.
	_ = src[base+(n-1)*ld+kb-1]
	_ = dst[(kb-1)*width+width-1]
	var z T
	size := int(unsafe.Sizeof(z))
	lanes := 64 / size
	blocks, tail := kb/lanes, kb%lanes
	var idx [maxLanes]int32
	var offs [16]int64
	for g := 0; g < min(n, width); g += lanes {
		valid := min(lanes, n-g) // rows of this lane group that exist
		vm := uint16(1)<<valid - 1
		for i := range lanes {
			r := g + min(i, valid-1) // rows past n repeat a valid row; their lanes are not stored
			offs[i] = int64(r * ld * size)
			idx[i] = int32(r * ld)
		}
		d := unsafe.Pointer(&dst[g])
		s := unsafe.Pointer(&src[base])
		if size == 4 {
			transF32((*float32)(d), (*float32)(s), &offs[0], vm, blocks, width*4)
		} else {
			transF64((*float64)(d), (*float64)(s), &offs[0], vm, blocks, width*8)
		}
		if tail > 0 {
			d = unsafe.Pointer(&dst[blocks*lanes*width+g])
			s = unsafe.Pointer(&src[base+blocks*lanes])
			if size == 4 {
				gatherF32((*float32)(d), (*float32)(s), &idx[0], vm, vm, tail, width*4)
			} else {
				gatherF64((*float64)(d), (*float64)(s), &idx[0], vm, vm, tail, width*8)
			}
		}
	}
	if n < width {
		for p := range kb {
			clear(dst[p*width+n : p*width+width])
		}
	}
	return true
}
