package layers

import (
	"fmt"
	"math"

	"github.com/nabla-go/nabla/autograd"
	"github.com/nabla-go/nabla/tensor"
)

// Reduction says how a loss combines its per-element values. The zero value
// is ReduceMean, PyTorch's default.
type Reduction int

// The reductions.
const (
	// ReduceMean averages the per-element losses (for class-weighted
	// cross-entropy and NLL: divides by the summed weights, as PyTorch).
	ReduceMean Reduction = iota
	// ReduceSum adds the per-element losses.
	ReduceSum
	// ReduceNone returns the per-element losses.
	ReduceNone
)

// String returns PyTorch's name of the reduction: "mean", "sum" or "none".
func (r Reduction) String() string {
	switch r {
	case ReduceMean:
		return "mean"
	case ReduceSum:
		return "sum"
	case ReduceNone:
		return "none"
	}
	return fmt.Sprintf("Reduction(%d)", int(r))
}

// reduce applies r to per-element losses.
func reduce[T tensor.Float](loss *autograd.Var[T], r Reduction) *autograd.Var[T] {
	switch r {
	case ReduceMean:
		return autograd.Mean(loss)
	case ReduceSum:
		return autograd.Sum(loss)
	case ReduceNone:
		return loss
	}
	panic(fmt.Sprintf("layers: unknown reduction %d", int(r)))
}

// IgnoreIndex is the label that CrossEntropy and NLL skip (PyTorch's default
// ignore_index): such a row adds nothing to the loss and has no weight in
// the mean.
const IgnoreIndex = -100

// MSE is the mean squared error between pred and target, which must have
// one shape: mean((pred - target)²), as PyTorch's nn.MSELoss.
func MSE[T tensor.Float](pred, target *autograd.Var[T]) *autograd.Var[T] {
	return MSEWith(pred, target, ReduceMean)
}

// MSEWith is MSE with the given reduction of the squared errors.
func MSEWith[T tensor.Float](pred, target *autograd.Var[T], r Reduction) *autograd.Var[T] {
	checkSameShape("MSE", pred, target)
	d := autograd.Sub(pred, target)
	return reduce(autograd.Mul(d, d), r)
}

// L1 is the mean absolute error between pred and target, which must have
// one shape: mean(|pred - target|), as PyTorch's nn.L1Loss (whose gradient
// is 0 where they are equal).
func L1[T tensor.Float](pred, target *autograd.Var[T]) *autograd.Var[T] {
	return L1With(pred, target, ReduceMean)
}

// L1With is L1 with the given reduction of the absolute errors.
func L1With[T tensor.Float](pred, target *autograd.Var[T], r Reduction) *autograd.Var[T] {
	checkSameShape("L1", pred, target)
	return reduce(autograd.Abs(autograd.Sub(pred, target)), r)
}

// CrossEntropyOptions configures CrossEntropyWith and
// CrossEntropyProbsWith. The zero value is PyTorch's default.
type CrossEntropyOptions struct {
	// Reduction combines the per-sample losses; see ReduceMean for the
	// weighted mean.
	Reduction Reduction
	// Weight, if set, holds one weight per class (PyTorch's weight).
	Weight []float64
	// LabelSmoothing ε in [0, 1] mixes the target with the uniform
	// distribution: the target becomes (1-ε)·target + ε/C.
	LabelSmoothing float64
}

// CrossEntropy is the cross-entropy loss of logits [N, C] (unnormalised
// class scores) for integer class labels (len N), as PyTorch's
// F.cross_entropy: the mean over samples of -log(softmax(logits)[label]).
// LogSoftmax and the pick of each label are fused, so that it is finite and
// accurate for logits of any finite size. A label of IgnoreIndex is skipped.
func CrossEntropy[T tensor.Float](logits *autograd.Var[T], labels []int) *autograd.Var[T] {
	return CrossEntropyWith(logits, labels, CrossEntropyOptions{})
}

