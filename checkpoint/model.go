package checkpoint

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/nabla-go/nabla/layers"
	"github.com/nabla-go/nabla/safetensors"
	"github.com/nabla-go/nabla/tensor"
)

// Error reports a checkpoint that could not be saved or loaded. It names the
// file, and either lists how the file and the model disagree (Missing,
// Unexpected, Mismatched) or wraps the cause (Err): a *safetensors.FormatError
// for a malformed file, an *fs.PathError for a file that cannot be opened,
// an error wrapping optim.ErrState for optimizer state that does not fit.
type Error struct {
	// Op is "save" or "load".
	Op string
	// Path is the checkpoint file.
	Path string
	// Missing lists the model's entries that the file lacks, in the model's
	// order.
	Missing []string
	// Unexpected lists the file's entries that the model lacks, sorted.
	Unexpected []string
	// Mismatched describes the entries whose shapes differ, as
	// "0.weight: file F32 [3 4], model [4 3]".
	Mismatched []string
	// Err is the underlying cause, or nil when the lists say it all.
	Err error
}

// Error says what was done to which file and what went wrong: the lists of
// disagreeing entries, then the cause.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("checkpoint: ")
	b.WriteString(e.Op)
	if e.Err != nil && e.Path != "" && strings.Contains(e.Err.Error(), e.Path) {
		// The cause names the file already (os and safetensors errors do).
		b.WriteString(": ")
	} else {
		fmt.Fprintf(&b, " %s: ", e.Path)
	}
	var parts []string
	list := func(what string, names []string) {
		if len(names) > 0 {
			parts = append(parts, what+": "+strings.Join(names, ", "))
		}
	}
	list("missing from the file", e.Missing)
	list("not in the model", e.Unexpected)
	list("shape mismatch", e.Mismatched)
	if len(parts) > 0 {
		b.WriteString("the file does not fit the model: ")
		b.WriteString(strings.Join(parts, "; "))
		if e.Err != nil {
			b.WriteString("; ")
		}
	}
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying cause, for errors.Is and errors.As.
func (e *Error) Unwrap() error { return e.Err }

// LoadOptions configures LoadModel. The zero value is strict, PyTorch's
// default.
type LoadOptions struct {
	// NonStrict, PyTorch's strict=False, loads the entries that the file
	// and the model share and skips the rest: the model's entries that the
	// file lacks keep their values, and the file's entries that the model
	// lacks are ignored. LoadModel's Result lists both. A shape mismatch is
	// an error all the same.
	NonStrict bool
}

// Result lists the names that a non-strict LoadModel skipped, as PyTorch's
// load_state_dict returns them (after a strict load both are empty), and the
// file's metadata.
type Result struct {
	// Missing lists the model's entries that the file lacks, in the model's
	// order; they kept their values.
	Missing []string
	// Unexpected lists the file's entries that the model lacks, sorted.
	Unexpected []string
	// Metadata is the file's "__metadata__", nil when it has none.
	Metadata map[string]string
}

// modelFormat is the "format" metadata of every file this package writes:
// the tensors are PyTorch's, under PyTorch's names and layouts (Hugging Face
// loaders check it).
const modelFormat = "pt"

// SaveModel writes m's state dict (layers.StateDict: its parameters and
// buffers under PyTorch's names, in PyTorch's layouts) to a safetensors file
// at path, as F32 tensors when T is float32 and F64 when it is float64, with
// the metadata {"format": "pt"}. The file loads into the equivalent PyTorch
// model with load_state_dict. The save is atomic: a failed save leaves any
// earlier file at path as it was.
//
// Batch norm's num_batches_tracked is saved as a float like every other entry;
// PyTorch keeps it as int64, and its load_state_dict casts on copy, as
// LoadModel does.
func SaveModel[T tensor.Float](path string, m layers.Module[T]) error {
	return SaveModelWith(path, m, SaveOptions{})
}

// SaveOptions configures SaveModelWith.
type SaveOptions struct {
	// Metadata is stored in the file's "__metadata__" (strings only: the
	// data set, the architecture, a score). "format" is "pt" unless
	// Metadata sets it. LoadModel returns it in its Result.
	Metadata map[string]string
}

// SaveModelWith is SaveModel with options.
func SaveModelWith[T tensor.Float](path string, m layers.Module[T], opts SaveOptions) error {
	md := map[string]string{"format": modelFormat}
	maps.Copy(md, opts.Metadata)
	f := &safetensors.File{Tensors: map[string]safetensors.Tensor{}, Metadata: md}
	if err := addModel(f, m); err != nil {
		return &Error{Op: "save", Path: path, Err: err}
	}
	if err := safetensors.Save(path, f); err != nil {
		return &Error{Op: "save", Path: path, Err: err}
	}
	return nil
}

