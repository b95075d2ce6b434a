package checkpoint_test

import (
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nabla-go/nabla/autograd"
	"github.com/nabla-go/nabla/checkpoint"
	"github.com/nabla-go/nabla/datasets"
	"github.com/nabla-go/nabla/layers"
	"github.com/nabla-go/nabla/optim"
	"github.com/nabla-go/nabla/safetensors"
	"github.com/nabla-go/nabla/tensor"
)

// spiralRun is a float32 training run on datasets.Spiral: an MLP, its
// optimizer and learning-rate schedule, and the random sources of batch
// shuffling and (with Adam) dropout, gathered in a checkpoint.Training.
type spiralRun struct {
	model *layers.Sequential[float32]
	opt   optim.Optimizer[float32]
	sched *optim.Scheduler
	rng   *rand.Rand // shuffles the batches
	state checkpoint.Training[float32]
}

// newSpiralRun makes a run with kind "adam" (Adam, dropout, exponential
// schedule) or "sgd" (SGD with momentum), its weights and random sources
// seeded by seed.
func newSpiralRun(kind string, seed uint64) *spiralRun {
	init := rand.New(rand.NewPCG(seed, 1))
	shuffle := rand.NewPCG(seed, 2)
	r := &spiralRun{rng: rand.New(shuffle)}
	r.state.RNGs = map[string]checkpoint.Source{"shuffle": shuffle}
	r.model = layers.NewSequential[float32](layers.NewLinear[float32](2, 32, init), layers.NewReLU[float32]())
	switch kind {
	case "adam":
		drop := rand.NewChaCha8([32]byte{byte(seed), 3})
		r.state.RNGs["dropout"] = drop
		r.model.Append(layers.NewDropout[float32](0.1, rand.New(drop)))
		r.model.Append(layers.NewLinear[float32](32, 3, init))
		r.opt = optim.NewAdam(r.model.Parameters(), optim.AdamConfig{LR: 0.02})
		r.sched = optim.NewScheduler(r.opt, optim.ExponentialLR{Gamma: 0.7})
		r.state.Scheduler = r.sched
	case "sgd":
		r.model.Append(layers.NewLinear[float32](32, 3, init))
		r.opt = optim.NewSGD(r.model.Parameters(), optim.SGDConfig{LR: 0.1, Momentum: 0.9})
	}
	r.state.Model, r.state.Optimizer = r.model, r.opt
	return r
}

// train runs epochs until r.state.Epoch reaches `until`, shuffled batches
// of 32, and returns the loss of every step.
func (r *spiralRun) train(data *datasets.Dataset[float32], until int) []float32 {
	var losses []float32
	r.model.SetTraining(true)
	for ; r.state.Epoch < until; r.state.Epoch++ {
		for x, y := range data.Batches(32, r.rng) {
			loss := layers.CrossEntropy(r.model.Forward(autograd.Const(x)), y)
			losses = append(losses, loss.Item())
			r.opt.ZeroGrad()
			loss.Backward()
			r.opt.Step()
			r.state.Step++
		}
		if r.sched != nil {
			r.sched.Step()
		}
	}
	return losses
}

func constOf(x *tensor.Dense[float32]) *autograd.Var[float32] { return autograd.Const(x) }

// TestResumeBitForBit trains two epochs straight, and one epoch, a save, a
// load into fresh objects (other seeds, so that nothing is right by
// accident) and one more epoch: the per-step losses, the final weights, the
// optimizer state and the learning rate are the same bits.
func TestResumeBitForBit(t *testing.T) {
	data := datasets.Spiral(100, 3, 0.2, rand.New(rand.NewPCG(9, 9)))
	for _, kind := range []string{"adam", "sgd"} {
		t.Run(kind, func(t *testing.T) {
			straight := newSpiralRun(kind, 1)
			want := straight.train(data, 2)
			require.Len(t, want, 2*10)

			first := newSpiralRun(kind, 1)
			got := first.train(data, 1)
			first.state.Metadata = map[string]string{"data": "spiral"}
			path := filepath.Join(t.TempDir(), "run.safetensors")
			require.NoError(t, checkpoint.Save(path, first.state))

			resumed := newSpiralRun(kind, 2)
			require.NoError(t, checkpoint.Load(path, &resumed.state))
			require.Equal(t, 1, resumed.state.Epoch)
			require.Equal(t, 10, resumed.state.Step)
			require.Equal(t, map[string]string{"data": "spiral"}, resumed.state.Metadata)
			require.Equal(t, first.opt.LR(), resumed.opt.LR())
			got = append(got, resumed.train(data, 2)...)

			require.Equal(t, bitsOf(want), bitsOf(got), "per-step losses")
			requireSameBits(t, snapshot[float32](straight.model), snapshot[float32](resumed.model), "final weights")
			requireSameBits(t, stateOf(straight.opt), stateOf(resumed.opt), "optimizer state")
			require.Equal(t, straight.opt.LR(), resumed.opt.LR())
			require.Equal(t, straight.state.Step, resumed.state.Step)
			require.Equal(t, straight.rng.Uint64(), resumed.rng.Uint64(), "shuffling rng")
			require.Less(t, got[len(got)-1], got[0], "the run learns")
		})
	}
}

