//go:build amd64 && !purego

#include "textflag.h"
#include "relu_amd64.h"

// func reluAVX2(dst, src *float32, n int)
// dst = src AND (src NLE 0): the comparison is true for src > 0 and for NaN
// (unordered), so NaN and positive values pass and everything else,
// -0 included, becomes +0: Go's max(src, 0).
TEXT ·reluAVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	VXORPS Y0, Y0, Y0

relu32:
	CMPQ CX, $32
	JLT  relu8
	VMOVUPS (SI), Y1
	VMOVUPS 32(SI), Y2
	VMOVUPS 64(SI), Y3
	VMOVUPS 96(SI), Y4
	RELU4
	STORE4(DI)
	ADDQ    $128, SI
	ADDQ    $128, DI
	SUBQ    $32, CX
	JMP     relu32

relu8:
	TESTQ CX, CX
	JZ    reludone
	VMOVUPS (SI), Y1
	VCMPPS  $6, Y0, Y1, Y5
	VANDPS  Y1, Y5, Y5
	VMOVUPS Y5, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $8, CX
	JMP     relu8

reludone:
	VZEROUPPER
	RET

// func maskPositiveAVX2(dst, grad, x *float32, n int)
// dst = grad * (1.0 AND (x GT_OQ 0)): the mask is 1.0 where x > 0 and 0.0
// elsewhere (NaN x included), and the product is the Go loop's g * m.
TEXT ·maskPositiveAVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ x+16(FP), DX
	MOVQ n+24(FP), CX
	VXORPS Y0, Y0, Y0
	MOVL $0x3f800000, AX
	MOVQ AX, X9
	VBROADCASTSS X9, Y9

mask16:
	CMPQ CX, $16
	JLT  mask8
	VMOVUPS (DX), Y1
	VMOVUPS 32(DX), Y2
	VCMPPS  $30, Y0, Y1, Y1
	VCMPPS  $30, Y0, Y2, Y2
	VANDPS  Y9, Y1, Y1
	VANDPS  Y9, Y2, Y2
	VMULPS  (SI), Y1, Y1
	VMULPS  32(SI), Y2, Y2
	VMOVUPS Y1, (DI)
	VMOVUPS Y2, 32(DI)
	ADDQ    $64, SI
	ADDQ    $64, DX
	ADDQ    $64, DI
	SUBQ    $16, CX
	JMP     mask16

mask8:
	TESTQ CX, CX
	JZ    maskdone
	VMOVUPS (DX), Y1
	VCMPPS  $30, Y0, Y1, Y1
	VANDPS  Y9, Y1, Y1
	VMULPS  (SI), Y1, Y1
	VMOVUPS Y1, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DX
	ADDQ    $32, DI
	SUBQ    $8, CX
	JMP     mask8

maskdone:
	VZEROUPPER
	RET