// CrossEntropyWith is CrossEntropy with options, following PyTorch's
// definitions: with class weights w, the loss of sample i is
// -w[yᵢ]·log softmax(xᵢ)[yᵢ] and the mean divides the sum by Σᵢ w[yᵢ];
// with label smoothing ε the loss is (1-ε)·that + ε/C times the
// smoothing term -Σ_c w[c]·log softmax(xᵢ)[c], reduced alike (its mean,
// without weights, is over all N samples, ignored ones included, as in
// PyTorch).
func CrossEntropyWith[T tensor.Float](logits *autograd.Var[T], labels []int, opts CrossEntropyOptions) *autograd.Var[T] {
	n, c := checkClassScores("CrossEntropy", logits, labels, opts.Weight)
	checkSmoothing("CrossEntropy", opts.LabelSmoothing)
	logp := autograd.LogSoftmax(logits, 1)
	rows, weights := nllRows(logp, labels, opts.Weight)
	loss := reduceWeighted(rows, weights, opts.Reduction)
	eps := opts.LabelSmoothing
	if eps == 0 {
		return loss
	}
	// The smoothing term of every non-ignored row: -Σ_c w[c]·logp[i, c].
	smooth := logp
	if opts.Weight != nil {
		smooth = autograd.Mul(smooth, autograd.Const(classVector[T](opts.Weight)))
	}
	kept := tensor.Zeros[T](n)
	for i, y := range labels {
		if y != IgnoreIndex {
			kept.Set(1, i)
		}
	}
	srows := autograd.Mul(autograd.Neg(autograd.Sum(smooth, 1)), autograd.Const(kept))
	var sloss *autograd.Var[T]
	if opts.Weight != nil {
		sloss = reduceWeighted(srows, weights, opts.Reduction)
	} else {
		sloss = reduce(srows, opts.Reduction)
	}
	return autograd.Add(autograd.Scale(loss, T(1-eps)), autograd.Scale(sloss, T(eps/float64(c))))
}

// CrossEntropyProbs is the cross-entropy of logits [N, C] against target
// class probabilities [N, C] (soft labels, PyTorch's probability targets):
// the mean over samples of -Σ_c target[c]·log softmax(logits)[c].
func CrossEntropyProbs[T tensor.Float](logits, targets *autograd.Var[T]) *autograd.Var[T] {
	return CrossEntropyProbsWith(logits, targets, CrossEntropyOptions{})
}

// CrossEntropyProbsWith is CrossEntropyProbs with options, as PyTorch
// defines them for probability targets: the class weights multiply each
// term, -Σ_c w[c]·target[c]·log softmax(x)[c]; label smoothing replaces the
// target by (1-ε)·target + ε/C; the mean divides by N whatever the weights.
func CrossEntropyProbsWith[T tensor.Float](logits, targets *autograd.Var[T], opts CrossEntropyOptions) *autograd.Var[T] {
	checkSameShape("CrossEntropyProbs", logits, targets)
	checkClassScores("CrossEntropyProbs", logits, nil, opts.Weight)
	checkSmoothing("CrossEntropyProbs", opts.LabelSmoothing)
	c := logits.Shape()[1]
	if eps := opts.LabelSmoothing; eps != 0 {
		targets = autograd.AddScalar(autograd.Scale(targets, T(1-eps)), T(eps/float64(c)))
	}
	terms := autograd.Mul(autograd.LogSoftmax(logits, 1), targets)
	if opts.Weight != nil {
		terms = autograd.Mul(terms, autograd.Const(classVector[T](opts.Weight)))
	}
	return reduce(autograd.Neg(autograd.Sum(terms, 1)), opts.Reduction)
}

// NLLOptions configures NLLWith. The zero value is PyTorch's default.
type NLLOptions struct {
	// Reduction combines the per-sample losses; see ReduceMean for the
	// weighted mean.
	Reduction Reduction
	// Weight, if set, holds one weight per class (PyTorch's weight).
	Weight []float64
}

// NLL is the negative log-likelihood loss of log-probabilities [N, C] (the
// output of LogSoftmax over axis 1) for integer class labels (len N), as
// PyTorch's nn.NLLLoss: the mean over samples of -logProbs[i, labelᵢ]. A
// label of IgnoreIndex is skipped.
func NLL[T tensor.Float](logProbs *autograd.Var[T], labels []int) *autograd.Var[T] {
	return NLLWith(logProbs, labels, NLLOptions{})
}

