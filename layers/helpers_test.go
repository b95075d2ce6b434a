package layers_test

import "math/rand/v2"

// newRNG returns the tests' seeded generator.
func newRNG() *rand.Rand { return rand.New(rand.NewPCG(1, 2)) }
