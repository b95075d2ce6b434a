// Package layers builds and trains models from autograd's ops: the Module
// interface, layers (Linear, activations, Softmax and LogSoftmax, Dropout,
// Flatten, Sequential and the layers of the other files), the losses,
// weight-initialisation schemes and the state dict that checkpoints save.
//
// Everything follows PyTorch where a PyTorch user would look: a Linear
// weight is [out, in] and initialised as nn.Linear's; Sequential names its
// children's parameters "0.weight", "0.bias", "2.weight"; losses take
// logits and integer labels, reduce by the mean by default and accept
// PyTorch's options (class weights, label smoothing, pos_weight) with
// PyTorch's semantics. The tests check values and gradients against
// fixtures that PyTorch computed (testdata/make_fixtures.py), and every layer
// and loss against central differences.
//
// A model is a Module: it maps a Var to a Var and lists its parameters.
//
//	rng := rand.New(rand.NewPCG(1, 2))
//	model := layers.NewSequential[float32](
//		layers.NewLinear[float32](64, 50, rng),
//		layers.NewReLU[float32](),
//		layers.NewLinear[float32](50, 10, rng),
//	)
//	loss := layers.CrossEntropy(model.Forward(autograd.Const(x)), y)
//	loss.Backward() // gradients in model.Parameters()[i].Grad()
//
// Losses have a short form with PyTorch's defaults and a With form that
// takes options: CrossEntropy(logits, labels) and
// CrossEntropyWith(logits, labels, CrossEntropyOptions{LabelSmoothing: 0.1}).
//
// All randomness (initialisation, dropout masks) comes from an explicit
// *rand.Rand, so a seed reproduces a run.
package layers