// NLLWith is NLL with options: with class weights w the loss of sample i is
// -w[yᵢ]·logProbs[i, yᵢ] and the mean divides the sum by Σᵢ w[yᵢ].
func NLLWith[T tensor.Float](logProbs *autograd.Var[T], labels []int, opts NLLOptions) *autograd.Var[T] {
	checkClassScores("NLL", logProbs, labels, opts.Weight)
	rows, weights := nllRows(logProbs, labels, opts.Weight)
	return reduceWeighted(rows, weights, opts.Reduction)
}

// nllRows returns -w[yᵢ]·logp[i, yᵢ] for every row and the row weights
// w[yᵢ] (1 without class weights, 0 for an ignored row).
func nllRows[T tensor.Float](logp *autograd.Var[T], labels []int, weight []float64) (*autograd.Var[T], []float64) {
	idx := make([]int, len(labels))
	rw := make([]float64, len(labels))
	for i, y := range labels {
		switch {
		case y == IgnoreIndex:
			continue // index 0 is picked and weighted 0
		case weight != nil:
			rw[i] = weight[y]
		default:
			rw[i] = 1
		}
		idx[i] = y
	}
	picked := autograd.Gather(logp, 1, idx)
	return autograd.Neg(autograd.Mul(picked, autograd.Const(classVector[T](rw)))), rw
}

// reduceWeighted reduces per-row losses whose rows have the given weights:
// the mean is the sum divided by the total weight.
func reduceWeighted[T tensor.Float](rows *autograd.Var[T], weights []float64, r Reduction) *autograd.Var[T] {
	if r != ReduceMean {
		return reduce(rows, r)
	}
	total := 0.0
	for _, w := range weights {
		total += w
	}
	return autograd.Div(autograd.Sum(rows), autograd.Scalar(T(total)))
}

// BCEOptions configures BCEWith. The zero value is PyTorch's default.
type BCEOptions struct {
	// Reduction combines the per-element losses.
	Reduction Reduction
	// Weight, if set, rescales the loss of every element by the weight of
	// its position along the last dimension, as PyTorch's weight given as a
	// tensor of shape [C]. For weights of another shape, use ReduceNone and
	// multiply.
	Weight []float64
}

// BCE is the binary cross-entropy between probabilities in [0, 1] and
// targets of the same shape, as PyTorch's nn.BCELoss:
// mean(-(y·log p + (1-y)·log(1-p))), each log clamped below at -100 so that
// p = 0 or 1 gives a finite loss (where a log is clamped its gradient is 0;
// PyTorch's is huge but finite). It panics if a probability is outside
// [0, 1]. For scores (logits) prefer BCEWithLogits, which is stabler.
func BCE[T tensor.Float](probs, targets *autograd.Var[T]) *autograd.Var[T] {
	return BCEWith(probs, targets, BCEOptions{})
}

// BCEWith is BCE with options.
func BCEWith[T tensor.Float](probs, targets *autograd.Var[T], opts BCEOptions) *autograd.Var[T] {
	checkSameShape("BCE", probs, targets)
	checkLastDim("BCE", "Weight", probs, opts.Weight)
	for _, p := range probs.Value().Data() {
		if !(p >= 0 && p <= 1) {
			panic(fmt.Sprintf("layers.BCE: probability %v is outside [0, 1]", p))
		}
	}
	pv := probs.Value()
	// log p, clamped at -100: where log p < -100 the result is the constant
	// -100 and the log is taken of 1 instead, so no 0/0 reaches the gradient.
	ok := tensor.Unary(pv, func(p T) T {
		if math.Log(float64(p)) > -100 {
			return 1
		}
		return 0
	})
	one := autograd.Scalar[T](1)
	logP := autograd.Where(ok, autograd.Log(autograd.Where(ok, probs, one)), autograd.Scalar[T](-100))
	// log(1-p) = log1p(-p), which is never below log(2⁻⁵³) > -100 unless p is 1.
	below := tensor.Lt(pv, tensor.Scalar[T](1))
	zero := autograd.Scalar[T](0)
	log1mP := autograd.Where(below, log1p(autograd.Neg(autograd.Where(below, probs, zero))), autograd.Scalar[T](-100))
	// -(y·log p + (1-y)·log(1-p))
	loss := autograd.Neg(autograd.Add(autograd.Mul(targets, logP), autograd.Mul(autograd.AddScalar(autograd.Neg(targets), 1), log1mP)))
	if opts.Weight != nil {
		loss = autograd.Mul(loss, autograd.Const(classVector[T](opts.Weight)))
	}
	return reduce(loss, opts.Reduction)
}

