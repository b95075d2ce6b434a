// Package datasets turns bytes on disk into tensors: labelled data sets,
// their loaders, and the tools to split, scale and batch them for training.
//
// # Data sets
//
// A [Dataset] holds features X, a *tensor.Dense whose first axis indexes the
// samples ([N, F] for a table, [N, 1, 28, 28] for images), and integer class
// labels Y, with optional class and feature names. Loaders return
// *Dataset[float32], the training type; [Cast] converts to float64 for
// gradient checks.
//
// Sources:
//
//   - Embedded in the binary, no download: [Iris], [Digits], [Wine],
//     [BreastCancer] (provenance and licences in data/README.md).
//   - CSV files of numbers with an integer label column: [LoadCSV], [ReadCSV].
//   - IDX files, the format of MNIST and Fashion-MNIST: [ReadIDX],
//     [LoadMNIST], [LoadFashionMNIST]. Fashion-MNIST is installed by
//     "apt-get install dataset-fashion-mnist" under [FashionMNISTDir].
//   - Synthetic, seeded problems for quick experiments: [Spiral], [XOR],
//     [Moons].
//
// # Preparing data
//
// [Dataset.Split] and [Dataset.SplitThree] divide a data set into
// training, validation and test parts, stratified by class. [StandardScaler]
// and [MinMaxScaler] rescale each feature; fit them on the training part
// only and apply the same fitted scaler to every part, or the test set's
// statistics leak into training. Their Transform returns a new data set. The
// digits' raw pixel values (0..16) and the tables' mixed units are left as
// they are in the files: scaling is the caller's choice.
//
// [Dataset.Batches] ranges over mini-batches, each a fresh contiguous
// tensor [b, ...] with its labels; [OneHot] encodes labels for losses that
// want one-hot targets.
//
// # Randomness and errors
//
// All randomness comes from an explicit *rand.Rand (math/rand/v2), so a seed
// reproduces a split, a batch order or a synthetic set exactly; a nil rng
// means "in order" where that makes sense.
//
// Anything read from outside the program (files, readers) returns an error
// naming the input and the problem and never panics. Programmer errors (an
// index out of range, mismatched shapes, a non-positive batch size) panic;
// those about shapes and indices panic with an error wrapping
// tensor.ErrShape.
package datasets
