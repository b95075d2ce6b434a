#!/usr/bin/python3
"""Make optimizers.json, the PyTorch reference that optim's parity tests read.

Run it with Debian's interpreter, which has python3-torch 1.13:

    /usr/bin/python3 optim/testdata/make_fixtures.py

It trains a 4-8-3 MLP with ReLU in float64 on one fixed batch (cross-entropy
with mean reduction) for STEPS steps under each optimizer configuration in
CASES, and records the loss before every step, the learning rate used at
every step, the total gradient norm for the clipping cases, and every
parameter after the last step. The initial weights, the inputs and the labels
come from a NumPy seed and are written into the JSON, so the Go test needs no
random generator of its own. SCHEDULES records the learning rates that
PyTorch's schedulers produce, epoch by epoch, on their own.

Each training step is, as in a PyTorch training loop:
    zero_grad; loss = CE(model(x), y); loss.backward();
    [clip_grad_norm_ | clip_grad_value_]; opt.step(); [scheduler.step()]
"""

import json
import math
import os
import warnings

import numpy as np
import torch

torch.set_default_dtype(torch.float64)
warnings.filterwarnings("ignore")  # SequentialLR's step(0) deprecation notice

SEED = 0
STEPS = 20
N, IN, HIDDEN, OUT = 16, 4, 8, 3
PARAMS = ["0.weight", "0.bias", "2.weight", "2.bias"]

rng = np.random.RandomState(SEED)
bound1 = 1 / math.sqrt(IN)
bound2 = 1 / math.sqrt(HIDDEN)
INIT = {
    "0.weight": rng.uniform(-bound1, bound1, (HIDDEN, IN)),
    "0.bias": rng.uniform(-bound1, bound1, (HIDDEN,)),
    "2.weight": rng.uniform(-bound2, bound2, (OUT, HIDDEN)),
    "2.bias": rng.uniform(-bound2, bound2, (OUT,)),
}
X = rng.normal(size=(N, IN))
Y = rng.randint(0, OUT, size=(N,))


def model():
    m = torch.nn.Sequential(
        torch.nn.Linear(IN, HIDDEN), torch.nn.ReLU(), torch.nn.Linear(HIDDEN, OUT)
    )
    with torch.no_grad():
        for name, p in m.named_parameters():
            p.copy_(torch.from_numpy(INIT[name]))
    return m