func stateOf(o optim.Optimizer[float32]) map[string][]float32 {
	s := make(map[string][]float32)
	for k, v := range o.State() {
		s[k] = v.Data()
	}
	return s
}

// TestLoadTrainingRejects loads training checkpoints that do not fit the
// Training: each load fails naming the file, and leaves the model, the
// optimizer, the scheduler, the RNGs and the Training's fields as they were.
func TestLoadTrainingRejects(t *testing.T) {
	data := datasets.Spiral(20, 3, 0.2, rand.New(rand.NewPCG(9, 9)))
	src := newSpiralRun("adam", 1)
	src.train(data, 1)
	dir := t.TempDir()
	path := filepath.Join(dir, "run.safetensors")
	require.NoError(t, checkpoint.Save(path, src.state))

	// edited saves a copy of the checkpoint changed by change.
	edited := func(change func(f *fileEdit)) string {
		f := loadEdit(t, path)
		change(f)
		return f.save(t)
	}

	for _, tc := range []struct {
		name  string
		path  func() string
		setup func(r *spiralRun)
		want  string
	}{
		{"no optimizer in the Training", func() string { return path },
			func(r *spiralRun) { r.state.Optimizer = nil }, "Training.Optimizer is nil"},
		{"another optimizer", func() string { return path },
			func(r *spiralRun) {
				r.state.Optimizer = optim.NewSGD(r.model.Parameters(), optim.SGDConfig{LR: 0.1, Momentum: 0.9})
			}, "the file holds the state of optim.Adam, Training.Optimizer is optim.SGD"},
		{"no scheduler in the Training", func() string { return path },
			func(r *spiralRun) { r.state.Scheduler = nil }, "Training.Scheduler is nil"},
		{"an RNG the file lacks", func() string { return path },
			func(r *spiralRun) { r.state.RNGs["extra"] = rand.NewPCG(1, 1) }, `"extra", whose state the file lacks`},
		{"an RNG the Training lacks", func() string { return path },
			func(r *spiralRun) { delete(r.state.RNGs, "dropout") }, `RNG "dropout", which Training.RNGs lacks`},
		{"an RNG of another kind", func() string { return path },
			func(r *spiralRun) { r.state.RNGs["shuffle"] = rand.NewChaCha8([32]byte{}) }, `RNG "shuffle"`},
		{"corrupt RNG state", func() string {
			return edited(func(f *fileEdit) { f.Metadata["nabla.rng.shuffle"] = "zz" })
		}, nil, `"nabla.rng.shuffle"`},
		{"corrupt epoch", func() string {
			return edited(func(f *fileEdit) { f.Metadata["nabla.epoch"] = "-1" })
		}, nil, `"nabla.epoch" is "-1"`},
		{"no step", func() string {
			return edited(func(f *fileEdit) { delete(f.Metadata, "nabla.step") })
		}, nil, `"nabla.step" is missing`},
		{"optimizer state of the wrong shape", func() string {
			return edited(func(f *fileEdit) {
				f.Tensors["optimizer.0.exp_avg"] = f.Tensors["optimizer.1.exp_avg"]
			})
		}, nil, `optimizer state under "optimizer.": optim: state does not fit the optimizer: Adam.LoadState: entry "0.exp_avg" has shape [32] but parameter 0 has shape [32 2]`},
		{"model entry missing", func() string {
			return edited(func(f *fileEdit) { delete(f.Tensors, "3.bias") })
		}, nil, "missing from the file: 3.bias"},
		{"a model file", func() string {
			p := filepath.Join(dir, "model.safetensors")
			require.NoError(t, checkpoint.SaveModel(p, src.model))
			return p
		}, nil, "not a training checkpoint"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newSpiralRun("adam", 5)
			r.train(data, 1) // some optimizer state, scheduler epoch, RNG draws
			if tc.setup != nil {
				tc.setup(r)
			}
			p := tc.path()
			model, opt := snapshot[float32](r.model), stateOf(r.opt)
			rngs := map[string][]byte{}
			for name, s := range r.state.RNGs {
				b, err := s.MarshalBinary()
				require.NoError(t, err)
				rngs[name] = b
			}
			lr, fields := r.opt.LR(), r.state

			err := checkpoint.Load(p, &r.state)
			require.Error(t, err)
			t.Log(err)
			require.ErrorContains(t, err, p)
			require.ErrorContains(t, err, tc.want)

			requireSameBits(t, model, snapshot[float32](r.model), "model")
			requireSameBits(t, opt, stateOf(r.opt), "optimizer")
			require.Equal(t, lr, r.opt.LR())
			for name, s := range r.state.RNGs {
				b, err := s.MarshalBinary()
				require.NoError(t, err)
				require.Equal(t, rngs[name], b, "RNG %s", name)
			}
			require.Equal(t, fields.Epoch, r.state.Epoch)
			require.Equal(t, fields.Step, r.state.Step)
			require.Equal(t, fields.Metadata, r.state.Metadata)
		})
	}
}

