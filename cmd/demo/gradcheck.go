package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"time"

	"github.com/nabla-go/nabla/autograd"
	"github.com/nabla-go/nabla/datasets"
	"github.com/nabla-go/nabla/layers"
	"github.com/nabla-go/nabla/tensor"
)

// Settings of -gradcheck and -numerical.
const (
	// checkEps is the central-difference step: in float64 it balances the
	// truncation error (eps²) against rounding (1e-16/eps).
	checkEps = 1e-6
	// checkBatch caps the batch the gradient is checked on; cnnCheckBatch
	// too for a CNN, whose forward pass costs more.
	checkBatch    = 32
	cnnCheckBatch = 8
	// fullCheckParams is the largest model whose every parameter is checked;
	// larger models get a random sample of sampleParams parameters.
	fullCheckParams    = 20000
	sampleParams       = 1000
	minSamplePerTensor = 50
	// relErrTolerance is what -gradcheck accepts as the largest relative
	// error of a parameter tensor's gradient; a correct gradient in float64
	// gives 1e-8 or less, a wrong one an error near 1.
	relErrTolerance = 1e-6

	numericalSteps     = 5
	numericalMaxParams = 5000
)

// lossFn is the model's mean cross-entropy on one fixed batch.
type lossFn func() float64

// batch64 returns one shuffled batch of the training data in float64.
func batch64(cfg *config, d *splitData) (*tensor.Dense[float64], []int) {
	train := datasets.Cast[float64](d.train)
	size := min(cfg.batch, checkBatch)
	if cfg.model == "cnn" {
		size = min(cfg.batch, cnnCheckBatch)
	}
	for x, y := range train.Batches(size, newRNG(cfg.seed, streamCheck)) {
		return x, y
	}
	panic("demo: empty training set") // loadData never returns one
}

// runGradCheck compares the model's backpropagated gradient with central
// differences, in float64, on one batch of the training data.
func runGradCheck(cfg *config, d *splitData, stdout io.Writer) error {
	model := newModel[float64](cfg, d, newRNG(cfg.seed, streamInit))
	x, y := batch64(cfg, d)
	params := model.NamedParameters()
	total := numParams[float64](model)
	fmt.Fprintf(stdout, "gradient check: %s, %d parameters, float64, one batch of %d training samples, central differences with step %g\n",
		model.desc, total, len(y), checkEps)

	// Backpropagation.
	loss := layers.CrossEntropy(model.Forward(autograd.Const(x)), y)
	loss.Backward()
	f := func() float64 {
		var l float64
		autograd.NoGrad(func() { l = layers.CrossEntropy(model.Forward(autograd.Const(x)), y).Item() })
		return l
	}

	// Which elements to check: all, or a sample spread over every tensor.
	picks := make([][]int, len(params))
	sampled := total > fullCheckParams
	rng := newRNG(cfg.seed, streamCheck)
	for i, p := range params {
		n := p.Var.Value().Size()
		if !sampled {
			picks[i] = make([]int, n)
			for j := range n {
				picks[i][j] = j
			}
			continue
		}
		k := min(n, max(minSamplePerTensor, sampleParams*n/total))
		picks[i] = rng.Perm(n)[:k]
	}

	start := time.Now()
	type row struct {
		name    string
		shape   []int
		checked int
		rel     float64 // ‖a - n‖ / (‖a‖ + ‖n‖) over the checked elements
	}
	var (
		rows               []row
		worstRel, worstAbs float64
		worstName          string
		worstIndex         int
		worstA, worstN     float64
	)
	for i, p := range params {
		grad := p.Var.Grad().Contiguous().Data()
		var diff2, a2, n2 float64
		for _, j := range picks[i] {
			num, err := centralDifference(p.Var.Value(), j, f)
			if err != nil {
				return fmt.Errorf("gradient check of %s: %w", p.Name, err)
			}
			a := grad[j]
			diff2 += (a - num) * (a - num)
			a2 += a * a
			n2 += num * num
			if abs := math.Abs(a - num); abs > worstAbs || worstName == "" {
				worstAbs, worstName, worstIndex, worstA, worstN = abs, p.Name, j, a, num
			}
		}
		r := row{name: p.Name, shape: p.Var.Shape(), checked: len(picks[i])}
		if den := math.Sqrt(a2) + math.Sqrt(n2); den > 0 {
			r.rel = math.Sqrt(diff2) / den
		}
		worstRel = math.Max(worstRel, r.rel)
		rows = append(rows, r)
	}
	what := "every parameter"
	if sampled {
		what = fmt.Sprintf("a random sample of %d parameters from every tensor", sumChecked(picks))
	}
	fmt.Fprintf(stdout, "checked %s in %s\n\n", what, round(time.Since(start)))
	fmt.Fprintf(stdout, "%-10s %-10s %8s  %s\n", "parameter", "shape", "checked", "relative error ‖backprop − numerical‖ / (‖backprop‖ + ‖numerical‖)")
	for _, r := range rows {
		fmt.Fprintf(stdout, "%-10s %-10s %8d  %.3e\n", r.name, fmt.Sprint(r.shape), r.checked, r.rel)
	}
	fmt.Fprintf(stdout, "\nlargest relative error: %.3e\n", worstRel)
	fmt.Fprintf(stdout, "largest absolute error: %.3e (%s[%d]: backprop %.9g, numerical %.9g)\n",
		worstAbs, worstName, worstIndex, worstA, worstN)

	if !sampled {
		// The library's own check, with torch.autograd.gradcheck's
		// tolerances, over the whole model as a function of its parameters.
		err := autograd.GradCheck(func(in []*autograd.Var[float64]) *autograd.Var[float64] {
			setParams(model, in)
			return layers.CrossEntropy(model.Forward(autograd.Const(x)), y)
		}, paramValues(model), autograd.GradCheckOptions{})
		var gerr *autograd.GradCheckError
		switch {
		case err == nil:
			fmt.Fprintln(stdout, "autograd.GradCheck (atol 1e-5, rtol 1e-3): passed")
		case errors.As(err, &gerr):
			return fmt.Errorf("autograd.GradCheck failed: %w", err)
		default:
			return err
		}
	}
	if worstRel > relErrTolerance {
		return fmt.Errorf("gradient check failed: largest relative error %.3e is above %g", worstRel, relErrTolerance)
	}
	fmt.Fprintf(stdout, "gradient check passed: backpropagation agrees with numerical differentiation (relative error below %g)\n", relErrTolerance)
	return nil
}

