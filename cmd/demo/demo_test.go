package main

import (
	"bytes"
	"encoding/json"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/nabla-go/nabla/checkpoint"
	"github.com/nabla-go/nabla/datasets"
	"github.com/nabla-go/nabla/safetensors"
)

// runDemo runs the command with args and a fresh output directory (unless
// args give -out) and returns the exit status, standard output and error.
func runDemo(t *testing.T, args ...string) (code int, stdout, stderr string, outDir string) {
	t.Helper()
	outDir = t.TempDir()
	var o, e bytes.Buffer
	code = run(append([]string{"-out", outDir}, args...), &o, &e)
	return code, o.String(), e.String(), outDir
}

var testAccRE = regexp.MustCompile(`(?m)^test accuracy: ([0-9.]+) `)

// testAccuracy reads the test accuracy the report prints.
func testAccuracy(t *testing.T, stdout string) float64 {
	t.Helper()
	m := testAccRE.FindStringSubmatch(stdout)
	require.NotNil(t, m, "no test accuracy line in:\n%s", stdout)
	acc, err := strconv.ParseFloat(m[1], 64)
	require.NoError(t, err)
	return acc
}

var samplesRE = regexp.MustCompile(`(?m)^training speed: ([0-9]+) samples/s `)

// samplesPerSecond reads the training speed the report prints.
func samplesPerSecond(t *testing.T, stdout string) float64 {
	t.Helper()
	m := samplesRE.FindStringSubmatch(stdout)
	require.NotNil(t, m, "no training speed line in:\n%s", stdout)
	v, err := strconv.ParseFloat(m[1], 64)
	require.NoError(t, err)
	return v
}

func TestDefaultRunDigits(t *testing.T) {
	start := time.Now()
	code, stdout, stderr, out := runDemo(t)
	t.Logf("default run took %s", time.Since(start))
	require.Equal(t, 0, code, "stderr: %s", stderr)
	require.Empty(t, stderr)

	acc := testAccuracy(t, stdout)
	t.Logf("digits test accuracy %.4f", acc)
	require.GreaterOrEqual(t, acc, 0.95)

	// The report's parts, in plain lines (standard output is no terminal).
	require.Contains(t, stdout, "64-64-10")
	require.Contains(t, stdout, "train loss  train acc    val loss    val acc      time  samples/s")
	require.Regexp(t, `(?m)^   20  +[0-9.]+ +[0-9.]+% +[0-9.]+ +[0-9.]+% +\S+ +[0-9]+$`, stdout)
	t.Logf("digits 64-64-10: %.0f training samples/s", samplesPerSecond(t, stdout))
	require.Contains(t, stdout, "true \\ pred")
	require.Contains(t, stdout, "precision")
	require.Contains(t, stdout, "macro avg")
	require.NotContains(t, stdout, "batches/s", "no progress bar when stdout is not a terminal")

	pngPath := filepath.Join(out, "learning_curves.png")
	require.Contains(t, stdout, pngPath)
	requirePlot(t, pngPath)

	// The checkpoint loads into a fresh model of the same shape.
	ckpt := filepath.Join(out, "model.safetensors")
	require.Contains(t, stdout, ckpt)
	fresh := newNet[float32](64, []int{64}, 10, newRNG(99, streamInit))
	_, err := checkpoint.LoadModel[float32](ckpt, fresh, checkpoint.LoadOptions{})
	require.NoError(t, err)
}

// requirePlot checks that the learning-curve PNG decodes, has a sensible
// size and holds a drawing: many colours, ink on part of the page only.
func requirePlot(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	b := img.Bounds()
	require.GreaterOrEqual(t, b.Dx(), 600)
	require.GreaterOrEqual(t, b.Dy(), 300)
	require.LessOrEqual(t, b.Dx(), 4000)

	colours := map[[4]uint32]int{}
	ink := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := img.At(x, y).RGBA()
			colours[[4]uint32{r, g, bl, a}]++
			if r < 0xc000 || g < 0xc000 || bl < 0xc000 {
				ink++
			}
		}
	}
	frac := float64(ink) / float64(b.Dx()*b.Dy())
	t.Logf("plot %dx%d, %d colours, %.1f%% ink", b.Dx(), b.Dy(), len(colours), 100*frac)
	require.Greater(t, len(colours), 10, "the picture is nearly uniform")
	require.Greater(t, frac, 0.005, "hardly anything is drawn")
	require.Less(t, frac, 0.5, "the picture is mostly ink")
	requireColouredCurves(t, img)
}

