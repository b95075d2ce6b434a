// Package benchmarks measures nabla on the PyTorch reference workloads
// (/work/shared/reference/torch_reference.py) and compares it with PyTorch
// on the same machine.
//
// It holds three things:
//
//   - the workloads themselves: the square GEMM sizes and the three reference
//     models (Models: "twolayer", "mlp" and "cnn") with their optimizer,
//     learning rate, batch size and epochs, and a Trainer that takes one
//     training step exactly as the reference loop does;
//   - Go benchmarks (bench_test.go): BenchmarkMatMul reports GFLOPS of
//     tensor.MatMul, BenchmarkTrainStep reports samples/s, bytes and
//     allocations of one training step of each model on a random batch;
//   - the comparison behind "go run ./benchmarks/compare": Compare runs every
//     workload in nabla (in process) and in PyTorch (through the project's
//     torch_bench.py, embedded in this package), interleaved, and prints one
//     markdown table.
//
// See README.md in this directory for how to run them.
package benchmarks