// TestLoadTrainingUndoesRNGs: when a later RNG or the optimizer refuses its
// state, the RNGs already restored go back to where they were.
func TestLoadTrainingUndoesRNGs(t *testing.T) {
	data := datasets.Spiral(20, 3, 0.2, rand.New(rand.NewPCG(9, 9)))
	src := newSpiralRun("sgd", 1)
	src.state.RNGs["a"] = rand.NewPCG(1, 1)
	src.state.RNGs["b"] = rand.NewPCG(2, 2)
	src.train(data, 1)
	path := filepath.Join(t.TempDir(), "run.safetensors")
	require.NoError(t, checkpoint.Save(path, src.state))

	for _, tc := range []struct {
		name  string
		setup func(r *spiralRun)
		want  string
	}{
		// "a" and "shuffle" sort around "b", which cannot take a PCG state.
		{"RNG", func(r *spiralRun) { r.state.RNGs["b"] = rand.NewChaCha8([32]byte{}) }, `RNG "b"`},
		// Every RNG is restored before the optimizer refuses its state:
		// an SGD without momentum keeps none.
		{"optimizer", func(r *spiralRun) {
			r.state.Optimizer = optim.NewSGD(r.model.Parameters(), optim.SGDConfig{LR: 0.1})
		}, "momentum_buffer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newSpiralRun("sgd", 3)
			r.state.RNGs["a"] = rand.NewPCG(5, 5)
			r.state.RNGs["b"] = rand.NewPCG(6, 6)
			tc.setup(r)
			before := map[string][]byte{}
			for name, s := range r.state.RNGs {
				before[name], _ = s.MarshalBinary()
			}
			err := checkpoint.Load(path, &r.state)
			require.ErrorContains(t, err, tc.want)
			for name, s := range r.state.RNGs {
				b, _ := s.MarshalBinary()
				require.Equal(t, before[name], b, "RNG %s", name)
			}
		})
	}
}

// TestSaveTrainingRejects refuses reserved metadata keys and a model entry
// under the optimizer's prefix, naming the file.
func TestSaveTrainingRejects(t *testing.T) {
	r := newSpiralRun("sgd", 1)
	path := filepath.Join(t.TempDir(), "run.safetensors")
	for _, key := range []string{"format", "nabla.epoch", "nabla.anything"} {
		r.state.Metadata = map[string]string{key: "x"}
		err := checkpoint.Save(path, r.state)
		require.ErrorContains(t, err, path)
		require.ErrorContains(t, err, "reserved")
	}
	r.state.Metadata = nil
	err := checkpoint.Save(path, checkpoint.Training[float32]{Model: named{"optimizer.w"}})
	require.ErrorContains(t, err, `"optimizer.w"`)
	err = checkpoint.Save(path, checkpoint.Training[float32]{})
	require.ErrorContains(t, err, "Model is nil")
	err = checkpoint.Save(path, checkpoint.Training[float32]{Model: r.model, Epoch: -1})
	require.ErrorContains(t, err, "negative")
	err = checkpoint.Save(path, checkpoint.Training[float32]{Model: r.model, RNGs: map[string]checkpoint.Source{"x": nil}})
	require.ErrorContains(t, err, `RNG "x" is nil`)
}

// fileEdit is a checkpoint's content, to be changed and saved again.
type fileEdit struct{ *safetensors.File }

func loadEdit(t testing.TB, path string) *fileEdit {
	t.Helper()
	f, err := safetensors.Load(path)
	require.NoError(t, err)
	return &fileEdit{f}
}

func (f *fileEdit) save(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "edited.safetensors")
	require.NoError(t, safetensors.Save(path, f.File))
	return path
}
