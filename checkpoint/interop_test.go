package checkpoint_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nabla-go/nabla/checkpoint"
	"github.com/nabla-go/nabla/safetensors"
	"github.com/nabla-go/nabla/tensor"
)

// python is Debian's interpreter, where python3-torch and python3-numpy
// live (not a pyenv python3 that may come first on PATH).
const python = "/usr/bin/python3"

// requireTorch skips the test when PyTorch is not installed, except in CI
// (CI=true), where its absence is a failure.
func requireTorch(t *testing.T) {
	t.Helper()
	out, err := exec.Command(python, "-c", "import torch, numpy").CombinedOutput()
	if err == nil {
		return
	}
	msg := fmt.Sprintf("%s with torch and numpy is needed (apt-get install python3-torch python3-numpy): %v %s", python, err, out)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// runInterop runs testdata/interop.py with args and returns its output.
func runInterop(t *testing.T, args ...string) string {
	t.Helper()
	script, err := filepath.Abs(filepath.Join("testdata", "interop.py"))
	require.NoError(t, err)
	out, err := exec.Command(python, append([]string{script}, args...)...).CombinedOutput()
	require.NoError(t, err, "interop.py %s:\n%s", strings.Join(args, " "), out)
	return string(out)
}

// TestInteropPyTorch moves checkpoints both ways between nabla and PyTorch
// 1.13, for an MLP and a CNN with convolutions, batch norm, pooling and a
// linear head, through testdata/interop.py:
//
//  1. models trained in nabla, saved with SaveModel, load into the
//     equivalent torch.nn.Sequential with load_state_dict(strict=True) and
//     predict what nabla predicted, to 1e-6 in float64 and 1e-5 in float32;
//  2. freshly initialised torch models, saved by the script (int64
//     num_batches_tracked included), load with LoadModel and predict what
//     PyTorch predicted, to the same tolerances, and from F16 and BF16 files
//     into float32 models.
func TestInteropPyTorch(t *testing.T) {
	requireTorch(t)
	dir := t.TempDir()

	t.Run("nabla to PyTorch", func(t *testing.T) {
		var cases []string
		for _, arch := range []string{"mlp", "cnn"} {
			saveNabla[float64](t, dir, arch, "f64")
			saveNabla[float32](t, dir, arch, "f32")
			cases = append(cases, arch+"_f64:1e-6", arch+"_f32:1e-5")
		}
		out := runInterop(t, append([]string{"check", dir}, cases...)...)
		t.Logf("PyTorch's predictions from nabla's checkpoints:\n%s", out)
		require.Equal(t, len(cases), strings.Count(out, " ok\n"), out)
	})

	t.Run("PyTorch to nabla", func(t *testing.T) {
		runInterop(t, "export", dir)
		for _, arch := range []string{"mlp", "cnn"} {
			for _, tc := range []struct {
				kind string
				tol  float64
			}{{"f64", 1e-6}, {"f32", 1e-5}, {"bf16", 1e-5}, {"f16", 1e-5}} {
				var diff float64
				if tc.kind == "f64" {
					diff = loadTorch[float64](t, dir, arch, tc.kind)
				} else {
					diff = loadTorch[float32](t, dir, arch, tc.kind)
				}
				t.Logf("%s_%s max_abs_diff=%.3g tol=%g", arch, tc.kind, diff, tc.tol)
				require.LessOrEqual(t, diff, tc.tol, "%s %s", arch, tc.kind)
			}
		}
	})
}

// saveNabla trains a nabla model of the architecture briefly and writes
// nabla_<arch>_<kind>.safetensors, and its input batch and evaluation-mode
// output to nabla_<arch>_<kind>_io.safetensors.
func saveNabla[T tensor.Float](t *testing.T, dir, arch, kind string) {
	rng := newRNG(11)
	m := build[T](arch, rng)
	trainAFew(arch, m, rng)
	require.NoError(t, checkpoint.SaveModel(filepath.Join(dir, "nabla_"+arch+"_"+kind+".safetensors"), m))
	x := inputFor[T](arch, 8, rng)
	y := predict[T](m, x)
	require.NoError(t, safetensors.Save(filepath.Join(dir, "nabla_"+arch+"_"+kind+"_io.safetensors"), &safetensors.File{
		Tensors: map[string]safetensors.Tensor{"input": safetensors.FromDense(x), "output": safetensors.FromDense(y)},
	}))
}

// loadTorch loads torch_<arch>_<kind>.safetensors into a nabla model of
// another initialisation and returns the largest difference between its
// predictions and PyTorch's.
func loadTorch[T tensor.Float](t *testing.T, dir, arch, kind string) float64 {
	m := build[T](arch, newRNG(12))
	res, err := checkpoint.LoadModel(filepath.Join(dir, "torch_"+arch+"_"+kind+".safetensors"), m, checkpoint.LoadOptions{})
	require.NoError(t, err)
	require.Empty(t, res.Missing)
	require.Empty(t, res.Unexpected)
	if arch == "cnn" {
		require.Equal(t, []T{3}, snapshot[T](m)["1.num_batches_tracked"], "int64 num_batches_tracked")
	}
	io, err := safetensors.Load(filepath.Join(dir, "torch_"+arch+"_"+kind+"_io.safetensors"))
	require.NoError(t, err)
	x, err := safetensors.ToDense[T](io.Tensors["input"])
	require.NoError(t, err)
	want, err := safetensors.ToDense[T](io.Tensors["output"])
	require.NoError(t, err)
	got := predict[T](m, x)
	require.Equal(t, want.Shape(), got.Shape())
	return maxAbsDiff(want, got)
}
