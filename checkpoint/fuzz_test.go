package checkpoint_test

import (
	"encoding/binary"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nabla-go/nabla/autograd"
	"github.com/nabla-go/nabla/checkpoint"
	"github.com/nabla-go/nabla/layers"
	"github.com/nabla-go/nabla/optim"
)

// fuzzModel is a small model with parameters and buffers, a scalar
// num_batches_tracked among them.
func fuzzModel() *layers.Sequential[float32] {
	return layers.NewSequential[float32](
		layers.NewLinear[float32](2, 3, rand.New(rand.NewPCG(1, 1))),
		layers.NewBatchNorm1D[float32](3),
	)
}

// fuzzTraining is a training state over a fresh fuzzModel.
func fuzzTraining() checkpoint.Training[float32] {
	m := fuzzModel()
	opt := optim.NewAdam(m.Parameters(), optim.AdamConfig{})
	return checkpoint.Training[float32]{Model: m, Optimizer: opt, RNGs: map[string]checkpoint.Source{"shuffle": rand.NewPCG(1, 2)}}
}

// FuzzLoadModel feeds LoadModel, strict and not, and Load arbitrary files: they
// never panic, every error names the file, and a failed load leaves the
// model (and the optimizer and RNG) untouched.
func FuzzLoadModel(f *testing.F) {
	dir := f.TempDir()
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(f, err)
		return b
	}

	// A valid model checkpoint and a valid training checkpoint, after a step
	// so that the optimizer has state.
	tr := fuzzTraining()
	tr.Model.SetTraining(true)
	loss := autograd.Sum(tr.Model.Forward(autograd.Const(inputFor[float32]("mlp", 4, newRNG(1)).Reshape(8, 2))))
	loss.Backward()
	tr.Optimizer.Step()
	tr.Epoch, tr.Step = 1, 1
	require.NoError(f, checkpoint.SaveModel(filepath.Join(dir, "model.safetensors"), tr.Model))
	require.NoError(f, checkpoint.Save(filepath.Join(dir, "train.safetensors"), tr))
	model, train := read("model.safetensors"), read("train.safetensors")
	f.Add(model)
	f.Add(train)

	// Corrupt ones.
	f.Add([]byte{})
	f.Add(model[:7])
	f.Add(model[:20])
	f.Add(model[:len(model)-1])
	f.Add(append(append([]byte(nil), model...), 0))
	bad := append([]byte(nil), model...)
	bad[8] = '['
	f.Add(bad)
	bad = append([]byte(nil), model...)
	binary.LittleEndian.PutUint64(bad, uint64(len(model)))
	f.Add(bad)
	f.Add([]byte(strings.Replace(string(model), `"F32"`, `"I64"`, 1)))
	f.Add([]byte(strings.Replace(string(model), `"F32"`, `"F64"`, 1)))
	f.Add([]byte(strings.Replace(string(train), `"nabla.epoch":"1"`, `"nabla.epoch":"x"`, 1)))
	f.Add(rawFile(f, map[string]string{"format": "pt"},
		rawTensor{"0.weight", "F64", []int{3, 2}, f64Bytes(1, 2, 3, 4, 5, 6)},
		rawTensor{"1.num_batches_tracked", "I64", []int{}, i64Bytes(5)},
		rawTensor{"1.running_mean", "BF16", []int{3}, u16Bytes(1, 2, 3)},
		rawTensor{"1.running_var", "F16", []int{3}, u16Bytes(1, 2, 3)},
	))

	// Each fuzzing process calls the function in turn, never at once, so
	// one file serves.
	path := filepath.Join(dir, "fuzz.safetensors")
	f.Fuzz(func(t *testing.T, data []byte) {
		require.NoError(t, os.WriteFile(path, data, 0o644))

		for _, opts := range []checkpoint.LoadOptions{{}, {NonStrict: true}} {
			m := fuzzModel()
			before := snapshot[float32](m)
			if _, err := checkpoint.LoadModel(path, m, opts); err != nil {
				require.Contains(t, err.Error(), path)
				requireSameBits(t, before, snapshot[float32](m))
			}
		}

		tr := fuzzTraining()
		before, opt := snapshot[float32](tr.Model), stateOf(tr.Optimizer)
		rng, _ := tr.RNGs["shuffle"].MarshalBinary()
		if err := checkpoint.Load(path, &tr); err != nil {
			require.Contains(t, err.Error(), path)
			requireSameBits(t, before, snapshot[float32](tr.Model))
			requireSameBits(t, opt, stateOf(tr.Optimizer))
			after, _ := tr.RNGs["shuffle"].MarshalBinary()
			require.Equal(t, rng, after)
			require.Zero(t, tr.Epoch)
		}
	})
}
