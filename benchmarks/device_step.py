"""A training step on each device: jtorch vs torch, on the CPU and on a GPU, in one process.

    python -m benchmarks.device_step [--repeat 5] [--number 20] [--batch 64]

A 784-256-128-10 MLP with cross-entropy and SGD(momentum=0.9), moved with ``.to(device)``;
one call is zero_grad, forward, backward, step and a wait for the device (``cuda.synchronize()``
on a GPU; on the CPU jtorch's asynchronous dispatch is waited for on the parameters, torch's
CPU kernels are synchronous). Prints, per library and device, the device of the parameters
after ``.to(device)`` (or the error that move raised) and the median milliseconds per step; a
device the library cannot use is marked unavailable.
"""

import argparse

import jax
import numpy as np
import torch

import jtorch
from benchmarks.overhead import timeit


def _model(lib, device):
    lib.manual_seed(0)
    model = lib.nn.Sequential(
        lib.nn.Linear(784, 256),
        lib.nn.ReLU(),
        lib.nn.Linear(256, 128),
        lib.nn.ReLU(),
        lib.nn.Linear(128, 10),
    )
    return model.to(device)


def _wait(lib, device, params):
    if device == "cuda":
        lib.cuda.synchronize()
    elif lib is jtorch:
        jax.block_until_ready(lib._lazy.computed([p._lazy_value() for p in params]))


def bench(lib, device, batch, number, repeat):
    """(device of the parameters after .to(device), median ms per step or None)."""
    try:
        model = _model(lib, device)
    except Exception as e:  # noqa: BLE001 - the error is what the row reports
        return f"{type(e).__name__}: {e}", None
    params = list(model.parameters())
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal((batch, 784)).astype(np.float32), device=device)
    y = lib.tensor(rng.integers(0, 10, batch), device=device)
    opt = lib.optim.SGD(params, lr=0.01, momentum=0.9)
    loss_fn = lib.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
        _wait(lib, device, params)

    return str(params[0].device), timeit(step, number, repeat) / 1e3


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--number", type=int, default=20)
    p.add_argument("--batch", type=int, default=64)
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    print(f"jtorch vs torch {torch.__version__}, jax {jax.__version__}: {jax.devices()}")
    print(f"784-256-128-10 MLP, batch {args.batch}, SGD(momentum=0.9): median ms per step")
    times = {}
    for device in ("cpu", "cuda"):
        for lib in (torch, jtorch):
            name = lib.__name__
            if device == "cuda" and not lib.cuda.is_available():
                moved, _ = bench(lib, device, args.batch, args.number, args.repeat)
                print(f"  {name:7s} {device:5s} unavailable  (.to('cuda'): {moved})")
                continue
            moved, ms = bench(lib, device, args.batch, args.number, args.repeat)
            times[name, device] = ms
            print(f"  {name:7s} {device:5s} {ms:9.3f} ms  (parameters on {moved})")
    for device in ("cpu", "cuda"):
        if ("torch", device) in times and ("jtorch", device) in times:
            ratio = times["jtorch", device] / times["torch", device]
            print(f"  jtorch / torch on {device}: {ratio:.2f}x")


if __name__ == "__main__":
    main()