// requireColouredCurves checks that both curve colours of plotutil's
// default palette (a red and a green) appear: the lines were drawn.
func requireColouredCurves(t *testing.T, img image.Image) {
	t.Helper()
	var red, green int
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			r, g, bl = r>>8, g>>8, bl>>8
			switch {
			case r > 180 && g < 120 && bl < 120:
				red++
			case g > 140 && r < 140 && bl < 140:
				green++
			}
		}
	}
	require.Greater(t, red, 100, "no training curve (red)")
	require.Greater(t, green, 100, "no validation curve (green)")
}

func TestIrisMLPWithSGD(t *testing.T) {
	code, stdout, stderr, _ := runDemo(t, "-data", "iris", "-model", "mlp", "-hidden", "10", "-opt", "sgd")
	require.Equal(t, 0, code, "stderr: %s", stderr)
	require.Contains(t, stdout, "4-10-3 MLP")
	require.Contains(t, stdout, "SGD, learning rate 0.1")
	acc := testAccuracy(t, stdout)
	t.Logf("iris test accuracy %.4f", acc)
	require.GreaterOrEqual(t, acc, 0.95)
}

// Every data set that needs no download and every optimizer train without
// trouble for a couple of epochs.
func TestEveryDataSetAndOptimizer(t *testing.T) {
	for _, data := range []string{"wine", "breast-cancer", "spiral"} {
		t.Run(data, func(t *testing.T) {
			code, stdout, stderr, _ := runDemo(t, "-data", data, "-epochs", "2")
			require.Equal(t, 0, code, "stderr: %s", stderr)
			testAccuracy(t, stdout)
		})
	}
	for _, opt := range optNames {
		t.Run(opt, func(t *testing.T) {
			code, stdout, stderr, _ := runDemo(t, "-data", "iris", "-model", "mlp", "-hidden", "8,8", "-opt", opt, "-epochs", "2")
			require.Equal(t, 0, code, "stderr: %s", stderr)
			testAccuracy(t, stdout)
		})
	}
}

func TestBadFlagsAreUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"-lr", "-1"},
		{"-lr", "abc"},
		{"-lr", "NaN"},
		{"-epochs", "0"},
		{"-batch", "-5"},
		{"-data", "iris", "-model", "cnn"},
		{"-model", "cnn", "-hidden", "64"},
		{"-model", "cnn", "-numerical"},
		{"-model", "transformer"},
		{"-save", ""},
		{"-resume", ""},
		{"-gradcheck", "-save", "x.ckpt"},
		{"-numerical", "-resume", "x.ckpt"},
		{"-hidden", "10,x"},
		{"-hidden", "0"},
		{"-hidden", "64,32"}, // twolayer has one hidden layer
		{"-opt", "lbfgs"},
		{"-data", "cifar"},
		{"-data", ""},
		{"-scale", "log"},
		{"-data", "iris", "-dataset-dir", "/tmp"},
		{"-nosuchflag"},
		{"stray"},
	} {
		code, stdout, stderr, _ := runDemo(t, args...)
		require.Equal(t, 2, code, "args %q: stderr %s", args, stderr)
		require.Empty(t, stdout, "args %q", args)
		require.Contains(t, stderr, "demo -h", "args %q", args)
	}

	// -model cnn on tabular data says which data sets it takes.
	code, _, stderr, _ := runDemo(t, "-data", "wine", "-model", "cnn")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "-model cnn is for image data: digits")
	require.Contains(t, stderr, "fashion-mnist, mnist or a directory of IDX files")

	code, _, stderr, _ = runDemo(t, "-h")
	require.Equal(t, 0, code)
	require.Contains(t, stderr, "-gradcheck")
	require.Contains(t, stderr, "fashion-mnist  50")
	require.Regexp(t, `fashion-mnist +adam +0.001 +1 +64 +none +conv3x3 32, pool, conv3x3 64, pool, 3136-128-10`, stderr)
	require.Contains(t, stderr, "-resume")
}

