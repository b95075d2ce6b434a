#!/usr/bin/python3
"""Moves checkpoints between nabla and PyTorch, for checkpoint's interop test.

Run with Debian's /usr/bin/python3 (python3-torch, python3-numpy). The
safetensors Python package is not needed: the format (an 8-byte little-endian
header length, a JSON header, the raw little-endian data) is read and written
here with json, struct and numpy.

    interop.py export DIR
        For each architecture (mlp, cnn) and dtype (f64, f32, bf16, f16),
        writes DIR/torch_<arch>_<dtype>.safetensors, the state dict of a
        freshly initialised torch model (batch norm statistics updated by a
        few training-mode passes, so that they are not trivial;
        num_batches_tracked stays int64, as PyTorch keeps it), and
        DIR/torch_<arch>_<dtype>_io.safetensors holding a batch "input" and the
        model's "output" on it in evaluation mode. bf16 and f16 files hold
        weights rounded to that type; their input and output are float32,
        computed with the rounded weights.

    interop.py check DIR CASE:TOL ...
        For each CASE (<arch>_<dtype>, dtype f64 or f32) loads
        DIR/nabla_CASE.safetensors, written by nabla, into the equivalent
        torch model with load_state_dict(strict=True), runs it in evaluation
        mode on the "input" of DIR/nabla_CASE_io.safetensors and compares with
        nabla's "output" there. Prints "CASE max_abs_diff=D" per case and
        exits 1 if any D exceeds its TOL (or is not finite).

The architectures must match newMLP and newCNN in helpers_test.go.
"""

import json
import math
import struct
import sys

import numpy as np
import torch
from torch import nn

NP_DTYPES = {
    "F64": np.dtype("<f8"),
    "F32": np.dtype("<f4"),
    "F16": np.dtype("<f2"),
    "I64": np.dtype("<i8"),
}
TORCH_DTYPES = {
    torch.float64: "F64",
    torch.float32: "F32",
    torch.float16: "F16",
    torch.bfloat16: "BF16",
    torch.int64: "I64",
}


def read_safetensors(path):
    """Returns ({name: torch tensor}, metadata dict or None)."""
    with open(path, "rb") as f:
        b = f.read()
    (n,) = struct.unpack("<Q", b[:8])
    header = json.loads(b[8 : 8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", None)
    data = b[8 + n :]
    out = {}
    for name, e in header.items():
        begin, end = e["data_offsets"]
        raw = data[begin:end]
        if e["dtype"] == "BF16":
            bits = np.frombuffer(raw, np.dtype("<u2")).astype(np.uint32) << 16
            arr = bits.view(np.float32)
        else:
            arr = np.frombuffer(raw, NP_DTYPES[e["dtype"]])
        arr = arr.astype(arr.dtype.newbyteorder("="))
        out[name] = torch.from_numpy(arr.reshape(e["shape"]).copy())
    return out, meta


def write_safetensors(path, tensors, metadata=None):
    """Writes {name: torch tensor} in the safetensors format."""
    header, chunks, off = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous().cpu()
        dtype = TORCH_DTYPES[t.dtype]
        if t.dtype == torch.bfloat16:
            raw = t.view(torch.int16).numpy().astype("<i2").tobytes()
        else:
            raw = t.numpy().astype(NP_DTYPES[dtype]).tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [off, off + len(raw)]}
        chunks.append(raw)
        off += len(raw)
    if metadata is not None:
        header["__metadata__"] = metadata
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for c in chunks:
            f.write(c)


def build(arch):
    if arch == "mlp":
        return nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 8), nn.Tanh(), nn.Linear(8, 3))
    if arch == "cnn":
        return nn.Sequential(
            nn.Conv2d(1, 4, 3, padding=1),
            nn.BatchNorm2d(4),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(4, 8, 3),
            nn.BatchNorm2d(8),
            nn.ReLU(),
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
            nn.Linear(8, 3),
        )
    raise ValueError("unknown architecture " + arch)


def batch(arch, n, dtype):
    shape = (n, 4) if arch == "mlp" else (n, 1, 8, 8)
    return torch.randn(*shape, dtype=dtype)


def export(d):
    for seed, arch in enumerate(["mlp", "cnn"]):
        for kind in ["f64", "f32", "bf16", "f16"]:
            torch.manual_seed(100 + seed)
            model = build(arch)
            dtype = torch.float64 if kind == "f64" else torch.float32
            model = model.to(dtype)
            with torch.no_grad():
                for m in model.modules():
                    if isinstance(m, nn.BatchNorm2d):
                        m.weight.uniform_(0.5, 1.5)
                        m.bias.uniform_(-0.5, 0.5)
                model.train()
                for _ in range(3):
                    model(2 * batch(arch, 16, dtype) + 0.5)
                sd = model.state_dict()
                if kind in ("bf16", "f16"):
                    half = torch.bfloat16 if kind == "bf16" else torch.float16
                    for name, t in sd.items():
                        if t.is_floating_point():
                            t.copy_(t.to(half).to(t.dtype))  # the model computes with the rounded weights
                    stored = {k: (v.to(half) if v.is_floating_point() else v) for k, v in sd.items()}
                else:
                    stored = sd
                model.eval()
                x = batch(arch, 8, dtype)
                y = model(x)
            write_safetensors(f"{d}/torch_{arch}_{kind}.safetensors", stored, {"format": "pt"})
            write_safetensors(f"{d}/torch_{arch}_{kind}_io.safetensors", {"input": x, "output": y})


def check(d, cases):
    ok = True
    for case in cases:
        name, tol = case.split(":")
        tol = float(tol)
        arch, kind = name.split("_")
        sd, meta = read_safetensors(f"{d}/nabla_{name}.safetensors")
        if (meta or {}).get("format") != "pt":
            print(f"{name}: metadata {meta}, want format pt")
            ok = False
        model = build(arch).to(torch.float64 if kind == "f64" else torch.float32)
        model.load_state_dict(sd, strict=True)
        for k, v in model.state_dict().items():
            if k.endswith("num_batches_tracked") and v.item() != sd[k].item():
                print(f"{name}: {k} is {v.item()}, file {sd[k].item()}")
                ok = False
        io, _ = read_safetensors(f"{d}/nabla_{name}_io.safetensors")
        model.eval()
        with torch.no_grad():
            y = model(io["input"])
        diff = (y - io["output"]).abs().max().item()
        good = math.isfinite(diff) and diff <= tol
        print(f"{name} max_abs_diff={diff:.3g} tol={tol:g} {'ok' if good else 'FAIL'}")
        ok = ok and good
    return ok


def main(argv):
    if len(argv) >= 2 and argv[0] == "export":
        export(argv[1])
        return 0
    if len(argv) >= 3 and argv[0] == "check":
        return 0 if check(argv[1], argv[2:]) else 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
