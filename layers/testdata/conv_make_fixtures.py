#!/usr/bin/python3
"""Writes conv_fixtures.json: PyTorch reference values for nabla's
convolution, pooling, normalisation and embedding layers.

Run with Debian's python3-torch (1.13), from the repository root:

    /usr/bin/python3 layers/testdata/conv_make_fixtures.py

Everything is float64. Inputs, weights and output gradients come from a fixed
numpy seed and are stored beside the results, so the Go tests
(layers/conv_parity_test.go) rebuild each case exactly. For each case the
script runs the layer forward, then backward with the stored output gradient
(the gradient of sum(out * grad_out)), and records the output and the
gradients of the input and of every parameter. Batch norm also records the
running statistics after two training batches and an evaluation output.
"""

import json
import os

import numpy as np
import torch
import torch.nn as nn

torch.set_default_dtype(torch.float64)
rng = np.random.default_rng(20240601)


def enc(t):
    """A tensor as {"shape": [...], "data": [row-major values]}."""
    a = t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
    return {"shape": list(a.shape), "data": [float(v) for v in a.reshape(-1)]}


def randn(*shape):
    return torch.tensor(rng.standard_normal(shape))


def distinct(*shape):
    """Values at least 0.01 apart, so that max pooling has no ties."""
    n = int(np.prod(shape))
    vals = rng.permutation(n) * 0.05 - n * 0.025 + rng.uniform(0, 0.01, n)
    return torch.tensor(vals.reshape(shape))


def run(module, x, params):
    """Forward, backward with a random output gradient; returns the record."""
    x = x.clone().requires_grad_(True)
    out = module(x)
    g = randn(*out.shape)
    out.backward(g)
    rec = {"x": enc(x), "grad_out": enc(g), "out": enc(out), "grad_x": enc(x.grad)}
    for name in params:
        p = getattr(module, name)
        rec[name] = enc(p)
        rec["grad_" + name] = enc(p.grad)
    return rec


def set_params(module, **values):
    with torch.no_grad():
        for name, v in values.items():
            getattr(module, name).copy_(v)


def conv_cases():
    configs = [
        ("stride2", dict(cin=3, cout=4, k=(3, 3), stride=(2, 2), padding=(0, 0), dilation=(1, 1), groups=1, bias=True), (2, 3, 7, 8)),
        ("padding1", dict(cin=3, cout=4, k=(3, 3), stride=(1, 1), padding=(1, 1), dilation=(1, 1), groups=1, bias=True), (2, 3, 5, 6)),
        ("dilation2", dict(cin=2, cout=3, k=(3, 3), stride=(1, 1), padding=(2, 2), dilation=(2, 2), groups=1, bias=True), (2, 2, 6, 7)),
        ("groups2", dict(cin=4, cout=6, k=(3, 3), stride=(1, 1), padding=(1, 1), dilation=(1, 1), groups=2, bias=True), (2, 4, 5, 5)),
        ("nobias", dict(cin=3, cout=2, k=(2, 3), stride=(1, 2), padding=(1, 0), dilation=(1, 1), groups=1, bias=False), (2, 3, 5, 7)),
        ("mixed", dict(cin=4, cout=4, k=(3, 2), stride=(2, 1), padding=(1, 1), dilation=(2, 1), groups=2, bias=True), (3, 4, 7, 6)),
    ]
    cases = []
    for name, c, xshape in configs:
        m = nn.Conv2d(c["cin"], c["cout"], c["k"], stride=c["stride"], padding=c["padding"],
                      dilation=c["dilation"], groups=c["groups"], bias=c["bias"])
        set_params(m, weight=randn(*m.weight.shape))
        params = ["weight"]
        if c["bias"]:
            set_params(m, bias=randn(c["cout"]))
            params.append("bias")
        rec = run(m, randn(*xshape), params)
        rec.update(name=name, config={k: list(v) if isinstance(v, tuple) else v for k, v in c.items()})
        cases.append(rec)
    return cases


