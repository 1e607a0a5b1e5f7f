"""Training steps: torch eager vs jtorch (eager, lazy, compiled) vs a hand-written jax.jit step.

    python -m benchmarks.train_step [--steps 20] [--repeat 5] [--device cpu|cuda] [--markdown]
                                    [--threads 1] [--number 1000]

Three models on MNIST-sized random data, the same work in every library:
  * MLP 10-50-1, MSE loss, SGD(lr=0.01), batch 32;
  * MLP 784-256-128-10, cross-entropy, Adam(lr=1e-3), batch 128;
  * LeNet (conv 1->6 5x5 pad 2, max-pool 2, conv 6->16 5x5, max-pool 2, fc 400-120-84-10, ReLU
    between), cross-entropy, SGD(lr=0.01, momentum=0.9), batch 64.
One step is forward, loss, ``zero_grad()``, ``backward()``, ``step()`` and the loss read as a
Python float (as a beginner prints it), then a wait until the updated parameters are ready
(jax's dispatch is asynchronous: jtorch and the jax floor block on their updated parameters;
torch, synchronous on the CPU, calls ``cuda.synchronize()`` on a GPU. jtorch's own
``cuda.synchronize()`` waits for every live array on the GPU, a scan whose cost grows with the
arrays this process holds for all libraries, so it is not what a step waits for here). torch and jtorch run the
same model code, written once over ``lib``, from the same initial weights (torch's, seeded by
``manual_seed(0)``, copied into jtorch's ``load_state_dict``); the jax floor is one
``jax.jit`` of ``value_and_grad`` plus the optimizer's update written in jax, on those weights.
"jtorch lazy" is the same unchanged step in lazy mode, as ``python -m jtorch`` runs a script:
ops record instead of running and the step runs as one cached XLA program at ``step()`` (Note
[lazy mode] in jtorch/_lazy.py). "jtorch compiled" is the same step function (forward, loss,
``zero_grad()``, ``backward()``, ``step()``) under ``jtorch.compile``: one XLA program per step
(Note [compiled calls]).

Columns: median ms per step (``repeat`` runs of ``steps`` steps after a warm-up, all libraries
in this process, taking turns run by run); the first step of a fresh process (jit
compilation included) and peak resident memory, both measured in one fresh child process per
(library, model) that imports only that library, so libraries share neither caches nor the
peak. Peak RSS is the child's peak resident size (Linux's VmHWM) less its size before importing
the library: the library's import plus ``1 + steps`` training steps. Then the ratios of jtorch
eager, lazy and compiled to torch and to the jax floor (ms/step), and of jtorch lazy's and
compiled's peak RSS to torch's. The per-op and backward overhead rows come from
benchmarks/overhead.py (microseconds, on the CPU, whatever ``--device``), and so do the
DataLoader rows (milliseconds per batch of 64 from 6400 MNIST-sized samples, shuffled, in eager
mode: from a TensorDataset, and from a Dataset whose ``__getitem__`` returns ``x[i], y[i]``).

``--threads 1`` (the default) sets ``torch.set_num_threads(1)`` and XLA's
``--xla_cpu_multi_thread_eigen=false`` in XLA_FLAGS (an ``intra_op_parallelism_threads`` flag
does not exist in XLA: jaxlib aborts on ``--intra_op_parallelism_threads``), and runs jax's CPU
programs inline on the calling thread (``JAX_CPU_ENABLE_ASYNC_DISPATCH=false``, applied by this
script: jax 0.10 does not read the variable itself), as torch's CPU
ops run and as ``python -m jtorch`` runs them in lazy mode (Note [CPU dispatch] in
jtorch/_lazy.py). jtorch's modes and the jax floor share this process, so all of them run so:
the jax floor, which would otherwise hand each step to a thread of jax's, and jtorch eager,
which a script that imports jtorch without lazy mode runs with jax's dispatch to a second
thread (its eager ops then take about 30% less time than in this table).
"""

import argparse
import importlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

# torch, jax and jtorch are imported inside functions: a child process that measures one
# library's memory must not load the others.

LIBS = ("torch", "jtorch", "jtorch.lazy", "jtorch.compile", "jax")
COLUMN = {"torch": "torch eager", "jtorch": "jtorch eager", "jtorch.lazy": "jtorch lazy"}
COLUMN["jtorch.compile"] = "jtorch compiled"
COLUMN["jax"] = "jax.jit"
NO_COMPILE = "n/a (torch.compile not yet in jtorch)"

