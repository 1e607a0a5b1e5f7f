"""Whole learner scripts, unchanged: torch (``python script.py``) against jtorch (``python -m
jtorch script.py``, lazy mode, and with ``JTORCH_LAZY=0``, eager), each in fresh processes.

    python -m benchmarks.script_step [--runs 3] [--epochs 4]

A script prints ``... <ms> ms/step`` once per epoch (benchmarks/scripts/); a run's figure is
the median over its epochs after the first (which holds jtorch's compilations). The libraries
take turns run by run, one thread each (``torch.set_num_threads(1)`` in the script, XLA's
``--xla_cpu_multi_thread_eigen=false``), and the table gives the median over runs and the
ratios to torch.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = sorted((ROOT / "benchmarks" / "scripts").glob("[!_]*.py"))
MODES = {
    "torch": ([], {}),
    "jtorch lazy": (["-m", "jtorch"], {}),
    "jtorch eager": (["-m", "jtorch"], {"JTORCH_LAZY": "0"}),
}


def run_once(script, mode, epochs):
    """Median ms/step over the epochs after the first of one fresh run of ``script``."""
    prefix, extra = MODES[mode]
    env = {**os.environ, **extra}
    flag = "--xla_cpu_multi_thread_eigen=false"
    env["XLA_FLAGS"] = f"{env.get('XLA_FLAGS', '')} {flag}".strip()
    cmd = [sys.executable, *prefix, str(script), str(epochs)]
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stderr[-2000:]}")
    ms = [float(m) for m in re.findall(r"([0-9.]+) ms/step", done.stdout)]
    return statistics.median(ms[1:]), done.stdout.splitlines()[-1]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--epochs", type=int, default=4)
    args = p.parse_args(argv)
    for script in SCRIPTS:
        times = {mode: [] for mode in MODES}
        last = {}
        for _ in range(args.runs):
            for mode in MODES:
                ms, last[mode] = run_once(script, mode, args.epochs)
                times[mode].append(ms)
        print(
            f"{script.relative_to(ROOT)} (median ms/step over {args.runs} runs; last epoch printed):"
        )
        base = statistics.median(times["torch"])
        for mode, ms in times.items():
            med = statistics.median(ms)
            print(f"  {mode:13s} {med:8.3f} ms/step  {med / base:5.2f}x torch   [{last[mode]}]")


if __name__ == "__main__":
    main()