func TestMissingIDXDirectory(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-such-dir")
	code, stdout, stderr, _ := runDemo(t, "-data", "fashion-mnist", "-dataset-dir", missing)
	require.Equal(t, 1, code)
	require.Empty(t, stdout)
	require.Contains(t, stderr, missing)
	require.Contains(t, stderr, "apt-get install dataset-fashion-mnist")

	// A directory given as -data that lacks the files says which.
	empty := t.TempDir()
	code, _, stderr, _ = runDemo(t, "-data", empty)
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "train-images-idx3-ubyte")
	require.Contains(t, stderr, "apt-get install dataset-fashion-mnist")

	// Corrupt files are a runtime error too, not a panic.
	require.NoError(t, os.WriteFile(filepath.Join(empty, "train-images-idx3-ubyte"), []byte("junk"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(empty, "train-labels-idx1-ubyte"), []byte("junk"), 0o644))
	code, _, stderr, _ = runDemo(t, "-data", empty)
	require.Equal(t, 1, code)
	require.NotContains(t, stderr, "internal error")
}

var relErrRE = regexp.MustCompile(`(?m)^largest relative error: (\S+)$`)

func TestGradCheck(t *testing.T) {
	code, stdout, stderr, _ := runDemo(t, "-gradcheck")
	require.Equal(t, 0, code, "stderr: %s", stderr)
	m := relErrRE.FindStringSubmatch(stdout)
	require.NotNil(t, m, stdout)
	rel, err := strconv.ParseFloat(m[1], 64)
	require.NoError(t, err)
	t.Logf("largest relative error %.3e", rel)
	require.Less(t, rel, 1e-6)
	require.Contains(t, stdout, "autograd.GradCheck (atol 1e-5, rtol 1e-3): passed")
	require.Contains(t, stdout, "every parameter")
}

var slowerRE = regexp.MustCompile(`numerical is (\d+)x slower`)

func TestNumericalGradientsTrainLikeBackprop(t *testing.T) {
	code, stdout, stderr, _ := runDemo(t, "-numerical", "-data", "wine")
	require.Equal(t, 0, code, "stderr: %s", stderr)
	m := slowerRE.FindStringSubmatch(stdout)
	require.NotNil(t, m, stdout)
	factor, err := strconv.Atoi(m[1])
	require.NoError(t, err)
	t.Logf("numerical gradients %dx slower than backpropagation", factor)
	require.Greater(t, factor, 1)

	// Both models followed the same path: equal losses at every step.
	rows := regexp.MustCompile(`(?m)^ +\d+ +([0-9.]+) +([0-9.]+) `).FindAllStringSubmatch(stdout, -1)
	require.Len(t, rows, numericalSteps)
	for _, r := range rows {
		require.Equal(t, r[1], r[2], "losses of backprop and numerical training differ")
	}
}

// TestFashionMNISTTwoLayer trains the classic 784-50-10 network with SGD
// (learning rate 0.1, batches of 100, 3 epochs) on Fashion-MNIST, the
// workload on which PyTorch reaches 0.841 test accuracy.
func TestFashionMNISTTwoLayer(t *testing.T) {
	if _, err := os.Stat(datasets.FashionMNISTDir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Fashion-MNIST is missing in CI (%v); install it with apt-get install dataset-fashion-mnist", err)
		}
		t.Skipf("Fashion-MNIST is not installed (%v); apt-get install dataset-fashion-mnist", err)
	}
	start := time.Now()
	code, stdout, stderr, _ := runDemo(t, "-data", "fashion-mnist", "-model", "twolayer", "-hidden", "50",
		"-opt", "sgd", "-lr", "0.1", "-batch", "100", "-epochs", "3")
	took := time.Since(start)
	require.Equal(t, 0, code, "stderr: %s", stderr)
	require.Contains(t, stdout, "784-50-10 MLP")
	acc := testAccuracy(t, stdout)
	t.Logf("Fashion-MNIST 784-50-10, SGD 0.1, batch 100, 3 epochs: test accuracy %.4f in %s", acc, took.Round(100*time.Millisecond))
	require.GreaterOrEqual(t, acc, 0.84)
}

