"""Eager overhead: jtorch vs raw jax.numpy vs torch on the same work, in one process.

    python -m benchmarks.overhead [--repeat 7] [--number 2000]

Measures (medians over ``repeat`` runs of ``number`` calls, microseconds per call):
  * ``a + b`` on 100 float32 elements;
  * a 10-op chain (``y = y * 1.0001`` ten times, then ``sum``) forward and backward;
  * a shuffled DataLoader's batches of 64 MNIST-sized samples, from a TensorDataset and from a
    Dataset whose ``__getitem__`` indexes two tensors (milliseconds per batch; torch and jtorch);
and prints each library's time and jtorch's ratio to torch and to hand-written JAX (for the
chain: a jitted ``jax.value_and_grad`` of the same function, the best JAX can do, and eager
``jax.vjp``, what an op-by-op shim without caching would pay).
"""

import argparse
import statistics
import time

import jax
import jax.numpy as jnp
import numpy as np
import torch

import jtorch


def timeit(fn, number, repeat, warm=True):
    """Median microseconds per call of ``fn`` (after a warm-up unless ``warm`` is False)."""
    for _ in range(min(number, 50) if warm else 0):
        fn()
    if not repeat:
        return None
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        runs.append((time.perf_counter() - t0) / number * 1e6)
    return statistics.median(runs)


def bench_add(number, repeat):
    data = np.random.default_rng(0).standard_normal((2, 100)).astype(np.float32)
    ja, jb = jtorch.tensor(data[0]), jtorch.tensor(data[1])
    ta, tb = torch.tensor(data[0]), torch.tensor(data[1])
    xa, xb = jnp.asarray(data[0]), jnp.asarray(data[1])
    return {
        "jtorch": timeit(lambda: ja + jb, number, repeat),
        "jnp": timeit(lambda: (xa + xb).block_until_ready(), number, repeat),
        "torch": timeit(lambda: ta + tb, number, repeat),
    }


def _chain(lib_mul, x):
    y = x
    for _ in range(10):
        y = lib_mul(y)
    return y.sum()


def bench_backward(number, repeat):
    data = np.random.default_rng(1).standard_normal(100).astype(np.float32)
    jx = jtorch.tensor(data, requires_grad=True)
    tx = torch.tensor(data, requires_grad=True)
    xx = jnp.asarray(data)

    def jt():
        _chain(lambda y: y * 1.0001, jx).backward()

    def tt():
        _chain(lambda y: y * 1.0001, tx).backward()

    f = lambda x: _chain(lambda y: y * 1.0001, x)  # noqa: E731
    jitted = jax.jit(jax.value_and_grad(f))

    def jax_jit():
        jax.block_until_ready(jitted(xx))

    def jax_eager():
        out, pullback = jax.vjp(f, xx)
        jax.block_until_ready(pullback(jnp.ones_like(out)))

    return {
        "jtorch": timeit(jt, number, repeat),
        "torch": timeit(tt, number, repeat),
        "jax.jit(value_and_grad)": timeit(jax_jit, number, repeat),
        "jax eager vjp": timeit(jax_eager, max(number // 10, 5), repeat),
    }


def _loaders(lib, images, labels):
    """Two shuffled DataLoaders of batch 64 over the same samples: a TensorDataset, and the
    Dataset a learner writes, whose ``__getitem__`` indexes two tensors."""
    data = lib.utils.data
    x, y = lib.tensor(images), lib.tensor(labels)

    class Samples(data.Dataset):
        def __len__(self):
            return len(x)

        def __getitem__(self, i):
            return x[i], y[i]

    return {
        "TensorDataset": data.DataLoader(data.TensorDataset(x, y), batch_size=64, shuffle=True),
        "Dataset": data.DataLoader(Samples(), batch_size=64, shuffle=True),
    }


def bench_loader(number, repeat):
    """{dataset kind: {library: ms per batch}}: one epoch of 100 batches per call, eager mode
    (under ``python -m jtorch`` the per-sample indexing is recorded into the step's program)."""
    rng = np.random.default_rng(2)
    images = rng.standard_normal((6400, 1, 28, 28)).astype(np.float32)
    labels = rng.integers(0, 10, 6400)
    loaders = {lib.__name__: _loaders(lib, images, labels) for lib in (torch, jtorch)}
    out = {}
    for kind in loaders["torch"]:
        out[kind] = {}
        for name, by_kind in loaders.items():
            loader = by_kind[kind]
            out[kind][name] = timeit(lambda loader=loader: list(loader), number, repeat)
            out[kind][name] /= 1e3 * len(loader)
    return out


def report(title, times, unit="us"):
    print(f"\n{title}")
    for name, value in times.items():
        print(f"  {name:26s} {value:9.{1 if unit == 'us' else 3}f} {unit}")
    base = times["jtorch"]
    for name, us in times.items():
        if name != "jtorch":
            print(f"  jtorch / {name:17s} {base / us:9.2f}x")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=7)
    p.add_argument("--number", type=int, default=2000)
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    print(
        f"jtorch vs torch {torch.__version__} vs jax {jax.__version__} on {jax.devices()[0].platform}"
    )
    report("a + b, 100 float32 elements (median us per call)", bench_add(args.number, args.repeat))
    report(
        "10-op chain forward + backward (median us per step)",
        bench_backward(args.number // 10, args.repeat),
    )
    for kind, times in bench_loader(max(args.number // 1000, 2), args.repeat).items():
        report(f"DataLoader over a {kind}, batch 64 (median ms per batch)", times, "ms")


if __name__ == "__main__":
    main()