// paramValues returns the values of the model's parameters, in the order
// runGradCheck's function takes them (setParams's).
func paramValues(m *net[float64]) []*tensor.Dense[float64] {
	var vs []*tensor.Dense[float64]
	for _, p := range layers.Parameters[float64](m) {
		vs = append(vs, p.Value())
	}
	return vs
}

// centralDifference estimates the derivative of f with respect to element j
// of v as (f(v+eps) - f(v-eps)) / 2eps, and puts the element back.
func centralDifference(v *tensor.Dense[float64], j int, f lossFn) (float64, error) {
	if !v.IsContiguous() {
		return 0, errors.New("parameter is not contiguous")
	}
	data := v.Data() // the storage itself, for a contiguous tensor
	orig := data[j]
	data[j] = orig + checkEps
	plus := f()
	data[j] = orig - checkEps
	minus := f()
	data[j] = orig
	return (plus - minus) / (2 * checkEps), nil
}

// runNumerical trains two copies of a small model for a few steps on the
// same batches, one with backpropagation and one with numerical gradients
// (two forward passes per parameter), and compares the time per step.
func runNumerical(cfg *config, d *splitData, stdout io.Writer) error {
	hidden := cfg.hidden
	note := ""
	if n := mlpParams(d.features, hidden, d.classes); n > numericalMaxParams {
		// Central differences over every parameter cost two forward passes
		// each: shrink the model to one affordable hidden layer.
		w := max(2, (numericalMaxParams-d.classes)/(d.features+1+d.classes))
		hidden = []int{w}
		note = fmt.Sprintf(" (shrunk from %s, %d parameters, to keep numerical differentiation affordable)",
			architecture(d.features, cfg.hidden, d.classes), n)
	}
	arch := architecture(d.features, hidden, d.classes)
	backprop := newNet[float64](d.features, hidden, d.classes, newRNG(cfg.seed, streamInit))
	numeric := newNet[float64](d.features, hidden, d.classes, newRNG(cfg.seed, streamInit))
	optB, err := newOptimizer(cfg.opt, cfg.lr, layers.Parameters[float64](backprop))
	if err != nil {
		return err
	}
	optN, err := newOptimizer(cfg.opt, cfg.lr, layers.Parameters[float64](numeric))
	if err != nil {
		return err
	}
	size := min(cfg.batch, checkBatch)
	fmt.Fprintf(stdout, "numerical gradients: %s MLP%s, %d parameters, float64, %s lr %g, %d steps on batches of %d\n\n",
		arch, note, numParams[float64](backprop), cfg.opt, cfg.lr, numericalSteps, size)

	train := datasets.Cast[float64](d.train)
	var batches []struct {
		x *tensor.Dense[float64]
		y []int
	}
	for x, y := range train.Batches(size, newRNG(cfg.seed, streamCheck)) {
		if len(batches) == numericalSteps {
			break
		}
		batches = append(batches, struct {
			x *tensor.Dense[float64]
			y []int
		}{x, y})
	}

	fmt.Fprintf(stdout, "%4s  %13s  %13s  %12s  %12s\n", "step", "loss backprop", "loss numeric", "backprop", "numerical")
	var tB, tN []time.Duration
	for i, b := range batches {
		t0 := time.Now()
		loss := layers.CrossEntropy(backprop.Forward(autograd.Const(b.x)), b.y)
		optB.ZeroGrad()
		loss.Backward()
		optB.Step()
		dB := time.Since(t0)

		t0 = time.Now()
		lossN := numericalStep(numeric, b.x, b.y)
		optN.Step()
		dN := time.Since(t0)

		tB = append(tB, dB)
		tN = append(tN, dN)
		fmt.Fprintf(stdout, "%4d  %13.6f  %13.6f  %12s  %12s\n", i+1, loss.Item(), lossN, round(dB), round(dN))
	}
	perB, perN := median(tB), median(tN)
	fmt.Fprintf(stdout, "\nper step (median): backpropagation %s, numerical gradients %s: numerical is %.0fx slower\n",
		round(perB), round(perN), float64(perN)/float64(max(perB, 1)))
	fmt.Fprintf(stdout, "largest difference between the two models' weights after %d steps: %.3e\n",
		len(batches), maxParamDiff(backprop, numeric))
	fmt.Fprintf(stdout, "(backpropagation costs a backward pass, about as much as a forward pass or two, however many parameters\n"+
		"there are; central differences cost two forward passes per parameter, %d here)\n", 2*numParams[float64](numeric))
	return nil
}

