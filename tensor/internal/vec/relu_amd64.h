// ReLU's compare-and-mask on four vectors, shared by reluAVX2 and
// addScalarReLUAVX2. With Y0 zero, Y5-Y8 become ReLU of Y1-Y4: the NLE
// comparison is true for x > 0 and for NaN (unordered), so those pass with
// their bits and everything else, -0 included, becomes +0.
#define RELU4 \
	VCMPPS $6, Y0, Y1, Y5; \
	VCMPPS $6, Y0, Y2, Y6; \
	VCMPPS $6, Y0, Y3, Y7; \
	VCMPPS $6, Y0, Y4, Y8; \
	VANDPS Y1, Y5, Y5; \
	VANDPS Y2, Y6, Y6; \
	VANDPS Y3, Y7, Y7; \
	VANDPS Y4, Y8, Y8

// STORE4 stores Y5-Y8 at (r).
#define STORE4(r) \
	VMOVUPS Y5, (r); \
	VMOVUPS Y6, 32(r); \
	VMOVUPS Y7, 64(r); \
	VMOVUPS Y8, 96(r)
