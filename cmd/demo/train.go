package main

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
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
	took                time.Duration // the epoch, its evaluation included
	trainTime           time.Duration // forward, backward and update only
	samples             int           // training samples the epoch went through
}

// samplesPerSecond is the training speed of the epoch: samples through
// forward, backward and update per second, evaluation excluded (as the
// PyTorch reference times its training loop).
func (s epochStats) samplesPerSecond() float64 {
	if s.trainTime <= 0 {
		return 0
	}
	return float64(s.samples) / s.trainTime.Seconds()
}

// evalBatch is the batch size of evaluation passes, which record no graph.
const evalBatch = 1000

// trainEvalMax caps the training samples evaluated after each epoch.
const trainEvalMax = 10000

// trainAndReport trains the model cfg describes on d, or continues the run
// saved in cfg.resume, and prints the report.
func trainAndReport(cfg *config, d *splitData, stdout io.Writer) error {
	if err := os.MkdirAll(cfg.out, 0o755); err != nil {
		return fmt.Errorf("output directory: %w", err)
	}
	if cfg.save != "" {
		if err := os.MkdirAll(filepath.Dir(cfg.save), 0o755); err != nil {
			return fmt.Errorf("-save %s: %w", cfg.save, err)
		}
	}
	model := newModel[float32](cfg, d, newRNG(cfg.seed, streamInit))
	opt, err := newOptimizer(cfg.opt, cfg.lr, layers.Parameters[float32](model))
	if err != nil {
		return err
	}
	// The batch order's source is part of a training checkpoint: a resumed
	// run shuffles the next epoch as the run that never stopped does.
	batchPCG := newPCG(cfg.seed, streamBatches)
	batchRNG := rand.New(batchPCG)
	state := checkpoint.Training[float32]{
		Model: model, Optimizer: opt,
		RNGs: map[string]checkpoint.Source{rngBatches: batchPCG},
	}
	var history []epochStats
	if cfg.resume != "" {
		if history, err = resumeRun(cfg, d, &state); err != nil {
			return err
		}
	}
	fmt.Fprintln(stdout, describeData(d))
	fmt.Fprintf(stdout, "model:     %s (%s), %d parameters, float32\n", model.desc, cfg.model, numParams[float32](model))
	fmt.Fprintf(stdout, "optimizer: %s, seed %d\n", describeOptimizer(cfg), cfg.seed)
	if cfg.resume != "" {
		fmt.Fprintf(stdout, "resumed:   %s, after epoch %d (%d steps); the rows of epochs 1 to %d are the checkpoint's\n",
			cfg.resume, state.Epoch, state.Step, state.Epoch)
	}
	fmt.Fprintln(stdout)

	// The training curve is measured on a fixed sample of at most
	// trainEvalMax training samples: enough for a smooth curve, and cheap.
	trainEval := d.train
	if d.train.Len() > trainEvalMax {
		trainEval, _ = d.train.Split(float64(trainEvalMax)/float64(d.train.Len()), newRNG(cfg.seed, streamCheck))
		fmt.Fprintf(stdout, "(train loss and accuracy are measured after each epoch on a fixed sample of %d training samples)\n\n", trainEval.Len())
	}
	table := newEpochTable(stdout)
	table.header()
	for _, s := range history {
		table.row(s)
	}
	var ran []epochStats // the epochs this run trained
	for epoch := state.Epoch + 1; epoch <= cfg.epochs; epoch++ {
		t0 := time.Now()
		bar := newBar(cfg, d.train.NumBatches(cfg.batch, false), epoch, stdout)
		runningLoss, seen := 0.0, 0
		model.SetTraining(true)
		for x, y := range d.train.Batches(cfg.batch, batchRNG) {
			loss := layers.CrossEntropy(model.Forward(autograd.Const(x)), y)
			opt.ZeroGrad()
			loss.Backward()
			opt.Step()
			state.Step++
			runningLoss += float64(loss.Item()) * float64(len(y))
			seen += len(y)
			autograd.Release(loss) // the next step reuses this one's buffers
			if bar != nil {
				bar.Describe(fmt.Sprintf("epoch %d/%d  loss %.4f", epoch, cfg.epochs, runningLoss/float64(seen)))
				_ = bar.Add(1)
			}
		}
		trainTime := time.Since(t0)
		if bar != nil {
			_ = bar.Finish() // clears the bar; the table row replaces it
		}
		if math.IsNaN(runningLoss) || math.IsInf(runningLoss, 0) {
			return fmt.Errorf("epoch %d: the training loss is %v: the learning rate %g is too high for %s; try a smaller -lr", epoch, runningLoss, cfg.lr, cfg.opt)
		}
		// Both curves are measured the same way, after the epoch, in
		// evaluation mode, so they can be compared point for point.
		s := epochStats{epoch: epoch, trainTime: trainTime, samples: seen}
		s.trainLoss, s.trainAcc, _ = evaluate[float32](model, trainEval)
		s.valLoss, s.valAcc, _ = evaluate[float32](model, d.val)
		s.took = time.Since(t0)
		history = append(history, s)
		ran = append(ran, s)
		table.row(s)
		if cfg.save != "" {
			state.Epoch = epoch
			if state.Metadata, err = runMetadata(cfg, d, model.arch, history); err != nil {
				return err
			}
			if err := checkpoint.Save(cfg.save, state); err != nil {
				return err
			}
		}
	}
	reportSpeed(stdout, cfg, state.Epoch, ran)

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

	title := fmt.Sprintf("%s, %s, %s lr %g", d.name, model.arch, cfg.opt, cfg.lr)
	pngPath := filepath.Join(cfg.out, "learning_curves.png")
	if err := plotLearningCurves(history, title, pngPath); err != nil {
		return err
	}
	ckpt := filepath.Join(cfg.out, "model.safetensors")
	if err := checkpoint.SaveModelWith[float32](ckpt, model, checkpoint.SaveOptions{Metadata: map[string]string{
		"data": d.name, "architecture": model.arch, "test_accuracy": fmt.Sprintf("%.4f", testAcc),
	}}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nlearning curves: %s\ncheckpoint:      %s\n", pngPath, ckpt)
	if cfg.save != "" && len(ran) > 0 {
		fmt.Fprintf(stdout, "training state:  %s (after epoch %d; continue with -resume %s -epochs N)\n", cfg.save, state.Epoch, cfg.save)
	}
	return nil
}

// reportSpeed prints how long the epochs this run trained took and the
// training speed in samples per second.
func reportSpeed(w io.Writer, cfg *config, done int, ran []epochStats) {
	if len(ran) == 0 {
		fmt.Fprintf(w, "\nnothing to train: the checkpoint holds all %d epochs (a larger -epochs trains on)\n", done)
		return
	}
	var took, trainTime time.Duration
	samples := 0
	for _, s := range ran {
		took += s.took
		trainTime += s.trainTime
		samples += s.samples
	}
	n := time.Duration(len(ran))
	epochs := "epochs"
	if len(ran) == 1 {
		epochs = "epoch"
	}
	fmt.Fprintf(w, "\ntrained %d %s in %s (%s per epoch, evaluation included)\n", len(ran), epochs, round(took), round(took/n))
	fmt.Fprintf(w, "training speed: %.0f samples/s (%d samples per epoch through forward, backward and update, in %s per epoch)\n",
		float64(samples)/trainTime.Seconds(), samples/len(ran), round(trainTime/n))
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
