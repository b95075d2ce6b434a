package main

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"

	"github.com/nabla-go/nabla/datasets"
)

// Fractions of an embedded or synthetic data set that go to training and
// validation; the rest is the test part.
const (
	trainFrac = 0.6
	valFrac   = 0.2
)

// idxValidation is how many samples of an IDX training file are held out for
// validation (the test part is the separate t10k file).
const idxValidation = 5000

// splitData is a data set divided for training, its features scaled.
type splitData struct {
	name              string
	train, val, test  *datasets.Dataset[float32]
	classes, features int
	classNames        []string
	side              int    // images' height and width for a CNN (28 or 8), or 0
	how               string // how it was split and scaled, for the report
}

// Random streams, one per purpose, so that changing one thing (say the
// batch size) does not change the split or the initial weights.
const (
	streamSplit uint64 = iota + 1
	streamInit
	streamBatches
	streamCheck
)

func newRNG(seed, stream uint64) *rand.Rand { return rand.New(newPCG(seed, stream)) }

// newPCG is newRNG's source, for the random streams whose state a training
// checkpoint keeps.
func newPCG(seed, stream uint64) *rand.PCG { return rand.NewPCG(seed, 0x6e61626c61<<8|stream) }

// imageSide is the height and width of the square single-channel images of
// the data sets a CNN can train on (cfg.data after buildConfig).
var imageSide = map[string]int{"digits": 8, "fashion-mnist": 28, "mnist": 28, dataIDX: 28}

// loadData loads, splits and scales the data set cfg names.
func loadData(cfg *config) (*splitData, error) {
	rng := newRNG(cfg.seed, streamSplit)
	var d *splitData
	switch cfg.data {
	case "fashion-mnist", "mnist", dataIDX:
		var err error
		if d, err = loadIDX(cfg, rng); err != nil {
			return nil, err
		}
	default:
		var all *datasets.Dataset[float32]
		switch cfg.data {
		case "iris":
			all = datasets.Iris()
		case "digits":
			all = datasets.Digits()
		case "wine":
			all = datasets.Wine()
		case "breast-cancer":
			all = datasets.BreastCancer()
		case "spiral":
			all = datasets.Spiral(100, 3, 0.2, rng)
			all.Name = "spiral"
		default:
			return nil, fmt.Errorf("unknown data set %q", cfg.data)
		}
		train, val, test := all.SplitThree(trainFrac, valFrac, rng)
		d = &splitData{
			name: cfg.data, train: train, val: val, test: test,
			classes: all.NumClasses(), features: all.NumFeatures(), classNames: all.ClassNames,
			how: fmt.Sprintf("stratified split %.0f/%.0f/%.0f%%", 100*trainFrac, 100*valFrac, 100*(1-trainFrac-valFrac)),
		}
	}
	if d.train.Len() == 0 || d.val.Len() == 0 || d.test.Len() == 0 {
		return nil, fmt.Errorf("%s: too few samples to split into training (%d), validation (%d) and test (%d) parts",
			d.name, d.train.Len(), d.val.Len(), d.test.Len())
	}

	// Scalers are fitted on the training part only and applied to all
	// three, so nothing about the validation or test data leaks into
	// training.
	switch cfg.scale {
	case "standard":
		s := new(datasets.StandardScaler[float32]).Fit(d.train)
		d.train, d.val, d.test = s.Transform(d.train), s.Transform(d.val), s.Transform(d.test)
		d.how += "; features standardised (mean and deviation of the training part)"
	case "minmax":
		s := new(datasets.MinMaxScaler[float32]).Fit(d.train)
		d.train, d.val, d.test = s.Transform(d.train), s.Transform(d.val), s.Transform(d.test)
		d.how += "; features scaled to [0, 1] (range of the training part)"
	default:
		d.how += "; features not scaled"
	}
	if cfg.model == "cnn" {
		side := imageSide[cfg.data]
		if side == 0 || side*side != d.features {
			return nil, fmt.Errorf("%s: -model cnn wants square images, not %d features", d.name, d.features)
		}
		d.side = side
		d.train, d.val, d.test = d.train.Reshape(1, side, side), d.val.Reshape(1, side, side), d.test.Reshape(1, side, side)
		d.how += fmt.Sprintf("; samples shaped [1 %d %d] for the CNN", side, side)
	}
	return d, nil
}

// loadIDX loads MNIST-format data: the training file, less a stratified
// validation part, and the separate test file. Pixels come in [0, 1].
func loadIDX(cfg *config, rng *rand.Rand) (*splitData, error) {
	load := datasets.LoadMNIST
	if cfg.data == "fashion-mnist" {
		load = datasets.LoadFashionMNIST
	}
	full, err := load(cfg.dataDir, true)
	if err != nil {
		return nil, idxError(cfg, err)
	}
	test, err := load(cfg.dataDir, false)
	if err != nil {
		return nil, idxError(cfg, err)
	}
	if full.Len() <= idxValidation {
		return nil, fmt.Errorf("%s: the training file holds %d images, too few to hold out %d for validation", cfg.dataDir, full.Len(), idxValidation)
	}
	train, val := full.Split(1-float64(idxValidation)/float64(full.Len()), rng)
	name := cfg.data
	if cfg.data == dataIDX {
		name = cfg.dataDir
	}
	return &splitData{
		name: name, train: train, val: val, test: test,
		classes: max(full.NumClasses(), test.NumClasses()), features: full.NumFeatures(), classNames: full.ClassNames,
		how: fmt.Sprintf("training file less %d (stratified) for validation; test file t10k; pixels in [0, 1]", idxValidation),
	}, nil
}

// idxError adds to a loading error what to do about it.
func idxError(cfg *config, err error) error {
	if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	switch cfg.data {
	case "fashion-mnist":
		// The datasets error already says: apt-get install dataset-fashion-mnist.
		return fmt.Errorf("%w\n(or point -dataset-dir at a directory that holds the four Fashion-MNIST files)", err)
	case "mnist":
		return fmt.Errorf("%w\n(or point -dataset-dir at a directory that holds them)", err)
	default:
		return fmt.Errorf("%w\n(for Fashion-MNIST: apt-get install dataset-fashion-mnist, then -data fashion-mnist)", err)
	}
}

func describeData(d *splitData) string {
	return fmt.Sprintf("data:      %s: %d features, %d classes; train %d, validation %d, test %d\n           %s",
		d.name, d.features, d.classes, d.train.Len(), d.val.Len(), d.test.Len(), d.how)
}
