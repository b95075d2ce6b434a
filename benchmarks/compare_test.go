package benchmarks

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fakeTorch stands in for PyTorch with fixed figures, so that the test needs
// neither python nor the data set.
type fakeTorch struct{}

func (fakeTorch) Name() string    { return "pytorch" }
func (fakeTorch) Version() string { return "torch fake" }
func (fakeTorch) MatMul(_ context.Context, j MatMulJob) (Record, error) {
	return Record{Bench: "matmul", DType: j.DType, N: j.N, GFLOPS: 10}, nil
}
func (fakeTorch) Train(_ context.Context, j TrainJob) (Record, error) {
	return Record{Bench: "train", Model: j.Model, Epochs: j.Epochs, SamplesPerS: 1000, TestAccuracy: 0.5}, nil
}

// tinyConfig is the compare command's configuration scaled down to a few
// seconds: small GEMMs, one (partial) batch of random data per model.
func tinyConfig() Config {
	return Config{Sizes: []int{16, 32}, FLOP: 1e5, Synthetic: true, Limit: 64, TestLimit: 32, Epochs: 1, Settle: -1}
}

// parseTable returns the header line and the cells of the table's data
// rows, checking the markdown frame on the way.
func parseTable(t *testing.T, out string) (string, [][]string) {
	t.Helper()
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) < 4 || !strings.HasPrefix(lines[0], "Machine: ") || lines[1] != "" {
		t.Fatalf("want a Machine: line, a blank line and a table, got:\n%s", out)
	}
	if want := "| " + strings.Join(TableColumns, " | ") + " |"; lines[2] != want {
		t.Fatalf("table header %q, want %q", lines[2], want)
	}
	if !strings.HasPrefix(lines[3], "| --- |") {
		t.Fatalf("separator line %q", lines[3])
	}
	var rows [][]string
	for _, l := range lines[4:] {
		if !strings.HasPrefix(l, "| ") || !strings.HasSuffix(l, " |") {
			t.Fatalf("not a table row: %q", l)
		}
		cells := strings.Split(strings.TrimSuffix(strings.TrimPrefix(l, "| "), " |"), " | ")
		if len(cells) != len(TableColumns) {
			t.Fatalf("row %q has %d cells, want %d", l, len(cells), len(TableColumns))
		}
		rows = append(rows, cells)
	}
	return lines[0], rows
}

func number(t *testing.T, row []string, col int) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(row[col], 64)
	if err != nil || math.IsNaN(v) || v <= 0 {
		t.Fatalf("row %q: %s %q is not a positive number", row[0], TableColumns[col], row[col])
	}
	return v
}

