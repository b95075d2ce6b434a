//go:build !amd64 || purego

package vec

func maxPool2x2Asm(dst []float32, idx []int, src []float32, planes, h, w int) bool { return false }

func maxPoolHasAsm() bool { return false }
