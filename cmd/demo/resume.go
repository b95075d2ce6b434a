package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/nabla-go/nabla/checkpoint"
	"github.com/nabla-go/nabla/safetensors"
)

// A training checkpoint of -save is a checkpoint.Save file (the model, the
// optimizer's state, the batch order's random source, the epoch and step
// counts) whose metadata also holds the flags that define the run and the
// rows of the epochs done, so that -resume can check that it continues the
// same run and can draw the whole learning curve.
const (
	rngBatches = "batches" // the name of the batch order's source in the checkpoint

	mdProgram   = "program" // programName
	mdSamples   = "samples" // sizes of the training, validation and test parts
	mdHistory   = "history" // JSON array of historyRow, one per epoch done
	mdFlag      = "flag."   // + a flag's name: its value
	programName = "nabla cmd/demo"
)

// runFlags are the flags that define a run, by name, in a fixed order: the
// data, the model, the optimizer and the batches. -epochs, -out, -save and
// -resume may change between a run and its resumption; these may not.
func runFlags(cfg *config) [][2]string {
	data := cfg.data
	if cfg.data == dataIDX {
		data = cfg.dataDir
		if abs, err := filepath.Abs(cfg.dataDir); err == nil {
			data = abs
		}
	}
	return [][2]string{
		{"data", data},
		{"model", cfg.model},
		{"hidden", joinInts(cfg.hidden)},
		{"scale", cfg.scale},
		{"opt", cfg.opt},
		{"lr", strconv.FormatFloat(cfg.lr, 'g', -1, 64)},
		{"batch", strconv.Itoa(cfg.batch)},
		{"seed", strconv.FormatUint(cfg.seed, 10)},
	}
}

// historyRow is an epochStats as the checkpoint keeps it. JSON writes each
// float64 so that it reads back exactly.
type historyRow struct {
	Epoch        int     `json:"epoch"`
	TrainLoss    float64 `json:"train_loss"`
	TrainAcc     float64 `json:"train_acc"`
	ValLoss      float64 `json:"val_loss"`
	ValAcc       float64 `json:"val_acc"`
	Seconds      float64 `json:"seconds"`
	TrainSeconds float64 `json:"train_seconds"`
	Samples      int     `json:"samples"`
}

func sampleSizes(d *splitData) string {
	return fmt.Sprintf("train %d, validation %d, test %d", d.train.Len(), d.val.Len(), d.test.Len())
}

// runMetadata is the metadata of a training checkpoint of the model arch
// after the epochs of history.
func runMetadata(cfg *config, d *splitData, arch string, history []epochStats) (map[string]string, error) {
	rows := make([]historyRow, len(history))
	for i, s := range history {
		rows[i] = historyRow{
			Epoch: s.epoch, TrainLoss: s.trainLoss, TrainAcc: s.trainAcc, ValLoss: s.valLoss, ValAcc: s.valAcc,
			Seconds: s.took.Seconds(), TrainSeconds: s.trainTime.Seconds(), Samples: s.samples,
		}
	}
	h, err := json.Marshal(rows)
	if err != nil {
		return nil, fmt.Errorf("-save %s: the history: %w", cfg.save, err)
	}
	md := map[string]string{
		mdProgram:      programName,
		mdSamples:      sampleSizes(d),
		mdHistory:      string(h),
		"architecture": arch,
	}
	for _, f := range runFlags(cfg) {
		md[mdFlag+f[0]] = f[1]
	}
	return md, nil
}

// resumeRun loads the training checkpoint cfg.resume into state (model,
// optimizer, batch order, epoch and step) after checking that it was saved
// by a run with the same flags, and returns the rows of its epochs. On error
// state is unchanged.
func resumeRun(cfg *config, d *splitData, state *checkpoint.Training[float32]) ([]epochStats, error) {
	path := cfg.resume
	// The flags are checked first, from the metadata alone: a checkpoint of
	// another model would fail to load with a list of mismatched tensors,
	// where the flag that differs says more.
	f, err := safetensors.Load(path)
	if err != nil {
		return nil, fmt.Errorf("-resume: %w", err)
	}
	md := f.Metadata
	if md[mdProgram] != programName {
		return nil, fmt.Errorf("-resume %s: not a training checkpoint written by demo -save (a model file such as model.safetensors holds the weights only)", path)
	}
	var diffs []string
	for _, fl := range runFlags(cfg) {
		if saved := md[mdFlag+fl[0]]; saved != fl[1] {
			diffs = append(diffs, fmt.Sprintf("-%s %s (this run: %s)", fl[0], show(saved), show(fl[1])))
		}
	}
	if len(diffs) > 0 {
		return nil, fmt.Errorf("-resume %s: the checkpoint's run had other settings: %s; resume with the flags of the run that saved it (only -epochs, -out and -save may change)",
			path, strings.Join(diffs, ", "))
	}
	if saved, now := md[mdSamples], sampleSizes(d); saved != now {
		return nil, fmt.Errorf("-resume %s: the checkpoint's run split its data into %s, this run into %s: not the same data", path, saved, now)
	}
	var rows []historyRow
	if err := json.Unmarshal([]byte(md[mdHistory]), &rows); err != nil {
		return nil, fmt.Errorf("-resume %s: metadata %q: %w", path, mdHistory, err)
	}
	epoch, err := strconv.Atoi(md["nabla.epoch"])
	if err != nil || epoch != len(rows) {
		return nil, fmt.Errorf("-resume %s: the checkpoint's history holds %d epochs, its epoch count is %q", path, len(rows), md["nabla.epoch"])
	}
	if epoch > cfg.epochs {
		return nil, fmt.Errorf("-resume %s: the checkpoint is after epoch %d, beyond -epochs %d; give -epochs %d or more", path, epoch, cfg.epochs, epoch)
	}
	history := make([]epochStats, len(rows))
	for i, r := range rows {
		if r.Epoch != i+1 {
			return nil, fmt.Errorf("-resume %s: metadata %q: row %d is of epoch %d", path, mdHistory, i+1, r.Epoch)
		}
		history[i] = epochStats{
			epoch: r.Epoch, trainLoss: r.TrainLoss, trainAcc: r.TrainAcc, valLoss: r.ValLoss, valAcc: r.ValAcc,
			took: seconds(r.Seconds), trainTime: seconds(r.TrainSeconds), samples: r.Samples,
		}
	}

	if err := checkpoint.Load(path, state); err != nil {
		var cerr *checkpoint.Error
		if errors.As(err, &cerr) {
			return nil, fmt.Errorf("-resume: %w", err) // it names the file
		}
		return nil, fmt.Errorf("-resume %s: %w", path, err)
	}
	return history, nil
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

func show(v string) string {
	if v == "" {
		return `""`
	}
	return v
}
