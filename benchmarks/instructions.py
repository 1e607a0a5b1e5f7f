"""Main-thread instructions per training step, counted by valgrind: a measure that holds still.

On a shared machine a step's time moves by half from one run to the next (torch's tiny-MLP step
took 0.29 and 0.55 ms in consecutive runs of train_step.py), which hides any change of a few
percent. The instructions the main thread executes per step do not move with the load. This
counts them with valgrind's callgrind, per thread, for jtorch (lazy mode by default), torch and
the hand-written jax step on the same work as train_step.py, and prints them with ratios.

Each library runs in two fresh processes under valgrind, one of ``warmup`` steps and one of
``warmup + steps``; the difference over ``steps`` is the per-step count, so imports, compilation
and the first steps drop out. Only the main thread counts: XLA's worker threads look for work
in spin loops whose length depends on timing. jtorch's host reads spin too (Note [host reads] in
jtorch/tensor.py), so the child sets ``HOST_SPIN_S = 0``. jax's CPU programs run inline on the
main thread (as in train_step.py), so every library's count includes its arithmetic. Instructions
are not time (a cache miss or a wake-up costs time, not instructions), but they hold still.

    python -m benchmarks.instructions                     # MLP 10-50-1: jtorch.lazy, torch, jax
    python -m benchmarks.instructions --libs jtorch.lazy --model "LeNet, SGD(momentum=0.9), batch 64"

It needs valgrind on the PATH; a run takes a few minutes (everything runs ~50x slower).
"""

import argparse
import concurrent.futures
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from benchmarks import train_step

DEFAULT_MODEL = "MLP 10-50-1, SGD, batch 32"


def _child(args):
    train_step._cpu_dispatch()  # CPU programs inline, as train_step.py runs jax
    arrays = dict(np.load(args.data))
    if args.child.startswith("jtorch"):
        import jtorch.tensor

        jtorch.tensor.HOST_SPIN_S = 0  # no spin-wait for a host read (timing-dependent)
    step = train_step._make_step(args.child, train_step.MODELS[args.model], arrays, "cpu", 1)
    for _ in range(args.steps):
        step()


def run_under_callgrind(out, module, args):
    """``python -m module *args`` under callgrind, one output file per thread (``out-01``
    is the main thread's), with jax on one CPU thread and its programs inline, as
    train_step.py runs it."""
    cmd = ["valgrind", "--tool=callgrind", "--separate-threads=yes", f"--callgrind-out-file={out}"]
    cmd += [sys.executable, "-m", module, *args]
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false"}
    env.setdefault("JAX_CPU_ENABLE_ASYNC_DISPATCH", "false")  # as train_step.py runs jax
    done = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stderr[-3000:]}")


def _main_thread_count(lib, model, steps, data, tmp):
    """Instructions of the main thread of a process that runs ``steps`` steps of ``lib``."""
    out = os.path.join(tmp, f"cg.{lib}.{steps}")
    args = ["--child", lib, "--model", model, "--steps", str(steps), "--data", data]
    run_under_callgrind(out, "benchmarks.instructions", args)
    with open(out + "-01") as f:  # thread 1: the main thread
        return int(next(ln.split()[1] for ln in f if ln.startswith("summary:")))


def measure(libs, model, steps, warmup, workers=2):
    """{library: main-thread instructions per step}."""
    arrays = train_step._arrays(train_step.MODELS[model])
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "arrays.npz")
        np.savez(data, **arrays)
        runs = [(lib, n) for lib in libs for n in (warmup, warmup + steps)]
        with concurrent.futures.ThreadPoolExecutor(workers) as pool:
            counts = dict(
                zip(runs, pool.map(lambda r: _main_thread_count(r[0], model, r[1], data, tmp), runs))
            )
    return {lib: (counts[(lib, warmup + steps)] - counts[(lib, warmup)]) / steps for lib in libs}


def format_table(per_step):
    lines = ["| library | main-thread instructions per step | /torch | /jax |", "|---|---|---|---|"]
    for lib, n in per_step.items():
        ratios = [f"{n / per_step[ref]:.2f}x" if ref in per_step else "-" for ref in ("torch", "jax")]
        lines.append(f"| {lib} | {n / 1e6:.3f} M | {ratios[0]} | {ratios[1]} |")
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", default=DEFAULT_MODEL, choices=list(train_step.MODELS))
    p.add_argument("--libs", default="jtorch.lazy,torch,jax")
    p.add_argument("--steps", type=int, default=400)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--data", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        return _child(args)
    if shutil.which("valgrind") is None:
        sys.exit("benchmarks.instructions needs valgrind on the PATH")
    per_step = measure(args.libs.split(","), args.model, args.steps, args.warmup)
    print(f"{args.model}: main-thread instructions per step ({args.steps} steps, valgrind)")
    print(format_table(per_step))
    return None


if __name__ == "__main__":
    main()
