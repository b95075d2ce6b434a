package checkpoint

import (
	"encoding"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/nabla-go/nabla/layers"
	"github.com/nabla-go/nabla/optim"
	"github.com/nabla-go/nabla/safetensors"
	"github.com/nabla-go/nabla/tensor"
)

// OptimizerPrefix starts the names of the optimizer's tensors in a training
// checkpoint: the optimizer's state entry "0.exp_avg" is stored as
// "optimizer.0.exp_avg".
const OptimizerPrefix = "optimizer."

// The metadata keys of a training checkpoint. Every key that starts with
// "nabla." is the package's; Training.Metadata may use any other key but
// "format".
const (
	keyKind      = "nabla.checkpoint" // trainingKind
	keyEpoch     = "nabla.epoch"
	keyStep      = "nabla.step"
	keyOptimizer = "nabla.optimizer"       // the optimizer's type, as "optim.Adam"
	keyScheduler = "nabla.scheduler_epoch" // Scheduler.Epoch()
	keyRNG       = "nabla.rng."            // + name: hex of MarshalBinary
	reserved     = "nabla."
	trainingKind = "training/1"
)

// Source is a random source whose state a checkpoint can keep:
// math/rand/v2's *rand.PCG and *rand.ChaCha8 are Sources. Keep the source
// that a *rand.Rand draws from, for the *rand.Rand does not expose it:
//
//	pcg := rand.NewPCG(1, 2)
//	rng := rand.New(pcg) // shuffles the batches; save pcg
type Source interface {
	encoding.BinaryMarshaler
	encoding.BinaryUnmarshaler
}

// Training is the state of a training run that Save writes and Load
// restores, so that a run stopped after some epochs and resumed from its
// checkpoint continues exactly, to the bit, as the run that never stopped.
//
// Model is required; every other part is optional, but Load requires the
// file and the Training to hold the same parts (a resume that silently left
// the optimizer's moments or the shuffling rng behind would not be exact).
type Training[T tensor.Float] struct {
	// Model is the model whose parameters and buffers are saved, under
	// their own names, as SaveModel saves them.
	Model layers.Module[T]
	// Optimizer's state (optim's State and LoadState) is saved under
	// OptimizerPrefix. Its hyperparameters, the learning rate included,
	// are not: they come from its configuration, and Scheduler restores a
	// scheduled rate.
	Optimizer optim.Optimizer[T]
	// Scheduler's epoch is saved, and restored with SetEpoch, which sets the
	// optimizer's learning rate for it.
	Scheduler *optim.Scheduler
	// Epoch and Step count the epochs and the optimizer steps done. Load
	// sets them; the caller's loop resumes from them.
	Epoch, Step int
	// RNGs are the random sources, by name, whose state is saved: the one
	// that shuffles the batches, the one of dropout masks. Load restores
	// each in place.
	RNGs map[string]Source
	// Metadata holds any other strings to keep (the command line, the data
	// set); keys must not be "format" or start with "nabla.". Load sets it
	// to the file's.
	Metadata map[string]string
}

