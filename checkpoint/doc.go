// Package checkpoint saves models and training runs to safetensors files and
// loads them back: model weights that move between nabla and PyTorch
// unchanged, and training state from which a stopped run resumes bit for bit.
//
// # Models
//
// SaveModel writes a model's state dict, its parameters and buffers under
// PyTorch's names and in PyTorch's layouts ("0.weight" [out, in],
// "1.running_mean"), as F32 or F64 tensors by the model's element type.
// LoadModel reads such a file, or one that PyTorch wrote, into a model:
//
//	err := checkpoint.SaveModel("model.safetensors", model)
//	...
//	_, err = checkpoint.LoadModel("model.safetensors", fresh, checkpoint.LoadOptions{})
//
// SaveModelWith also stores metadata (the data set, a score), which
// LoadModel returns in its Result.
//
// In PyTorch, the same file loads into the equivalent torch.nn model (the same
// layers in an nn.Sequential) with
//
//	model.load_state_dict(safetensors.torch.load_file("model.safetensors"))
//
// and a file that safetensors.torch.save_file(model.state_dict(), ...)
// wrote loads into the nabla model. Loading converts element types as
// PyTorch's load_state_dict does (F64, F32, F16, BF16, and integer tensors
// such as the I64 of num_batches_tracked, into float32 or float64).
//
// # Failing safely
//
// A checkpoint comes from outside the program, so nothing in it panics:
// every problem is an *Error that names the file and says what is wrong.
// Loading checks every name and shape against the model before it copies
// anything, strictly by default as PyTorch does, and lists all the missing,
// unexpected and mismatched entries at once; a failed load leaves the model
// as it was. Saving writes a temporary file and renames it, so a failed save
// never leaves a half-written checkpoint.
//
// # Resuming training
//
// Save and Load keep a whole training run in one file: the model, the
// optimizer's state (under "optimizer."), the scheduler's epoch, the epoch
// and step counts, and the state of the random sources that shuffle the data
// or draw dropout masks. A run that saves after an epoch and a run that
// loads that file into fresh objects and trains on compute the same losses
// and weights, to the bit, as one run that never stopped:
//
//	pcg := rand.NewPCG(1, 2) // the batches' shuffling source
//	rng := rand.New(pcg)
//	state := checkpoint.Training[float32]{
//		Model: model, Optimizer: opt, Scheduler: sched,
//		RNGs: map[string]checkpoint.Source{"shuffle": pcg},
//	}
//	if *resume != "" {
//		if err := checkpoint.Load(*resume, &state); err != nil {
//			log.Fatal(err)
//		}
//	}
//	for epoch := state.Epoch; epoch < epochs; epoch++ {
//		for x, y := range train.Batches(64, rng) {
//			... // forward, backward, opt.Step()
//			state.Step++
//		}
//		sched.Step()
//		state.Epoch = epoch + 1
//		if *save != "" {
//			if err := checkpoint.Save(*save, state); err != nil {
//				log.Fatal(err)
//			}
//		}
//	}
package checkpoint
