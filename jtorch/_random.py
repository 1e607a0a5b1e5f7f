"""Random number generation: torch.Generator and the default generator.

Note [RNG interface]: every random op draws through a Generator's sampling methods (uniform,
normal, integers, permutation, bernoulli, multinomial, exponential), never from jax.random
directly, so the stream behind them can be replaced (bit-exact torch streams come in a later
issue) without touching the ops. The methods return host (numpy) arrays, drawn on the CPU as
torch's CPU generator does; the ops place them. The present stream is jax's threefry: each
draw folds a per-generator counter into a key made from the seed, so a seed reproduces the same
sequence of draws. Samplers are compiled per power-of-two size and sliced on the host, so a new
shape rarely compiles anything. The state (``get_state``) is a ByteTensor of torch's size, 5056
bytes, holding the seed and the counter; the rest is zero until the stream is torch's mt19937.
"""

import functools
import math
import os

import jax
import jax.numpy as jnp
import numpy as np

from ._errors import check

DEFAULT_SEED = 67280421310721  # the seed of every new torch.Generator
STATE_SIZE = 5056  # torch's CPUGeneratorImplState


# ---- the draws, one jitted computation per (kind, shape, dtype) ------------------------------------

_DIGITS = {np.dtype(np.float16): 11, np.dtype(jnp.bfloat16): 8}


def _real(dt):
    return jnp.float64 if dt in (np.float64, np.complex128) else jnp.float32  # halves draw in float


@functools.partial(jax.jit, static_argnames=("shape", "dtype"))
def _uniform(key, low, high, shape, dtype):
    if dtype.kind == "c":  # real and imaginary parts each uniform
        parts = jax.random.uniform(key, (*shape, 2), _real(dtype))
        return (jax.lax.complex(parts[..., 0], parts[..., 1]) * (high - low) + low).astype(dtype)
    if dtype in _DIGITS:  # as torch: k / 2**digits, so that 1 cannot come out of the rounding
        digits = _DIGITS[dtype]
        u = (
            jax.random.randint(key, shape, 0, 2**digits, jnp.int32).astype(jnp.float32)
            * 2.0**-digits
        )
    else:
        u = jax.random.uniform(key, shape, dtype)
    return (low + u * (high - low)).astype(dtype)


@functools.partial(jax.jit, static_argnames=("shape", "dtype"))
def _normal(key, shape, dtype):
    if dtype.kind == "c":  # variance 1 split evenly between the parts, as in torch
        parts = jax.random.normal(key, (*shape, 2), _real(dtype)) * np.sqrt(0.5)
        return jax.lax.complex(parts[..., 0], parts[..., 1]).astype(dtype)
    return jax.random.normal(key, shape, _real(dtype)).astype(dtype)


@functools.partial(jax.jit, static_argnames=("shape", "dtype"))
def _integers(key, low, high, shape, dtype):
    return jax.random.randint(key, shape, low, high, jnp.int64).astype(dtype)


@functools.partial(jax.jit, static_argnames=("shape", "dtype"))
def _exponential(key, shape, dtype):
    return jax.random.exponential(key, shape, _real(dtype)).astype(dtype)


@functools.partial(jax.jit, static_argnames=("shape", "dtype"))
def _bernoulli(key, p, shape, dtype):
    return jax.random.bernoulli(key, p, shape).astype(dtype)


@functools.partial(jax.jit, static_argnames=("n", "dtype"))
def _permutation(key, n, dtype):
    return jax.random.permutation(key, n).astype(dtype)


@functools.partial(jax.jit, static_argnames=("num_samples", "replacement"))
def _multinomial(key, probs, num_samples, replacement):
    logits = jnp.log(probs)
    if replacement:
        draws = jax.random.categorical(key, logits, axis=-1, shape=(num_samples, *probs.shape[:-1]))
        return jnp.moveaxis(draws, 0, -1)
    # Without replacement: the top num_samples of Gumbel-perturbed logits.
    gumbel = jax.random.gumbel(key, probs.shape, probs.dtype)
    return jnp.argsort(-(logits + gumbel), axis=-1)[..., :num_samples]


def _bucketed(draw, shape, *args, dtype):
    """``draw`` for ``shape`` as a host array: the first elements of a flat draw whose size is a
    power of two, so that a new shape rarely compiles a new sampler."""
    shape = tuple(shape)
    n = math.prod(shape)
    flat = draw(*args, shape=(max(16, 1 << (n - 1).bit_length()),), dtype=dtype)
    return np.asarray(flat)[:n].reshape(shape)