// Save writes the training state t to a safetensors file at path,
// atomically: a failed save leaves any earlier file at path as it was. The
// file holds the model's state dict under PyTorch's names (so that
// PyTorch's load_state_dict with strict=False, or LoadModel, reads the model
// from it), the optimizer's state under OptimizerPrefix, and the rest as
// "nabla." metadata: epoch, step, the optimizer's type, the scheduler's epoch
// and each RNG's state in hex.
//
// Save a checkpoint between epochs: the batches of an epoch are shuffled when
// it starts, so the shuffling rng's state at the end of an epoch is the one
// the next epoch starts from.
func Save[T tensor.Float](path string, t Training[T]) error {
	fail := func(err error) error { return &Error{Op: "save", Path: path, Err: err} }
	if t.Model == nil {
		return fail(errors.New("Training.Model is nil"))
	}
	if t.Epoch < 0 || t.Step < 0 {
		return fail(fmt.Errorf("negative epoch %d or step %d", t.Epoch, t.Step))
	}
	md := map[string]string{
		"format": modelFormat,
		keyKind:  trainingKind,
		keyEpoch: strconv.Itoa(t.Epoch),
		keyStep:  strconv.Itoa(t.Step),
	}
	for k, v := range t.Metadata {
		if k == "format" || strings.HasPrefix(k, reserved) {
			return fail(fmt.Errorf("metadata key %q is reserved", k))
		}
		md[k] = v
	}
	f := &safetensors.File{Tensors: map[string]safetensors.Tensor{}, Metadata: md}
	if err := addModel(f, t.Model); err != nil {
		return fail(err)
	}
	for name := range f.Tensors {
		if strings.HasPrefix(name, OptimizerPrefix) {
			return fail(fmt.Errorf("model entry %q starts with the optimizer's prefix %q", name, OptimizerPrefix))
		}
	}
	if t.Optimizer != nil {
		md[keyOptimizer] = optimizerKind(t.Optimizer)
		for k, v := range t.Optimizer.State() {
			f.Tensors[OptimizerPrefix+k] = safetensors.FromDense(v)
		}
	}
	if t.Scheduler != nil {
		md[keyScheduler] = strconv.Itoa(t.Scheduler.Epoch())
	}
	for name, src := range t.RNGs {
		if src == nil {
			return fail(fmt.Errorf("RNG %q is nil", name))
		}
		b, err := src.MarshalBinary()
		if err != nil {
			return fail(fmt.Errorf("RNG %q: %w", name, err))
		}
		md[keyRNG+name] = hex.EncodeToString(b)
	}
	if err := safetensors.Save(path, f); err != nil {
		return fail(err)
	}
	return nil
}