// BCEWithLogitsOptions configures BCEWithLogitsWith. The zero value is
// PyTorch's default.
type BCEWithLogitsOptions struct {
	// Reduction combines the per-element losses.
	Reduction Reduction
	// Weight, if set, rescales the loss of every element by the weight of
	// its position along the last dimension (see BCEOptions.Weight).
	Weight []float64
	// PosWeight, if set, weights the positive term of every output (class)
	// along the last dimension, PyTorch's pos_weight: the loss becomes
	// -(p·y·log σ(x) + (1-y)·log(1-σ(x))). A p above 1 favours recall.
	PosWeight []float64
}

// BCEWithLogits is the binary cross-entropy of independent sigmoid outputs,
// for multi-label classification, as PyTorch's nn.BCEWithLogitsLoss: for
// logits x and targets y in [0, 1] of the same shape, the mean of
// -(y·log σ(x) + (1-y)·log(1-σ(x))). It is computed in the stable form
// max(x, 0) - x·y + log(1 + exp(-|x|)), with an accurate log1p, so it is
// finite and accurate for logits of any finite size; its gradient is
// σ(x) - y, also at x = 0.
func BCEWithLogits[T tensor.Float](logits, targets *autograd.Var[T]) *autograd.Var[T] {
	return BCEWithLogitsWith(logits, targets, BCEWithLogitsOptions{})
}

// BCEWithLogitsWith is BCEWithLogits with options.
func BCEWithLogitsWith[T tensor.Float](logits, targets *autograd.Var[T], opts BCEWithLogitsOptions) *autograd.Var[T] {
	checkSameShape("BCEWithLogits", logits, targets)
	checkLastDim("BCEWithLogits", "Weight", logits, opts.Weight)
	checkLastDim("BCEWithLogits", "PosWeight", logits, opts.PosWeight)
	// (1-y)·x + L·softplus(-x) with L = 1 + (p-1)·y; without pos_weight
	// this is softplus(x) - x·y, the stable form above.
	sp := softplus(autograd.Neg(logits))
	if opts.PosWeight != nil {
		pm1 := make([]float64, len(opts.PosWeight))
		for i, p := range opts.PosWeight {
			pm1[i] = p - 1
		}
		l := autograd.AddScalar(autograd.Mul(targets, autograd.Const(classVector[T](pm1))), 1)
		sp = autograd.Mul(l, sp)
	}
	loss := autograd.Add(autograd.Mul(autograd.AddScalar(autograd.Neg(targets), 1), logits), sp)
	if opts.Weight != nil {
		loss = autograd.Mul(loss, autograd.Const(classVector[T](opts.Weight)))
	}
	return reduce(loss, opts.Reduction)
}

// softplus returns log(1 + exp(z)) as max(z, 0) + log1p(exp(-|z|)), which
// neither overflows nor loses the small values of very negative z. The max
// and the absolute value are written with Where on the same condition z > 0,
// so that at z = 0 both take the side z ≤ 0 and the gradient is σ(0) = 1/2
// (separate ReLU and Abs would each give 0 there).
func softplus[T tensor.Float](z *autograd.Var[T]) *autograd.Var[T] {
	pos := tensor.Gt(z.Value(), tensor.Scalar[T](0))
	abs := autograd.Where(pos, z, autograd.Neg(z))
	relu := autograd.Where(pos, z, autograd.Scalar[T](0))
	return autograd.Add(relu, log1p(autograd.Exp(autograd.Neg(abs))))
}

