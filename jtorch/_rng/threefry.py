"""The stream of generators on accelerators: jax's threefry, not torch's CUDA Philox.

torch's CUDA numbers differ from its CPU numbers anyway, so on a GPU jtorch keeps jax's fast
counter-based PRNG: each draw folds a per-generator counter into a key made from the seed, so a
seed reproduces the same sequence. Samplers are compiled per power-of-two size and sliced, so a
new shape rarely compiles anything. The state is torch's CUDA layout: 8 bytes of seed, 8 of
offset (here the counter).
"""

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np

STATE_SIZE = 16

_DIGITS = {np.dtype(np.float16): 11, np.dtype(jnp.bfloat16): 8}


def _real(dt):
    return jnp.float64 if dt in (np.float64, np.complex128) else jnp.float32  # halves: float


@functools.partial(jax.jit, static_argnames=("n", "dtype"))
def _uniform(key, low, high, n, dtype):
    if dtype.kind == "c":  # real and imaginary parts each uniform
        parts = jax.random.uniform(key, (n, 2), _real(dtype))
        return (jax.lax.complex(parts[:, 0], parts[:, 1]) * (high - low) + low).astype(dtype)
    if dtype in _DIGITS:  # as torch: k / 2**digits, so that 1 cannot come out of the rounding
        digits = _DIGITS[dtype]
        k = jax.random.randint(key, (n,), 0, 2**digits, jnp.int32)
        u = k.astype(jnp.float32) * 2.0**-digits
    else:
        u = jax.random.uniform(key, (n,), dtype)
    return (low + u * (high - low)).astype(dtype)


@functools.partial(jax.jit, static_argnames=("n", "dtype"))
def _normal(key, mean, std, n, dtype):
    if dtype.kind == "c":  # variance std**2 split evenly between the parts, as in torch
        parts = jax.random.normal(key, (n, 2), _real(dtype)) * (std * np.sqrt(0.5))
        return jax.lax.complex(parts[:, 0] + mean, parts[:, 1]).astype(dtype)
    return (jax.random.normal(key, (n,), _real(dtype)) * std + mean).astype(dtype)


@functools.partial(jax.jit, static_argnames=("n", "dtype"))
def _integers(key, low, high, n, dtype):
    return jax.random.randint(key, (n,), low, high, jnp.int64).astype(dtype)


@functools.partial(jax.jit, static_argnames=("n", "dtype"))
def _exponential(key, n, dtype):
    return jax.random.exponential(key, (n,), _real(dtype)).astype(dtype)


@functools.partial(jax.jit, static_argnames=("n",))
def _float_uniform(key, n):
    return jax.random.uniform(key, (n,), jnp.float64)


@functools.partial(jax.jit, static_argnames=("n",))
def _bernoulli(key, p, n):
    return jax.random.bernoulli(key, p, (n,))


@functools.partial(jax.jit, static_argnames=("n", "dtype"))
def _permutation(key, n, dtype):
    return jax.random.permutation(key, n).astype(dtype)


@functools.partial(jax.jit, static_argnames=("num_samples", "replacement"))
def _multinomial(key, probs, num_samples, replacement):
    logits = jnp.log(probs)
    if replacement:
        draws = jax.random.categorical(key, logits, axis=-1, shape=(num_samples, probs.shape[0]))
        return jnp.moveaxis(draws, 0, -1)
    # Without replacement: the top num_samples of Gumbel-perturbed logits.
    gumbel = jax.random.gumbel(key, probs.shape, probs.dtype)
    return jnp.argsort(-(logits + gumbel), axis=-1)[..., :num_samples]


@functools.cache
def _cpu():
    return jax.devices("cpu")[0]


@jax.jit
def _make_key(seed_counter):
    return jax.random.fold_in(jax.random.key(seed_counter[0]), seed_counter[1])


def _bucketed(draw, n, *args, **static):
    """``draw`` of ``n`` values as a host array: the head of a draw whose size is a power of
    two, so that a new size rarely compiles a new sampler."""
    return np.asarray(draw(*args, n=max(16, 1 << (n - 1).bit_length()), **static))[:n]


class Threefry:
    """The sampling interface (Note [RNG interface]) over jax's threefry."""

    def __init__(self, seed):
        self.seed(seed)

    def seed(self, seed):
        self.initial_seed = seed % 2**64
        self.counter = 0

    def state_bytes(self):
        return np.array([self.initial_seed, self.counter], "<u8").tobytes()

    def load_bytes(self, raw):
        self.initial_seed, self.counter = (int(x) for x in np.frombuffer(bytes(raw), "<u8"))
        return True

    def _key(self):
        seed = self.initial_seed
        seed = seed - 2**64 if seed >= 2**63 else seed  # the same 64 bits, signed
        key = _make_key(jax.device_put(np.array([seed, self.counter], np.int64), _cpu()))
        self.counter += 1
        return key

    def uniform(self, n, dtype, low=0.0, high=1.0):
        return _bucketed(_uniform, n, self._key(), low, high, dtype=dtype)

    def normal(self, n, dtype, mean=0.0, std=1.0, contiguous=True):
        return _bucketed(_normal, n, self._key(), mean, std, dtype=dtype)

    def integers(self, n, low, high, dtype, full=False):
        span = (np.int64(low), np.int64(min(high, 2**63 - 1)))
        return _bucketed(_integers, n, self._key(), *span, dtype=dtype)

    def permutation(self, n, dtype):
        return np.asarray(_permutation(self._key(), n, dtype))

    def bernoulli(self, p, n, dtype):
        if np.ndim(p) == 0:
            return _bucketed(_bernoulli, n, self._key(), p).astype(dtype)
        return np.asarray(_bernoulli(self._key(), np.asarray(p), n)).astype(dtype)

    def exponential(self, n, dtype, lambd=1.0):
        return (_bucketed(_exponential, n, self._key(), dtype=dtype) / lambd).astype(dtype)

    def geometric(self, n, dtype, p):
        u = _bucketed(_float_uniform, n, self._key())
        return np.ceil(np.log1p(-u) / math.log1p(-p)).astype(dtype)

    def cauchy(self, n, dtype, median, sigma):
        u = _bucketed(_float_uniform, n, self._key())
        return (median + sigma * np.tan(math.pi * (u - 0.5))).astype(dtype)

    def log_normal(self, n, dtype, mean, std):
        return np.exp(self.normal(n, np.dtype(np.float64), mean, std)).astype(dtype)

    def multinomial(self, probs, num_samples, replacement):
        probs = probs.astype(np.float64)
        return np.asarray(_multinomial(self._key(), probs, num_samples, replacement))
