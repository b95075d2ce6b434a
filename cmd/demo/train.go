package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/nabla-go/nabla/autograd"
	"github.com/nabla-go/nabla/checkpoint"
	"github.com/nabla-go/nabla/datasets"
	"github.com/nabla-go/nabla/layers"
	"github.com/nabla-go/nabla/metrics"
	"github.com/nabla-go/nabla/tensor"
)

// epochStats is one row of the training table and one point of each curve.
type epochStats struct {
	epoch               int
	trainLoss, trainAcc float64
	valLoss, valAcc     float64
	took                time.Duration
}

// evalBatch is the batch size of evaluation passes, which record no graph.
const evalBatch = 1000

// trainEvalMax caps the training samples evaluated after each epoch.
const trainEvalMax = 10000

// trainAndReport trains the model cfg describes on d and prints the report.
func trainAndReport(cfg *config, d *splitData, stdout io.Writer) error {
	if err := os.MkdirAll(cfg.out, 0o755); err != nil {
		return fmt.Errorf("output directory: %w", err)
	}
	model := newNet[float32](d.features, cfg.hidden, d.classes, newRNG(cfg.seed, streamInit))
	opt, err := newOptimizer(cfg.opt, cfg.lr, layers.Parameters[float32](model))
	if err != nil {
		return err
	}
	arch := architecture(d.features, cfg.hidden, d.classes)
	fmt.Fprintln(stdout, describeData(d))
	fmt.Fprintf(stdout, "model:     %s MLP with ReLU (%s), %d parameters, float32\n", arch, cfg.model, numParams[float32](model))
	fmt.Fprintf(stdout, "optimizer: %s, seed %d\n\n", describeOptimizer(cfg), cfg.seed)

	// The training curve is measured on a fixed sample of at most
	// trainEvalMax training samples: enough for a smooth curve, and cheap.
	trainEval := d.train
	if d.train.Len() > trainEvalMax {
		trainEval, _ = d.train.Split(float64(trainEvalMax)/float64(d.train.Len()), newRNG(cfg.seed, streamCheck))
		fmt.Fprintf(stdout, "(train loss and accuracy are measured after each epoch on a fixed sample of %d training samples)\n\n", trainEval.Len())
	}
	table := newEpochTable(stdout)
	table.header()
	batchRNG := newRNG(cfg.seed, streamBatches)
	var history []epochStats
	start := time.Now()
	for epoch := 1; epoch <= cfg.epochs; epoch++ {
		t0 := time.Now()
		bar := newBar(cfg, d.train.NumBatches(cfg.batch, false), epoch, stdout)
		runningLoss, seen := 0.0, 0
		model.SetTraining(true)
		for x, y := range d.train.Batches(cfg.batch, batchRNG) {
			loss := layers.CrossEntropy(model.Forward(autograd.Const(x)), y)
			opt.ZeroGrad()
			loss.Backward()
			opt.Step()
			runningLoss += float64(loss.Item()) * float64(len(y))
			seen += len(y)
			if bar != nil {
				bar.Describe(fmt.Sprintf("epoch %d/%d  loss %.4f", epoch, cfg.epochs, runningLoss/float64(seen)))
				_ = bar.Add(1)
			}
		}
		if bar != nil {
			_ = bar.Finish() // clears the bar; the table row replaces it
		}
		if math.IsNaN(runningLoss) || math.IsInf(runningLoss, 0) {
			return fmt.Errorf("epoch %d: the training loss is %v: the learning rate %g is too high for %s; try a smaller -lr", epoch, runningLoss, cfg.lr, cfg.opt)
		}
		// Both curves are measured the same way, after the epoch, in
		// evaluation mode, so they can be compared point for point.
		s := epochStats{epoch: epoch}
		s.trainLoss, s.trainAcc, _ = evaluate[float32](model, trainEval)
		s.valLoss, s.valAcc, _ = evaluate[float32](model, d.val)
		s.took = time.Since(t0)
		history = append(history, s)
		table.row(s)
	}
	trainTime := time.Since(start)
	fmt.Fprintf(stdout, "\ntrained in %s (%s per epoch)\n", round(trainTime), round(trainTime/time.Duration(cfg.epochs)))

	_, testAcc, pred := evaluate[float32](model, d.test)
	cm := metrics.NewConfusion(pred, d.test.Y, d.classes)
	if len(d.classNames) == d.classes {
		cm.ClassNames = d.classNames
	}
	right := 0
	for c := range d.classes {
		right += cm.Counts[c][c]
	}
	fmt.Fprintf(stdout, "\ntest accuracy: %.4f (%d of %d right)\n", testAcc, right, d.test.Len())
	fmt.Fprintf(stdout, "\nconfusion matrix (rows: true class, columns: predicted):\n\n%s\n", strings.TrimRight(cm.String(), "\n"))
	fmt.Fprintf(stdout, "\nper-class precision, recall and F1 on the test part:\n\n%s\n", strings.TrimRight(cm.Report(), "\n"))

	title := fmt.Sprintf("%s, %s, %s lr %g", d.name, arch, cfg.opt, cfg.lr)
	pngPath := filepath.Join(cfg.out, "learning_curves.png")
	if err := plotLearningCurves(history, title, pngPath); err != nil {
		return err
	}
	ckpt := filepath.Join(cfg.out, "model.safetensors")
	if err := checkpoint.SaveModelWith[float32](ckpt, model, checkpoint.SaveOptions{Metadata: map[string]string{
		"data": d.name, "architecture": arch, "test_accuracy": fmt.Sprintf("%.4f", testAcc),
	}}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nlearning curves: %s\ncheckpoint:      %s\n", pngPath, ckpt)
	return nil
}

// evaluate returns the mean cross-entropy, the accuracy and the predicted
// classes of model on d, in evaluation mode without recording a graph.
func evaluate[T tensor.Float](model layers.Module[T], d *datasets.Dataset[T]) (loss, acc float64, pred []int) {
	model.SetTraining(false)
	defer model.SetTraining(true)
	pred = make([]int, 0, d.Len())
	autograd.NoGrad(func() {
		for x, y := range d.Batches(evalBatch, nil) {
			logits := model.Forward(autograd.Const(x))
			loss += float64(layers.CrossEntropy(logits, y).Item()) * float64(len(y))
			pred = append(pred, metrics.ArgMax(logits.Value())...)
		}
	})
	if d.Len() == 0 {
		return 0, 0, pred
	}
	return loss / float64(d.Len()), metrics.Accuracy(pred, d.Y), pred
}

// newBar returns a progress bar over an epoch's batches when standard output
// is a terminal, and nil otherwise (CI logs get the table rows only).
func newBar(cfg *config, batches, epoch int, w io.Writer) *progressbar.ProgressBar {
	if !cfg.progress {
		return nil
	}
	return progressbar.NewOptions(batches,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(fmt.Sprintf("epoch %d/%d", epoch, cfg.epochs)),
		progressbar.OptionSetWidth(30),
		progressbar.OptionShowCount(),
		progressbar.OptionSetItsString("batches"),
		progressbar.OptionShowIts(),
		progressbar.OptionThrottle(50*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
}

func round(d time.Duration) time.Duration {
	switch {
	case d >= 10*time.Second:
		return d.Round(100 * time.Millisecond)
	case d >= time.Second:
		return d.Round(10 * time.Millisecond)
	case d >= 10*time.Millisecond:
		return d.Round(time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(100 * time.Microsecond)
	default:
		return d.Round(10 * time.Microsecond)
	}
}
