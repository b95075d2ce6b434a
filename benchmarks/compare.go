package benchmarks

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/nabla-go/nabla/datasets"
)

// Settings of Config.Quick, for smoke runs: a slice of the data, one epoch,
// the GEMM sizes up to 512 timed over a tenth of the reference's work.
const (
	QuickLimit     = 2048
	QuickTestLimit = 1000
	QuickEpochs    = 1
	QuickFLOP      = MatMulFLOPPerRun / 10
)

// DefaultSettle is Config.Settle's default.
const DefaultSettle = 500 * time.Millisecond

// QuickSizes are the GEMM sizes of a quick run.
var QuickSizes = []int{64, 128, 256, 512}

// Config configures Compare. Its zero value runs every workload with the
// reference's settings, nabla only; set Python to add PyTorch.
type Config struct {
	// What is "matmul", "train" or "all" ("" means all).
	What string
	// Models are the training workloads to run (nil means all of Models).
	Models []string
	// Sizes are the GEMM sizes (nil means MatMulSizes) and FLOP the work
	// timed for each (0 means MatMulFLOPPerRun).
	Sizes []int
	FLOP  float64
	// Epochs, when positive, replaces every model's reference epochs.
	Epochs int
	// Limit and TestLimit, when positive, keep only the first so many
	// training and test samples.
	Limit, TestLimit int
	// Quick fills the fields left zero with the Quick settings.
	Quick bool
	// Repeat runs every workload this many times on each engine (0 means
	// once), the engines alternating, and reports each engine's median run:
	// the machines are shared, and one run can meet a burst of load. Run r
	// of a training workload uses seed r, so that the accuracies reported,
	// the median over the runs, compare the engines rather than two draws
	// of one seed each.
	Repeat int
	// Settle is the pause before every run but the first, so that the
	// threads of the run before have gone idle: after a product, OpenBLAS's
	// threads spin for about 0.1 s, and a nabla GEMM timed straight after a
	// PyTorch one ran 30% slower for it. 0 means DefaultSettle; a negative
	// value means no pause.
	Settle time.Duration
	// DataDir holds Fashion-MNIST ("" means datasets.FashionMNISTDir).
	// Synthetic uses random data of its shape instead.
	DataDir   string
	Synthetic bool
	// Python is the interpreter that runs PyTorch (Debian's /usr/bin/python3
	// with python3-torch); "" or "none" leaves PyTorch out. Script replaces
	// the embedded torch_bench.py.
	Python, Script string
	// Reference, when not nil, is used as the PyTorch side instead of
	// starting Python (tests use it).
	Reference Engine
	// Log receives progress lines; nil discards them.
	Log io.Writer
}

// Report is the outcome of Compare.
type Report struct {
	Machine Machine  `json:"machine"`
	Rows    []Row    `json:"rows"`
	Errors  []string `json:"errors,omitempty"`
}

