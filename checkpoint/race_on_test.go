//go:build race

package checkpoint_test

// raceEnabled reports that the race detector is on, which slows the long
// training tests by an order of magnitude.
const raceEnabled = true
