// Command demo trains a neural network with nabla and reports how well it
// learned: the first program to run after cloning the repository.
//
//	go run ./cmd/demo
//
// With no flags it trains a two-layer network (64 inputs, 64 hidden ReLU
// units, 10 outputs) in float32 on the Digits set that is embedded in the
// binary, so it needs no download and finishes in a few seconds. The data are
// split, stratified by class and seeded, into training (60%), validation
// (20%) and test (20%) parts; the features are scaled by a scaler fitted on
// the training part only (pixels to [0, 1]). For each epoch it prints the training and
// validation loss and accuracy (with a progress bar while the epoch runs,
// when standard output is a terminal), then the test accuracy, the confusion
// matrix and a per-class precision/recall/F1 report. It writes into the
// output directory a PNG of the learning curves, training against
// validation loss and accuracy by epoch (the picture that shows under- and
// over-fitting), and the trained weights as a safetensors checkpoint that
// PyTorch can load.
//
// # Flags
//
//	-data NAME|DIR   iris, digits (default), wine, breast-cancer, spiral,
//	                 fashion-mnist, mnist, or a directory of MNIST-format
//	                 IDX files
//	-dataset-dir DIR where fashion-mnist or mnist are read from (default
//	                 /usr/share/datasets/fashion-mnist, installed by
//	                 apt-get install dataset-fashion-mnist; and
//	                 /usr/share/datasets/mnist)
//	-model NAME      twolayer (one hidden layer) or mlp (several); cnn is
//	                 reserved and not available yet
//	-hidden W[,W...] hidden widths: one for twolayer, any number for mlp
//	                 (default per data set; 128,64 for mlp)
//	-opt NAME        sgd, momentum (SGD with momentum 0.9), adam, adamw,
//	                 rmsprop or adagrad
//	-scale NAME      feature scaling fitted on the training part: standard,
//	                 minmax or none
//	-lr X            learning rate
//	-epochs N        passes over the training data
//	-batch N         mini-batch size
//	-seed N          seed of the split, the initial weights and the batch
//	                 order (default 1)
//	-out DIR         output directory (default ./demo-out)
//	-gradcheck       instead of training, check the model's gradient on one
//	                 batch against central differences in float64
//	-numerical       instead of training, train for a few steps with
//	                 numerical gradients and with backpropagation, and
//	                 compare their speed
//
// Defaults that matter depend on the data set (demo -h lists them): for
// example fashion-mnist trains 784-50-10 with SGD, learning rate 0.1, batches
// of 100, for 3 epochs, on 55000 training images (5000 are held out for
// validation) standardised with the training part's statistics, which
// reaches about 0.86 test accuracy in well under a minute. On the raw [0, 1]
// pixels (-scale none), PyTorch's usual setting, the same network reaches
// about 0.84, as PyTorch does.
//
// -gradcheck builds the same network in float64 with the same initial
// weights and compares the gradient of the loss on one batch, computed by
// backpropagation, with central differences, parameter tensor by parameter
// tensor, printing the largest relative error (about 1e-8 when all is well);
// it also runs autograd.GradCheck with torch.autograd.gradcheck's tolerances.
// -numerical trains two copies of a small network side by side, one with
// backpropagation and one with central differences over every parameter,
// and prints how much slower the second is per step.
//
// A wrong flag is a usage error (exit status 2); a problem at run time, such
// as missing data files, is reported on standard error with what to do about
// it (exit status 1).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// Exit statuses of run.
const (
	exitOK      = 0
	exitRuntime = 1
	exitUsage   = 2
)

// run is the whole command: it parses args, does the work, writes the report
// to stdout and problems to stderr, and returns the exit status.
func run(args []string, stdout, stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "demo: internal error: %v\n%s", r, debug.Stack())
			code = exitRuntime
		}
	}()
	cfg, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		return exitUsage
	}
	cfg.progress = isTerminal(stdout)
	if err := execute(cfg, stdout); err != nil {
		fmt.Fprintf(stderr, "demo: %v\n", err)
		return exitRuntime
	}
	return exitOK
}

// execute runs what cfg asks for.
func execute(cfg *config, stdout io.Writer) error {
	data, err := loadData(cfg)
	if err != nil {
		return err
	}
	if cfg.gradcheck || cfg.numerical {
		fmt.Fprintln(stdout, describeData(data))
		if cfg.gradcheck {
			if err := runGradCheck(cfg, data, stdout); err != nil {
				return err
			}
		}
		if cfg.numerical {
			if err := runNumerical(cfg, data, stdout); err != nil {
				return err
			}
		}
		return nil
	}
	return trainAndReport(cfg, data, stdout)
}
