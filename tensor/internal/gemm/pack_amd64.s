//go:build amd64 && !purego

#include "textflag.h"

// Transposing copies for the packing routines, with AVX-512 gathers. For
// each of steps iterations, the lanes selected by gmask are gathered from
// src + 4*idx[lane] (8*idx[lane] for float64), lanes outside gmask are zero,
// and the lanes selected by smask are stored to dst; then src advances by
// one element and dst by dstStride bytes.

// func gatherF32(dst, src *float32, idx *int32, gmask, smask uint16, steps, dstStride int)
TEXT ·gatherF32(SB), NOSPLIT, $0-48
	MOVQ      dst+0(FP), DI
	MOVQ      src+8(FP), SI
	MOVQ      idx+16(FP), AX
	VMOVDQU32 (AX), Z1
	KMOVW     gmask+24(FP), K2
	KMOVW     smask+26(FP), K3
	MOVQ      steps+32(FP), CX
	MOVQ      dstStride+40(FP), R8
	TESTQ     CX, CX
	JEQ       f32done

f32loop:
	KMOVW      K2, K1
	VPXORD     Z0, Z0, Z0
	VGATHERDPS (SI)(Z1*4), K1, Z0
	VMOVUPS    Z0, K3, (DI)
	ADDQ       $4, SI
	ADDQ       R8, DI
	DECQ       CX
	JNE        f32loop

f32done:
	VZEROUPPER
	RET

// func gatherF64(dst, src *float64, idx *int32, gmask, smask uint16, steps, dstStride int)
TEXT ·gatherF64(SB), NOSPLIT, $0-48
	MOVQ      dst+0(FP), DI
	MOVQ      src+8(FP), SI
	MOVQ      idx+16(FP), AX
	VMOVDQU32 (AX), Y1
	KMOVW     gmask+24(FP), K2
	KMOVW     smask+26(FP), K3
	MOVQ      steps+32(FP), CX
	MOVQ      dstStride+40(FP), R8
	TESTQ     CX, CX
	JEQ       f64done

f64loop:
	KMOVW      K2, K1
	VPXORD     Z0, Z0, Z0
	VGATHERDPD (SI)(Y1*8), K1, Z0
	VMOVUPD    Z0, K3, (DI)
	ADDQ       $8, SI
	ADDQ       R8, DI
	DECQ       CX
	JNE        f64loop

f64done:
	VZEROUPPER
	RET

// Transposing copies with in-register transposes. Each block reads lanes
// rows of lanes elements (16x16 float32 or 8x8 float64), row i starting at
// src + offs[i] bytes, and stores column c of the block, masked by smask, to
// dst + c*dstStride bytes. Then src advances by one block of columns and dst
// by lanes*dstStride bytes.

// func transF32(dst, src *float32, offs *int64, smask uint16, blocks, dstStride int)
TEXT ·transF32(SB), NOSPLIT, $0-48
	MOVQ  dst+0(FP), DI
	MOVQ  src+8(FP), SI
	MOVQ  offs+16(FP), AX
	KMOVW smask+24(FP), K1
	MOVQ  blocks+32(FP), CX
	MOVQ  dstStride+40(FP), R8
	TESTQ CX, CX
	JEQ   t32done