# Each model is a list of layers (module name, constructor args), built with lib.nn by torch
# and jtorch and interpreted by _jax_layers() for the jax floor.
MODELS = {
    "MLP 10-50-1, SGD, batch 32": {
        "layers": [("Linear", 10, 50), ("ReLU",), ("Linear", 50, 1)],
        "input": (32, 10),
        "loss": "MSELoss",
        "optim": ("SGD", {"lr": 0.01}),
    },
    "MLP 784-256-128-10, Adam, batch 128": {
        "layers": [("Linear", 784, 256), ("ReLU",), ("Linear", 256, 128), ("ReLU",)]
        + [("Linear", 128, 10)],
        "input": (128, 784),
        "loss": "CrossEntropyLoss",
        "optim": ("Adam", {"lr": 1e-3}),
    },
    "LeNet, SGD(momentum=0.9), batch 64": {
        "layers": [("Conv2d", 1, 6, 5, 2), ("ReLU",), ("MaxPool2d", 2)]
        + [("Conv2d", 6, 16, 5, 0), ("ReLU",), ("MaxPool2d", 2), ("Flatten",)]
        + [("Linear", 400, 120), ("ReLU",), ("Linear", 120, 84), ("ReLU",), ("Linear", 84, 10)],
        "input": (64, 1, 28, 28),
        "loss": "CrossEntropyLoss",
        "optim": ("SGD", {"lr": 0.01, "momentum": 0.9}),
    },
}

_LIB_LAYERS = {
    "Linear": lambda nn, i, o: nn.Linear(i, o),
    "Conv2d": lambda nn, i, o, k, pad: nn.Conv2d(i, o, k, padding=pad),
    "MaxPool2d": lambda nn, k: nn.MaxPool2d(k),
    "ReLU": lambda nn: nn.ReLU(),
    "Flatten": lambda nn: nn.Flatten(),
}


def _set_threads_env(threads):
    """XLA reads XLA_FLAGS once, when jax starts its backend (at the first computation, not at
    ``import jax``): main() calls this first, before anything runs on jax."""
    flag = "--xla_cpu_multi_thread_eigen=false"
    flags = os.environ.get("XLA_FLAGS", "")
    if threads == 1 and flag not in flags:
        os.environ["XLA_FLAGS"] = f"{flags} {flag}".strip()
    if threads == 1:  # CPU programs inline, as lazy mode runs them (Note [CPU dispatch])
        os.environ.setdefault("JAX_CPU_ENABLE_ASYNC_DISPATCH", "false")


def _cpu_dispatch():
    """Apply JAX_CPU_ENABLE_ASYNC_DISPATCH (set by ``_set_threads_env``, or the user's), which
    jax 0.10 does not read itself, as jtorch's lazy mode applies it; before jax makes its CPU
    client. Not in ``_set_threads_env``: a child process measures its resident size before it
    imports jax or jtorch."""
    from jtorch import _lazy

    _lazy.apply_cpu_dispatch(default=True)  # jax's own default where the variable is unset


def _arrays(spec):
    """torch's initial weights (``manual_seed(0)``) and one batch of data, as numpy arrays."""
    import torch

    torch.manual_seed(0)
    model = _lib_model(torch, spec["layers"])
    arrays = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    rng = np.random.default_rng(0)
    batch = spec["input"][0]
    arrays["x"] = rng.standard_normal(spec["input"]).astype(np.float32)
    if spec["loss"] == "MSELoss":
        arrays["y"] = rng.standard_normal((batch, 1)).astype(np.float32)
    else:
        arrays["y"] = rng.integers(0, 10, batch)
    return arrays


# ---- one training step per library -------------------------------------------------------------


def _lib_model(lib, layers):
    return lib.nn.Sequential(*[_LIB_LAYERS[name](lib.nn, *args) for name, *args in layers])


def _lib_parts(lib, spec, arrays, device):
    """(model, x, y, loss function, optimizer) of ``spec`` in torch or jtorch."""
    model = _lib_model(lib, spec["layers"])
    weights = {k: v for k, v in arrays.items() if k not in ("x", "y")}
    model.load_state_dict({k: lib.tensor(v) for k, v in weights.items()})
    model = model.to(device)
    x, y = lib.tensor(arrays["x"], device=device), lib.tensor(arrays["y"], device=device)
    loss_fn = getattr(lib.nn, spec["loss"])()
    name, kw = spec["optim"]
    return model, x, y, loss_fn, getattr(lib.optim, name)(model.parameters(), **kw)