func TestDigitsCNN(t *testing.T) {
	start := time.Now()
	code, stdout, stderr, out := runDemo(t, "-model", "cnn")
	took := time.Since(start)
	require.Equal(t, 0, code, "stderr: %s", stderr)
	require.Contains(t, stdout, "CNN on 1x8x8 images")
	require.Contains(t, stdout, "samples shaped [1 8 8]")
	require.Regexp(t, `(?m)^   20  +[0-9.]+ +[0-9.]+% +[0-9.]+ +[0-9.]+% +\S+ +[0-9]+$`, stdout)
	acc := testAccuracy(t, stdout)
	t.Logf("digits CNN: test accuracy %.4f, %.0f training samples/s, run took %s", acc, samplesPerSecond(t, stdout), took.Round(10*time.Millisecond))
	require.GreaterOrEqual(t, acc, 0.95)
	requirePlot(t, filepath.Join(out, "learning_curves.png"))

	// The weights load into the same CNN, under PyTorch's names.
	fresh := newCNN[float32](cnnFor(8), 8, 10, newRNG(99, streamInit))
	_, err := checkpoint.LoadModel[float32](filepath.Join(out, "model.safetensors"), fresh, checkpoint.LoadOptions{})
	require.NoError(t, err)
	var names []string
	for _, p := range fresh.NamedParameters() {
		names = append(names, p.Name)
	}
	require.Equal(t, []string{"0.weight", "0.bias", "3.weight", "3.bias", "7.weight", "7.bias"}, names)
}

// The CNN's gradient, convolutions and pooling included, agrees with
// central differences (on a batch of 4, which checks every parameter in a
// few seconds).
func TestGradCheckCNN(t *testing.T) {
	code, stdout, stderr, _ := runDemo(t, "-gradcheck", "-model", "cnn", "-batch", "4")
	require.Equal(t, 0, code, "stderr: %s", stderr)
	require.Contains(t, stdout, "CNN on 1x8x8 images")
	m := relErrRE.FindStringSubmatch(stdout)
	require.NotNil(t, m, stdout)
	rel, err := strconv.ParseFloat(m[1], 64)
	require.NoError(t, err)
	t.Logf("CNN: largest relative error %.3e", rel)
	require.Less(t, rel, 1e-6)
	require.Contains(t, stdout, "autograd.GradCheck (atol 1e-5, rtol 1e-3): passed")
}

// rowRE matches a row of the epoch table; the groups are the epoch, the
// losses and the accuracies (the time and the speed vary between runs).
var rowRE = regexp.MustCompile(`(?m)^ +(\d+) +([0-9.]+ +[0-9.]+% +[0-9.]+ +[0-9.]+%) +\S+ +\d+$`)

func epochRows(t *testing.T, stdout string) []string {
	t.Helper()
	var rows []string
	for _, m := range rowRE.FindAllStringSubmatch(stdout, -1) {
		require.Equal(t, strconv.Itoa(len(rows)+1), m[1], "rows out of order in:\n%s", stdout)
		rows = append(rows, m[2])
	}
	return rows
}