def pool_cases():
    maxp, avgp = [], []
    for name, k, s, p, d, shape in [
        ("2x2", (2, 2), (2, 2), (0, 0), (1, 1), (2, 3, 6, 6)),
        ("overlap-pad", (3, 3), (2, 2), (1, 1), (1, 1), (2, 2, 7, 7)),
        ("rect-dilation", (2, 3), (1, 2), (1, 1), (2, 1), (1, 3, 6, 7)),
    ]:
        rec = run(nn.MaxPool2d(k, stride=s, padding=p, dilation=d), distinct(*shape), [])
        rec.update(name=name, kernel=list(k), stride=list(s), padding=list(p), dilation=list(d))
        maxp.append(rec)
    for name, k, s, p, include, shape in [
        ("2x2", (2, 2), (2, 2), (0, 0), True, (2, 3, 6, 6)),
        ("pad-include", (3, 3), (2, 2), (1, 1), True, (2, 2, 7, 6)),
        ("pad-exclude", (3, 2), (2, 1), (1, 1), False, (2, 2, 7, 6)),
    ]:
        rec = run(nn.AvgPool2d(k, stride=s, padding=p, count_include_pad=include), randn(*shape), [])
        rec.update(name=name, kernel=list(k), stride=list(s), padding=list(p), count_include_pad=include)
        avgp.append(rec)
    adaptive = []
    for name, size, shape in [("1x1", (1, 1), (2, 3, 5, 7)), ("2x3", (2, 3), (2, 2, 5, 7))]:
        rec = run(nn.AdaptiveAvgPool2d(size), randn(*shape), [])
        rec.update(name=name, output_size=list(size))
        adaptive.append(rec)
    return maxp, avgp, adaptive


def batchnorm_cases(cls, shapes):
    cases = []
    for name, shape in shapes:
        c = shape[1]
        m = cls(c)
        set_params(m, weight=randn(c), bias=randn(c))
        m.train()
        rec = run(m, randn(*shape), ["weight", "bias"])
        # A second training batch moves the running statistics again.
        x2 = randn(*shape) * 2 + 0.5
        with torch.no_grad():
            m(x2)
        m.eval()
        x3 = randn(*shape)
        with torch.no_grad():
            eval_out = m(x3)
        rec.update(name=name, x2=enc(x2), x_eval=enc(x3), eval_out=enc(eval_out),
                   running_mean=enc(m.running_mean), running_var=enc(m.running_var),
                   num_batches_tracked=int(m.num_batches_tracked), momentum=m.momentum, eps=m.eps)
        cases.append(rec)
    return cases


def layernorm_cases():
    cases = []
    for name, norm, shape in [("last", [6], (3, 4, 6)), ("last2", [4, 6], (2, 4, 6))]:
        m = nn.LayerNorm(norm)
        set_params(m, weight=randn(*norm), bias=randn(*norm))
        rec = run(m, randn(*shape), ["weight", "bias"])
        rec.update(name=name, normalized_shape=norm, eps=m.eps)
        cases.append(rec)
    return cases


def embedding_cases():
    m = nn.Embedding(7, 4)
    set_params(m, weight=randn(7, 4))
    idx = torch.tensor([[1, 3, 3, 0, 6], [3, 1, 5, 5, 3]])
    out = m(idx)
    g = randn(*out.shape)
    out.backward(g)
    return [{"name": "repeats", "num": 7, "dim": 4, "indices": enc(idx.double()), "weight": enc(m.weight),
             "grad_out": enc(g), "out": enc(out), "grad_weight": enc(m.weight.grad)}]


def main():
    maxp, avgp, adaptive = pool_cases()
    fixtures = {
        "torch_version": torch.__version__,
        "conv2d": conv_cases(),
        "maxpool2d": maxp,
        "avgpool2d": avgp,
        "adaptive_avgpool2d": adaptive,
        "batchnorm1d": batchnorm_cases(nn.BatchNorm1d, [("2d", (5, 3)), ("3d", (4, 3, 6))]),
        "batchnorm2d": batchnorm_cases(nn.BatchNorm2d, [("4d", (4, 3, 5, 5))]),
        "layernorm": layernorm_cases(),
        "embedding": embedding_cases(),
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "conv_fixtures.json")
    with open(path, "w") as f:
        json.dump(fixtures, f, separators=(",", ":"))
        f.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
