"""Random sampling ops: rand/randn/randint/randperm/normal/bernoulli/multinomial, their
``_like`` forms and the in-place samplers (uniform_, normal_, ...). All draw through a
Generator (Note [RNG interface] in _random.py)."""

import jax
import jax.numpy as jnp

from .. import _device, _dtype
from .._errors import check
from .._random import default_generator
from ..autograd import grad_mode
from .creation import _np_dtype, size_arg
from ._registry import check_inplace, method


def _gen(generator):
    return default_generator if generator is None else generator


def _wrap(array, device, requires_grad=False):
    from ..tensor import Tensor

    dev = _device.canonical(device)
    t = Tensor._wrap(jax.device_put(array, _device.jax_device(dev)), dev)
    return t.requires_grad_(True) if requires_grad else t


def _float_dtype(name, dtype):
    d = dtype or _dtype.get_default_dtype()
    check(
        d.is_floating_point or d.is_complex,
        RuntimeError,
        lambda: f'"{name}" not implemented for \'{_title(d)}\'',
    )
    return d


def _title(d):
    from ._registry import dtype_title

    return dtype_title(d)


def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    d = _float_dtype("check_uniform_bounds", dtype)
    return _wrap(_gen(generator).uniform(size_arg(size, "rand"), d._np), device, requires_grad)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    d = _float_dtype("normal_kernel_cpu", dtype)
    return _wrap(_gen(generator).normal(size_arg(size, "randn"), d._np), device, requires_grad)


def randint(low=0, high=None, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """torch.randint(high, size) or torch.randint(low, high, size)."""
    if size is None:
        low, high, size = 0, low, high
    check(high is not None and size is not None, TypeError, "randint() missing required argument 'size'")
    check(low < high, RuntimeError, lambda: f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    d = dtype or _dtype.int64
    return _wrap(_gen(generator).integers(low, high, size_arg((size,), "randint"), d._np), device, requires_grad)


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    check(n >= 0, RuntimeError, lambda: f"n must be non-negative, got{n}")
    d = dtype or _dtype.int64
    return _wrap(_gen(generator).permutation(n, d._np), device, requires_grad)


def rand_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return rand(input.shape, dtype=dtype or input.dtype, device=device or input.device, requires_grad=requires_grad)


def randn_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return randn(input.shape, dtype=dtype or input.dtype, device=device or input.device, requires_grad=requires_grad)


def randint_like(input, low=0, high=None, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    if high is None:
        low, high = 0, low
    return randint(low, high, input.shape, dtype=dtype or input.dtype, device=device or input.device)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """torch.normal's overloads: tensor/float mean and std (broadcast), or floats with ``size``."""
    from ..tensor import Tensor

    tensors = [x for x in (mean, std) if isinstance(x, Tensor)]
    if not tensors:
        check(size is not None, TypeError, "normal() received an invalid combination of arguments - got (float, float)")
        d = _float_dtype("normal_kernel_cpu", dtype)
        z = _gen(generator).normal(size_arg((size,), "normal"), d._np)
        return _wrap(z * std + mean, device, requires_grad)
    if isinstance(std, Tensor):
        check(
            not bool((std < 0).any()),
            RuntimeError,
            "normal expects all elements of std >= 0.0",
        )
    else:
        check(std >= 0, RuntimeError, f"normal expects std >= 0.0, but found std {std}")
    ref = tensors[0]
    shape = jnp.broadcast_shapes(*(x._shape for x in tensors))
    z = _wrap(_gen(generator).normal(shape, ref._dtype._np), ref._device)
    return z * std + mean


def bernoulli(input, p=None, *, generator=None, out=None):
    """Draws of Bernoulli(input) (or of a fixed ``p``), in input's dtype."""
    check(
        input._dtype.is_floating_point,
        RuntimeError,
        lambda: f'"bernoulli_tensor_cpu_self_" not implemented for \'{_title(input._dtype)}\'',
    )
    probs = input._value() if p is None else p
    draws = _gen(generator).bernoulli(probs, input._shape, input._dtype._np)
    return _wrap(draws, input._device)


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    check(input.dim() in (1, 2), RuntimeError, "prob_dist must be 1 or 2 dim")
    probs = input._value()
    check(bool((probs >= 0).all()), RuntimeError, "probability tensor contains either `inf`, `nan` or element < 0")
    check(
        replacement or num_samples <= input._shape[-1],
        RuntimeError,
        "cannot sample n_sample > prob_dist.size(-1) samples without replacement",
    )
    idx = _gen(generator).multinomial(probs.astype(jnp.float64), num_samples, replacement)
    return _wrap(idx.astype(jnp.int64), input._device)


# ---- in-place samplers ---------------------------------------------------------------------------


def _fill_inplace(t, array):
    from ..tensor import Tensor

    check_inplace(t)
    with grad_mode.no_grad():
        t._assign(Tensor._wrap(jax.device_put(array.astype(t._dtype._np), _device.jax_device(t._device)), t._device))
    return t


@method("uniform_")
def uniform_(t, from_=0.0, to=1.0, *, generator=None, **kwargs):
    from_ = kwargs.pop("from", from_)
    return _fill_inplace(t, _gen(generator).uniform(t._shape, t._dtype._np, from_, to))


@method("normal_")
def normal_(t, mean=0.0, std=1.0, *, generator=None):
    return _fill_inplace(t, _gen(generator).normal(t._shape, t._dtype._np) * std + mean)


@method("bernoulli_")
def bernoulli_(t, p=0.5, *, generator=None):
    from ..tensor import Tensor

    probs = p._value() if isinstance(p, Tensor) else p
    return _fill_inplace(t, _gen(generator).bernoulli(probs, t._shape, t._dtype._np))


@method("exponential_")
def exponential_(t, lambd=1.0, *, generator=None):
    return _fill_inplace(t, _gen(generator).exponential(t._shape, jnp.float64) / lambd)


@method("random_")
def random_(t, from_=0, to=None, *, generator=None):
    if to is None:
        from_, to = 0, from_ if from_ else 2**24 if t._dtype.is_floating_point else 2**31
    return _fill_inplace(t, _gen(generator).integers(from_, to, t._shape, jnp.int64))


method("bernoulli")(bernoulli)
method("multinomial")(multinomial)