// log1p returns log(1 + u), accurate also when |u| is far below 1, where
// 1 + u rounds: with w = 1 + u as computed, log(w) + (u - (w - 1))/w, the
// second term correcting for the rounding of w. It needs u > -1.
func log1p[T tensor.Float](u *autograd.Var[T]) *autograd.Var[T] {
	w := autograd.AddScalar(u, 1)
	return autograd.Add(autograd.Log(w), autograd.Div(autograd.Sub(u, autograd.AddScalar(w, -1)), w))
}

// Hinge is the multi-class hinge loss of scores [N, C] for integer class
// labels (len N), as PyTorch's nn.MultiMarginLoss with p = 1 and margin 1:
// the mean over samples of Σ_{j≠y} max(0, 1 - x[y] + x[j]) / C.
func Hinge[T tensor.Float](scores *autograd.Var[T], labels []int) *autograd.Var[T] {
	return HingeWith(scores, labels, ReduceMean)
}

// HingeWith is Hinge with the given reduction of the per-sample losses.
func HingeWith[T tensor.Float](scores *autograd.Var[T], labels []int, r Reduction) *autograd.Var[T] {
	n, c := checkClassScores("Hinge", scores, labels, nil)
	// The label's own column would add max(0, margin) = 1: mask it out.
	others := tensor.Ones[T](n, c)
	for i, y := range labels {
		if y < 0 {
			panic(fmt.Sprintf("layers.Hinge: label %d of sample %d is out of range [0, %d)", y, i, c))
		}
		others.Set(0, i, y)
	}
	correct := autograd.Unsqueeze(autograd.Gather(scores, 1, labels), 1)
	margins := autograd.ReLU(autograd.AddScalar(autograd.Sub(scores, correct), 1))
	rows := autograd.Scale(autograd.Sum(autograd.Mul(margins, autograd.Const(others)), 1), 1/T(c))
	return reduce(rows, r)
}

// classVector turns per-class (or per-row) float64 numbers into a vector.
func classVector[T tensor.Float](xs []float64) *tensor.Dense[T] {
	t := tensor.Zeros[T](len(xs))
	d := t.Data()
	for i, x := range xs {
		d[i] = T(x)
	}
	return t
}

func checkSameShape[T tensor.Float](op string, a, b *autograd.Var[T]) {
	if !tensor.SameShape(a.Shape(), b.Shape()) {
		panic(tensor.ShapeErrorf(op, "input of shape %v and target of shape %v differ", a.Shape(), b.Shape()))
	}
}

// checkClassScores checks scores [N, C], labels (when given) of length N
// with values in [0, C) or IgnoreIndex, and per-class weights (when given)
// of length C; it returns N and C.
func checkClassScores[T tensor.Float](op string, scores *autograd.Var[T], labels []int, weight []float64) (n, c int) {
	shape := scores.Shape()
	if len(shape) != 2 {
		panic(tensor.ShapeErrorf(op, "scores of shape %v, want [N, C]", shape))
	}
	n, c = shape[0], shape[1]
	if labels != nil && len(labels) != n {
		panic(tensor.ShapeErrorf(op, "%d labels for scores of shape %v", len(labels), shape))
	}
	if weight != nil && len(weight) != c {
		panic(tensor.ShapeErrorf(op, "%d class weights for %d classes", len(weight), c))
	}
	for i, y := range labels {
		if (y < 0 || y >= c) && y != IgnoreIndex {
			panic(fmt.Sprintf("layers.%s: label %d of sample %d is out of range [0, %d)", op, y, i, c))
		}
	}
	return n, c
}

func checkLastDim[T tensor.Float](op, what string, x *autograd.Var[T], w []float64) {
	shape := x.Shape()
	if w != nil && (len(shape) == 0 || shape[len(shape)-1] != len(w)) {
		panic(tensor.ShapeErrorf(op, "%s of length %d for input of shape %v: want the last dimension", what, len(w), shape))
	}
}

func checkSmoothing(op string, eps float64) {
	if !(eps >= 0 && eps <= 1) {
		panic(fmt.Sprintf("layers.%s: label smoothing %v is outside [0, 1]", op, eps))
	}
}