// Load restores the training state that Save wrote to path into t, whose
// Model, Optimizer, Scheduler and RNGs are the fresh objects of the resumed
// run, made as the original run made them (same layers, same optimizer
// configuration over Model's parameters). It loads the model strictly, as
// LoadModel does, the optimizer's state with LoadState, the scheduler's epoch
// with SetEpoch, and each RNG's state with UnmarshalBinary, and sets t.Epoch,
// t.Step and t.Metadata.
//
// Everything is checked before anything changes: on error, which names the
// file, the model, the optimizer, the scheduler, the RNGs and t are as they
// were. It is an error for the file and t not to hold the same parts: an
// optimizer, a scheduler or an RNG name on one side only.
func Load[T tensor.Float](path string, t *Training[T]) error {
	fail := func(err error) error { return &Error{Op: "load", Path: path, Err: err} }
	if t == nil || t.Model == nil {
		return fail(errors.New("Training or its Model is nil"))
	}
	f, err := safetensors.Load(path)
	if err != nil {
		return fail(err)
	}
	md := f.Metadata
	if md[keyKind] != trainingKind {
		if kind, ok := md[keyKind]; ok {
			return fail(fmt.Errorf("%s is %q, want %q", keyKind, kind, trainingKind))
		}
		return fail(errors.New("not a training checkpoint (no nabla.checkpoint metadata); a model file loads with LoadModel"))
	}
	epoch, err := count(md, keyEpoch)
	if err != nil {
		return fail(err)
	}
	step, err := count(md, keyStep)
	if err != nil {
		return fail(err)
	}

	// The scheduler.
	schedEpoch := -1
	if _, ok := md[keyScheduler]; ok != (t.Scheduler != nil) {
		return fail(presence("Scheduler", "a scheduler's epoch", ok))
	} else if ok {
		if schedEpoch, err = count(md, keyScheduler); err != nil {
			return fail(err)
		}
	}

	// The RNGs' states.
	states := make(map[string][]byte)
	for k, v := range md {
		name, ok := strings.CutPrefix(k, keyRNG)
		if !ok {
			continue
		}
		if _, given := t.RNGs[name]; !given {
			return fail(fmt.Errorf("the file holds the state of RNG %q, which Training.RNGs lacks", name))
		}
		b, err := hex.DecodeString(v)
		if err != nil {
			return fail(fmt.Errorf("metadata %q: %w", k, err))
		}
		states[name] = b
	}
	for name, src := range t.RNGs {
		if _, ok := states[name]; !ok {
			return fail(fmt.Errorf("Training.RNGs has %q, whose state the file lacks", name))
		}
		if src == nil {
			return fail(fmt.Errorf("RNG %q is nil", name))
		}
	}

	// The optimizer's state.
	optState := make(map[string]*tensor.Dense[T])
	for _, name := range f.Names() {
		key, ok := strings.CutPrefix(name, OptimizerPrefix)
		if !ok {
			continue
		}
		d, err := safetensors.ToDense[T](f.Tensors[name])
		if err != nil {
			return fail(fmt.Errorf("tensor %q: %w", name, err))
		}
		optState[key] = d
	}
	kind, hasOpt := md[keyOptimizer]
	if hasOpt != (t.Optimizer != nil) {
		return fail(presence("Optimizer", "optimizer state", hasOpt))
	}
	if !hasOpt && len(optState) > 0 {
		return fail(fmt.Errorf("the file holds %d optimizer entries but no %s metadata", len(optState), keyOptimizer))
	}
	if hasOpt {
		if want := optimizerKind(t.Optimizer); kind != want {
			return fail(fmt.Errorf("the file holds the state of %s, Training.Optimizer is %s", kind, want))
		}
	}

	// The model.
	plan, perr := planModel(f, t.Model, true, true)
	if perr != nil {
		perr.Path = path
		return perr
	}

	// Everything is checked but the RNG states and the optimizer state,
	// which only their owners can check: restore those first, undoing the
	// RNGs if anything fails.
	names := make([]string, 0, len(states))
	for name := range states {
		names = append(names, name)
	}
	slices.Sort(names)
	var done []string
	saved := make(map[string][]byte)
	undo := func() {
		for _, name := range done {
			_ = t.RNGs[name].UnmarshalBinary(saved[name])
		}
	}
	for _, name := range names {
		src := t.RNGs[name]
		old, err := src.MarshalBinary()
		if err != nil {
			undo()
			return fail(fmt.Errorf("RNG %q: %w", name, err))
		}
		saved[name] = old
		done = append(done, name)
		if err := src.UnmarshalBinary(states[name]); err != nil {
			undo()
			return fail(fmt.Errorf("RNG %q: %w", name, err))
		}
	}
	if t.Optimizer != nil {
		if err := t.Optimizer.LoadState(optState); err != nil {
			undo()
			return fail(fmt.Errorf("optimizer state under %q: %w", OptimizerPrefix, err))
		}
	}
	plan.apply()
	if t.Scheduler != nil {
		t.Scheduler.SetEpoch(schedEpoch)
	}
	t.Epoch, t.Step = epoch, step
	t.Metadata = nil
	for k, v := range md {
		if k != "format" && !strings.HasPrefix(k, reserved) {
			if t.Metadata == nil {
				t.Metadata = make(map[string]string)
			}
			t.Metadata[k] = v
		}
	}
	return nil
}

// isTraining reports whether f is a training checkpoint written by Save.
func isTraining(f *safetensors.File) bool { return f.Metadata[keyKind] == trainingKind }

// count parses the non-negative integer of metadata key k.
func count(md map[string]string, k string) (int, error) {
	v, ok := md[k]
	if !ok {
		return 0, fmt.Errorf("metadata %q is missing", k)
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("metadata %q is %q, want a count", k, v)
	}
	return n, nil
}

// presence says which side lacks a part of the training state: the Training
// field, or the file's content.
func presence(field, content string, inFile bool) error {
	if inFile {
		return fmt.Errorf("the file holds %s but Training.%s is nil", content, field)
	}
	return fmt.Errorf("Training.%s is set but the file holds no %s", field, strings.TrimPrefix(content, "a "))
}

// optimizerKind names an optimizer's type without its element type, as
// "optim.Adam", so that a float32 run's state can resume in float64.
func optimizerKind(o any) string {
	s := strings.TrimPrefix(fmt.Sprintf("%T", o), "*")
	if i := strings.IndexByte(s, '['); i >= 0 {
		s = s[:i]
	}
	return s
}
