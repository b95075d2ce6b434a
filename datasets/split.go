package datasets

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// Split divides the data set into a training part holding the fraction frac
// of the samples and a test part holding the rest, stratified by class:
// each class is divided in the proportion frac (as closely as whole samples
// allow), so both parts keep the class balance of d.
//
// The training part has round(frac*Len()) samples; the per-class counts are
// chosen by largest remainder so that they add up to it. With an rng the
// samples of each class are chosen at random and each part is shuffled, so
// one seed always gives the same split; with a nil rng the first samples of
// each class go to the training part and both parts keep d's order. Both
// parts are fresh copies (see Subset). Split panics when frac is not in
// [0, 1].
func (d *Dataset[T]) Split(frac float64, rng *rand.Rand) (train, test *Dataset[T]) {
	parts := d.stratify("Split", []float64{frac}, rng)
	return d.Subset(parts[0]), d.Subset(parts[1])
}

// SplitThree divides the data set into training, validation and test parts
// holding the fractions trainFrac, valFrac and 1-trainFrac-valFrac of the
// samples, stratified by class as in Split. It panics when a fraction is
// negative or they add up to more than 1.
func (d *Dataset[T]) SplitThree(trainFrac, valFrac float64, rng *rand.Rand) (train, val, test *Dataset[T]) {
	parts := d.stratify("SplitThree", []float64{trainFrac, valFrac}, rng)
	return d.Subset(parts[0]), d.Subset(parts[1]), d.Subset(parts[2])
}

// stratify returns len(fracs)+1 lists of sample indices: part i holds about
// fracs[i] of every class, the last part the remainder.
func (d *Dataset[T]) stratify(op string, fracs []float64, rng *rand.Rand) [][]int {
	d.check(op)
	total := 0.0
	for _, f := range fracs {
		if !(f >= 0 && f <= 1) {
			panic(fmt.Sprintf("datasets.%s: fraction %v, want it in [0, 1]", op, f))
		}
		total += f
	}
	if total > 1+1e-9 {
		panic(fmt.Sprintf("datasets.%s: fractions %v add up to %v, more than 1", op, fracs, total))
	}

	classes := d.NumClasses()
	for _, c := range d.Y {
		classes = max(classes, c+1)
	}
	groups := make([][]int, classes)
	for i, c := range d.Y {
		groups[c] = append(groups[c], i)
	}
	if rng != nil {
		for _, g := range groups {
			rng.Shuffle(len(g), func(i, j int) { g[i], g[j] = g[j], g[i] })
		}
	}

	n := d.Len()
	taken := make([]int, classes) // samples of each class already assigned
	parts := make([][]int, 0, len(fracs)+1)
	for _, f := range fracs {
		left := 0
		for c, g := range groups {
			left += len(g) - taken[c]
		}
		want := min(int(math.Round(f*float64(n))), left)
		counts := allocate(groups, taken, f, want)
		var part []int
		for c, g := range groups {
			part = append(part, g[taken[c]:taken[c]+counts[c]]...)
			taken[c] += counts[c]
		}
		parts = append(parts, part)
	}
	var rest []int
	for c, g := range groups {
		rest = append(rest, g[taken[c]:]...)
	}
	parts = append(parts, rest)

	for _, p := range parts {
		if rng != nil {
			rng.Shuffle(len(p), func(i, j int) { p[i], p[j] = p[j], p[i] })
		} else {
			slices.Sort(p)
		}
	}
	return parts
}

// allocate divides want samples among the classes in proportion f of each
// class's size, by largest remainder, never giving a class more than it has
// left (len(groups[c]) - taken[c]).
func allocate(groups [][]int, taken []int, f float64, want int) []int {
	counts := make([]int, len(groups))
	rem := make([]float64, len(groups))
	room := func(c int) int { return len(groups[c]) - taken[c] - counts[c] }
	got := 0
	for c, g := range groups {
		q := f * float64(len(g))
		counts[c] = min(int(math.Floor(q)), len(g)-taken[c])
		rem[c] = q - math.Floor(q)
		got += counts[c]
	}
	order := make([]int, len(groups))
	for i := range order {
		order[i] = i
	}
	// Largest remainder first; ties go to the larger class, then the lower
	// label, so the result is deterministic.
	slices.SortStableFunc(order, func(a, b int) int {
		if r := cmp.Compare(rem[b], rem[a]); r != 0 {
			return r
		}
		return cmp.Compare(len(groups[b]), len(groups[a]))
	})
	for got < want {
		progress := false
		for _, c := range order {
			if got == want {
				break
			}
			if room(c) > 0 {
				counts[c]++
				got++
				progress = true
			}
		}
		if !progress {
			break
		}
	}
	// The floors add up to at most want, but floating-point products such as
	// f*len(g) could in principle round up past it: trim if so, smallest
	// remainders first.
	for i := len(order) - 1; got > want && i >= 0; i-- {
		if c := order[i]; counts[c] > 0 {
			counts[c]--
			got--
		}
	}
	return counts
}