// Machine describes where the comparison ran.
type Machine struct {
	CPU        string `json:"cpu"`
	Cores      int    `json:"cores"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	Go         string `json:"go"`
	Torch      string `json:"torch,omitempty"`
	// LoadBefore and LoadAfter are /proc/loadavg's 1, 5 and 15 minute
	// averages when the run started and ended: how busy the machine was.
	LoadBefore string    `json:"load_before,omitempty"`
	LoadAfter  string    `json:"load_after,omitempty"`
	Start      time.Time `json:"start"`
	End        time.Time `json:"end"`
	// Runs is how many times each workload ran on each engine.
	Runs int `json:"runs"`
}

// Row is one workload with each engine's record (nil when it did not run).
type Row struct {
	Workload string  `json:"workload"`
	Unit     string  `json:"unit"` // "GFLOPS" or "samples/s"
	Nabla    *Record `json:"nabla,omitempty"`
	PyTorch  *Record `json:"pytorch,omitempty"`
	// NablaRuns and PyTorchRuns are the figures of every run, in order, when
	// the workload ran more than once; Nabla and PyTorch are the median runs.
	NablaRuns   []float64 `json:"nabla_runs,omitempty"`
	PyTorchRuns []float64 `json:"pytorch_runs,omitempty"`
	// NablaAccuracies and PyTorchAccuracies are the test accuracies of every
	// run of a training workload, in order (run r trained with seed r).
	NablaAccuracies   []float64 `json:"nabla_accuracies,omitempty"`
	PyTorchAccuracies []float64 `json:"pytorch_accuracies,omitempty"`
}

// Accuracies returns the median test accuracy of each engine's runs, and
// whether that engine has one.
func (r Row) Accuracies() (nabla, pytorch float64, okNabla, okPyTorch bool) {
	nabla, okNabla = medianAccuracy(r.Nabla, r.NablaAccuracies)
	pytorch, okPyTorch = medianAccuracy(r.PyTorch, r.PyTorchAccuracies)
	return
}

// medianAccuracy is the median of runs or, for a single run, rec's accuracy.
func medianAccuracy(rec *Record, runs []float64) (float64, bool) {
	if rec == nil || rec.Error != "" {
		return 0, false
	}
	if len(runs) == 0 {
		return rec.TestAccuracy, true
	}
	s := append([]float64(nil), runs...)
	sort.Float64s(s)
	return s[(len(s)-1)/2], true
}

// Value is the figure of a record in the row's unit, and whether there is
// one.
func (r Row) Value(rec *Record) (float64, bool) {
	if rec == nil || rec.Error != "" {
		return 0, false
	}
	if rec.Bench == "matmul" {
		return rec.GFLOPS, rec.GFLOPS > 0
	}
	return rec.SamplesPerS, rec.SamplesPerS > 0
}

// Ratio is nabla's figure over PyTorch's: above 1, nabla is faster.
func (r Row) Ratio() (float64, bool) {
	a, okA := r.Value(r.Nabla)
	b, okB := r.Value(r.PyTorch)
	if !okA || !okB {
		return 0, false
	}
	return a / b, true
}

// workload is one row of the plan: how to run it on an engine.
type workload struct {
	row Row
	// run runs the workload's r-th repetition on e.
	run func(ctx context.Context, e Engine, r int) (Record, error)
}

// Compare runs the configured workloads in nabla and, when configured, in
// PyTorch, one workload at a time with the two engines interleaved (the
// order alternating between workloads), so that both meet the same machine
// load. A workload that fails is recorded in the report and the run goes
// on; when ctx is cancelled the report holds what finished. The error is
// for a configuration that cannot run.
func Compare(ctx context.Context, cfg Config) (*Report, error) {
	plan, err := cfg.plan()
	if err != nil {
		return nil, err
	}
	log := cfg.Log
	if log == nil {
		log = io.Discard
	}
	rep := &Report{Machine: Machine{
		CPU: cpuModel(), Cores: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0),
		Go: runtime.Version(), LoadBefore: loadAvg(), Start: time.Now(), Runs: max(cfg.Repeat, 1),
	}}
	engines := []Engine{&Nabla{Log: log}}
	switch {
	case cfg.Reference != nil:
		engines = append(engines, cfg.Reference)
	case cfg.Python != "" && cfg.Python != "none":
		fmt.Fprintf(log, "starting PyTorch: %s torch_bench.py serve\n", cfg.Python)
		t, err := StartTorch(ctx, cfg.Python, cfg.Script, log)
		if err != nil {
			rep.Errors = append(rep.Errors, err.Error())
			fmt.Fprintf(log, "PyTorch left out: %v\n", err)
		} else {
			defer t.Close()
			engines = append(engines, t)
		}
	}
	if len(engines) > 1 {
		rep.Machine.Torch = engines[1].Version()
	}
	repeat := max(cfg.Repeat, 1)
	settle := cfg.Settle
	if settle == 0 {
		settle = DefaultSettle
	}
	first := true
	for i, w := range plan {
		row := w.row
		runs := make([][]Record, len(engines))
		for r := range repeat {
			order := []int{0, 1}[:len(engines)]
			if (i+r)%2 == 1 && len(engines) == 2 {
				order = []int{1, 0}
			}
			for _, k := range order {
				e := engines[k]
				if !first && settle > 0 {
					sleep(ctx, settle)
				}
				first = false
				if ctx.Err() != nil {
					break
				}
				run := ""
				if repeat > 1 {
					run = fmt.Sprintf(" (run %d/%d)", r+1, repeat)
				}
				fmt.Fprintf(log, "[%d/%d] %-8s %s%s ...\n", i+1, len(plan), e.Name(), row.Workload, run)
				rec, err := runSafely(ctx, e, func(ctx context.Context, e Engine) (Record, error) { return w.run(ctx, e, r) })
				rec.Engine = e.Name()
				if err != nil {
					rec.Error = err.Error()
					rep.Errors = append(rep.Errors, fmt.Sprintf("%s, %s: %v", row.Workload, e.Name(), err))
					fmt.Fprintf(log, "[%d/%d] %-8s failed: %v\n", i+1, len(plan), e.Name(), err)
				} else {
					fmt.Fprintf(log, "[%d/%d] %-8s %s\n", i+1, len(plan), e.Name(), summary(rec))
				}
				runs[k] = append(runs[k], rec)
			}
		}
		for k, recs := range runs {
			median, figures := row.median(recs)
			var accs []float64
			if row.Unit == "samples/s" && repeat > 1 {
				for _, rec := range recs {
					if rec.Error == "" {
						accs = append(accs, rec.TestAccuracy)
					}
				}
			}
			if repeat == 1 {
				figures = nil
			}
			if k == 0 {
				row.Nabla, row.NablaRuns, row.NablaAccuracies = median, figures, accs
			} else {
				row.PyTorch, row.PyTorchRuns, row.PyTorchAccuracies = median, figures, accs
			}
		}
		rep.Rows = append(rep.Rows, row)
		if ctx.Err() != nil {
			rep.Errors = append(rep.Errors, "interrupted: "+ctx.Err().Error())
			break
		}
	}
	rep.Machine.End = time.Now()
	rep.Machine.LoadAfter = loadAvg()
	return rep, nil
}

// sleep pauses for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// median returns the run with the median figure (the lower of the two
// middle ones for an even count; a failed run counts as the lowest) and
// every run's figure in order, or nil when nothing ran.
func (r Row) median(recs []Record) (*Record, []float64) {
	if len(recs) == 0 {
		return nil, nil
	}
	figures := make([]float64, len(recs))
	idx := make([]int, len(recs))
	for i := range recs {
		figures[i], _ = r.Value(&recs[i])
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return figures[idx[a]] < figures[idx[b]] })
	return &recs[idx[(len(recs)-1)/2]], figures
}

// runSafely turns a panic of the engine into an error, its stack logged.
func runSafely(ctx context.Context, e Engine, run func(context.Context, Engine) (Record, error)) (rec Record, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	return run(ctx, e)
}

func summary(r Record) string {
	if r.Bench == "matmul" {
		return sig3(r.GFLOPS) + " GFLOPS"
	}
	return fmt.Sprintf("%.0f samples/s (%d steps in %.2fs), test accuracy %.4f", r.SamplesPerS, r.Steps, r.Seconds, r.TestAccuracy)
}

// withDefaults returns cfg with its zero fields filled in.
func (cfg Config) withDefaults() Config {
	if cfg.What == "" {
		cfg.What = "all"
	}
	if cfg.Models == nil {
		for _, m := range Models {
			cfg.Models = append(cfg.Models, m.Name)
		}
	}
	if cfg.Quick {
		if cfg.Sizes == nil {
			cfg.Sizes = QuickSizes
		}
		if cfg.FLOP == 0 {
			cfg.FLOP = QuickFLOP
		}
		if cfg.Epochs == 0 {
			cfg.Epochs = QuickEpochs
		}
		if cfg.Limit == 0 {
			cfg.Limit = QuickLimit
		}
		if cfg.TestLimit == 0 {
			cfg.TestLimit = QuickTestLimit
		}
	}
	if cfg.Sizes == nil {
		cfg.Sizes = MatMulSizes
	}
	if cfg.FLOP == 0 {
		cfg.FLOP = MatMulFLOPPerRun
	}
	if cfg.DataDir == "" {
		cfg.DataDir = datasets.FashionMNISTDir
	}
	return cfg
}

// plan lists the workloads of cfg in the order they run.
func (cfg Config) plan() ([]workload, error) {
	cfg = cfg.withDefaults()
	var plan []workload
	switch cfg.What {
	case "matmul", "train", "all":
	default:
		return nil, fmt.Errorf("what: %q, want matmul, train or all", cfg.What)
	}
	if cfg.What != "train" {
		for _, dt := range MatMulDTypes {
			for _, n := range cfg.Sizes {
				if n <= 0 {
					return nil, fmt.Errorf("matmul size %d, want > 0", n)
				}
				job := MatMulJob{DType: dt, N: n, FLOP: cfg.FLOP}
				plan = append(plan, workload{
					row: Row{Workload: fmt.Sprintf("matmul %s n=%d", dt, n), Unit: "GFLOPS"},
					run: func(ctx context.Context, e Engine, _ int) (Record, error) { return e.MatMul(ctx, job) },
				})
			}
		}
	}
	if cfg.What != "matmul" {
		for _, name := range cfg.Models {
			spec, ok := LookupModel(name)
			if !ok {
				return nil, fmt.Errorf("model %q, want one of %s", name, ModelNames())
			}
			job := TrainJob{Model: name, Epochs: spec.Epochs, Limit: cfg.Limit, TestLimit: cfg.TestLimit,
				DataDir: cfg.DataDir, Synthetic: cfg.Synthetic}
			if cfg.Epochs > 0 {
				job.Epochs = cfg.Epochs
			}
			samples := limit(60000, cfg.Limit)
			data := ""
			if cfg.Synthetic {
				data = ", synthetic data"
			}
			plan = append(plan, workload{
				row: Row{Workload: fmt.Sprintf("train %s (%s, %d epoch%s × %d samples%s)",
					name, spec.Describe(), job.Epochs, plural(job.Epochs), samples, data), Unit: "samples/s"},
				run: func(ctx context.Context, e Engine, r int) (Record, error) {
					seeded := job
					seeded.Seed = uint64(r)
					return e.Train(ctx, seeded)
				},
			})
		}
	}
	return plan, nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// Header is the line above the table: machine, versions, load and date.
func (r *Report) Header() string {
	m := r.Machine
	torch := "PyTorch not run"
	if m.Torch != "" {
		torch = m.Torch
	}
	load := ""
	if m.LoadBefore != "" {
		load = fmt.Sprintf("; load average %s at start, %s at end", m.LoadBefore, m.LoadAfter)
	}
	runs := ""
	if m.Runs > 1 {
		runs = fmt.Sprintf("; median of %d runs per engine", m.Runs)
		for _, row := range r.Rows {
			if row.Unit == "samples/s" {
				runs += fmt.Sprintf(" (training runs seeded 0 to %d)", m.Runs-1)
				break
			}
		}
	}
	return fmt.Sprintf("Machine: %s, %d cores, GOMAXPROCS %d; %s; %s%s; %s%s",
		m.CPU, m.Cores, m.GOMAXPROCS, m.Go, torch, load, m.Start.UTC().Format("2006-01-02 15:04 MST"), runs)
}

// TableColumns are the columns of the markdown table.
var TableColumns = []string{"workload", "unit", "nabla", "PyTorch", "nabla/PyTorch", "nabla test acc", "PyTorch test acc"}

// WriteMarkdown writes the header line and the markdown table: one row per
// workload with both engines' figures, their ratio and, for training, both
// test accuracies. A figure that is missing (not run, failed) reads "n/a".
func (r *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	b.WriteString(r.Header() + "\n\n")
	b.WriteString("| " + strings.Join(TableColumns, " | ") + " |\n")
	b.WriteString("| --- | --- | ---: | ---: | ---: | ---: | ---: |\n")
	for _, row := range r.Rows {
		cells := []string{row.Workload, row.Unit, row.figure(row.Nabla), row.figure(row.PyTorch), "n/a", "", ""}
		if q, ok := row.Ratio(); ok {
			cells[4] = sig3(q)
		}
		if row.Unit == "samples/s" {
			a, b, okA, okB := row.Accuracies()
			cells[5], cells[6] = accuracy(a, okA), accuracy(b, okB)
		}
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func (r Row) figure(rec *Record) string {
	v, ok := r.Value(rec)
	switch {
	case !ok:
		return "n/a"
	case r.Unit == "GFLOPS":
		return sig3(v)
	default:
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
}

func accuracy(v float64, ok bool) string {
	if !ok {
		return "n/a"
	}
	return strconv.FormatFloat(v, 'f', 4, 64)
}

// sig3 formats a positive figure with about three significant digits.
func sig3(v float64) string {
	switch {
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	case v >= 1:
		return strconv.FormatFloat(v, 'f', 2, 64)
	case v >= 0.1:
		return strconv.FormatFloat(v, 'f', 3, 64)
	default:
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
}

// WriteJSON writes the whole report, with every record, as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// Err summarises the failures of the run, or is nil when there were none.
func (r *Report) Err() error {
	if len(r.Errors) == 0 {
		return nil
	}
	return errors.New(strings.Join(r.Errors, "\n"))
}

// cpuModel is the first "model name" of /proc/cpuinfo, or the architecture.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err == nil {
		defer f.Close()
		s := bufio.NewScanner(f)
		for s.Scan() {
			k, v, ok := strings.Cut(s.Text(), ":")
			if ok && strings.TrimSpace(k) == "model name" {
				return strings.TrimSpace(v)
			}
		}
	}
	return runtime.GOARCH
}

// loadAvg is the 1, 5 and 15 minute load averages of /proc/loadavg.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

// round rounds x to the given number of decimals, as Python's round does
// for the reference's figures.
func round(x float64, decimals int) float64 {
	p := math.Pow(10, float64(decimals))
	return math.Round(x*p) / p
}
