package benchmarks

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"time"

	"github.com/nabla-go/nabla/datasets"
	"github.com/nabla-go/nabla/metrics"
	"github.com/nabla-go/nabla/tensor"
)

// Record is one measurement, in the JSON-lines format of the reference
// script: "bench" is "matmul" (with dtype, n and gflops) or "train" (with
// model, epochs, batch, steps, seconds, samples_per_s and test_accuracy).
// Samples, the number of training samples per epoch, is an addition.
type Record struct {
	Engine       string  `json:"engine"`
	Bench        string  `json:"bench"`
	DType        string  `json:"dtype,omitempty"`
	N            int     `json:"n,omitempty"`
	GFLOPS       float64 `json:"gflops,omitempty"`
	Model        string  `json:"model,omitempty"`
	Epochs       int     `json:"epochs,omitempty"`
	Batch        int     `json:"batch,omitempty"`
	Steps        int     `json:"steps,omitempty"`
	Samples      int     `json:"samples,omitempty"`
	Seconds      float64 `json:"seconds,omitempty"`
	SamplesPerS  float64 `json:"samples_per_s,omitempty"`
	TestAccuracy float64 `json:"test_accuracy,omitempty"`
	Seed         uint64  `json:"seed,omitempty"`
	Error        string  `json:"error,omitempty"`
}

// MatMulJob is one GEMM measurement: three warm-up products of two random
// n x n matrices of element type DType, then MatMulReps(N, FLOP) timed ones.
type MatMulJob struct {
	DType string  `json:"dtype"`
	N     int     `json:"n"`
	FLOP  float64 `json:"flop"`
}

// TrainJob is one training run: the model of Model trained as the reference
// trains it for Epochs epochs (each shuffled anew), only the loop timed, then
// evaluated on the test set.
type TrainJob struct {
	Model  string `json:"model"`
	Epochs int    `json:"epochs"`
	// Limit and TestLimit, when positive, keep only the first Limit
	// training and TestLimit test samples (quick runs).
	Limit     int `json:"limit"`
	TestLimit int `json:"test_limit"`
	// DataDir holds Fashion-MNIST's IDX files. With Synthetic, random
	// Fashion-MNIST-shaped data replaces it (60000 and 10000 samples unless
	// limited).
	DataDir   string `json:"data"`
	Synthetic bool   `json:"synthetic"`
	// Seed seeds the initialisation and the shuffling (0 is the
	// reference's seed). Each engine has its own generator, so one seed
	// gives the two engines different draws.
	Seed uint64 `json:"seed"`
}

// Engine runs the workloads in one framework.
type Engine interface {
	// Name is the engine's name in records and tables.
	Name() string
	// Version describes the framework's version and threading.
	Version() string
	MatMul(ctx context.Context, job MatMulJob) (Record, error)
	Train(ctx context.Context, job TrainJob) (Record, error)
}

// Nabla runs the workloads in this process.
type Nabla struct {
	// Log receives progress lines during long training runs; nil discards
	// them.
	Log io.Writer
	// ProgressEvery is the interval between progress lines (default 10s).
	ProgressEvery time.Duration

	cache map[TrainJob][2]*datasets.Dataset[float32]
}

// Name returns "nabla".
func (e *Nabla) Name() string { return "nabla" }

// Version reports the Go version and GOMAXPROCS.
func (e *Nabla) Version() string {
	return fmt.Sprintf("%s, GOMAXPROCS %d", runtime.Version(), runtime.GOMAXPROCS(0))
}

// MatMul times tensor.MatMul as the reference times a @ b.
func (e *Nabla) MatMul(ctx context.Context, job MatMulJob) (Record, error) {
	rec := Record{Engine: e.Name(), Bench: "matmul", DType: job.DType, N: job.N}
	var sec float64
	var err error
	switch job.DType {
	case "float32":
		sec, err = timeMatMul[float32](ctx, job)
	case "float64":
		sec, err = timeMatMul[float64](ctx, job)
	default:
		return rec, fmt.Errorf("matmul: unknown dtype %q", job.DType)
	}
	if err != nil {
		return rec, err
	}
	rec.GFLOPS = round(MatMulFLOP(job.N)/sec/1e9, 3)
	return rec, nil
}