// TestCompareTable runs Compare, nabla in process against a fake PyTorch,
// on a tiny synthetic workload of every kind, and checks that the table has
// one row per workload, in order, with numbers that parse and a ratio that
// is nabla's figure over PyTorch's.
func TestCompareTable(t *testing.T) {
	cfg := tinyConfig()
	cfg.Reference = fakeTorch{}
	var log bytes.Buffer
	cfg.Log = &log
	rep, err := Compare(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := rep.Err(); err != nil {
		t.Fatalf("workloads failed: %v\nlog:\n%s", err, log.String())
	}
	var out bytes.Buffer
	if err := rep.WriteMarkdown(&out); err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", out.String())
	header, rows := parseTable(t, out.String())
	wants := []string{"GOMAXPROCS", "go1", "torch fake"}
	if loadAvg() != "" {
		wants = append(wants, "load average")
	}
	for _, want := range wants {
		if !strings.Contains(header, want) {
			t.Errorf("header %q lacks %q", header, want)
		}
	}

	var want []string
	for _, dt := range MatMulDTypes {
		for _, n := range cfg.Sizes {
			want = append(want, fmt.Sprintf("matmul %s n=%d", dt, n))
		}
	}
	for _, m := range Models {
		want = append(want, "train "+m.Name+" (")
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d:\n%s", len(rows), len(want), out.String())
	}
	for i, row := range rows {
		if !strings.HasPrefix(row[0], want[i]) {
			t.Errorf("row %d is %q, want %q...", i, row[0], want[i])
		}
		nabla, torch, ratio := number(t, row, 2), number(t, row, 3), number(t, row, 4)
		if math.Abs(ratio-nabla/torch) > 0.01*nabla/torch+1e-9 {
			t.Errorf("row %q: ratio %v, want %v/%v", row[0], ratio, nabla, torch)
		}
		if strings.HasPrefix(row[0], "train") {
			if row[1] != "samples/s" {
				t.Errorf("row %q: unit %q", row[0], row[1])
			}
			for _, col := range []int{5, 6} {
				// Random labels: a model that learnt little may score 0.
				if acc, err := strconv.ParseFloat(row[col], 64); err != nil || acc < 0 || acc > 1 {
					t.Errorf("row %q: %s %q is not an accuracy", row[0], TableColumns[col], row[col])
				}
			}
		} else if row[1] != "GFLOPS" || row[5] != "" || row[6] != "" {
			t.Errorf("matmul row %q: unit %q, accuracies %q %q", row[0], row[1], row[5], row[6])
		}
	}

	var back Report
	var js bytes.Buffer
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || len(back.Rows) != len(rows) {
		t.Fatalf("JSON report does not read back (%v, %d rows)", err, len(back.Rows))
	}
}

// TestCompareWithoutPyTorch checks that with PyTorch left out its columns
// read n/a and the run counts as complete.
func TestCompareWithoutPyTorch(t *testing.T) {
	cfg := tinyConfig()
	cfg.What, cfg.Sizes, cfg.Python = "matmul", []int{8}, "none"
	rep, err := Compare(context.Background(), cfg)
	if err != nil || rep.Err() != nil {
		t.Fatal(err, rep.Err())
	}
	var out bytes.Buffer
	rep.WriteMarkdown(&out)
	_, rows := parseTable(t, out.String())
	if len(rows) != 2 {
		t.Fatalf("%d rows, want 2", len(rows))
	}
	for _, row := range rows {
		number(t, row, 2)
		if row[3] != "n/a" || row[4] != "n/a" {
			t.Errorf("row %q: PyTorch %q, ratio %q, want n/a", row[0], row[3], row[4])
		}
	}
}

func TestCompareRejectsBadConfig(t *testing.T) {
	for _, cfg := range []Config{{What: "speed"}, {What: "train", Models: []string{"resnet"}}} {
		if _, err := Compare(context.Background(), cfg); err == nil {
			t.Errorf("Compare(%+v) did not fail", cfg)
		}
	}
}

// seqTorch answers each GEMM with the next figure of its sequence.
type seqTorch struct {
	fakeTorch
	figures []float64
	calls   int
}

func (s *seqTorch) MatMul(_ context.Context, j MatMulJob) (Record, error) {
	v := s.figures[s.calls%len(s.figures)]
	s.calls++
	return Record{Bench: "matmul", DType: j.DType, N: j.N, GFLOPS: v}, nil
}

func TestCompareRepeatReportsTheMedianRun(t *testing.T) {
	cfg := tinyConfig()
	cfg.What, cfg.Sizes, cfg.Repeat = "matmul", []int{8}, 3
	torch := &seqTorch{figures: []float64{30, 10, 20}}
	cfg.Reference = torch
	rep, err := Compare(context.Background(), cfg)
	if err != nil || rep.Err() != nil {
		t.Fatal(err, rep.Err())
	}
	if torch.calls != 6 {
		t.Fatalf("PyTorch ran %d times, want 3 for each of 2 rows", torch.calls)
	}
	for _, row := range rep.Rows {
		if got := row.PyTorch.GFLOPS; got != 20 {
			t.Errorf("%s: PyTorch figure %v, want the median 20 of %v", row.Workload, got, row.PyTorchRuns)
		}
		if len(row.NablaRuns) != 3 || len(row.PyTorchRuns) != 3 {
			t.Errorf("%s: runs %v and %v, want 3 each", row.Workload, row.NablaRuns, row.PyTorchRuns)
		}
		sorted := append([]float64(nil), row.NablaRuns...)
		sort.Float64s(sorted)
		if row.Nabla.GFLOPS != sorted[1] {
			t.Errorf("%s: nabla figure %v is not the median of %v", row.Workload, row.Nabla.GFLOPS, row.NablaRuns)
		}
	}
	if !strings.Contains(rep.Header(), "median of 3 runs per engine") {
		t.Errorf("header %q does not say the figures are medians", rep.Header())
	}
}

// seedTorch answers each training run with an accuracy that depends on the
// run's seed, and keeps the seeds it was given.
type seedTorch struct {
	fakeTorch
	accuracy map[uint64]float64
	seeds    []uint64
}

func (s *seedTorch) Train(_ context.Context, j TrainJob) (Record, error) {
	s.seeds = append(s.seeds, j.Seed)
	return Record{Bench: "train", Model: j.Model, Epochs: j.Epochs, SamplesPerS: 1000,
		TestAccuracy: s.accuracy[j.Seed], Seed: j.Seed}, nil
}

func TestCompareRepeatSeedsTrainingRuns(t *testing.T) {
	cfg := tinyConfig()
	cfg.What, cfg.Models, cfg.Repeat = "train", []string{"twolayer"}, 3
	torch := &seedTorch{accuracy: map[uint64]float64{0: 0.5, 1: 0.9, 2: 0.7}}
	cfg.Reference = torch
	rep, err := Compare(context.Background(), cfg)
	if err != nil || rep.Err() != nil {
		t.Fatal(err, rep.Err())
	}
	if fmt.Sprint(torch.seeds) != "[0 1 2]" {
		t.Errorf("PyTorch trained with seeds %v, want [0 1 2]", torch.seeds)
	}
	row := rep.Rows[0]
	if fmt.Sprint(row.PyTorchAccuracies) != "[0.5 0.9 0.7]" || len(row.NablaAccuracies) != 3 {
		t.Fatalf("accuracies %v and %v, want every run's", row.NablaAccuracies, row.PyTorchAccuracies)
	}
	_, torchAcc, _, ok := row.Accuracies()
	if !ok || torchAcc != 0.7 {
		t.Errorf("PyTorch accuracy %v, want the median 0.7 of %v", torchAcc, row.PyTorchAccuracies)
	}
	var out bytes.Buffer
	if err := rep.WriteMarkdown(&out); err != nil {
		t.Fatal(err)
	}
	_, rows := parseTable(t, out.String())
	if rows[0][6] != "0.7000" {
		t.Errorf("table shows PyTorch accuracy %q, want the median 0.7000", rows[0][6])
	}
	if !strings.Contains(rep.Header(), "seeded 0 to 2") {
		t.Errorf("header %q does not name the seeds", rep.Header())
	}
}

// TestNablaTrainSeed checks that a training run's seed reaches nabla's
// generator: the same seed gives the same model, another seed another one.
func TestNablaTrainSeed(t *testing.T) {
	job := TrainJob{Model: "twolayer", Epochs: 1, Limit: 256, TestLimit: 200, Synthetic: true}
	e := &Nabla{}
	accuracy := func(seed uint64) float64 {
		j := job
		j.Seed = seed
		rec, err := e.Train(context.Background(), j)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Seed != seed {
			t.Errorf("record says seed %d, want %d", rec.Seed, seed)
		}
		return rec.TestAccuracy
	}
	a0, a0again, a1, a2 := accuracy(0), accuracy(0), accuracy(1), accuracy(2)
	if a0 != a0again {
		t.Errorf("seed 0 gave accuracies %v and %v", a0, a0again)
	}
	if a0 == a1 && a1 == a2 {
		t.Errorf("seeds 0, 1 and 2 all gave accuracy %v: the seed is not used", a0)
	}
}

// stampTorch records when each of its GEMM runs starts.
type stampTorch struct {
	fakeTorch
	starts []time.Time
}

func (s *stampTorch) MatMul(ctx context.Context, j MatMulJob) (Record, error) {
	s.starts = append(s.starts, time.Now())
	return s.fakeTorch.MatMul(ctx, j)
}

func TestCompareSettlesBetweenRuns(t *testing.T) {
	cfg := tinyConfig()
	cfg.What, cfg.Sizes, cfg.Repeat, cfg.Settle = "matmul", []int{8}, 2, 40*time.Millisecond
	torch := &stampTorch{}
	cfg.Reference = torch
	start := time.Now()
	rep, err := Compare(context.Background(), cfg)
	if err != nil || rep.Err() != nil {
		t.Fatal(err, rep.Err())
	}
	// Four runs per dtype, eight in all: seven pauses.
	if got, want := time.Since(start), 7*cfg.Settle; got < want {
		t.Errorf("Compare took %v, want at least %v of pauses", got, want)
	}
	// The order alternates, so two PyTorch runs may follow each other, but
	// never without a pause between them.
	for i := 1; i < len(torch.starts); i++ {
		if gap := torch.starts[i].Sub(torch.starts[i-1]); gap < cfg.Settle {
			t.Errorf("PyTorch's runs %d and %d started %v apart, want a pause of %v", i-1, i, gap, cfg.Settle)
		}
	}
}
