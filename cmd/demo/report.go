package main

import (
	"fmt"
	"io"
	"strings"
)

// epochTable prints the per-epoch rows of training, aligned under a header.
type epochTable struct {
	w io.Writer
}

func newEpochTable(w io.Writer) *epochTable { return &epochTable{w: w} }

const epochRow = "%5s  %10s  %9s  %10s  %9s  %8s  %9s\n"

func (t *epochTable) header() {
	fmt.Fprintf(t.w, epochRow, "epoch", "train loss", "train acc", "val loss", "val acc", "time", "samples/s")
	fmt.Fprintln(t.w, strings.Repeat("-", 5+10+9+10+9+8+9+2*6))
}

func (t *epochTable) row(s epochStats) {
	fmt.Fprintf(t.w, epochRow,
		fmt.Sprint(s.epoch),
		fmt.Sprintf("%.4f", s.trainLoss),
		fmt.Sprintf("%.2f%%", 100*s.trainAcc),
		fmt.Sprintf("%.4f", s.valLoss),
		fmt.Sprintf("%.2f%%", 100*s.valAcc),
		round(s.took).String(),
		fmt.Sprintf("%.0f", s.samplesPerSecond()),
	)
}
