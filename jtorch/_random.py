"""Random number generation: torch.Generator and the default generator.

Note [RNG interface]: every random op draws through a Generator's sampling methods (uniform,
normal, integers, permutation, bernoulli, multinomial), never from jax.random directly, so the
stream behind them can be replaced (bit-exact torch streams come in a later issue) without
touching the ops. The present stream is jax's threefry: each draw folds a per-generator counter
into a key made from the seed, so a seed reproduces the same sequence of draws.
"""

import functools
import os

import jax
import jax.numpy as jnp
import numpy as np

from ._errors import check

DEFAULT_SEED = 67280421310721  # torch's default CPU seed


@functools.lru_cache(maxsize=None)
def _sampler(kind, shape, dtype):
    dt = np.dtype(dtype)

    def draw(key, a, b):
        if kind == "uniform":
            return jax.random.uniform(key, shape, dt, a, b) if dt.kind == "f" else jax.random.uniform(key, shape, jnp.float32, a, b).astype(dt)
        if kind == "normal":
            return jax.random.normal(key, shape, dt if dt.kind in "fc" else jnp.float32).astype(dt)
        if kind == "integers":
            return jax.random.randint(key, shape, a, b, jnp.int64).astype(dt)
        if kind == "bernoulli":
            return jax.random.bernoulli(key, a, shape).astype(dt)
        raise AssertionError(kind)

    return jax.jit(draw)


class Generator:
    """torch.Generator: manual_seed, seed, initial_seed, get_state, set_state."""

    def __init__(self, device="cpu"):
        from . import _device

        self.device = _device.canonical(device) if device != "cpu" else _device.CPU
        self._seed = DEFAULT_SEED
        self._counter = 0

    def manual_seed(self, seed):
        seed = int(seed)
        check(
            -(2**63) <= seed < 2**64,
            RuntimeError,
            lambda: f"Overflow when unpacking long long, seed {seed} out of range",
        )
        self._seed = seed % 2**64
        self._counter = 0
        return self

    def seed(self):
        self.manual_seed(int.from_bytes(os.urandom(8), "little") & (2**63 - 1))
        return self._seed

    def initial_seed(self):
        return self._seed

    def get_state(self):
        from ._ops.creation import place

        raw = np.array([self._seed, self._counter], dtype=np.uint64).view(np.uint8)
        return place(raw.copy())

    def set_state(self, new_state):
        raw = np.asarray(new_state._host(), dtype=np.uint8)
        check(raw.size == 16, RuntimeError, "Invalid mt19937 state")
        self._seed, self._counter = (int(x) for x in raw.view(np.uint64))
        return self

    def _key(self):
        key = jax.random.fold_in(jax.random.key(self._seed & (2**63 - 1) ^ (self._seed >> 63)), self._counter)
        self._counter += 1
        return key

    # ---- the sampling interface (Note [RNG interface]) -----------------------------------------

    def _draw(self, kind, shape, dtype, a=0, b=1):
        return _sampler(kind, tuple(shape), np.dtype(dtype))(self._key(), a, b)

    def uniform(self, shape, dtype, low=0.0, high=1.0):
        return self._draw("uniform", shape, dtype, low, high)

    def normal(self, shape, dtype):
        return self._draw("normal", shape, dtype)

    def integers(self, low, high, shape, dtype):
        return self._draw("integers", shape, dtype, low, high)

    def bernoulli(self, p, shape, dtype):
        """Draws of Bernoulli(p); ``p`` a scalar or an array broadcastable to ``shape``."""
        return jax.random.bernoulli(self._key(), p, tuple(shape)).astype(dtype)

    def permutation(self, n, dtype):
        return jax.random.permutation(self._key(), n).astype(dtype)

    def multinomial(self, probs, num_samples, replacement):
        """Indices drawn from the rows of ``probs`` (unnormalized, non-negative)."""
        key = self._key()
        logits = jnp.log(probs)
        if replacement:
            return jax.random.categorical(key, logits, axis=-1, shape=(num_samples,) + probs.shape[:-1]).T if probs.ndim == 2 else jax.random.categorical(key, logits, shape=(num_samples,))
        gumbel = jax.random.gumbel(key, probs.shape, probs.dtype)
        return jnp.argsort(-(logits + gumbel), axis=-1)[..., :num_samples]

    def exponential(self, shape, dtype):
        return jax.random.exponential(self._key(), tuple(shape), dtype)


default_generator = Generator()


def manual_seed(seed):
    """Seed the default generator (and every CUDA device's, which share it in jtorch)."""
    return default_generator.manual_seed(seed)


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state):
    default_generator.set_state(new_state)
