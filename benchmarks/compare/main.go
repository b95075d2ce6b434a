// Command compare runs the PyTorch reference workloads in nabla and in
// PyTorch on this machine, interleaved, and prints one markdown table:
// each workload, nabla's figure, PyTorch's, their ratio and, for training,
// both test accuracies, under a line naming the machine and the date.
//
//	go run ./benchmarks/compare                       # everything, reference settings (takes a while)
//	go run ./benchmarks/compare -what matmul          # GEMM only
//	go run ./benchmarks/compare -what train -models mlp,cnn
//	go run ./benchmarks/compare -quick                # smoke run: a slice of the data, one epoch
//	go run ./benchmarks/compare -python none -synthetic -quick   # nabla only, no data set
//
// The table goes to stdout, progress to stderr. PyTorch runs in Debian's
// python3-torch (-python, default /usr/bin/python3) through the project's
// benchmarks/torch_bench.py, which is embedded in the binary. The exit
// status is 1 when any workload failed; the table is printed all the same.
// An interrupt (Ctrl-C) stops the run and prints what finished.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/nabla-go/nabla/benchmarks"
	"github.com/nabla-go/nabla/datasets"
)

func main() {
	var (
		cfg      benchmarks.Config
		models   = flag.String("models", benchmarks.ModelNames(), "training workloads, comma-separated")
		sizes    = flag.String("sizes", "", "GEMM sizes, comma-separated (default 64,128,256,512,1024; 64..512 with -quick)")
		jsonPath = flag.String("json", "", "also write every record, machine and load as JSON to this file")
	)
	flag.StringVar(&cfg.What, "what", "all", "workloads: matmul, train or all")
	flag.StringVar(&cfg.Python, "python", "/usr/bin/python3", `python with python3-torch; "none" runs nabla only`)
	flag.StringVar(&cfg.Script, "script", "", "PyTorch script to run instead of the embedded benchmarks/torch_bench.py")
	flag.StringVar(&cfg.DataDir, "data", datasets.FashionMNISTDir, "Fashion-MNIST directory")
	flag.BoolVar(&cfg.Synthetic, "synthetic", false, "train on random Fashion-MNIST-shaped data instead of the data set")
	flag.IntVar(&cfg.Epochs, "epochs", 0, "epochs of every model (default: the reference's, 3 for twolayer and mlp, 1 for cnn)")
	flag.IntVar(&cfg.Limit, "limit", 0, "train on the first N samples only (default all 60000)")
	flag.IntVar(&cfg.TestLimit, "test-limit", 0, "evaluate on the first N test samples only (default all 10000)")
	flag.Float64Var(&cfg.FLOP, "flop", 0, "floating-point operations timed per GEMM size (default 2e10; the reference times 2e9, too few products for a steady state)")
	flag.IntVar(&cfg.Repeat, "repeat", 1, "run every workload this many times on each engine, alternating, and report the median runs")
	flag.DurationVar(&cfg.Settle, "settle", benchmarks.DefaultSettle, "pause before each run, for the previous run's threads to go idle (0s: none)")
	flag.BoolVar(&cfg.Quick, "quick", false, fmt.Sprintf("smoke run: %d training and %d test samples, %d epoch, GEMM to 512 (explicit flags win)",
		benchmarks.QuickLimit, benchmarks.QuickTestLimit, benchmarks.QuickEpochs))
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: go run ./benchmarks/compare [flags]\n\n"+
			"Runs the PyTorch reference workloads in nabla and PyTorch, interleaved,\n"+
			"and prints a markdown table of both (table on stdout, progress on stderr).\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() > 0 {
		fail("unexpected arguments %q", flag.Args())
	}
	if cfg.Settle == 0 {
		cfg.Settle = -1 // -settle 0s: no pause
	}
	cfg.Models = split(*models)
	for _, s := range split(*sizes) {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			fail("-sizes: %q is not a positive integer", s)
		}
		cfg.Sizes = append(cfg.Sizes, n)
	}
	cfg.Log = os.Stderr

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := benchmarks.Compare(ctx, cfg)
	if err != nil {
		fail("%v", err)
	}
	if err := rep.WriteMarkdown(os.Stdout); err != nil {
		fail("%v", err)
	}
	if *jsonPath != "" {
		if err := writeJSON(*jsonPath, rep); err != nil {
			fail("-json: %v", err)
		}
	}
	if err := rep.Err(); err != nil {
		fmt.Fprintf(os.Stderr, "compare: some workloads did not complete:\n%v\n", err)
		os.Exit(1)
	}
}

// writeJSON writes the report to a temporary file and renames it into
// place, so that a failed write leaves no half-written file.
func writeJSON(path string, rep *benchmarks.Report) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".compare-*.json")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := rep.WriteJSON(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func split(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "compare: "+format+"\n", args...)
	os.Exit(2)
}
