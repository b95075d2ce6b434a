// Package optim updates a model's parameters from their gradients: the
// optimizers SGD, Adam, AdamW, RMSProp and Adagrad, learning-rate schedules,
// and gradient clipping.
//
// # Optimizers
//
// An optimizer is made over a list of parameters (autograd.Param Vars) and a
// configuration, and is used in the training loop as in PyTorch:
//
//	opt := optim.NewAdam(params, optim.AdamConfig{LR: 1e-3})
//	for x, y := range batches {
//		loss := lossOf(x, y)
//		opt.ZeroGrad()
//		loss.Backward()
//		opt.Step()
//		autograd.Release(loss) // reuse the step's buffers in the next one
//	}
//
// ZeroGrad hands each gradient that Backward made back to the tensor
// package's buffer pool, where the next Backward finds it: clone a gradient
// you want to keep past ZeroGrad.
//
// Each update rule is PyTorch 1.13's, line for line (each type's
// documentation gives it), with PyTorch's defaults, and the tests train a
// small network against fixtures that PyTorch made
// (testdata/make_fixtures.py). A parameter whose Grad is nil is skipped, as
// in PyTorch. Step works on the tensors' elements directly: it records no
// graph, and once each parameter's state is allocated (at its first update)
// it allocates nothing.
//
// # Configuration
//
// A zero field of a configuration struct means PyTorch's default for it
// (Adam's betas 0.9 and 0.999, eps 1e-8; AdamW's weight decay 1e-2). Where
// 0 is a legal value and the default is not 0, write the constant Zero to
// get 0: optim.AdamWConfig{WeightDecay: optim.Zero}. Constructors panic, with
// an error wrapping ErrConfig, on values PyTorch rejects.
//
// # State
//
// State and LoadState export and import an optimizer's per-parameter state,
// for checkpoints, as named tensors: "<i>.<name>", where i is the
// parameter's index in the constructor's slice and name is the buffer's
// name in PyTorch's optimizer.state_dict()["state"][i]:
//
//	SGD      momentum_buffer (with momentum)
//	Adam     step, exp_avg, exp_avg_sq, max_exp_avg_sq (with AMSGrad)
//	AdamW    as Adam
//	RMSProp  step, square_avg, momentum_buffer (with momentum), grad_avg (centered)
//	Adagrad  step, sum
//
// "step" is a one-element tensor holding the parameter's update count (as in
// PyTorch, a parameter that had no gradient at some step has a smaller
// count). A parameter not yet updated has no entries, except under Adagrad,
// whose state exists from the start. Hyperparameters, the learning rate
// included, are not part of the state: they come from the configuration,
// and a Scheduler's SetEpoch restores a scheduled rate. A
// new optimizer with the same configuration over parameters of the same
// shapes, given the loaded state, continues bit for bit as the original
// would have. In float32 a step count is exact up to 2^24.
//
// # Learning-rate schedules
//
// A Scheduler sets an optimizer's learning rate from a Schedule: StepLR,
// ExponentialLR, CosineAnnealingLR (PyTorch's closed forms) and LinearWarmup
// (PyTorch's LinearLR, alone or followed by another schedule). Its Step is
// called once per epoch or once per iteration, after the optimizer's Step.
//
// # Gradient clipping
//
// ClipGradNorm scales all gradients together so that their global L2 norm
// is at most a bound (torch.nn.utils.clip_grad_norm_); ClipGradValue clamps
// each element (clip_grad_value_). Both go between Backward and Step.
package optim