t32loop:
	MOVQ    0(AX), R11
	VMOVUPS (SI)(R11*1), Z0
	MOVQ    8(AX), R11
	VMOVUPS (SI)(R11*1), Z1
	MOVQ    16(AX), R11
	VMOVUPS (SI)(R11*1), Z2
	MOVQ    24(AX), R11
	VMOVUPS (SI)(R11*1), Z3
	MOVQ    32(AX), R11
	VMOVUPS (SI)(R11*1), Z4
	MOVQ    40(AX), R11
	VMOVUPS (SI)(R11*1), Z5
	MOVQ    48(AX), R11
	VMOVUPS (SI)(R11*1), Z6
	MOVQ    56(AX), R11
	VMOVUPS (SI)(R11*1), Z7
	MOVQ    64(AX), R11
	VMOVUPS (SI)(R11*1), Z8
	MOVQ    72(AX), R11
	VMOVUPS (SI)(R11*1), Z9
	MOVQ    80(AX), R11
	VMOVUPS (SI)(R11*1), Z10
	MOVQ    88(AX), R11
	VMOVUPS (SI)(R11*1), Z11
	MOVQ    96(AX), R11
	VMOVUPS (SI)(R11*1), Z12
	MOVQ    104(AX), R11
	VMOVUPS (SI)(R11*1), Z13
	MOVQ    112(AX), R11
	VMOVUPS (SI)(R11*1), Z14
	MOVQ    120(AX), R11
	VMOVUPS (SI)(R11*1), Z15
	VUNPCKLPS Z1, Z0, Z16
	VUNPCKHPS Z1, Z0, Z17
	VUNPCKLPS Z3, Z2, Z18
	VUNPCKHPS Z3, Z2, Z19
	VUNPCKLPS Z5, Z4, Z20
	VUNPCKHPS Z5, Z4, Z21
	VUNPCKLPS Z7, Z6, Z22
	VUNPCKHPS Z7, Z6, Z23
	VUNPCKLPS Z9, Z8, Z24
	VUNPCKHPS Z9, Z8, Z25
	VUNPCKLPS Z11, Z10, Z26
	VUNPCKHPS Z11, Z10, Z27
	VUNPCKLPS Z13, Z12, Z28
	VUNPCKHPS Z13, Z12, Z29
	VUNPCKLPS Z15, Z14, Z30
	VUNPCKHPS Z15, Z14, Z31
	VSHUFPS $0x44, Z18, Z16, Z0
	VSHUFPS $0xEE, Z18, Z16, Z1
	VSHUFPS $0x44, Z19, Z17, Z2
	VSHUFPS $0xEE, Z19, Z17, Z3
	VSHUFPS $0x44, Z22, Z20, Z4
	VSHUFPS $0xEE, Z22, Z20, Z5
	VSHUFPS $0x44, Z23, Z21, Z6
	VSHUFPS $0xEE, Z23, Z21, Z7
	VSHUFPS $0x44, Z26, Z24, Z8
	VSHUFPS $0xEE, Z26, Z24, Z9
	VSHUFPS $0x44, Z27, Z25, Z10
	VSHUFPS $0xEE, Z27, Z25, Z11
	VSHUFPS $0x44, Z30, Z28, Z12
	VSHUFPS $0xEE, Z30, Z28, Z13
	VSHUFPS $0x44, Z31, Z29, Z14
	VSHUFPS $0xEE, Z31, Z29, Z15
	VSHUFF32X4 $0x88, Z4, Z0, Z16
	VSHUFF32X4 $0xDD, Z4, Z0, Z17
	VSHUFF32X4 $0x88, Z12, Z8, Z18
	VSHUFF32X4 $0xDD, Z12, Z8, Z19
	VSHUFF32X4 $0x88, Z5, Z1, Z20
	VSHUFF32X4 $0xDD, Z5, Z1, Z21
	VSHUFF32X4 $0x88, Z13, Z9, Z22
	VSHUFF32X4 $0xDD, Z13, Z9, Z23
	VSHUFF32X4 $0x88, Z6, Z2, Z24
	VSHUFF32X4 $0xDD, Z6, Z2, Z25
	VSHUFF32X4 $0x88, Z14, Z10, Z26
	VSHUFF32X4 $0xDD, Z14, Z10, Z27
	VSHUFF32X4 $0x88, Z7, Z3, Z28
	VSHUFF32X4 $0xDD, Z7, Z3, Z29
	VSHUFF32X4 $0x88, Z15, Z11, Z30
	VSHUFF32X4 $0xDD, Z15, Z11, Z31
	VSHUFF32X4 $0x88, Z18, Z16, Z0
	VSHUFF32X4 $0x88, Z19, Z17, Z4
	VSHUFF32X4 $0xDD, Z18, Z16, Z8
	VSHUFF32X4 $0xDD, Z19, Z17, Z12
	VSHUFF32X4 $0x88, Z22, Z20, Z1
	VSHUFF32X4 $0x88, Z23, Z21, Z5
	VSHUFF32X4 $0xDD, Z22, Z20, Z9
	VSHUFF32X4 $0xDD, Z23, Z21, Z13
	VSHUFF32X4 $0x88, Z26, Z24, Z2
	VSHUFF32X4 $0x88, Z27, Z25, Z6
	VSHUFF32X4 $0xDD, Z26, Z24, Z10
	VSHUFF32X4 $0xDD, Z27, Z25, Z14
	VSHUFF32X4 $0x88, Z30, Z28, Z3
	VSHUFF32X4 $0x88, Z31, Z29, Z7
	VSHUFF32X4 $0xDD, Z30, Z28, Z11
	VSHUFF32X4 $0xDD, Z31, Z29, Z15
	VMOVUPS Z0, K1, (DI)
	ADDQ    R8, DI
	VMOVUPS Z1, K1, (DI)
	ADDQ    R8, DI
	VMOVUPS Z2, K1, (DI)
	ADDQ    R8, DI
	VMOVUPS Z3, K1, (DI)
	ADDQ    R8, DI
	VMOVUPS Z4, K1, (DI)
	ADDQ    R8, DI
	VMOVUPS Z5, K1, (DI)
	ADDQ    R8, DI
	VMOVUPS Z6, K1, (DI)
	ADDQ    R8, DI
	VMOVUPS Z7, K1, (DI)
	ADDQ    R8, DI
	VMOVUPS Z8, K1, (DI)
	ADDQ    R8, DI
	VMOVUPS Z9, K1, (DI)
	ADDQ    R8, DI
	VMOVUPS Z10, K1, (DI)
	ADDQ    R8, DI
	VMOVUPS Z11, K1, (DI)
	ADDQ    R8, DI
	VMOVUPS Z12, K1, (DI)
	ADDQ    R8, DI
	VMOVUPS Z13, K1, (DI)
	ADDQ    R8, DI
	VMOVUPS Z14, K1, (DI)
	ADDQ    R8, DI
	VMOVUPS Z15, K1, (DI)
	ADDQ    R8, DI
	ADDQ $64, SI
	DECQ CX
	JNE  t32loop

