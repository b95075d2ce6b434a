#!/usr/bin/env python3
"""nabla's PyTorch side of the benchmark comparison (go run ./benchmarks/compare).

The same workloads as the reference /work/shared/reference/torch_reference.py,
with the same JSON lines on stdout, plus options for quick runs. Needs
Debian's python3-torch and python3-numpy (run it with /usr/bin/python3) and,
for real data, dataset-fashion-mnist.

  python3 torch_bench.py matmul [--sizes 64,128] [--flop 2e10]
  python3 torch_bench.py train MODEL [--epochs E] [--limit N] [--test-limit N] [--synthetic] [--seed S]
  python3 torch_bench.py all
  python3 torch_bench.py serve

MODEL is twolayer, mlp or cnn. The defaults are the reference's settings.
"serve" is what the Go command uses: it reads one JSON command per line on
stdin ({"cmd": "info"}, {"cmd": "matmul", "dtype", "n", "flop"} or
{"cmd": "train", "model", "epochs", "limit", "test_limit", "synthetic",
"data", "seed", "progress"}) and answers each with one JSON line on stdout, so that
torch is imported and the data set loaded once while the Go side interleaves
its own runs. Errors are answered as {"error": "..."}; progress goes to
stderr.

Threads are pinned to the machine's cores (torch.set_num_threads(os.cpu_count()))
as in the reference. Only the training loop is timed, not data loading or
evaluation. Evaluation runs in chunks of 1000 test images, which gives the
reference's accuracy without its memory peak.
"""
import argparse, gzip, json, os, sys, time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(os.cpu_count())
ROOT = os.environ.get("FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")

# name: (builder, optimizer, lr, batch, epochs, input shape), as in the reference.
MODELS = {
    "twolayer": (lambda: nn.Sequential(nn.Linear(784, 50), nn.ReLU(), nn.Linear(50, 10)),
                 "sgd", 0.1, 100, 3, (-1, 784)),
    "mlp": (lambda: nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(),
                                  nn.Linear(256, 10)),
            "adam", 1e-3, 128, 3, (-1, 784)),
    "cnn": (lambda: nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                                  nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                                  nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10)),
            "adam", 1e-3, 64, 1, (-1, 1, 28, 28)),
}
SIZES = (64, 128, 256, 512, 1024)
FLOP = 2e10  # per GEMM size; the reference times 2e9 (see MatMulFLOPPerRun)


def emit(record):
    print(json.dumps(record), flush=True)


def idx(path):
    with gzip.open(path) as f:
        raw = f.read()
    if raw[2:4] == b"\x08\x03":
        n = int.from_bytes(raw[4:8], "big")
        return np.frombuffer(raw, np.uint8, offset=16).reshape(n, 784).astype(np.float32) / 255.0
    return np.frombuffer(raw, np.uint8, offset=8).astype(np.int64)


_data = {}


def load(root, synthetic, limit, test_limit):
    """Flat [N, 784] float tensors and int64 labels, cached per setting."""
    key = (root, synthetic, limit, test_limit)
    if key not in _data:
        if synthetic:
            g = torch.Generator().manual_seed(7)
            ntr, nte = limit or 60000, test_limit or 10000
            xtr, ytr = torch.rand(ntr, 784, generator=g), torch.randint(0, 10, (ntr,), generator=g)
            xte, yte = torch.rand(nte, 784, generator=g), torch.randint(0, 10, (nte,), generator=g)
        else:
            xtr = torch.tensor(idx(f"{root}/train-images-idx3-ubyte.gz"))
            ytr = torch.tensor(idx(f"{root}/train-labels-idx1-ubyte.gz"))
            xte = torch.tensor(idx(f"{root}/t10k-images-idx3-ubyte.gz"))
            yte = torch.tensor(idx(f"{root}/t10k-labels-idx1-ubyte.gz"))
            if limit:
                xtr, ytr = xtr[:limit], ytr[:limit]
            if test_limit:
                xte, yte = xte[:test_limit], yte[:test_limit]
        _data[key] = (xtr, ytr, xte, yte)
    return _data[key]


def matmul_one(dtype, n, flop=FLOP):
    a, b = torch.randn(n, n, dtype=dtype), torch.randn(n, n, dtype=dtype)
    for _ in range(3):
        a @ b
    reps = max(3, int(flop / (2 * n ** 3)))
    t = time.perf_counter()
    for _ in range(reps):
        a @ b
    dt = (time.perf_counter() - t) / reps
    return {"engine": "pytorch", "bench": "matmul", "dtype": str(dtype).split(".")[1],
            "n": n, "gflops": round(2 * n ** 3 / dt / 1e9, 1)}


def matmul(sizes=SIZES, flop=FLOP):
    for dtype in (torch.float32, torch.float64):
        for n in sizes:
            emit(matmul_one(dtype, n, flop))