@functools.lru_cache(maxsize=None)
def _cpu():
    return jax.devices("cpu")[0]


@jax.jit
def _make_key(seed_counter):
    return jax.random.fold_in(jax.random.key(seed_counter[0]), seed_counter[1])


class Generator:
    """torch.Generator: manual_seed, seed, initial_seed, get_state, set_state."""

    def __init__(self, device="cpu"):
        from . import _device

        self.device = _device.canonical(device)
        self._seed = DEFAULT_SEED
        self._counter = 0

    def __repr__(self):
        return f"<torch._C.Generator object at {id(self):#x}>"

    def manual_seed(self, seed):
        check(
            isinstance(seed, int) or hasattr(seed, "__index__"),
            RuntimeError,
            lambda: f"manual_seed expected a long, but got {type(seed).__name__}",
        )
        seed = int(seed.__index__())
        check(-(2**63) <= seed < 2**64, ValueError, "Overflow when unpacking long long")
        self._seed = seed % 2**64
        self._counter = 0
        return self

    def seed(self):
        """Seed from the operating system's entropy; returns the seed."""
        self.manual_seed(int.from_bytes(os.urandom(8), "little") & (2**63 - 1))
        return self._seed

    def initial_seed(self):
        return self._seed

    def get_state(self):
        from ._ops.creation import place

        raw = np.zeros(STATE_SIZE, np.uint8)
        raw[:16] = np.array([self._seed, self._counter], dtype=np.uint64).view(np.uint8)
        return place(raw)

    def set_state(self, new_state):
        from . import _dtype
        from .tensor import Tensor

        check(
            isinstance(new_state, Tensor) and new_state.dtype is _dtype.uint8,
            TypeError,
            "RNG state must be a torch.ByteTensor",
        )
        raw = np.asarray(new_state._host(), dtype=np.uint8).reshape(-1)
        check(
            raw.size == STATE_SIZE,
            RuntimeError,
            lambda: (
                f"Expected a CPUGeneratorImplState of size {STATE_SIZE} but found the input RNG state size "
                f"to be {raw.size}"
            ),
        )
        self._seed, self._counter = (int(x) for x in raw[:16].view(np.uint64))
        return self

    def _key(self):
        seed = self._seed - 2**64 if self._seed >= 2**63 else self._seed  # the same 64 bits, signed
        key = _make_key(jax.device_put(np.array([seed, self._counter], np.int64), _cpu()))
        self._counter += 1
        return key

    # ---- the sampling interface (Note [RNG interface]) -----------------------------------------

    def uniform(self, shape, dtype, low=0.0, high=1.0):
        """Draws from U[low, high) (each part of a complex dtype)."""
        return _bucketed(_uniform, shape, self._key(), low, high, dtype=np.dtype(dtype))

    def normal(self, shape, dtype):
        """Standard normal draws (complex: variance 1 in total)."""
        return _bucketed(_normal, shape, self._key(), dtype=np.dtype(dtype))

    def integers(self, low, high, shape, dtype):
        """Integers drawn uniformly from [low, high)."""
        return _bucketed(
            _integers, shape, self._key(), np.int64(low), np.int64(high), dtype=np.dtype(dtype)
        )

    def exponential(self, shape, dtype):
        """Draws from Exp(1)."""
        return _bucketed(_exponential, shape, self._key(), dtype=np.dtype(dtype))

    def bernoulli(self, p, shape, dtype):
        """Draws of Bernoulli(p); ``p`` a scalar or an array broadcastable to ``shape``."""
        if np.ndim(p) == 0:
            return _bucketed(_bernoulli, shape, self._key(), p, dtype=np.dtype(dtype))
        return np.asarray(_bernoulli(self._key(), np.asarray(p), tuple(shape), np.dtype(dtype)))

    def permutation(self, n, dtype):
        """A random permutation of ``range(n)``."""
        return np.asarray(_permutation(self._key(), n, np.dtype(dtype)))

    def multinomial(self, probs, num_samples, replacement):
        """Indices drawn from the rows of host array ``probs`` (unnormalized, non-negative,
        1-D or 2-D)."""
        return np.asarray(_multinomial(self._key(), probs, num_samples, replacement))


default_generator = Generator()
default_generator.seed()  # as in torch, a fresh process draws differently until seeded


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
