package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Size of the learning-curve picture.
const (
	plotWidth  = 10 * vg.Inch
	plotHeight = 4 * vg.Inch
	plotDPI    = 100
)

// plotLearningCurves draws two panels side by side, loss and accuracy by
// epoch, each with the training and the validation curve, and writes them
// as a PNG to path. Training below validation and drifting apart is
// over-fitting; both high and flat is under-fitting.
func plotLearningCurves(history []epochStats, title, path string) error {
	var trainLoss, valLoss, trainAcc, valAcc plotter.XYs
	for _, s := range history {
		x := float64(s.epoch)
		trainLoss = append(trainLoss, plotter.XY{X: x, Y: s.trainLoss})
		valLoss = append(valLoss, plotter.XY{X: x, Y: s.valLoss})
		trainAcc = append(trainAcc, plotter.XY{X: x, Y: s.trainAcc})
		valAcc = append(valAcc, plotter.XY{X: x, Y: s.valAcc})
	}

	loss := newPanel("Loss", "mean cross-entropy", len(history))
	if err := plotutil.AddLinePoints(loss, "train", trainLoss, "validation", valLoss); err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	// Room above the curves for the legend, top right: loss falls.
	loss.Y.Min, loss.Y.Max = 0, 1.3*maxOf(trainLoss, valLoss)
	loss.Legend.Top = true

	acc := newPanel("Accuracy", "fraction correct", len(history))
	if err := plotutil.AddLinePoints(acc, "train", trainAcc, "validation", valAcc); err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	// Room below the curves for the legend, bottom right: accuracy rises.
	lo, hi := minOf(trainAcc, valAcc), maxOf(trainAcc, valAcc)
	span := math.Max(hi-lo, 0.01)
	acc.Y.Min, acc.Y.Max = math.Max(0, lo-0.4*span), math.Min(1, hi+0.05*span)
	acc.Legend.Top = false

	img := vgimg.NewWith(vgimg.UseWH(plotWidth, plotHeight), vgimg.UseDPI(plotDPI))
	dc := draw.New(img)
	heading := loss.Title.TextStyle
	heading.XAlign = draw.XCenter
	heading.YAlign = draw.YTop
	dc.FillText(heading, vg.Point{X: plotWidth / 2, Y: plotHeight - vg.Points(6)}, "Learning curves: "+title)

	tiles := draw.Tiles{
		Rows: 1, Cols: 2,
		PadTop: vg.Points(28), PadBottom: vg.Points(8), PadLeft: vg.Points(8), PadRight: vg.Points(12),
		PadX: vg.Points(24),
	}
	canvases := plot.Align([][]*plot.Plot{{loss, acc}}, tiles, dc)
	loss.Draw(canvases[0][0])
	acc.Draw(canvases[0][1])

	return writePNG(path, vgimg.PngCanvas{Canvas: img})
}

func maxOf(xys ...plotter.XYs) float64 {
	m := math.Inf(-1)
	for _, c := range xys {
		for _, p := range c {
			m = math.Max(m, p.Y)
		}
	}
	return m
}

func minOf(xys ...plotter.XYs) float64 {
	m := math.Inf(1)
	for _, c := range xys {
		for _, p := range c {
			m = math.Min(m, p.Y)
		}
	}
	return m
}

func newPanel(title, ylabel string, epochs int) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "epoch"
	p.Y.Label.Text = ylabel
	p.X.Min, p.X.Max = 1, math.Max(2, float64(epochs))
	p.X.Tick.Marker = epochTicks{}
	p.Add(plotter.NewGrid())
	return p
}

// epochTicks marks whole epochs only, about ten of them.
type epochTicks struct{}

func (epochTicks) Ticks(lo, hi float64) []plot.Tick {
	span := hi - lo
	step := 1.0
	for _, s := range []float64{1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000} {
		step = s
		if span/s <= 10 {
			break
		}
	}
	var ticks []plot.Tick
	for x := math.Ceil(lo/step) * step; x <= hi; x += step {
		if x < 1 {
			continue
		}
		ticks = append(ticks, plot.Tick{Value: x, Label: strconv.Itoa(int(x))})
	}
	if len(ticks) == 0 || ticks[0].Value != 1 && step >= 5 {
		ticks = append([]plot.Tick{{Value: 1, Label: "1"}}, ticks...)
	}
	return ticks
}

// writePNG writes the picture to a temporary file beside path and renames it
// into place, so that a failure never leaves a half-written file.
func writePNG(path string, c vgimg.PngCanvas) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = c.WriteTo(tmp); err != nil {
		return fmt.Errorf("plot: writing %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("plot: writing %s: %w", path, err)
	}
	if err = os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	return nil
}
