package tensor

import (
	"errors"
	"fmt"
)

// ErrShape is carried by every panic caused by tensors whose shapes do not fit
// an operation. Recover the panic value, which is an error, and test it with
// errors.Is(err, tensor.ErrShape).
var ErrShape = errors.New("tensor: shape mismatch")

// ShapeError names the operation and the shapes involved in a mismatch.
type ShapeError struct {
	Op  string
	Msg string
}

// Error says what went wrong and where.
func (e *ShapeError) Error() string { return fmt.Sprintf("tensor.%s: %s", e.Op, e.Msg) }

// Unwrap makes errors.Is(err, ErrShape) hold.
func (e *ShapeError) Unwrap() error { return ErrShape }

func shapeErrorf(op, format string, args ...any) *ShapeError {
	return &ShapeError{Op: op, Msg: fmt.Sprintf(format, args...)}
}

// ShapeErrorf returns a ShapeError for op; other packages use it so that their
// shape panics carry ErrShape too.
func ShapeErrorf(op, format string, args ...any) error { return shapeErrorf(op, format, args...) }
