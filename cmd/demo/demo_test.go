package main

import (
	"bytes"
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
	require.Contains(t, stdout, "train loss  train acc    val loss    val acc")
	require.Regexp(t, `(?m)^   20  +[0-9.]+ +[0-9.]+% +[0-9.]+ +[0-9.]+% `, stdout)
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
		{"-model", "cnn"},
		{"-model", "transformer"},
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

	code, _, stderr, _ := runDemo(t, "-model", "cnn")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "not available yet")

	code, _, stderr, _ = runDemo(t, "-h")
	require.Equal(t, 0, code)
	require.Contains(t, stderr, "-gradcheck")
	require.Contains(t, stderr, "fashion-mnist  50")
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
