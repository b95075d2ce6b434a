package checkpoint_test

import (
	"errors"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"

	"github.com/nabla-go/nabla/autograd"
	"github.com/nabla-go/nabla/checkpoint"
	"github.com/nabla-go/nabla/datasets"
	"github.com/nabla-go/nabla/layers"
	"github.com/nabla-go/nabla/optim"
	"github.com/nabla-go/nabla/tensor"
)

// Save a model and load it into a fresh one of the same architecture: the
// fresh model predicts exactly what the saved one did.
func Example() {
	dir, err := os.MkdirTemp("", "checkpoint-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "model.safetensors")

	newModel := func(seed uint64) *layers.Sequential[float32] {
		rng := rand.New(rand.NewPCG(seed, 0))
		return layers.NewSequential[float32](
			layers.NewLinear[float32](4, 8, rng),
			layers.NewReLU[float32](),
			layers.NewLinear[float32](8, 2, rng),
		)
	}
	model := newModel(1)
	if err := checkpoint.SaveModel(path, model); err != nil {
		log.Fatal(err)
	}

	fresh := newModel(2) // other initial weights
	if _, err := checkpoint.LoadModel(path, fresh, checkpoint.LoadOptions{}); err != nil {
		log.Fatal(err)
	}

	x := autograd.Const(tensor.New([]float32{1, 2, 3, 4, -1, 0, 1, 0}, 2, 4))
	same := slices.Equal(model.Forward(x).Value().Data(), fresh.Forward(x).Value().Data())
	fmt.Println("same output:", same)

	// A model of another shape is refused, and keeps its weights.
	wide := layers.NewSequential[float32](layers.NewLinear[float32](5, 8, rand.New(rand.NewPCG(3, 0))))
	_, err = checkpoint.LoadModel(path, wide, checkpoint.LoadOptions{})
	var e *checkpoint.Error
	if errors.As(err, &e) {
		fmt.Println("mismatched:", e.Mismatched)
		fmt.Println("unexpected:", e.Unexpected)
	}
	// Output:
	// same output: true
	// mismatched: [0.weight: file F32 [8 4], model [8 5]]
	// unexpected: [2.bias 2.weight]
}

// Save a training run after each epoch and resume it from the checkpoint
// into fresh objects, as a command with -save and -resume flags does.
func ExampleSave() {
	dir, err := os.MkdirTemp("", "checkpoint-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "run.safetensors")
	data := datasets.Spiral(50, 3, 0.2, rand.New(rand.NewPCG(9, 9)))

	// run trains until the given epoch, resuming from path if asked.
	run := func(resume bool, epochs int) checkpoint.Training[float32] {
		init := rand.New(rand.NewPCG(1, 2))
		model := layers.NewSequential[float32](
			layers.NewLinear[float32](2, 16, init),
			layers.NewReLU[float32](),
			layers.NewLinear[float32](16, 3, init),
		)
		opt := optim.NewAdam(model.Parameters(), optim.AdamConfig{LR: 0.01})
		pcg := rand.NewPCG(3, 4) // shuffles the batches
		rng := rand.New(pcg)
		state := checkpoint.Training[float32]{
			Model: model, Optimizer: opt,
			RNGs: map[string]checkpoint.Source{"shuffle": pcg},
		}
		if resume {
			if err := checkpoint.Load(path, &state); err != nil {
				log.Fatal(err)
			}
			fmt.Printf("resumed at epoch %d, step %d\n", state.Epoch, state.Step)
		}
		for state.Epoch < epochs {
			for x, y := range data.Batches(32, rng) {
				loss := layers.CrossEntropy(model.Forward(autograd.Const(x)), y)
				opt.ZeroGrad()
				loss.Backward()
				opt.Step()
				state.Step++
			}
			state.Epoch++ // the epochs done, from which a resumed run starts
			if err := checkpoint.Save(path, state); err != nil {
				log.Fatal(err)
			}
		}
		return state
	}

	straight := run(false, 3)
	run(false, 1)
	resumed := run(true, 3)
	fmt.Println("same weights:", slices.Equal(
		straight.Model.NamedParameters()[0].Var.Value().Data(),
		resumed.Model.NamedParameters()[0].Var.Value().Data()))
	// Output:
	// resumed at epoch 1, step 5
	// same weights: true
}
