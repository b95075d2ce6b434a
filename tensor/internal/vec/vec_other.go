//go:build !amd64 || purego

package vec

// useAsm is false: there is no assembly on this build.
var useAsm = false

func reluAsm(dst, src []float32) int { return 0 }

func maskPositiveAsm(dst, g, x []float32) int { return 0 }
