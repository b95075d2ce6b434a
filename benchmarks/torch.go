package benchmarks

import (
	"bufio"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
)

// TorchScript is benchmarks/torch_bench.py, the project's PyTorch side of
// the comparison, embedded so that the compare command finds it wherever it
// runs.
//
//go:embed torch_bench.py
var TorchScript []byte

// Torch runs the workloads in PyTorch: a python process running
// torch_bench.py in its "serve" mode, which answers one JSON command per
// line. It imports torch and loads the data set once, and sits idle while
// nabla runs.
type Torch struct {
	mu      sync.Mutex
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	stdout  *bufio.Reader
	tmpDir  string
	version string
	done    chan struct{}
	waitErr error
}

// StartTorch starts python (Debian's /usr/bin/python3 with python3-torch)
// on script, or on the embedded TorchScript when script is "". The
// process's stderr (progress and tracebacks) goes to log. Cancelling ctx
// kills the process.
func StartTorch(ctx context.Context, python, script string, log io.Writer) (*Torch, error) {
	t := &Torch{done: make(chan struct{})}
	if script == "" {
		dir, err := os.MkdirTemp("", "nabla-torch-bench-")
		if err != nil {
			return nil, fmt.Errorf("pytorch: %w", err)
		}
		t.tmpDir = dir
		script = filepath.Join(dir, "torch_bench.py")
		if err := os.WriteFile(script, TorchScript, 0o644); err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("pytorch: %w", err)
		}
	}
	t.cmd = exec.CommandContext(ctx, python, script, "serve")
	if log == nil {
		log = io.Discard
	}
	t.cmd.Stderr = log
	stdin, err := t.cmd.StdinPipe()
	if err != nil {
		t.cleanup()
		return nil, fmt.Errorf("pytorch: %w", err)
	}
	// Through an io.Pipe rather than StdoutPipe, so that every answer is
	// read before the reader sees how the process ended.
	pr, pw := io.Pipe()
	t.cmd.Stdout = pw
	t.stdin, t.stdout = stdin, bufio.NewReader(pr)
	if err := t.cmd.Start(); err != nil {
		t.cleanup()
		return nil, fmt.Errorf("pytorch: starting %s: %w", python, err)
	}
	go func() {
		t.waitErr = t.cmd.Wait()
		close(t.done)
		pw.CloseWithError(t.exitError())
	}()
	var info struct {
		Torch   string `json:"torch"`
		Threads int    `json:"threads"`
		Python  string `json:"python"`
		BLAS    string `json:"blas"`
		Error   string `json:"error"`
	}
	if err := t.call(map[string]any{"cmd": "info"}, &info); err != nil {
		t.Close()
		return nil, fmt.Errorf("pytorch: %s %s does not answer (is python3-torch installed for this python?): %w", python, script, err)
	}
	t.version = fmt.Sprintf("torch %s (%d threads, BLAS %s, python %s)", info.Torch, info.Threads, info.BLAS, info.Python)
	return t, nil
}

// Name returns "pytorch".
func (t *Torch) Name() string { return "pytorch" }

// Version reports the torch version, its intra-op threads, the BLAS library
// it loaded (which decides its matmul speed) and python's version.
func (t *Torch) Version() string { return t.version }

// MatMul runs the reference's a @ b timing for one dtype and size.
func (t *Torch) MatMul(ctx context.Context, job MatMulJob) (Record, error) {
	var rec Record
	err := t.call(map[string]any{"cmd": "matmul", "dtype": job.DType, "n": job.N, "flop": job.FLOP}, &rec)
	return rec, err
}

// Train runs the reference's train() for one model.
func (t *Torch) Train(ctx context.Context, job TrainJob) (Record, error) {
	var rec Record
	err := t.call(map[string]any{
		"cmd": "train", "model": job.Model, "epochs": job.Epochs, "limit": job.Limit,
		"test_limit": job.TestLimit, "data": job.DataDir, "synthetic": job.Synthetic, "seed": job.Seed, "progress": true,
	}, &rec)
	return rec, err
}

// call sends one command and decodes its one-line answer into out.
func (t *Torch) call(req any, out any) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	b, err := json.Marshal(req)
	if err != nil {
		return err
	}
	if _, err := t.stdin.Write(append(b, '\n')); err != nil {
		select {
		case <-t.done:
			return t.exitError()
		default:
			return fmt.Errorf("pytorch: %w", err)
		}
	}
	line, err := t.stdout.ReadBytes('\n')
	if err != nil {
		return err // says how the process ended
	}
	var e struct {
		Error string `json:"error"`
	}
	if err := json.Unmarshal(line, &e); err != nil {
		return fmt.Errorf("pytorch: bad answer %q: %w", line, err)
	}
	if e.Error != "" {
		return errors.New("pytorch: " + e.Error)
	}
	return json.Unmarshal(line, out)
}

// exitError says how the process ended; call it after done is closed.
func (t *Torch) exitError() error {
	if t.waitErr != nil {
		return fmt.Errorf("pytorch process ended: %w", t.waitErr)
	}
	return errors.New("pytorch process ended")
}

// Close ends the python process and removes the temporary script.
func (t *Torch) Close() error {
	t.stdin.Close()
	<-t.done
	t.cleanup()
	return nil
}

func (t *Torch) cleanup() {
	if t.tmpDir != "" {
		os.RemoveAll(t.tmpDir)
	}
}
