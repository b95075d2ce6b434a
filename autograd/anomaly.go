package autograd

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"strings"
	"sync/atomic"

	"github.com/nabla-go/nabla/tensor"
)

// ErrAnomaly is carried by the error that anomaly detection raises.
var ErrAnomaly = errors.New("autograd: non-finite value")

// AnomalyError reports the first op whose forward value or backward gradient
// held NaN or Inf, and where in the program the op was called.
type AnomalyError struct {
	Op    string // the op's name, such as "Log"
	Pass  string // "forward" or "backward"
	Site  string // file:line of the call that recorded the op
	Value string // what was found: "NaN" or "Inf"
}

// Error says what went wrong and where.
func (e *AnomalyError) Error() string {
	return fmt.Sprintf("autograd: %s of %s produced %s (op recorded at %s)", e.Pass, e.Op, e.Value, e.Site)
}

// Unwrap makes errors.Is(err, ErrAnomaly) hold.
func (e *AnomalyError) Unwrap() error { return ErrAnomaly }

var anomalyDepth atomic.Int32

func anomalyOn() bool { return anomalyDepth.Load() > 0 }

// DetectAnomaly runs f with anomaly detection on, as PyTorch's
// detect_anomaly: every recorded op's value and every gradient is checked,
// and the first NaN or Inf stops f and comes back as an *AnomalyError naming
// the op and the line that recorded it. It costs a pass over every tensor, so
// it is for debugging. Other panics pass through.
func DetectAnomaly(f func()) (err error) {
	anomalyDepth.Add(1)
	defer anomalyDepth.Add(-1)
	defer func() {
		if r := recover(); r != nil {
			if a, ok := r.(*AnomalyError); ok {
				err = a
				return
			}
			panic(r)
		}
	}()
	f()
	return nil
}

func checkFinite[T tensor.Float](op, pass, site string, t *tensor.Dense[T]) {
	for _, x := range t.Data() {
		f := float64(x)
		if math.IsNaN(f) {
			panic(&AnomalyError{Op: op, Pass: pass, Site: site, Value: "NaN"})
		}
		if math.IsInf(f, 0) {
			panic(&AnomalyError{Op: op, Pass: pass, Site: site, Value: "Inf"})
		}
	}
}

// callSite finds the first caller outside this package: the user's line that
// made the op.
func callSite() string {
	pcs := make([]uintptr, 32)
	n := runtime.Callers(3, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	for {
		fr, more := frames.Next()
		if !strings.Contains(fr.Function, "nabla/autograd.") || strings.HasSuffix(fr.File, "_test.go") {
			return fmt.Sprintf("%s:%d", fr.File, fr.Line)
		}
		if !more {
			return "unknown"
		}
	}
}