// addModel puts m's state dict into f.
func addModel[T tensor.Float](f *safetensors.File, m layers.Module[T]) error {
	for _, nt := range layers.StateDict(m) {
		if _, dup := f.Tensors[nt.Name]; dup {
			return fmt.Errorf("the model has two entries named %q", nt.Name)
		}
		f.Tensors[nt.Name] = safetensors.FromDense(nt.Tensor)
	}
	return nil
}

// LoadModel reads a safetensors file written by SaveModel, by PyTorch or by
// any other writer of state dicts, and copies its tensors into m's
// parameters and buffers by name. The Vars stay the same, so an optimizer made
// over m's parameters keeps working.
//
// Every entry is checked against the model before anything is copied:
// by default (strict) the file and the model must hold the same names, and
// every shape must match; a failure returns an *Error that names the file and
// lists every missing, unexpected and mismatched entry, and leaves m
// untouched. With opts.NonStrict, entries of one side only are skipped and
// listed in the Result.
//
// Element types convert as PyTorch's load_state_dict converts them, by a
// casting copy: F32, F64, F16 and BF16 tensors load into a model of either
// element type, F64 values rounding to the nearest float32 in a float32 model
// (overflowing to ±Inf, as in PyTorch); F16 and BF16 values are exact in
// either. Integer tensors (I64, which is how PyTorch stores
// num_batches_tracked, I32 and U8) load as their float value.
//
// A training checkpoint written by Save loads too: its optimizer state is
// not part of the model and is skipped.
func LoadModel[T tensor.Float](path string, m layers.Module[T], opts LoadOptions) (Result, error) {
	f, err := safetensors.Load(path)
	if err != nil {
		return Result{}, &Error{Op: "load", Path: path, Err: err}
	}
	plan, perr := planModel(f, m, !opts.NonStrict, isTraining(f))
	if perr != nil {
		perr.Path = path
		return Result{}, perr
	}
	plan.apply()
	return Result{Missing: plan.missing, Unexpected: plan.unexpected, Metadata: f.Metadata}, nil
}

// modelPlan holds the copies that load a model, checked and converted,
// ready to apply.
type modelPlan[T tensor.Float] struct {
	copies              []copyPair[T]
	missing, unexpected []string
}

type copyPair[T tensor.Float] struct{ dst, src *tensor.Dense[T] }

// apply copies every entry into the model. It cannot fail.
func (p *modelPlan[T]) apply() {
	for _, c := range p.copies {
		c.dst.CopyFrom(c.src)
	}
}

// planModel checks f's tensors against m's state dict and converts the ones
// that load. With skipOptimizer, names under the optimizer prefix are not
// the model's and are left out. The returned *Error has no Path yet.
func planModel[T tensor.Float](f *safetensors.File, m layers.Module[T], strict, skipOptimizer bool) (*modelPlan[T], *Error) {
	e := &Error{Op: "load"}
	plan := &modelPlan[T]{}
	own := layers.StateDict(m)
	known := make(map[string]bool, len(own))
	type match struct {
		dst *tensor.Dense[T]
		src safetensors.Tensor
	}
	var matches []match
	for _, nt := range own {
		if known[nt.Name] {
			e.Err = fmt.Errorf("the model has two entries named %q", nt.Name)
			return nil, e
		}
		known[nt.Name] = true
		st, ok := f.Tensors[nt.Name]
		switch {
		case !ok:
			e.Missing = append(e.Missing, nt.Name)
		case !tensor.SameShape(st.Shape, nt.Tensor.Shape()):
			e.Mismatched = append(e.Mismatched, fmt.Sprintf("%s: file %s %v, model %v", nt.Name, st.DType, st.Shape, nt.Tensor.Shape()))
		default:
			matches = append(matches, match{nt.Tensor, st})
		}
	}
	for _, name := range f.Names() {
		if !known[name] && !(skipOptimizer && strings.HasPrefix(name, OptimizerPrefix)) {
			e.Unexpected = append(e.Unexpected, name)
		}
	}
	if len(e.Mismatched) > 0 || (strict && (len(e.Missing) > 0 || len(e.Unexpected) > 0)) {
		return nil, e
	}
	for _, mt := range matches {
		src, err := safetensors.ToDense[T](mt.src)
		if err != nil { // safetensors.Load checked the tensor: not expected
			e.Err = err
			return nil, e
		}
		plan.copies = append(plan.copies, copyPair[T]{mt.dst, src})
	}
	plan.missing, plan.unexpected = slices.Clip(e.Missing), slices.Clip(e.Unexpected)
	return plan, nil
}