// numericalStep sets every parameter's gradient to its central difference
// on the batch and returns the loss before the step.
func numericalStep(m *net[float64], x *tensor.Dense[float64], y []int) float64 {
	f := func() float64 {
		var l float64
		autograd.NoGrad(func() { l = layers.CrossEntropy(m.Forward(autograd.Const(x)), y).Item() })
		return l
	}
	loss := f()
	for _, p := range layers.Parameters[float64](m) {
		v := p.Value()
		g := make([]float64, v.Size())
		for j := range g {
			d, err := centralDifference(v, j, f)
			if err != nil {
				panic(err) // Linear's parameters are contiguous
			}
			g[j] = d
		}
		p.SetGrad(tensor.New(g, v.Shape()...))
	}
	return loss
}

func mlpParams(in int, hidden []int, classes int) int {
	n, w := 0, in
	for _, h := range append(append([]int(nil), hidden...), classes) {
		n += w*h + h
		w = h
	}
	return n
}

func maxParamDiff(a, b *net[float64]) float64 {
	pa, pb := layers.Parameters[float64](a), layers.Parameters[float64](b)
	m := 0.0
	for i := range pa {
		da, db := pa[i].Value().Contiguous().Data(), pb[i].Value().Contiguous().Data()
		for j := range da {
			m = math.Max(m, math.Abs(da[j]-db[j]))
		}
	}
	return m
}

func sumChecked(picks [][]int) int {
	n := 0
	for _, p := range picks {
		n += len(p)
	}
	return n
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
