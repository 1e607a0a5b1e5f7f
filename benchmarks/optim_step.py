"""optimizer.step(): jtorch vs torch vs hand-written JAX on the same update, in one process.

    python -m benchmarks.optim_step [--repeat 7] [--number 300] [--size 64]

A model of 10 parameter tensors (five ``size x size`` weights and five ``size`` biases) with
fixed gradients; one call is one ``step()`` (the parameters are ready afterwards: jtorch's and
JAX's asynchronous dispatch is waited for, torch's CPU kernels are synchronous). Compared:
torch's default implementation (per-tensor loop on CPU), torch with ``foreach=True``, jtorch
(one jitted update per group, Note [compiled update] in jtorch/optim/optimizer.py) and a
hand-written ``jax.jit`` update of the same pytree, the floor for a step issued from Python.
Medians of ``repeat`` runs of ``number`` steps, microseconds per step.
"""

import argparse

import jax
import jax.numpy as jnp
import numpy as np
import torch

import jtorch
from benchmarks.overhead import report, timeit

CONFIGS = {
    "SGD(momentum=0.9)": ("SGD", {"lr": 0.01, "momentum": 0.9}),
    "Adam": ("Adam", {"lr": 1e-3}),
}


def _arrays(size):
    rng = np.random.default_rng(0)
    shapes = [(size, size), (size,)] * 5
    return [rng.standard_normal(s).astype(np.float32) for s in shapes], [
        rng.standard_normal(s).astype(np.float32) for s in shapes
    ]


def _jax_update(name, kw):
    """The same update, written directly in JAX: the fastest a step called from Python can be."""
    lr = kw["lr"]

    @jax.jit
    def sgd(params, grads, bufs):
        bufs = [0.9 * b + g for b, g in zip(bufs, grads)]
        return [p - lr * b for p, b in zip(params, bufs)], bufs

    @jax.jit
    def adam(params, grads, state):
        step, m, v = state
        step = step + 1
        m = [0.9 * a + 0.1 * g for a, g in zip(m, grads)]
        v = [0.999 * a + 0.001 * g * g for a, g in zip(v, grads)]
        c1, c2 = 1 - 0.9**step, jnp.sqrt(1 - 0.999**step)
        new = [p - (lr / c1) * a / (jnp.sqrt(b) / c2 + 1e-8) for p, a, b in zip(params, m, v)]
        return new, (step, m, v)

    return sgd if name == "SGD" else adam


def bench(name, kw, size, number, repeat):
    init, grads = _arrays(size)
    tp = [torch.nn.Parameter(torch.tensor(a)) for a in init]
    jp = [jtorch.nn.Parameter(jtorch.tensor(a)) for a in init]
    for p, g in zip(tp, grads):
        p.grad = torch.tensor(g)
    for p, g in zip(jp, grads):
        p.grad = jtorch.tensor(g)
    t_opt = getattr(torch.optim, name)(tp, **kw)
    t_foreach = getattr(torch.optim, name)(tp, foreach=True, **kw)
    j_opt = getattr(jtorch.optim, name)(jp, **kw)

    def jt():
        j_opt.step()
        jax.block_until_ready(jtorch._lazy.computed([p._lazy_value() for p in jp]))

    xp, xg = [jnp.asarray(a) for a in init], [jnp.asarray(g) for g in grads]
    zeros = [jnp.zeros_like(a) for a in xp]
    update = _jax_update(name, kw)
    state = {"x": (xp, zeros if name == "SGD" else (jnp.float32(0), zeros, zeros))}

    def jx():
        state["x"] = update(state["x"][0], xg, state["x"][1])
        jax.block_until_ready(state["x"][0])

    return {
        "jtorch": timeit(jt, number, repeat),
        "torch (default, for-loop)": timeit(t_opt.step, number, repeat),
        "torch foreach=True": timeit(t_foreach.step, number, repeat),
        "jax.jit update": timeit(jx, number, repeat),
    }


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=7)
    p.add_argument("--number", type=int, default=300)
    p.add_argument("--size", type=int, default=64)
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    print(
        f"jtorch vs torch {torch.__version__} vs jax {jax.__version__} on {jax.devices()[0].platform}"
    )
    for title, (name, kw) in CONFIGS.items():
        times = bench(name, kw, args.size, args.number, args.repeat)
        report(
            f"{title}.step(), 10 tensors of {args.size}x{args.size} / {args.size} (median us per step)",
            times,
        )


if __name__ == "__main__":
    main()