// A run of 4 epochs, and a run of 2 epochs that saves its state then a run
// that resumes from it to epoch 4, train the same: the same losses and
// accuracies in every row, the same test accuracy, and the same weights and
// optimizer state to the bit.
func TestSaveAndResumeTrainLikeOneRun(t *testing.T) {
	dir := t.TempDir()
	straight := filepath.Join(dir, "straight.ckpt")
	code, stdoutA, stderr, outA := runDemo(t, "-epochs", "4", "-save", straight)
	require.Equal(t, 0, code, "stderr: %s", stderr)

	resumed := filepath.Join(dir, "resumed.ckpt")
	code, stdoutB1, stderr, _ := runDemo(t, "-epochs", "2", "-save", resumed)
	require.Equal(t, 0, code, "stderr: %s", stderr)
	require.Contains(t, stdoutB1, "training state:  "+resumed+" (after epoch 2")
	code, stdoutB2, stderr, outB := runDemo(t, "-epochs", "4", "-resume", resumed, "-save", resumed)
	require.Equal(t, 0, code, "stderr: %s", stderr)
	require.Contains(t, stdoutB2, "resumed:   "+resumed+", after epoch 2 (")
	require.Contains(t, stdoutB2, "trained 2 epochs in")

	rowsA, rowsB1, rowsB2 := epochRows(t, stdoutA), epochRows(t, stdoutB1), epochRows(t, stdoutB2)
	require.Len(t, rowsA, 4)
	require.Len(t, rowsB1, 2)
	require.Len(t, rowsB2, 4, "the resumed run prints the checkpoint's rows and its own")
	require.Equal(t, rowsA[:2], rowsB1)
	require.Equal(t, rowsA, rowsB2)
	for i, r := range rowsA {
		t.Logf("epoch %d: %s", i+1, r)
	}
	require.Equal(t, testAccuracy(t, stdoutA), testAccuracy(t, stdoutB2))
	t.Logf("test accuracy %.4f after 4 epochs, straight and resumed", testAccuracy(t, stdoutB2))

	// Beyond the printed digits: the weights, the optimizer's moments and
	// the full-precision history are identical.
	a, err := safetensors.Load(straight)
	require.NoError(t, err)
	b, err := safetensors.Load(resumed)
	require.NoError(t, err)
	require.Equal(t, a.Names(), b.Names())
	require.Contains(t, a.Names(), "optimizer.0.exp_avg")
	for _, name := range a.Names() {
		require.Equal(t, a.Tensors[name], b.Tensors[name], "tensor %s", name)
	}
	require.Equal(t, "4", b.Metadata["nabla.epoch"])
	require.Equal(t, a.Metadata["nabla.step"], b.Metadata["nabla.step"])
	require.Equal(t, a.Metadata["nabla.rng.batches"], b.Metadata["nabla.rng.batches"])
	var ha, hb []historyRow
	require.NoError(t, json.Unmarshal([]byte(a.Metadata["history"]), &ha))
	require.NoError(t, json.Unmarshal([]byte(b.Metadata["history"]), &hb))
	require.Len(t, hb, 4)
	for i := range ha {
		require.Equal(t, ha[i].TrainLoss, hb[i].TrainLoss, "epoch %d", i+1)
		require.Equal(t, ha[i].ValLoss, hb[i].ValLoss, "epoch %d", i+1)
		require.Equal(t, ha[i].ValAcc, hb[i].ValAcc, "epoch %d", i+1)
	}
	modelA, err := os.ReadFile(filepath.Join(outA, "model.safetensors"))
	require.NoError(t, err)
	modelB, err := os.ReadFile(filepath.Join(outB, "model.safetensors"))
	require.NoError(t, err)
	require.True(t, bytes.Equal(modelA, modelB), "the final weights differ")

	// The learning curves of the resumed run cover all four epochs.
	requirePlot(t, filepath.Join(outB, "learning_curves.png"))

	// Resuming at the end trains nothing and reports the same model.
	code, stdoutC, stderr, _ := runDemo(t, "-epochs", "4", "-resume", resumed)
	require.Equal(t, 0, code, "stderr: %s", stderr)
	require.Contains(t, stdoutC, "nothing to train")
	require.Equal(t, rowsA, epochRows(t, stdoutC))
	require.Equal(t, testAccuracy(t, stdoutA), testAccuracy(t, stdoutC))
}

