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
// PyTorch can load. It reports the training speed in samples per second,
// per epoch in the table and for the whole run, counting the forward and
// backward passes and the updates but not the evaluation (as the PyTorch
// reference in the benchmarks does).
//
// -model cnn trains a convolutional network on image data: on 28x28 images
// (fashion-mnist, mnist, an IDX directory) the CNN of the PyTorch reference,
//
//	Conv(1→32, 3x3, pad 1)-ReLU-MaxPool(2)-Conv(32→64, 3x3, pad 1)-ReLU-MaxPool(2)-
//	Flatten-Linear(3136→128)-ReLU-Linear(128→10)
//
// with its settings by default (Adam, learning rate 1e-3, batches of 64, one
// epoch, pixels in [0, 1]), which reaches about 0.88 test accuracy on
// Fashion-MNIST; on Digits' 8x8 images a smaller one,
// Conv(1→16)-ReLU-MaxPool(2)-Conv(16→32)-ReLU-MaxPool(2)-Flatten-Linear(128→10),
// which reaches about 0.99 in a few seconds. The samples are shaped
// [N, 1, H, W] for it; the tabular data sets do not take it.
//
// -save writes, after every epoch, a training checkpoint: the model, the
// optimizer's state, the state of the random source that orders the
// batches, the epoch and step counts, the flags that define the run and the
// rows of the epoch table. -resume continues such a run from the epoch after
// it up to -epochs, exactly as the run that never stopped would have gone
// on (the same losses and weights, to the bit), and its table and learning
// curves cover every epoch. It checks that the run's flags (-data, -model,
// -hidden, -scale, -opt, -lr, -batch, -seed) are the checkpoint's, and fails
// with an error saying which differ if not; -epochs, -out and -save may
// change.
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
//	-model NAME      twolayer (one hidden layer), mlp (several) or cnn (a
//	                 convolutional network, for digits, fashion-mnist, mnist
//	                 and IDX directories)
//	-hidden W[,W...] hidden widths: one for twolayer, any number for mlp,
//	                 none for cnn (default per data set; 128,64 for mlp)
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
//	-save FILE       write a training checkpoint to FILE after every epoch
//	-resume FILE     continue the run that -save wrote to FILE, up to -epochs
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
// With -model cnn on fashion-mnist the same 55000 images train the
// reference's CNN for one epoch in about a minute on two cores (about 1000
// samples per second).
//
// -gradcheck builds the same network in float64 with the same initial
// weights and compares the gradient of the loss on one batch, computed by
// backpropagation, with central differences, parameter tensor by parameter
// tensor, printing the largest relative error (about 1e-8 when all is well);
// it also runs autograd.GradCheck with torch.autograd.gradcheck's tolerances.
// For a CNN it checks a batch of at most 8 samples (Digits' CNN in full,
// the larger one on a sample of its parameters).
// -numerical trains two copies of a small MLP side by side, one with
// backpropagation and one with central differences over every parameter,
// and prints how much slower the second is per step.
//
// A wrong flag is a usage error (exit status 2); a problem at run time, such
// as missing data files or a checkpoint that cannot be resumed, is reported
// on standard error with what to do about it (exit status 1).
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