// timeMatMul returns the seconds per product. Each product is released
// once made, as PyTorch frees each result of a @ b when the loop drops it:
// left to the garbage collector, a fresh output per product makes it run
// every few products at small n (at n = 64 it took 40% of the time).
func timeMatMul[T tensor.Float](ctx context.Context, job MatMulJob) (float64, error) {
	rng := rand.New(rand.NewPCG(1, uint64(job.N)))
	a := tensor.RandN[T](rng, job.N, job.N)
	b := tensor.RandN[T](rng, job.N, job.N)
	for range 3 {
		tensor.Release(tensor.MatMul(a, b))
	}
	reps := MatMulReps(job.N, job.FLOP)
	runtime.GC()
	start := time.Now()
	for range reps {
		tensor.Release(tensor.MatMul(a, b))
		if err := ctx.Err(); err != nil {
			return 0, err
		}
	}
	return time.Since(start).Seconds() / float64(reps), nil
}

// Train runs job like the reference's train(): the model built afresh, the
// training set shuffled each epoch, only the loop timed, then the accuracy
// on the whole test set.
func (e *Nabla) Train(ctx context.Context, job TrainJob) (Record, error) {
	spec, ok := LookupModel(job.Model)
	rec := Record{Engine: e.Name(), Bench: "train", Model: job.Model, Epochs: job.Epochs, Batch: spec.Batch, Seed: job.Seed}
	if !ok {
		return rec, fmt.Errorf("train: unknown model %q (have %s)", job.Model, ModelNames())
	}
	train, test, err := e.data(job)
	if err != nil {
		return rec, err
	}
	if len(spec.Sample) > 1 {
		train, test = train.Reshape(spec.Sample...), test.Reshape(spec.Sample...)
	}
	rec.Samples = train.Len()
	rng := rand.New(rand.NewPCG(job.Seed, 0))
	tr := spec.NewTrainer(rng)
	total := job.Epochs * train.NumBatches(spec.Batch, false)
	every := e.ProgressEvery
	if every <= 0 {
		every = 10 * time.Second
	}

	runtime.GC()
	start := time.Now()
	next := start.Add(every)
	for epoch := range job.Epochs {
		for x, y := range train.Batches(spec.Batch, rng) {
			tr.Step(x, y)
			rec.Steps++
			if err := ctx.Err(); err != nil {
				return rec, err
			}
			if now := time.Now(); now.After(next) && e.Log != nil {
				next = now.Add(every)
				el := now.Sub(start)
				rate := float64(rec.Steps) / el.Seconds()
				eta := time.Duration(float64(total-rec.Steps) / rate * float64(time.Second))
				fmt.Fprintf(e.Log, "  nabla %s: epoch %d/%d, step %d/%d, %.0f samples/s, %s left\n",
					job.Model, epoch+1, job.Epochs, rec.Steps, total, rate*float64(spec.Batch), eta.Round(time.Second))
			}
		}
	}
	seconds := time.Since(start).Seconds()
	rec.Seconds = round(seconds, 2)
	rec.SamplesPerS = round(float64(train.Len()*job.Epochs)/seconds, 0)
	rec.TestAccuracy = round(metrics.Accuracy(tr.Predict(test.X, 1000), test.Y), 4)
	return rec, nil
}

// data returns the (cached) training and test sets of job, flat [N, 784].
func (e *Nabla) data(job TrainJob) (train, test *datasets.Dataset[float32], err error) {
	key := TrainJob{Limit: job.Limit, TestLimit: job.TestLimit, DataDir: job.DataDir, Synthetic: job.Synthetic}
	if d, ok := e.cache[key]; ok {
		return d[0], d[1], nil
	}
	if job.Synthetic {
		rng := rand.New(rand.NewPCG(7, 7))
		train = SyntheticDataset(limit(60000, job.Limit), []int{784}, rng)
		test = SyntheticDataset(limit(10000, job.TestLimit), []int{784}, rng)
	} else {
		if train, err = datasets.LoadFashionMNIST(job.DataDir, true); err != nil {
			return nil, nil, err
		}
		if test, err = datasets.LoadFashionMNIST(job.DataDir, false); err != nil {
			return nil, nil, err
		}
		train, test = head(train, job.Limit), head(test, job.TestLimit)
	}
	if e.cache == nil {
		e.cache = map[TrainJob][2]*datasets.Dataset[float32]{}
	}
	e.cache[key] = [2]*datasets.Dataset[float32]{train, test}
	return train, test, nil
}

// limit is n capped at lim when lim is positive.
func limit(n, lim int) int {
	if lim > 0 && lim < n {
		return lim
	}
	return n
}

// head keeps the first lim samples of d (all when lim is not positive).
func head(d *datasets.Dataset[float32], lim int) *datasets.Dataset[float32] {
	n := limit(d.Len(), lim)
	if n == d.Len() {
		return d
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return d.Subset(idx)
}
