"""Random numbers: generating 10 million values, jtorch vs torch, in one process.

    python -m benchmarks.rng [--size 10000000] [--repeat 5] [--quick] [--markdown] [--threads 1]

One call makes ``size`` values on the CPU: ``rand`` and ``randn`` in float32 and float64,
``randint(0, 1000)``, ``bernoulli_(0.5)`` and ``uniform_(-1, 1)`` on a preallocated float32
tensor, and ``F.dropout(p=0.5, training=True)`` of a float32 tensor; ``randperm`` makes
``size // 10`` values (a million by default). A jtorch call ends when its values are ready
(jax dispatches asynchronously); torch's CPU kernels are synchronous. Each case runs once
after ``manual_seed(0)`` in both libraries (a warm-up, which also compiles jtorch's
computations for that shape), then ``repeat`` more times; the table gives the median
milliseconds per call, jtorch's ratio to torch, and whether that first, seeded call gave the
same bits in both libraries (issue 7 makes jtorch's CPU streams torch's). ``--quick`` uses
a million values and three repeats. ``--threads 1`` (the default) keeps both libraries on one
thread, as in benchmarks/train_step.py.
"""

import argparse
import statistics
import time

import numpy as np

from benchmarks.train_step import _machine, _set_threads_env

# name -> (setup(lib, n) -> input, call(lib, input, n) -> tensor). Inputs are made outside the
# timed call, so the in-place cases time only the fill.
CASES = {
    "rand float32": (None, lambda lib, x, n: lib.rand(n)),
    "rand float64": (None, lambda lib, x, n: lib.rand(n, dtype=lib.float64)),
    "randn float32": (None, lambda lib, x, n: lib.randn(n)),
    "randn float64": (None, lambda lib, x, n: lib.randn(n, dtype=lib.float64)),
    "randint(0, 1000) int64": (None, lambda lib, x, n: lib.randint(0, 1000, (n,))),
    "randperm(size // 10)": (None, lambda lib, x, n: lib.randperm(n // 10)),
    "bernoulli_(0.5) float32": (lambda lib, n: lib.empty(n), lambda lib, x, n: x.bernoulli_(0.5)),
    "uniform_(-1, 1) float32": (lambda lib, n: lib.empty(n), lambda lib, x, n: x.uniform_(-1, 1)),
    "dropout(p=0.5) float32": (
        lambda lib, n: lib.ones(n),
        lambda lib, x, n: lib.nn.functional.dropout(x, 0.5, training=True),
    ),
}


def _ready(lib, out):
    if lib.__name__ == "jtorch":
        import jax

        jax.block_until_ready(out._value())
    return out


def bench_case(lib, name, n, repeat):
    """(median ms per call, the values of the first call after ``manual_seed(0)``)."""
    setup, call = CASES[name]
    x = setup(lib, n) if setup else None
    lib.manual_seed(0)
    first = _ready(lib, call(lib, x, n)).numpy().copy()
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        _ready(lib, call(lib, x, n))
        runs.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(runs), first


def format_table(rows, markdown):
    """rows: lists of cells, the first the header. Markdown, or aligned columns without pipes."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for i, cells in enumerate(rows):
        padded = [c.ljust(w) for c, w in zip(cells, widths)]
        lines.append("| " + " | ".join(padded) + " |" if markdown else "  ".join(padded))
        if i == 0 and markdown:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--size", type=int, default=10_000_000)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--quick", action="store_true", help="size 1000000, repeat 3")
    p.add_argument("--markdown", action="store_true")
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args(argv)
    if args.quick:
        args.size, args.repeat = 1_000_000, 3
    _set_threads_env(args.threads)  # first: before anything starts jax
    import jax
    import torch

    import jtorch

    torch.set_num_threads(args.threads)
    print(f"machine: {_machine()}; jax devices: {jax.devices()}")
    print(
        f"torch {torch.__version__}, jax {jax.__version__}; threads {args.threads}, "
        f"size {args.size}, median of {args.repeat} calls after a seeded warm-up"
    )
    rows = [["work", "torch ms", "jtorch ms", "jtorch/torch", "same bits as torch"]]
    for name in CASES:
        t_ms, t_first = bench_case(torch, name, args.size, args.repeat)
        j_ms, j_first = bench_case(jtorch, name, args.size, args.repeat)
        same = t_first.dtype == j_first.dtype and np.array_equal(t_first, j_first)
        rows.append(
            [name, f"{t_ms:.1f}", f"{j_ms:.1f}", f"{j_ms / t_ms:.1f}x", "yes" if same else "no"]
        )
    print(format_table(rows, args.markdown))


if __name__ == "__main__":
    main()
