//go:build amd64 && !purego

#include "textflag.h"

// POOL16 pools up to 16 windows. The first loads of the top and bottom
// rows come from (CX) and (DX) under K2, the second from AX bytes on under
// K3 (the next 16 columns, or in pair mode the next pair of rows); Z30 and
// Z31 gather every lane's left (a, c) and right (b, d) column from the two.
// "v beats m" is (v NLE_UQ m) AND (m ORD m): v > m, or v NaN and m not.
// Maxima go to (DI) and indices, Z29 + offset widened to 64 bits, to (BX),
// both under K1.
#define POOL16 \
	VMOVUPS.Z     (CX), K2, Z0; \
	VMOVUPS.Z     (CX)(AX*1), K3, Z1; \
	VMOVUPS.Z     (DX), K2, Z2; \
	VMOVUPS.Z     (DX)(AX*1), K3, Z3; \
	VMOVAPS       Z0, Z4; \
	VPERMT2PS     Z1, Z30, Z4; \
	VPERMT2PS     Z1, Z31, Z0; \
	VMOVAPS       Z2, Z6; \
	VPERMT2PS     Z3, Z30, Z6; \
	VPERMT2PS     Z3, Z31, Z2; \
	VCMPPS        $7, Z4, Z4, K4; \
	VCMPPS        $22, Z4, Z0, K4, K4; \
	VCMPPS        $7, Z6, Z6, K5; \
	VCMPPS        $22, Z6, Z2, K5, K5; \
	VBLENDMPS     Z0, Z4, K4, Z5; \
	VBLENDMPS     Z2, Z6, K5, Z7; \
	VCMPPS        $7, Z5, Z5, K6; \
	VCMPPS        $22, Z5, Z7, K6, K6; \
	VBLENDMPS     Z7, Z5, K6, Z8; \
	VMOVUPS       Z8, K1, (DI); \
	VMOVDQA32.Z   Z28, K4, Z9; \
	VPBLENDMD     Z26, Z27, K5, Z10; \
	VPBLENDMD     Z10, Z9, K6, Z11; \
	VPADDD        Z29, Z11, Z11; \
	VPMOVSXDQ     Y11, Z12; \
	VEXTRACTI64X4 $1, Z11, Y13; \
	VPMOVSXDQ     Y13, Z13; \
	KSHIFTRW      $8, K1, K7; \
	VMOVDQU64     Z12, K1, (BX); \
	VMOVDQU64     Z13, K7, 64(BX)

// func maxPool2x2AVX512(dst *float32, idx *int, src *float32, planes, w, oh, ow, planeLen int, tab *maxPoolTab)
TEXT ·maxPool2x2AVX512(SB), NOSPLIT, $0-72
	MOVQ dst+0(FP), DI
	MOVQ idx+8(FP), BX
	MOVQ src+16(FP), SI
	MOVQ planes+24(FP), R8
	MOVQ w+32(FP), R12
	MOVQ ow+48(FP), R11
	MOVQ planeLen+56(FP), R9
	MOVQ tab+64(FP), AX
	SHLQ $2, R9

	// Z30, Z31: the permutes; Z24: each lane's index of its window in the
	// first step of a plane; Z28, Z27, Z26: 1, w, w+1, the offsets of b, c
	// and d from a; Z25, Z22, Z21: 32, 2w, 4w, how far the indices move
	// for 16 windows on, one row of windows down, two rows down. R12: the
	// bytes of an input row.
	VMOVDQU32    (AX), Z30
	VMOVDQU32    64(AX), Z31
	VMOVDQU32    128(AX), Z24
	MOVL         $1, CX
	VPBROADCASTD CX, Z28
	VPBROADCASTD R12, Z27
	VPADDD       Z28, Z27, Z26
	MOVL         $32, CX
	VPBROADCASTD CX, Z25
	VPADDD       Z27, Z27, Z22
	VPADDD       Z22, Z22, Z21
	SHLQ         $2, R12
	CMPQ         R11, $8
	JLE          pair

	// Rows of more than 8 windows: 16 at a time, then the row's tail. R10
	// walks the rows; R9 becomes what is left of a plane after its 2*oh
	// rows (an odd last row); SI holds the table.
	MOVQ  SI, R10
	MOVQ  AX, SI
	MOVQ  $64, AX
	MOVQ  oh+40(FP), CX
	IMULQ R12, CX
	SUBQ  CX, R9
	SUBQ  CX, R9

chunkPlane:
	VMOVDQA32 Z24, Z23
	MOVQ      oh+40(FP), R14

chunkRow:
	MOVQ      R10, CX
	LEAQ      (R10)(R12*1), DX
	VMOVDQA32 Z23, Z29
	MOVQ      R11, R13

chunkStep:
	CMPQ   R13, $16
	JLT    chunkTail
	KXNORW K1, K1, K1
	KXNORW K2, K2, K2
	KXNORW K3, K3, K3
	POOL16
	ADDQ   $128, CX
	ADDQ   $128, DX
	ADDQ   $64, DI
	ADDQ   $128, BX
	VPADDD Z25, Z29, Z29
	SUBQ   $16, R13
	JMP    chunkStep

chunkTail:
	TESTQ R13, R13
	JZ    chunkNextRow
	KMOVW 192(SI), K1
	KMOVW 196(SI), K2
	KMOVW 200(SI), K3
	POOL16
	LEAQ  (DI)(R13*4), DI
	LEAQ  (BX)(R13*8), BX

chunkNextRow:
	LEAQ   (R10)(R12*2), R10
	VPADDD Z22, Z23, Z23
	DECQ   R14
	JNZ    chunkRow
	ADDQ   R9, R10
	DECQ   R8
	JNZ    chunkPlane
	VZEROUPPER
	RET

pair:
	// Rows of at most 8 windows: two output rows at a time, filling one
	// vector, then an odd last row alone.
	MOVQ tab+64(FP), R13
	LEAQ (R12)(R12*1), AX
	MOVQ R11, R10
	SHLQ $4, R10

pairPlane:
	VMOVDQA32 Z24, Z29
	MOVQ      SI, CX
	LEAQ      (SI)(R12*1), DX
	MOVQ      oh+40(FP), R14
	KMOVW     192(R13), K1
	KMOVW     196(R13), K2
	KMOVW     200(R13), K3

pairStep:
	CMPQ   R14, $2
	JLT    pairLast
	POOL16
	LEAQ   (CX)(R12*4), CX
	LEAQ   (DX)(R12*4), DX
	LEAQ   (DI)(R11*8), DI
	ADDQ   R10, BX
	VPADDD Z21, Z29, Z29
	SUBQ   $2, R14
	JMP    pairStep

pairLast:
	TESTQ R14, R14
	JZ    pairNext
	KMOVW 204(R13), K1
	KMOVW 208(R13), K2
	KMOVW 212(R13), K3
	POOL16
	LEAQ  (DI)(R11*4), DI
	LEAQ  (BX)(R11*8), BX

pairNext:
	ADDQ R9, SI
	DECQ R8
	JNZ  pairPlane
	VZEROUPPER
	RET