# Each case: optimizer class and keyword arguments, an optional scheduler
# (applied once per step), an optional clipping. The Go test has a table entry
# of the same name that builds the same thing.
CASES = [
    ("sgd", "SGD", dict(lr=0.1)),
    ("sgd_momentum", "SGD", dict(lr=0.1, momentum=0.9)),
    ("sgd_dampening", "SGD", dict(lr=0.1, momentum=0.9, dampening=0.3)),
    ("sgd_nesterov", "SGD", dict(lr=0.1, momentum=0.9, nesterov=True)),
    ("sgd_weight_decay", "SGD", dict(lr=0.1, momentum=0.5, weight_decay=0.05)),
    ("sgd_maximize", "SGD", dict(lr=0.01, maximize=True)),
    ("adam", "Adam", dict(lr=0.01)),
    ("adam_amsgrad", "Adam", dict(lr=0.01, amsgrad=True)),
    ("adam_weight_decay", "Adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    ("adamw", "AdamW", dict(lr=0.01)),
    ("adamw_amsgrad", "AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
    ("rmsprop", "RMSprop", dict(lr=0.01)),
    ("rmsprop_momentum", "RMSprop", dict(lr=0.01, momentum=0.9, weight_decay=0.01)),
    ("rmsprop_centered", "RMSprop", dict(lr=0.01, alpha=0.9, centered=True, momentum=0.5)),
    ("adagrad", "Adagrad", dict(lr=0.1)),
    ("adagrad_decay", "Adagrad", dict(lr=0.1, lr_decay=0.05, weight_decay=0.01, initial_accumulator_value=0.1)),
]
SCHEDULED = [
    ("sgd_steplr", "SGD", dict(lr=0.1, momentum=0.9), ("StepLR", dict(step_size=5, gamma=0.5))),
    ("adam_cosine", "Adam", dict(lr=0.05), ("CosineAnnealingLR", dict(T_max=15, eta_min=1e-3))),
    ("adamw_warmup_cosine", "AdamW", dict(lr=0.02), ("WarmupCosine", dict(warmup=5, start_factor=0.1, T_max=10))),
    ("rmsprop_exponential", "RMSprop", dict(lr=0.01), ("ExponentialLR", dict(gamma=0.9))),
]
CLIPPED = [
    ("sgd_clip_norm", "SGD", dict(lr=0.5, momentum=0.9), ("norm", 0.1)),
    ("adam_clip_value", "Adam", dict(lr=0.01), ("value", 0.02)),
]


def make_scheduler(opt, kind, args):
    S = torch.optim.lr_scheduler
    if kind == "WarmupCosine":
        warm = S.LinearLR(opt, start_factor=args["start_factor"], total_iters=args["warmup"])
        cos = S.CosineAnnealingLR(opt, T_max=args["T_max"])
        return S.SequentialLR(opt, [warm, cos], milestones=[args["warmup"]])
    return getattr(S, kind)(opt, **args)


def run(name, opt_name, kwargs, sched=None, clip=None):
    m = model()
    params = list(m.parameters())
    opt = getattr(torch.optim, opt_name)(params, **kwargs)
    s = make_scheduler(opt, *sched) if sched else None
    x, y = torch.from_numpy(X), torch.from_numpy(Y)
    losses, lrs, norms = [], [], []
    for _ in range(STEPS):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(m(x), y)
        losses.append(loss.item())
        loss.backward()
        if clip and clip[0] == "norm":
            norms.append(torch.nn.utils.clip_grad_norm_(params, clip[1]).item())
        elif clip:
            torch.nn.utils.clip_grad_value_(params, clip[1])
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        if s:
            s.step()
    case = {
        "name": name,
        "optimizer": opt_name,
        "config": {k: list(v) if isinstance(v, tuple) else v for k, v in kwargs.items()},
        "losses": losses,
        "lrs": lrs,
        "params": {n: p.detach().numpy().ravel().tolist() for n, p in m.named_parameters()},
    }
    if sched:
        case["schedule"] = {"kind": sched[0], "args": sched[1]}
    if clip:
        case["clip"] = {"kind": clip[0], "value": clip[1]}
    if norms:
        case["norms"] = norms
    return case


# Schedules on their own: the learning rate for epochs 0..EPOCHS-1, that is
# the rate in force after 0, 1, ... calls of scheduler.step().
EPOCHS = 40
BASE_LR = 0.1
SCHEDULES = [
    ("steplr", "StepLR", dict(step_size=7, gamma=0.5)),
    ("steplr_default_gamma", "StepLR", dict(step_size=3)),
    ("exponential", "ExponentialLR", dict(gamma=0.9)),
    ("cosine", "CosineAnnealingLR", dict(T_max=10, eta_min=0.001)),
    ("cosine_no_min", "CosineAnnealingLR", dict(T_max=25)),
    ("linear", "LinearLR", dict(start_factor=0.25, end_factor=1.0, total_iters=4)),
    ("linear_default", "LinearLR", dict()),
    ("linear_decay", "LinearLR", dict(start_factor=1.0, end_factor=0.5, total_iters=8)),
    ("warmup_cosine", "WarmupCosine", dict(warmup=5, start_factor=0.1, T_max=10)),
]


def schedule_lrs(kind, args):
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=BASE_LR)
    s = make_scheduler(opt, kind, args)
    out = []
    for _ in range(EPOCHS):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        s.step()
    return out


def main():
    fixture = {
        "torch_version": torch.__version__,
        "seed": SEED,
        "steps": STEPS,
        "param_names": PARAMS,
        "shapes": {n: list(INIT[n].shape) for n in PARAMS},
        "init": {n: INIT[n].ravel().tolist() for n in PARAMS},
        "x": X.ravel().tolist(),
        "x_shape": [N, IN],
        "y": Y.tolist(),
        "cases": [run(*c) for c in CASES]
        + [run(n, o, k, sched=s) for n, o, k, s in SCHEDULED]
        + [run(n, o, k, clip=c) for n, o, k, c in CLIPPED],
        "schedule_base_lr": BASE_LR,
        "schedules": [
            {"name": n, "kind": k, "args": a, "lrs": schedule_lrs(k, a)} for n, k, a in SCHEDULES
        ],
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "optimizers.json")
    with open(path, "w") as f:
        json.dump(fixture, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
