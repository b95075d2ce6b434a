//go:build amd64 && !purego

#include "textflag.h"
#include "relu_amd64.h"

// func addAVX2(dst, src *float32, n int)
// dst = dst + src, dst the first operand (its NaN wins when both are NaN,
// as in Go's dst[i] += src[i]).
TEXT ·addAVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX

add32:
	CMPQ    CX, $32
	JLT     add8
	VMOVUPS (DI), Y0
	VMOVUPS 32(DI), Y1
	VMOVUPS 64(DI), Y2
	VMOVUPS 96(DI), Y3
	VADDPS  (SI), Y0, Y0
	VADDPS  32(SI), Y1, Y1
	VADDPS  64(SI), Y2, Y2
	VADDPS  96(SI), Y3, Y3
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ    $128, SI
	ADDQ    $128, DI
	SUBQ    $32, CX
	JMP     add32

add8:
	TESTQ   CX, CX
	JZ      adddone
	VMOVUPS (DI), Y0
	VADDPS  (SI), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $8, CX
	JMP     add8

adddone:
	VZEROUPPER
	RET

// func addRowsAVX2(dst, src *float32, rows, cols, dstStride, srcStride int)
// Each row, cols >= 8 long, goes eight at a time, and its last eight
// elements as one more vector that overlaps the one before: that one is
// loaded and added before any store to the row, so an element in both holds
// the same sum either way, and no row needs a scalar tail.
TEXT ·addRowsAVX2(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ rows+16(FP), BX
	MOVQ cols+24(FP), CX
	MOVQ dstStride+32(FP), R8
	MOVQ srcStride+40(FP), R9
	SHLQ $2, R8
	SHLQ $2, R9
	MOVQ CX, R10
	SHLQ $2, R10
	SUBQ $32, R10 // byte offset of the row's last eight

addrow:
	VMOVUPS (DI)(R10*1), Y1
	VADDPS  (SI)(R10*1), Y1, Y1
	XORQ    R11, R11

addchunk:
	CMPQ    R11, R10
	JGE     addtail
	VMOVUPS (DI)(R11*1), Y0
	VADDPS  (SI)(R11*1), Y0, Y0
	VMOVUPS Y0, (DI)(R11*1)
	ADDQ    $32, R11
	JMP     addchunk

addtail:
	VMOVUPS Y1, (DI)(R10*1)
	ADDQ    R8, DI
	ADDQ    R9, SI
	DECQ    BX
	JNZ     addrow
	VZEROUPPER
	RET

// ADDB adds the broadcast bias Y9 to four vectors of dst at off(DI).
#define ADDB(off) \
	VMOVUPS off(DI), Y1; \
	VMOVUPS 32+off(DI), Y2; \
	VMOVUPS 64+off(DI), Y3; \
	VMOVUPS 96+off(DI), Y4; \
	VADDPS  Y9, Y1, Y1; \
	VADDPS  Y9, Y2, Y2; \
	VADDPS  Y9, Y3, Y3; \
	VADDPS  Y9, Y4, Y4

// func addScalarAVX2(dst *float32, b float32, n int)
// dst = dst + b, dst the first operand (its NaN wins when both are NaN, as
// in Go's dst[i] += b).
TEXT ·addScalarAVX2(SB), NOSPLIT, $0-24
	MOVQ         dst+0(FP), DI
	VBROADCASTSS b+8(FP), Y9
	MOVQ         n+16(FP), CX

adds32:
	CMPQ    CX, $32
	JLT     adds8
	ADDB(0)
	VMOVUPS Y1, (DI)
	VMOVUPS Y2, 32(DI)
	VMOVUPS Y3, 64(DI)
	VMOVUPS Y4, 96(DI)
	ADDQ    $128, DI
	SUBQ    $32, CX
	JMP     adds32

adds8:
	TESTQ   CX, CX
	JZ      addsdone
	VMOVUPS (DI), Y1
	VADDPS  Y9, Y1, Y1
	VMOVUPS Y1, (DI)
	ADDQ    $32, DI
	SUBQ    $8, CX
	JMP     adds8

addsdone:
	VZEROUPPER
	RET

// func addScalarReLUAVX2(dst *float32, b float32, n int)
// dst = ReLU(dst + b): the sum as in addScalarAVX2, then reluAVX2's
// compare-and-mask (a positive sum or NaN passes, anything else is +0).
TEXT ·addScalarReLUAVX2(SB), NOSPLIT, $0-24
	MOVQ         dst+0(FP), DI
	VBROADCASTSS b+8(FP), Y9
	MOVQ         n+16(FP), CX
	VXORPS       Y0, Y0, Y0

addr32:
	CMPQ    CX, $32
	JLT     addr8
	ADDB(0)
	RELU4
	STORE4(DI)
	ADDQ    $128, DI
	SUBQ    $32, CX
	JMP     addr32

addr8:
	TESTQ   CX, CX
	JZ      addrdone
	VMOVUPS (DI), Y1
	VADDPS  Y9, Y1, Y1
	VCMPPS  $6, Y0, Y1, Y5
	VANDPS  Y1, Y5, Y5
	VMOVUPS Y5, (DI)
	ADDQ    $32, DI
	SUBQ    $8, CX
	JMP     addr8

addrdone:
	VZEROUPPER
	RET