t32done:
	VZEROUPPER
	RET

// func transF64(dst, src *float64, offs *int64, smask uint16, blocks, dstStride int)
TEXT ·transF64(SB), NOSPLIT, $0-48
	MOVQ  dst+0(FP), DI
	MOVQ  src+8(FP), SI
	MOVQ  offs+16(FP), AX
	KMOVW smask+24(FP), K1
	MOVQ  blocks+32(FP), CX
	MOVQ  dstStride+40(FP), R8
	TESTQ CX, CX
	JEQ   t64done

t64loop:
	MOVQ    0(AX), R11
	VMOVUPD (SI)(R11*1), Z0
	MOVQ    8(AX), R11
	VMOVUPD (SI)(R11*1), Z1
	MOVQ    16(AX), R11
	VMOVUPD (SI)(R11*1), Z2
	MOVQ    24(AX), R11
	VMOVUPD (SI)(R11*1), Z3
	MOVQ    32(AX), R11
	VMOVUPD (SI)(R11*1), Z4
	MOVQ    40(AX), R11
	VMOVUPD (SI)(R11*1), Z5
	MOVQ    48(AX), R11
	VMOVUPD (SI)(R11*1), Z6
	MOVQ    56(AX), R11
	VMOVUPD (SI)(R11*1), Z7
	VUNPCKLPD Z1, Z0, Z8
	VUNPCKHPD Z1, Z0, Z9
	VUNPCKLPD Z3, Z2, Z10
	VUNPCKHPD Z3, Z2, Z11
	VUNPCKLPD Z5, Z4, Z12
	VUNPCKHPD Z5, Z4, Z13
	VUNPCKLPD Z7, Z6, Z14
	VUNPCKHPD Z7, Z6, Z15
	VSHUFF64X2 $0x88, Z10, Z8, Z16
	VSHUFF64X2 $0xDD, Z10, Z8, Z17
	VSHUFF64X2 $0x88, Z14, Z12, Z18
	VSHUFF64X2 $0xDD, Z14, Z12, Z19
	VSHUFF64X2 $0x88, Z11, Z9, Z20
	VSHUFF64X2 $0xDD, Z11, Z9, Z21
	VSHUFF64X2 $0x88, Z15, Z13, Z22
	VSHUFF64X2 $0xDD, Z15, Z13, Z23
	VSHUFF64X2 $0x88, Z18, Z16, Z0
	VSHUFF64X2 $0x88, Z19, Z17, Z2
	VSHUFF64X2 $0xDD, Z18, Z16, Z4
	VSHUFF64X2 $0xDD, Z19, Z17, Z6
	VSHUFF64X2 $0x88, Z22, Z20, Z1
	VSHUFF64X2 $0x88, Z23, Z21, Z3
	VSHUFF64X2 $0xDD, Z22, Z20, Z5
	VSHUFF64X2 $0xDD, Z23, Z21, Z7
	VMOVUPD Z0, K1, (DI)
	ADDQ    R8, DI
	VMOVUPD Z1, K1, (DI)
	ADDQ    R8, DI
	VMOVUPD Z2, K1, (DI)
	ADDQ    R8, DI
	VMOVUPD Z3, K1, (DI)
	ADDQ    R8, DI
	VMOVUPD Z4, K1, (DI)
	ADDQ    R8, DI
	VMOVUPD Z5, K1, (DI)
	ADDQ    R8, DI
	VMOVUPD Z6, K1, (DI)
	ADDQ    R8, DI
	VMOVUPD Z7, K1, (DI)
	ADDQ    R8, DI
	ADDQ $64, SI
	DECQ CX
	JNE  t64loop

t64done:
	VZEROUPPER
	RET
