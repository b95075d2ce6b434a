#!/usr/bin/python3
"""Make the PyTorch parity fixtures of package layers.

Run it with Debian's Python, which has python3-torch (1.13) and numpy:

    /usr/bin/python3 layers/testdata/make_fixtures.py

It writes, next to itself,

  losses.json  every loss with every reduction and option: inputs, labels or
               targets, options, the value and the gradient of the input
               (and of the target where PyTorch defines one);
  layers.json  Linear and a two-layer MLP forward and backward given fixed
               weights, and the activations' values, gradients and (for GELU)
               second derivatives.

Everything is float64 and deterministic: inputs come from numpy's PCG64 with
a fixed seed, and json writes floats with repr, which round-trips exactly.
For reduction "none" the gradient is that of sum(output * grad_output) with
the recorded grad_output.
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20240611)

N, C = 5, 4
REDUCTIONS = ("mean", "sum", "none")


def enc(t):
    a = np.asarray(t.detach().numpy() if torch.is_tensor(t) else t, dtype=np.float64)
    return {"shape": list(a.shape), "data": [float(v) for v in a.reshape(-1)]}


def normal(*shape, scale=1.0):
    return rng.standard_normal(shape) * scale


def off_kink_hinge(scores, labels, gap=1e-2):
    """True when no margin 1 - x[y] + x[j] is within gap of the kink at 0."""
    for i, y in enumerate(labels):
        for j in range(scores.shape[1]):
            if j != y and abs(1 - scores[i, y] + scores[i, j]) < gap:
                return False
    return True


def run(fn, inputs, reduction, grads_of=(0,)):
    """Evaluate fn on tensors made of inputs; return value, grad_output and the
    gradients of the inputs listed in grads_of."""
    ts = [torch.tensor(x, requires_grad=(i in grads_of)) for i, x in enumerate(inputs)]
    out = fn(*ts)
    go = None
    if reduction == "none":
        go = torch.tensor(rng.uniform(0.5, 1.5, tuple(out.shape)))
        out.backward(go)
    else:
        out.backward()
    return out, go, [ts[i].grad for i in grads_of]


cases = []


def add(group, name, loss, reduction, inputs, fn, extra, target_grad=False, grads=True):
    grads_of = (0, 1) if target_grad else (0,)
    if not grads:
        ts = [torch.tensor(x) for x in inputs]
        out, go, gs = fn(*ts), None, []
    else:
        out, go, gs = run(fn, inputs, reduction, grads_of)
    case = {"group": group, "name": f"{name}/{reduction}", "loss": loss, "reduction": reduction,
            "input": enc(inputs[0]), "value": enc(out)}
    if len(inputs) > 1:
        case["target"] = enc(inputs[1])
    if go is not None:
        case["grad_output"] = enc(go)
    if gs:
        case["grad"] = enc(gs[0])
    if target_grad and grads:
        case["target_grad"] = enc(gs[1])
    case.update(extra)
    cases.append(case)


def labels_(n=N, c=C):
    return [int(v) for v in rng.integers(0, c, n)]


# Regression losses.
for r in REDUCTIONS:
    add("mse", "mse", "mse", r, [normal(3, 4), normal(3, 4)],
        lambda a, b, r=r: F.mse_loss(a, b, reduction=r), {}, target_grad=True)
    add("l1", "l1", "l1", r, [normal(3, 4), normal(3, 4)],
        lambda a, b, r=r: F.l1_loss(a, b, reduction=r), {}, target_grad=True)

# Cross-entropy with class labels, every option and reduction.
WEIGHT = [0.5, 2.0, 1.0, 1.5]
CE_OPTIONS = [
    ("plain", None, 0.0, False),
    ("weight", WEIGHT, 0.0, False),
    ("smoothing", None, 0.1, False),
    ("weight_smoothing", WEIGHT, 0.2, False),
    ("ignore", None, 0.0, True),
    ("ignore_weight_smoothing", WEIGHT, 0.1, True),
]


def ce_labels(name, group, scale, opts):
    for tag, w, eps, ignore in opts:
        for r in REDUCTIONS:
            x = normal(N, C, scale=scale)
            y = labels_()
            if ignore:
                y[1] = -100
            wt = None if w is None else torch.tensor(w)
            extra = {"labels": y, "label_smoothing": eps}
            if w is not None:
                extra["weight"] = w
            add(group, f"{name}/{tag}", "cross_entropy", r, [x],
                lambda a, y=y, wt=wt, eps=eps, r=r: F.cross_entropy(
                    a, torch.tensor(y), weight=wt, reduction=r, label_smoothing=eps), extra)


ce_labels("cross_entropy", "cross_entropy", 2.0, CE_OPTIONS)

# Cross-entropy with probability targets.
for tag, w, eps, _ in CE_OPTIONS[:4]:
    for r in REDUCTIONS:
        x = normal(N, C, scale=2.0)
        t = torch.softmax(torch.tensor(normal(N, C)), 1).numpy()
        wt = None if w is None else torch.tensor(w)
        extra = {"label_smoothing": eps}
        if w is not None:
            extra["weight"] = w
        add("cross_entropy_probs", f"cross_entropy_probs/{tag}", "cross_entropy_probs", r, [x, t],
            lambda a, b, wt=wt, eps=eps, r=r: F.cross_entropy(a, b, weight=wt, reduction=r, label_smoothing=eps),
            extra, target_grad=True)

# Negative log-likelihood of log-probabilities.
for tag, w, _, ignore in [CE_OPTIONS[0], CE_OPTIONS[1], CE_OPTIONS[4], ("ignore_weight", WEIGHT, 0, True)]:
    for r in REDUCTIONS:
        x = torch.log_softmax(torch.tensor(normal(N, C)), 1).numpy()
        y = labels_()
        if ignore:
            y[3] = -100
        wt = None if w is None else torch.tensor(w)
        extra = {"labels": y}
        if w is not None:
            extra["weight"] = w
        add("nll", f"nll/{tag}", "nll", r, [x],
            lambda a, y=y, wt=wt, r=r: F.nll_loss(a, torch.tensor(y), weight=wt, reduction=r), extra)


def bce_targets(shape):
    t = rng.uniform(0, 1, shape)
    t[0] = rng.integers(0, 2, shape[1])  # a row of hard labels
    return t


# Binary cross-entropy on probabilities.
for tag, w in [("plain", None), ("weight", WEIGHT)]:
    for r in REDUCTIONS:
        p = rng.uniform(0.05, 0.95, (3, C))
        y = bce_targets((3, C))
        wt = None if w is None else torch.tensor(w)
        extra = {} if w is None else {"weight": w}
        add("bce", f"bce/{tag}", "bce", r, [p, y],
            lambda a, b, wt=wt, r=r: F.binary_cross_entropy(a, b, weight=wt, reduction=r), extra)
# Probabilities 0 and 1 and below exp(-100): the logs are clamped at -100.
# Values only: there PyTorch's gradient is its clamped formula
# (p-y)/max(p(1-p), 1e-12), not a derivative.
for r in REDUCTIONS:
    p = np.array([[0.0, 1.0, 1e-50, 0.5], [1.0, 0.0, 0.25, 1 - 1e-17]])
    y = np.array([[1.0, 0.0, 1.0, 0.3], [1.0, 0.0, 0.5, 1.0]])
    add("bce", "bce/clamp", "bce", r, [p, y],
        lambda a, b, r=r: F.binary_cross_entropy(a, b, reduction=r), {}, grads=False)

# Binary cross-entropy with logits (multi-label), with weight and pos_weight.
POS_WEIGHT = [3.0, 0.5, 1.0, 2.0]
BCEL_OPTIONS = [("plain", None, None), ("weight", WEIGHT, None), ("pos_weight", None, POS_WEIGHT),
                ("weight_pos_weight", WEIGHT, POS_WEIGHT)]


def bce_logits(name, group, scale, opts):
    for tag, w, pw in opts:
        for r in REDUCTIONS:
            x = normal(3, C, scale=scale)
            y = bce_targets((3, C))
            wt = None if w is None else torch.tensor(w)
            pwt = None if pw is None else torch.tensor(pw)
            extra = {}
            if w is not None:
                extra["weight"] = w
            if pw is not None:
                extra["pos_weight"] = pw
            add(group, f"{name}/{tag}", "bce_with_logits", r, [x, y],
                lambda a, b, wt=wt, pwt=pwt, r=r: F.binary_cross_entropy_with_logits(
                    a, b, weight=wt, pos_weight=pwt, reduction=r), extra, target_grad=True)


bce_logits("bce_with_logits", "bce_with_logits", 2.0, BCEL_OPTIONS)

# Multi-class hinge (MultiMarginLoss, p=1, margin=1), inputs off the kinks.
for r in REDUCTIONS:
    while True:
        x, y = normal(N, C), labels_()
        if off_kink_hinge(x, y):
            break
    add("hinge", "hinge", "hinge", r, [x],
        lambda a, y=y, r=r: F.multi_margin_loss(a, torch.tensor(y), reduction=r), {"labels": y})

# Logits of magnitude 1e3 and 1e4: cross-entropy and BCE with logits.
for scale in (1e3, 1e4):
    ce_labels(f"cross_entropy_{scale:g}", "large_logits", scale, [CE_OPTIONS[0], CE_OPTIONS[3]])
    bce_logits(f"bce_with_logits_{scale:g}", "large_logits", scale, [BCEL_OPTIONS[0], BCEL_OPTIONS[3]])

# Layers: Linear and a two-layer MLP with fixed weights.
layers = {}


def linear_case(bias):
    x = torch.tensor(normal(6, 4), requires_grad=True)
    w = torch.tensor(normal(3, 4) * 0.5, requires_grad=True)
    b = torch.tensor(normal(3) * 0.5, requires_grad=True) if bias else None
    y = F.linear(x, w, b)
    go = torch.tensor(rng.uniform(0.5, 1.5, tuple(y.shape)))
    y.backward(go)
    case = {"x": enc(x), "weight": enc(w), "output": enc(y), "grad_output": enc(go),
            "grad_x": enc(x.grad), "grad_weight": enc(w.grad)}
    if bias:
        case.update({"bias": enc(b), "grad_bias": enc(b.grad)})
    return case


layers["linear"] = linear_case(True)
layers["linear_nobias"] = linear_case(False)

model = torch.nn.Sequential(torch.nn.Linear(4, 5), torch.nn.ReLU(), torch.nn.Linear(5, 3))
with torch.no_grad():
    for p in model.parameters():
        p.copy_(torch.tensor(normal(*p.shape)))
x = torch.tensor(normal(6, 4), requires_grad=True)
y = labels_(6, 3)
logits = model(x)
loss = F.cross_entropy(logits, torch.tensor(y))
loss.backward()
layers["mlp"] = {
    "x": enc(x), "labels": y, "logits": enc(logits), "loss": enc(loss), "grad_x": enc(x.grad),
    "state_dict": {k: enc(v) for k, v in model.state_dict().items()},
    "grads": {k: enc(p.grad) for k, p in model.named_parameters()},
}

# Activations on a grid that includes 0 (LeakyReLU's gradient there is the
# slope), with value, gradient of sum(y * grad_output) and, for the smooth
# ones, the elementwise second derivative.
grid = np.concatenate([np.linspace(-6, 6, 25), normal(15, scale=3.0)])
acts = {
    "gelu": lambda t: F.gelu(t),
    "gelu_tanh": lambda t: F.gelu(t, approximate="tanh"),
    "leaky_relu_0.01": lambda t: F.leaky_relu(t, 0.01),
    "leaky_relu_0.2": lambda t: F.leaky_relu(t, 0.2),
    "relu": F.relu,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "softmax": lambda t: torch.softmax(t.reshape(5, 8), 1).reshape(-1),
    "log_softmax": lambda t: torch.log_softmax(t.reshape(5, 8), 1).reshape(-1),
}
second = {"gelu", "gelu_tanh", "sigmoid", "tanh"}
layers["activations"] = {}
for name, fn in acts.items():
    t = torch.tensor(grid, requires_grad=True)
    out = fn(t)
    go = torch.tensor(rng.uniform(0.5, 1.5, tuple(out.shape)))
    (g,) = torch.autograd.grad(out, t, go, create_graph=True)
    case = {"x": enc(t), "output": enc(out), "grad_output": enc(go), "grad": enc(g)}
    if name in second:
        # d/dx of sum(grad): elementwise f''(x) * grad_output.
        (g2,) = torch.autograd.grad(g.sum(), t)
        case["grad2"] = enc(g2)
    layers["activations"][name] = case

meta = {"torch": torch.__version__, "numpy": np.__version__, "seed": 20240611}
with open(os.path.join(HERE, "losses.json"), "w") as f:
    json.dump({"meta": meta, "cases": cases}, f, indent=None)
    f.write("\n")
with open(os.path.join(HERE, "layers.json"), "w") as f:
    json.dump({"meta": meta, **layers}, f, indent=None)
    f.write("\n")
print(f"wrote {len(cases)} loss cases and {len(layers['activations'])} activations")