def train(name, epochs=None, root=ROOT, limit=0, test_limit=0, synthetic=False, progress=False, seed=0):
    build, opt_name, lr, batch, default_epochs, shape = MODELS[name]
    epochs = epochs or default_epochs
    torch.manual_seed(seed)  # 0 is the reference's seed
    xtr, ytr, xte, yte = load(root, synthetic, limit, test_limit)
    xtr, xte = xtr.view(*shape), xte.view(*shape)
    model = build()
    opt = (torch.optim.SGD if opt_name == "sgd" else torch.optim.Adam)(model.parameters(), lr=lr)
    total = epochs * ((len(xtr) + batch - 1) // batch)
    steps, start = 0, time.perf_counter()
    report = start + 10
    for epoch in range(epochs):
        perm = torch.randperm(len(xtr))
        for i in range(0, len(xtr), batch):
            b = perm[i:i + batch]
            loss = F.cross_entropy(model(xtr[b]), ytr[b])
            opt.zero_grad()
            loss.backward()
            opt.step()
            steps += 1
            if progress and time.perf_counter() > report:
                now = time.perf_counter()
                report = now + 10
                rate = steps / (now - start)
                print(f"  pytorch {name}: epoch {epoch + 1}/{epochs}, step {steps}/{total}, "
                      f"{rate * batch:.0f} samples/s, {(total - steps) / rate:.0f}s left",
                      file=sys.stderr, flush=True)
    seconds = time.perf_counter() - start
    with torch.no_grad():
        correct = sum((model(xte[i:i + 1000]).argmax(1) == yte[i:i + 1000]).sum().item()
                      for i in range(0, len(xte), 1000))
    return {"engine": "pytorch", "bench": "train", "model": name, "epochs": epochs,
            "batch": batch, "steps": steps, "samples": len(xtr), "seconds": round(seconds, 2),
            "samples_per_s": round(len(xtr) * epochs / seconds),
            "test_accuracy": round(correct / len(xte), 4), "seed": seed}


def blas():
    """The BLAS library torch has loaded (its matmul speed depends on it):
    Debian's default libblas3 is the unoptimised reference BLAS."""
    torch.ones(8, 8) @ torch.ones(8, 8)
    try:
        with open("/proc/self/maps") as f:
            libs = sorted({l.split()[-1] for l in f if "blas" in l.lower() or "mkl" in l.lower()})
    except OSError:
        libs = []
    return ", ".join(libs) or "unknown"


def serve():
    dtypes = {"float32": torch.float32, "float64": torch.float64}
    while True:
        line = sys.stdin.readline()
        if not line:
            return
        if not line.strip():
            continue
        try:
            req = json.loads(line)
            cmd = req.get("cmd")
            if cmd == "info":
                out = {"torch": torch.__version__, "threads": torch.get_num_threads(),
                       "python": sys.version.split()[0], "blas": blas()}
            elif cmd == "matmul":
                out = matmul_one(dtypes[req["dtype"]], int(req["n"]), float(req.get("flop") or FLOP))
            elif cmd == "train":
                out = train(req["model"], req.get("epochs") or None, req.get("data") or ROOT,
                            req.get("limit") or 0, req.get("test_limit") or 0,
                            bool(req.get("synthetic")), bool(req.get("progress")), int(req.get("seed") or 0))
            else:
                out = {"error": f"unknown command {cmd!r}"}
        except Exception as e:  # report and carry on with the next command
            out = {"error": f"{type(e).__name__}: {e}"}
        emit(out)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("what", nargs="?", default="all", choices=("matmul", "train", "all", "serve"))
    p.add_argument("model", nargs="?", choices=tuple(MODELS))
    p.add_argument("--sizes", default=",".join(map(str, SIZES)), help="matmul sizes, comma-separated")
    p.add_argument("--flop", type=float, default=FLOP, help="floating-point operations timed per matmul size")
    p.add_argument("--epochs", type=int, default=0, help="override the model's epochs")
    p.add_argument("--limit", type=int, default=0, help="use only the first N training samples")
    p.add_argument("--test-limit", type=int, default=0, help="use only the first N test samples")
    p.add_argument("--synthetic", action="store_true", help="random Fashion-MNIST-shaped data")
    p.add_argument("--data", default=ROOT, help="Fashion-MNIST directory")
    p.add_argument("--seed", type=int, default=0, help="torch.manual_seed for training (0, the reference's)")
    a = p.parse_args()
    if a.what == "serve":
        return serve()
    if a.what in ("matmul", "all"):
        matmul([int(s) for s in a.sizes.split(",") if s], a.flop)
    models = [a.model] if a.what == "train" else list(MODELS) if a.what == "all" else []
    if a.what == "train" and not a.model:
        p.error("train needs a MODEL")
    for m in models:
        emit(train(m, a.epochs or None, a.data, a.limit, a.test_limit, a.synthetic, seed=a.seed))


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:  # Ctrl-C reaches the Go command too, which reports it
        sys.exit(130)
