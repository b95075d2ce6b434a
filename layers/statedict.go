package layers

import (
	"fmt"
	"slices"
	"strings"

	"github.com/nabla-go/nabla/tensor"
)

// NamedTensor is one entry of a state dict: a tensor under its PyTorch name.
type NamedTensor[T tensor.Float] struct {
	Name   string
	Tensor *tensor.Dense[T]
}

// StateDict returns m's state, what a checkpoint saves: its parameters in
// NamedParameters order, then its buffers in NamedBuffers order, each under
// the name PyTorch gives it ("0.weight", "1.running_mean"). The tensors are
// m's own, not copies, so they change as m trains; Clone them to keep a
// snapshot.
func StateDict[T tensor.Float](m Module[T]) []NamedTensor[T] {
	var sd []NamedTensor[T]
	for _, p := range m.NamedParameters() {
		sd = append(sd, NamedTensor[T]{Name: p.Name, Tensor: p.Var.Value()})
	}
	for _, b := range Buffers(m) {
		sd = append(sd, NamedTensor[T]{Name: b.Name, Tensor: b.Tensor})
	}
	return sd
}

// StateDictError reports why a state dict does not fit a model. Each list
// holds names in the order met.
type StateDictError struct {
	// Missing lists the model's entries that the state dict lacks.
	Missing []string
	// Unexpected lists the state dict's entries that the model lacks.
	Unexpected []string
	// Mismatched describes the entries whose shapes differ, as
	// "name: state dict [a b], model [c d]".
	Mismatched []string
	// Duplicate lists names that the state dict holds more than once.
	Duplicate []string
}

// Error lists the problems, one kind after another.
func (e *StateDictError) Error() string {
	var parts []string
	list := func(what string, names []string) {
		if len(names) > 0 {
			parts = append(parts, fmt.Sprintf("%s: %s", what, strings.Join(names, ", ")))
		}
	}
	list("missing", e.Missing)
	list("unexpected", e.Unexpected)
	list("shape mismatch", e.Mismatched)
	list("duplicate", e.Duplicate)
	return "layers: state dict does not fit the model: " + strings.Join(parts, "; ")
}

// LoadStateDict copies the values of sd into m's parameters and buffers,
// matching entries by name; the Vars themselves stay the same, so an
// optimizer built over m's parameters keeps working. A shape mismatch or a
// name given twice is always an error; with strict, so is an entry of m
// that sd lacks or an entry of sd that m lacks (without strict those are
// skipped). On error it returns a *StateDictError naming every problem and
// copies nothing.
func LoadStateDict[T tensor.Float](m Module[T], sd []NamedTensor[T], strict bool) error {
	given := make(map[string]*tensor.Dense[T], len(sd))
	var e StateDictError
	for _, nt := range sd {
		if _, dup := given[nt.Name]; dup && !slices.Contains(e.Duplicate, nt.Name) {
			e.Duplicate = append(e.Duplicate, nt.Name)
		}
		given[nt.Name] = nt.Tensor
	}
	type copyPair struct{ dst, src *tensor.Dense[T] }
	var copies []copyPair
	known := make(map[string]bool)
	for _, own := range StateDict(m) {
		known[own.Name] = true
		src, ok := given[own.Name]
		switch {
		case !ok:
			e.Missing = append(e.Missing, own.Name)
		case !tensor.SameShape(src.Shape(), own.Tensor.Shape()):
			e.Mismatched = append(e.Mismatched, fmt.Sprintf("%s: state dict %v, model %v", own.Name, src.Shape(), own.Tensor.Shape()))
		default:
			copies = append(copies, copyPair{own.Tensor, src})
		}
	}
	for _, nt := range sd {
		if !known[nt.Name] {
			e.Unexpected = append(e.Unexpected, nt.Name)
		}
	}
	if len(e.Mismatched) > 0 || len(e.Duplicate) > 0 || (strict && (len(e.Missing) > 0 || len(e.Unexpected) > 0)) {
		return &e
	}
	for _, c := range copies {
		c.dst.CopyFrom(c.src)
	}
	return nil
}
