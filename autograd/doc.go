// Package autograd is nabla's reverse-mode automatic differentiation.
//
// A Var holds a tensor value. Ops on Vars (Add, MatMul, Softmax, ...) compute
// their value with package tensor and, when any input requires a gradient,
// record a node: the op's name, its inputs, and its backward function, which
// sits right beside the forward in the same Go function. Backward walks the
// recorded graph in reverse topological order (iteratively, so graphs of any
// depth work) and accumulates gradients into the Params it reaches.
//
// Backward functions are written with the same differentiable ops, so Grad
// with CreateGraph records the gradient computation itself and gradients of
// gradients work. Without CreateGraph, backward sees detached values and
// records nothing.
//
// Every exported op is listed in the package's op table (optable_test.go),
// which drives GradCheck (first order) and GradGradCheck (second order)
// against central differences in float64; a test fails when an exported op is
// missing from it. GradCheck and GradGradCheck are exported so that users can
// check their own compositions the same way.
//
// Numerically delicate ops are fused and stable: Softmax and LogSoftmax
// subtract the maximum, LogSumExp of a row that is all -Inf is -Inf with a
// zero gradient. At kinks (ReLU and Abs at 0, ties in Max) the gradient
// follows PyTorch: 0 at the kink of ReLU and Abs, split evenly among ties.
package autograd