// A resume that cannot continue the run fails with exit status 1 and an
// error naming the file, never a panic.
func TestResumeErrors(t *testing.T) {
	dir := t.TempDir()
	ckpt := filepath.Join(dir, "run.ckpt")
	code, _, stderr, out := runDemo(t, "-epochs", "2", "-save", ckpt)
	require.Equal(t, 0, code, "stderr: %s", stderr)

	junk := filepath.Join(dir, "junk.ckpt")
	require.NoError(t, os.WriteFile(junk, []byte("not a checkpoint at all"), 0o644))
	truncated := filepath.Join(dir, "truncated.ckpt")
	whole, err := os.ReadFile(ckpt)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(truncated, whole[:len(whole)/2], 0o644))

	for _, tc := range []struct {
		name string
		args []string
		file string // the file the error names
		want string
	}{
		{"missing", []string{"-resume", filepath.Join(dir, "nope.ckpt")}, filepath.Join(dir, "nope.ckpt"), "no such file"},
		{"junk", []string{"-resume", junk}, junk, ""},
		{"truncated", []string{"-resume", truncated}, truncated, ""},
		{"model file", []string{"-resume", filepath.Join(out, "model.safetensors")}, filepath.Join(out, "model.safetensors"), "not a training checkpoint"},
		{"other hidden width", []string{"-resume", ckpt, "-hidden", "32"}, ckpt, "-hidden 64 (this run: 32)"},
		{"other model", []string{"-resume", ckpt, "-model", "mlp"}, ckpt, "-model twolayer (this run: mlp)"},
		{"other data", []string{"-resume", ckpt, "-data", "wine"}, ckpt, "-data digits (this run: wine)"},
		{"other optimizer", []string{"-resume", ckpt, "-opt", "sgd"}, ckpt, "-opt adam (this run: sgd)"},
		{"other seed", []string{"-resume", ckpt, "-seed", "2"}, ckpt, "-seed 1 (this run: 2)"},
		{"fewer epochs", []string{"-resume", ckpt, "-epochs", "1"}, ckpt, "after epoch 2, beyond -epochs 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr, _ := runDemo(t, tc.args...)
			t.Logf("stderr: %s", stderr)
			require.Equal(t, 1, code)
			require.NotContains(t, stderr, "internal error")
			require.Contains(t, stderr, tc.file)
			require.Contains(t, stderr, tc.want)
			require.NotContains(t, stdout, "test accuracy")
		})
	}
}

// TestFashionMNISTCNN trains the PyTorch reference's CNN (two 3x3
// convolutions of 32 and 64 channels with max-pooling, then 3136-128-10)
// with Adam, learning rate 1e-3, batches of 64, for one epoch on
// Fashion-MNIST, on which PyTorch reaches 0.879 test accuracy. It trains on
// 55000 of the 60000 training images (the demo holds 5000 out for
// validation) and tests on the official 10000.
func TestFashionMNISTCNN(t *testing.T) {
	if _, err := os.Stat(datasets.FashionMNISTDir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Fashion-MNIST is missing in CI (%v); install it with apt-get install dataset-fashion-mnist", err)
		}
		t.Skipf("Fashion-MNIST is not installed (%v); apt-get install dataset-fashion-mnist", err)
	}
	start := time.Now()
	code, stdout, stderr, _ := runDemo(t, "-data", "fashion-mnist", "-model", "cnn",
		"-opt", "adam", "-lr", "0.001", "-batch", "64", "-epochs", "1")
	took := time.Since(start)
	require.Equal(t, 0, code, "stderr: %s", stderr)
	require.Contains(t, stdout, "train 55000, validation 5000, test 10000")
	require.Contains(t, stdout, "linear 3136-128-10 with ReLU (cnn), 421642 parameters")
	acc := testAccuracy(t, stdout)
	t.Logf("Fashion-MNIST reference CNN, Adam 1e-3, batch 64, 1 epoch: test accuracy %.4f, %.0f training samples/s, run took %s",
		acc, samplesPerSecond(t, stdout), took.Round(100*time.Millisecond))
	require.GreaterOrEqual(t, acc, 0.87)
}
