"""Main-thread instructions per phase of a training step, torch against jtorch: where they go.

instructions.py counts a whole step; this splits the step of train_step.py into its phases (the
forward pass, the loss, ``zero_grad()``, ``backward()``, ``step()``, ``item()`` and, for jtorch,
the wait for the parameters that train_step.py's step ends with) and counts each one's
main-thread instructions, with valgrind's callgrind, in one process per library. Each phase
ends with a callgrind client request (CALLGRIND_DUMP_STATS_AT, from a helper this script
compiles against valgrind's callgrind.h) that writes the instructions since the last one; the
parent sums the main thread's dumps per phase over ``steps`` steps after ``warmup``. A dump's
own ctypes call costs about 3 K instructions, in every phase alike; the cyclic garbage
collector runs in whichever phase it happens to, so a phase can move by a few K between runs.
In lazy mode the step's program runs inside ``step()`` (its flush), so that phase holds the
arithmetic of the whole step.

    python -m benchmarks.phases                           # MLP 10-50-1: jtorch.lazy and torch
    python -m benchmarks.phases --libs jtorch,torch --model "LeNet, SGD(momentum=0.9), batch 64"

It needs valgrind, its header valgrind/callgrind.h and a C compiler (``cc``); a run takes a few
minutes.
"""

import argparse
import concurrent.futures
import ctypes
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

import numpy as np

from benchmarks import train_step
from benchmarks.instructions import run_under_callgrind

DEFAULT_MODEL = "MLP 10-50-1, SGD, batch 32"
PHASES = ("forward", "loss", "zero_grad", "backward", "step", "item", "wait")
_HELPER = """#include <valgrind/callgrind.h>
void dump(const char *phase) { CALLGRIND_DUMP_STATS_AT(phase); }
"""


def _child(args):
    train_step._cpu_dispatch()  # CPU programs inline, as train_step.py runs jax
    arrays = dict(np.load(args.data))
    lib = __import__(args.child.split(".")[0])
    model, x, y, loss_fn, opt = train_step._lib_parts(
        lib, train_step.MODELS[args.model], arrays, "cpu"
    )
    params = list(model.parameters())
    if lib.__name__ == "jtorch":
        import jax

        import jtorch.tensor

        jtorch.tensor.HOST_SPIN_S = 0  # no spin-wait for a host read (timing-dependent)
        lib._lazy.enable(args.child == "jtorch.lazy")
    else:
        lib.set_num_threads(1)
    helper = ctypes.CDLL(args.helper)
    names = {p: ctypes.c_char_p(p.encode()) for p in (*PHASES, "warmup")}
    counting = False

    def end(phase):
        if counting:
            helper.dump(names[phase])

    for i in range(args.warmup + args.steps):
        if i == args.warmup:
            counting = True
            helper.dump(names["warmup"])  # what came before is not counted
        out = model(x)
        end("forward")
        loss = loss_fn(out, y)
        end("loss")
        opt.zero_grad()
        end("zero_grad")
        loss.backward()
        end("backward")
        opt.step()
        end("step")
        loss.item()
        end("item")
        if lib.__name__ == "jtorch":
            jax.block_until_ready(lib._lazy.computed([p._lazy_value() for p in params]))
        end("wait")


def _count(lib, model, steps, warmup, data, helper, tmp):
    """{phase: main-thread instructions per step} of ``lib``."""
    out = os.path.join(tmp, lib, "cg")
    os.makedirs(os.path.dirname(out))
    args = ["--child", lib, "--model", model, "--steps", str(steps), "--warmup", str(warmup)]
    run_under_callgrind(out, "benchmarks.phases", [*args, "--data", data, "--helper", helper])
    totals = dict.fromkeys(PHASES, 0)
    for path in glob.glob(out + ".*-01"):  # thread 1: the main thread, one file per dump
        with open(path) as f:
            text = f.read()
        phase = re.search(r"^desc: Trigger: Client Request: (\w+)", text, re.MULTILINE)
        if phase is not None and phase.group(1) in totals:
            totals[phase.group(1)] += int(
                re.search(r"^summary: (\d+)", text, re.MULTILINE).group(1)
            )
    return {p: n / steps for p, n in totals.items()}


def measure(libs, model, steps, warmup, workers=2):
    """{library: {phase: main-thread instructions per step}}."""
    arrays = train_step._arrays(train_step.MODELS[model])
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "arrays.npz")
        np.savez(data, **arrays)
        helper = os.path.join(tmp, "dump.so")
        with open(os.path.join(tmp, "dump.c"), "w") as f:
            f.write(_HELPER)
        subprocess.run(["cc", "-O2", "-shared", "-fPIC", "-o", helper, f.name], check=True)
        with concurrent.futures.ThreadPoolExecutor(workers) as pool:
            counts = pool.map(
                lambda lib: _count(lib, model, steps, warmup, data, helper, tmp), libs
            )
            return dict(zip(libs, counts))


def format_table(per_phase):
    libs = list(per_phase)
    lines = ["| phase | " + " | ".join(libs) + " |", "|---" * (len(libs) + 1) + "|"]
    for phase in (*PHASES, "total"):
        row = [sum(c.values()) if phase == "total" else c[phase] for c in per_phase.values()]
        lines.append(f"| {phase} | " + " | ".join(f"{n / 1e3:.0f} K" for n in row) + " |")
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", default=DEFAULT_MODEL, choices=list(train_step.MODELS))
    p.add_argument("--libs", default="torch,jtorch.lazy")
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--warmup", type=int, default=50)
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--data", help=argparse.SUPPRESS)
    p.add_argument("--helper", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        return _child(args)
    for tool in ("valgrind", "cc"):
        if shutil.which(tool) is None:
            sys.exit(f"benchmarks.phases needs {tool} on the PATH")
    per_phase = measure(args.libs.split(","), args.model, args.steps, args.warmup)
    print(
        f"{args.model}: main-thread instructions per step, by phase ({args.steps} steps, valgrind)"
    )
    print(format_table(per_phase))
    return None


if __name__ == "__main__":
    main()