def _lib_step(lib, spec, arrays, device, compiled, lazy=False):
    """torch's or jtorch's step: the same code for both libraries."""
    model, x, y, loss_fn, opt = _lib_parts(lib, spec, arrays, device)
    params = list(model.parameters())

    def train(x, y):
        loss = loss_fn(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    train = lib.compile(train) if compiled else train
    if lib.__name__ != "jtorch":
        return lambda: _torch_step(lib, train, x, y, device)
    import jax

    def step():
        # jtorch's modes take turns in this process: lazy mode is switched on (or off) when the
        # mode changes, and stays on from one lazy step to the next, as under ``python -m
        # jtorch`` (Note [lazy mode])
        if lib._lazy.enabled() is not lazy:
            lib._lazy.enable(lazy)
        value = train(x, y).item()
        # as the jax floor waits (a parameter packed at the end of the step is not sliced out:
        # Note [packed results] in jtorch/_lazy.py)
        jax.block_until_ready(lib._lazy.computed([p._lazy_value() for p in params]))
        return value

    return step


def _torch_step(lib, train, x, y, device):
    value = train(x, y).item()
    if device == "cuda":
        lib.cuda.synchronize()
    return value


def _jax_layers():
    import jax
    import jax.numpy as jnp

    def conv(p, x, pad):
        dims = ("NCHW", "OIHW", "NCHW")
        y = jax.lax.conv_general_dilated(
            x, p["weight"], (1, 1), [(pad, pad)] * 2, dimension_numbers=dims
        )
        return y + p["bias"][None, :, None, None]

    def pool(p, x, k):
        return jax.lax.reduce_window(x, -jnp.inf, jax.lax.max, (1, 1, k, k), (1, 1, k, k), "VALID")

    return {
        "Linear": lambda p, x, i, o: x @ p["weight"].T + p["bias"],
        "Conv2d": lambda p, x, i, o, k, pad: conv(p, x, pad),
        "MaxPool2d": pool,
        "ReLU": lambda p, x: jnp.maximum(x, 0),
        "Flatten": lambda p, x: x.reshape(x.shape[0], -1),
    }


def _jax_update(name, kw):
    """torch's SGD (with momentum) and Adam updates on a pytree of parameters."""
    import jax
    import jax.numpy as jnp

    lr, tmap = kw["lr"], jax.tree.map
    if name == "SGD" and not kw.get("momentum"):
        return lambda p, g, s: (tmap(lambda a, b: a - lr * b, p, g), s)
    if name == "SGD":

        def sgd(params, grads, bufs):
            bufs = tmap(lambda b, g: kw["momentum"] * b + g, bufs, grads)
            return tmap(lambda p, b: p - lr * b, params, bufs), bufs

        return sgd

    def adam(params, grads, state):
        step, m, v = state
        step = step + 1
        m = tmap(lambda a, g: 0.9 * a + 0.1 * g, m, grads)
        v = tmap(lambda a, g: 0.999 * a + 0.001 * g * g, v, grads)
        c1, c2 = 1 - 0.9**step, jnp.sqrt(1 - 0.999**step)
        new = tmap(lambda p, a, b: p - (lr / c1) * a / (jnp.sqrt(b) / c2 + 1e-8), params, m, v)
        return new, (step, m, v)

    return adam


def _jax_step(spec, arrays, device):
    """The floor: one jitted function computing loss, gradients and the update."""
    import jax
    import jax.numpy as jnp

    dev = jax.devices("gpu" if device == "cuda" else "cpu")[0]
    layers, funcs = spec["layers"], _jax_layers()
    update = _jax_update(*spec["optim"])

    def loss_fn(params, x, y):
        for p, (name, *args) in zip(params, layers):
            x = funcs[name](p, x, *args)
        if spec["loss"] == "MSELoss":
            return jnp.mean((x - y) ** 2)
        picked = jnp.take_along_axis(x, y[:, None], axis=1)[:, 0]
        return jnp.mean(jax.nn.logsumexp(x, axis=1) - picked)

    @jax.jit
    def train(params, state, x, y):
        loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
        params, state = update(params, grads, state)
        return params, state, loss

    def put(a):
        return jax.device_put(jnp.asarray(a), dev)

    params = [
        {k: put(arrays[f"{i}.{k}"]) for k in ("weight", "bias") if f"{i}.{k}" in arrays}
        for i in range(len(layers))
    ]
    zeros = jax.tree.map(jnp.zeros_like, params)
    name, kw = spec["optim"]
    if name == "Adam":
        opt_state = (put(np.float32(0)), zeros, zeros)
    else:
        opt_state = zeros if kw.get("momentum") else ()
    x, y = put(arrays["x"]), put(arrays["y"])

    def step():
        nonlocal params, opt_state
        params, opt_state, loss = train(params, opt_state, x, y)
        value = float(loss)
        jax.block_until_ready(params)
        return value

    return step


def _unavailable(lib_name, device):
    """Why ``lib_name`` cannot run on ``device`` here, or None."""
    if lib_name == "jtorch.compile":
        import jtorch

        if not hasattr(jtorch, "compile"):
            return NO_COMPILE
    if device != "cuda":
        return None
    if lib_name == "jax":
        import jax

        try:
            jax.devices("gpu")
        except RuntimeError:
            return "unavailable"
        return None
    lib = importlib.import_module(lib_name.split(".")[0])
    return None if lib.cuda.is_available() else "unavailable"


def _make_step(lib_name, spec, arrays, device, threads):
    if lib_name == "jax":
        return _jax_step(spec, arrays, device)
    lib = importlib.import_module(lib_name.split(".")[0])
    if lib_name == "torch":
        lib.set_num_threads(threads)
    return _lib_step(
        lib,
        spec,
        arrays,
        device,
        compiled=lib_name == "jtorch.compile",
        lazy=lib_name == "jtorch.lazy",
    )


# ---- the fresh child process per (library, model) ----------------------------------------------


def _rss_mb(field):
    """VmRSS (now) or VmHWM (peak) of this process, in MB.

    Not ``getrusage().ru_maxrss``: Linux carries the parent's peak across fork and exec, so a
    child started by this (large) process would report the parent's peak."""
    if not os.path.exists("/proc/self/status"):
        return float("nan")
    with open("/proc/self/status") as f:
        kb = next(int(ln.split()[1]) for ln in f if ln.startswith(field + ":"))
    return kb / 1024


def _child(args):
    """Imports one library, times its first step, runs ``steps`` more, prints one JSON line."""
    arrays = dict(np.load(args.data))
    before = _rss_mb("VmRSS")
    if args.child != "torch":  # torch's child imports neither jax nor jtorch
        _cpu_dispatch()
    spec = MODELS[args.model]
    step = _make_step(args.child, spec, arrays, args.device, args.threads)
    t0 = time.perf_counter()
    first = step()
    first_ms = (time.perf_counter() - t0) * 1e3
    last = first
    for _ in range(args.steps):
        last = step()
    out = {"first_ms": first_ms, "rss_mb": _rss_mb("VmHWM") - before, "losses": [first, last]}
    print(json.dumps(out))


def _run_child(lib_name, model, arrays, args, tmp):
    path = os.path.join(tmp, "arrays.npz")
    np.savez(path, **arrays)
    cmd = [sys.executable, "-m", "benchmarks.train_step", "--child", lib_name, "--model", model]
    cmd += ["--data", path, "--steps", str(args.steps), "--device", args.device]
    cmd += ["--threads", str(args.threads)]
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(cmd, check=False, cwd=root, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# ---- the table ---------------------------------------------------------------------------------


def bench_model(model, args, tmp):
    """{library: {"ms", "first_ms", "rss_mb", "losses"} or {"na": why not}} for one model."""
    from benchmarks.overhead import timeit

    spec, arrays = MODELS[model], _arrays(MODELS[model])
    results, steps = {}, {}
    for lib_name in LIBS:
        why = _unavailable(lib_name, args.device)
        if why:
            results[lib_name] = {"na": why}
            continue
        try:
            steps[lib_name] = _make_step(lib_name, spec, arrays, args.device, args.threads)
            timeit(steps[lib_name], args.steps, 0)  # the warm-up only
        except Exception as e:  # noqa: BLE001 - one library failing must not lose the others
            print(f"{lib_name}, {model}: {type(e).__name__}: {e}", file=sys.stderr)
            results[lib_name] = {"na": f"failed ({type(e).__name__})"}
    # the libraries take turns, repeat by repeat, so that a shared machine's changing load
    # falls on all of them alike
    runs = {lib_name: [] for lib_name in steps}
    for _ in range(args.repeat):
        for lib_name, step in steps.items():
            runs[lib_name].append(timeit(step, args.steps, 1, warm=False) / 1e3)
    for lib_name in steps:
        try:
            child = _run_child(lib_name, model, arrays, args, tmp)
        except RuntimeError as e:
            print(f"{lib_name}, {model}: {e}", file=sys.stderr)
            child = {}
        results[lib_name] = {"ms": statistics.median(runs[lib_name]), **child}
    return results


def bench_overhead(number, repeat):
    """benchmarks/overhead.py's rows, under this table's columns (microseconds, CPU)."""
    from benchmarks import overhead

    add = overhead.bench_add(number, repeat)
    chain = overhead.bench_backward(max(number // 10, 5), repeat)
    loaders = overhead.bench_loader(max(number // 500, 2), repeat)
    rows = {
        f"DataLoader, {kind}, batch 64 (CPU, ms/batch)": {
            lib: {"ms": ms} for lib, ms in times.items()
        }
        for kind, times in loaders.items()
    }
    return {
        "a + b, 100 float32 (CPU, us/call; jax: eager jnp)": {
            "torch": {"ms": add["torch"]},
            "jtorch": {"ms": add["jtorch"]},
            "jax": {"ms": add["jnp"]},
        },
        "10-op chain fwd+bwd (CPU, us/step; jax: jit(value_and_grad))": {
            "torch": {"ms": chain["torch"]},
            "jtorch": {"ms": chain["jtorch"]},
            "jax": {"ms": chain["jax.jit(value_and_grad)"]},
        },
        **rows,
    }


def _cell(result, key, digits):
    if result is None:
        return "-"
    if "na" in result:
        return result["na"] if key == "ms" else "n/a"
    return f"{result[key]:.{digits}f}" if key in result else "-"


def _row(name, results):
    cells = [name]
    for key, digits in (("ms", 3), ("first_ms", 1), ("rss_mb", 1)):
        cells += [_cell(results.get(lib), key, digits) for lib in LIBS]
    for lib, other, key in RATIOS:
        mine, theirs = results.get(lib, {}), results.get(other, {})
        ok = isinstance(mine.get(key), float) and isinstance(theirs.get(key), float)
        cells.append(f"{mine[key] / theirs[key]:.2f}x" if ok else "-")
    return cells


# (library, reference, measure): the ratio columns, after the measured ones
RATIOS = (
    ("jtorch", "torch", "ms"),
    ("jtorch", "jax", "ms"),
    ("jtorch.lazy", "torch", "ms"),
    ("jtorch.lazy", "jax", "ms"),
    ("jtorch.lazy", "torch", "rss_mb"),
    ("jtorch.compile", "torch", "ms"),
    ("jtorch.compile", "jax", "ms"),
    ("jtorch.compile", "torch", "rss_mb"),
)
_RATIO_NAME = {
    "jtorch": "eager",
    "jtorch.lazy": "lazy",
    "jtorch.compile": "compiled",
    "ms": "",
    "rss_mb": " RSS",
}


def format_table(rows, markdown):
    """rows: {row name: results}. A Markdown table, or the same table aligned without pipes."""
    header = ["work"]
    for what in ("ms/step", "first step ms", "peak RSS MB"):
        header += [f"{COLUMN[lib]} {what}" for lib in LIBS]
    header += [f"{_RATIO_NAME[lib]}/{ref}{_RATIO_NAME[key]}" for lib, ref, key in RATIOS]
    body = [_row(name, results) for name, results in rows.items()]
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]
    lines = []
    for i, cells in enumerate([header, *body]):
        padded = [c.ljust(w) for c, w in zip(cells, widths)]
        lines.append("| " + " | ".join(padded) + " |" if markdown else "  ".join(padded))
        if i == 0 and markdown:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def _machine():
    cpu = "unknown CPU"
    if os.path.exists("/proc/cpuinfo"):
        with open("/proc/cpuinfo") as f:
            cpu = next(
                (ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), cpu
            )
    return f"{cpu}, {os.cpu_count()} cores"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    p.add_argument("--markdown", action="store_true")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--number", type=int, default=1000, help="calls per overhead measurement")
    for hidden in ("--child", "--model", "--data"):
        p.add_argument(hidden, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    _set_threads_env(args.threads)  # first: before anything starts jax
    if args.child:
        return _child(args)
    _cpu_dispatch()
    import jax
    import torch

    torch.set_num_threads(args.threads)
    print(f"machine: {_machine()}; device {args.device}: {jax.devices()}")
    print(
        f"torch {torch.__version__}, jax {jax.__version__}; threads {args.threads}, "
        f"steps {args.steps}, repeat {args.repeat}"
    )
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        for model in MODELS:
            rows[model] = bench_model(model, args, tmp)
    losses = {
        m: {k: r["losses"] for k, r in res.items() if "losses" in r} for m, res in rows.items()
    }
    rows.update(bench_overhead(args.number, args.repeat))
    print(format_table(rows, args.markdown))
    print(f"\nloss at the first step and after {args.steps} more (same work in every library):")
    for model, by_lib in losses.items():
        if by_lib:
            print(
                f"  {model}: "
                + ", ".join(f"{k} {a:.5f} -> {b:.5f}" for k, (a, b) in by_lib.items())
            )


if __name__ == "__main__":
    main()
