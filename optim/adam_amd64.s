//go:build amd64 && !purego

#include "textflag.h"

// func adamPlainF32AVX2(p, grad, m, v *float32, n int, b1, b2, c1, omb2, shrink, stepSize, eps float32)
//
// For each i, in this order and each result rounded to float32, as the Go
// loop of adamKernel.plain:
//   m = m*b1 + c1*g
//   v = v*b2 + (omb2*g)*g
//   p = p*shrink - stepSize*(m/(sqrt(v)+eps))
// Registers: DI p, SI g, R8 m, R9 v, CX blocks of 8 left, AX byte offset;
// Y8-Y14 the scalars.
TEXT ·adamPlainF32AVX2(SB), NOSPLIT, $0-68
	MOVQ p+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ m+16(FP), R8
	MOVQ v+24(FP), R9
	MOVQ n+32(FP), CX
	VBROADCASTSS b1+40(FP), Y8
	VBROADCASTSS b2+44(FP), Y9
	VBROADCASTSS c1+48(FP), Y10
	VBROADCASTSS omb2+52(FP), Y11
	VBROADCASTSS shrink+56(FP), Y12
	VBROADCASTSS stepSize+60(FP), Y13
	VBROADCASTSS eps+64(FP), Y14
	XORQ AX, AX
	SHRQ $3, CX
	JZ   done

loop:
	VMOVUPS (SI)(AX*1), Y0     // g
	VMULPS  (R8)(AX*1), Y8, Y1 // m*b1
	VMULPS  Y0, Y10, Y2        // c1*g
	VADDPS  Y2, Y1, Y1         // m
	VMOVUPS Y1, (R8)(AX*1)
	VMULPS  (R9)(AX*1), Y9, Y3 // v*b2
	VMULPS  Y0, Y11, Y4        // omb2*g
	VMULPS  Y0, Y4, Y4         // (omb2*g)*g
	VADDPS  Y4, Y3, Y3         // v
	VMOVUPS Y3, (R9)(AX*1)
	VSQRTPS Y3, Y3
	VADDPS  Y14, Y3, Y3        // sqrt(v)+eps
	VDIVPS  Y3, Y1, Y1         // m/(sqrt(v)+eps)
	VMULPS  Y13, Y1, Y1        // stepSize*(...)
	VMULPS  (DI)(AX*1), Y12, Y5 // p*shrink
	VSUBPS  Y1, Y5, Y5
	VMOVUPS Y5, (DI)(AX*1)
	ADDQ    $32, AX
	DECQ    CX
	JNZ     loop

done:
	VZEROUPPER
	RET
