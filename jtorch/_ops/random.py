"""Random sampling: rand/randn/randint/randperm/normal/bernoulli/multinomial, their ``_like``
forms and the in-place samplers (uniform_, normal_, bernoulli_, exponential_, random_,
geometric_, cauchy_, log_normal_).

Every draw goes through a Generator (Note [RNG interface] in _random.py), which hands back host
arrays; checks of tensor arguments' values run on the host too. What is pure about a random op,
turning draws into its result, is a registered op, so autograd sees torch's nodes
(``NormalBackward1``, ``BernoulliBackward0``, ``UniformBackward0``...) with torch's zero
gradients, and in-place samplers write through views and bump versions like any in-place op.
"""

import math

import jax
import jax.numpy as jnp
import numpy as np

from .. import _device, _dtype, _random
from .._errors import check
from .._layout import check_strided
from .._random import Generator
from ..autograd import grad_mode
from ._registry import NONE, TN, T, dispatch_inplace, method, op
from .creation import _check_requires_grad, _like, _np_dtype, checked_scalar, size_arg

# ---- helpers ------------------------------------------------------------------------------------


def _stream(generator, name, device=None):
    """The stream to draw from (Note [RNG interface]): ``generator``'s, or the default
    generator's of ``device``; torch's error when a generator is of another device type."""
    dev = _device.canonical(device)
    if generator is None:
        return _random.device_generator(dev).stream
    check(
        isinstance(generator, Generator),
        TypeError,
        lambda: (
            f"{name}(): argument 'generator' must be torch.Generator, not {type(generator).__name__}"
        ),
    )
    check(
        generator.device.type == dev.type,
        RuntimeError,
        lambda: (
            f"Expected a '{dev.type}' device type for generator but found '{generator.device.type}'"
        ),
    )
    return generator.stream


def _draw_order(t):
    """For each draw, in order, the flat (row-major) index of the element of ``t`` it goes to:
    torch's samplers write in memory order (TensorIterator's, innermost the smallest stride);
    None when that is row-major order."""
    if t.is_contiguous():
        return None
    strides = t.stride()
    inner_first = sorted(range(t.dim() - 1, -1, -1), key=lambda d: strides[d])  # ties: later inner
    grid = np.arange(t.numel()).reshape(t._shape)
    return grid.transpose(tuple(reversed(inner_first))).ravel()


def _placed(flat, t):
    """Draws ``flat`` (in draw order) as an array shaped like ``t``."""
    order = _draw_order(t)
    if order is not None:
        placed = np.empty_like(flat)
        placed[order] = flat
        flat = placed
    return flat.reshape(t._shape)


def _in_draw_order(values, t):
    """Host ``values`` shaped like ``t`` (a probability per element), flat in draw order."""
    order = _draw_order(t)
    flat = np.ascontiguousarray(values).reshape(-1)
    return flat if order is None else flat[order]


def _tensor_class():
    from ..tensor import Tensor

    return Tensor


def _wrap(array, device):
    dev = _device.canonical(device)
    return _tensor_class()._wrap(jax.device_put(array, _device.jax_device(dev)), dev)


def _result(array, out, device, requires_grad):
    """A new tensor of ``array`` on ``device``, or ``out`` resized to hold it."""
    if out is not None:
        return out._resize_assign(_wrap(array, out.device))
    t = _wrap(array, device)
    return t.requires_grad_(True) if requires_grad else t


def _fmt(x):
    """A number as torch's C++ messages print it."""
    return f"{x:g}" if isinstance(x, float) else str(x)


_DIGITS = {"float16": 11, "bfloat16": 8, "float32": 24, "float64": 53}  # mantissa bits

# C++ names of dtypes in torch's bounds messages.
_C_NAMES = {
    "bool": "bool",
    "uint8": "unsigned char",
    "int8": "signed char",
    "int16": "short int",
    "int32": "int",
    "int64": "long int",
    "float32": "float",
    "float64": "double",
    "float16": "c10::Half",
    "bfloat16": "c10::BFloat16",
    "complex64": "c10::complex<float>",
    "complex128": "c10::complex<double>",
}


def _floating(name, d, complex=True):
    """torch's NotImplementedError for a continuous sampler asked for a non-float dtype."""
    return _kernel(name, d, d.is_floating_point or (complex and d.is_complex))


def _kernel(name, d, supported):
    """torch's NotImplementedError for a kernel that has no version for dtype ``d``."""
    check(
        supported,
        NotImplementedError,
        lambda: f"\"{name}\" not implemented for '{_dtype.title(d)}'",
    )
    return d


def _dtype_arg(dtype, out, name):
    dtype = _dtype.as_dtype(dtype)
    d = (
        dtype
        if dtype is not None
        else (out.dtype if out is not None else _dtype.get_default_dtype())
    )
    _np_dtype(d, name=name)
    return d


def _size(args, size, name):
    if size is not None:
        check(not args, TypeError, lambda: f"{name}() got multiple values for argument 'size'")
        args = (size,)
    return size_arg(args, name)


def _integer_bounds(low, high, d):
    """torch's checks of [low, high) for integers drawn into dtype ``d``."""
    check(
        low < high,
        RuntimeError,
        lambda: f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}",
    )
    check(
        not d.is_complex,
        RuntimeError,
        "check_random_bounds handles only integral, floating-point and boolean types",
    )
    if d.is_floating_point:
        digits = _DIGITS[d._name]
        for v, what, i in ((low, "from", 110), (high - 1, "to - 1", 111)):
            if not -(2**digits) <= v <= 2**digits:
                import warnings

                warnings.warn(
                    f"{what} is out of bounds [-(2^{digits}), 2^{digits}]. Due to precision limitations "
                    f"{_C_NAMES[d._name]} can support discrete uniform distribution only within this range. This "
                    "warning will become an error in version 1.7 release, please fix the code in advance",
                    UserWarning,
                    stacklevel=4,
                )
        return
    info = (0, 1) if d is _dtype.bool else (np.iinfo(d._np).min, np.iinfo(d._np).max)
    check(low >= info[0], RuntimeError, lambda: f"from is out of bounds for {_C_NAMES[d._name]}")
    check(
        high - 1 <= info[1],
        RuntimeError,
        lambda: f"to - 1 is out of bounds for {_C_NAMES[d._name]}",
    )


def _representable(low, high, d):
    """torch's ``update_from``/``update_to``: for a float dtype, bounds whose neighbour rounds
    past them move inward to where the dtype can still tell integers apart."""
    digits = _DIGITS.get(d._name)
    if digits is None:
        return low, high
    as_float = np.dtype(d._np).type
    up = int(as_float(low + 1))
    if up < low:
        low = up + (1 << (abs(low + 1).bit_length() - 1 - digits + 1))
    down = int(as_float(high - 1))
    if down >= high:
        high = down - (1 << (abs(high - 1).bit_length() - 1 - digits + 1))
    return low, high


def _as_int(x, name, arg, position):
    from ..tensor import Tensor

    if isinstance(x, Tensor):
        return x.__index__()
    check(
        isinstance(x, (int, np.integer)),
        TypeError,
        lambda: (
            f"{name}(): argument '{arg}' (position {position}) must be int, not {type(x).__name__}"
        ),
    )
    return int(x)


# ---- the pure parts: draws to results, with torch's zero gradients -----------------------------------


def _normal_name(mean, std, noise):
    tensors = (isinstance(mean, _tensor_class()), isinstance(std, _tensor_class()))
    return {(True, False): "NormalBackward1", (False, True): "NormalBackward2"}.get(
        tensors, "NormalBackward3"
    )


@op("_normal", method=False, out=False, grad_name=_normal_name)
def _normal(mean: T, std: T, values: TN):
    """The normal draws ``values`` (``noise * std + mean``, computed on the host as torch
    rounds it), as a result of ``mean`` and ``std`` that torch differentiates as a constant."""
    return jax.lax.stop_gradient(values.astype(jnp.result_type(mean, std)))


@op(
    "_random_fill",
    promote=NONE,
    method=False,
    out=False,
    grad_name=lambda input, values, name: name,
)
def _random_fill(input: T, values: TN, name):
    """``values`` in ``input``'s dtype: the result of a sampler, with zero gradient."""
    return jax.lax.stop_gradient(values.astype(input.dtype))


def _fill(t, flat, grad_name):
    """Write sampled host values ``flat`` (in draw order) into ``t`` in place (views, versions,
    autograd as torch does); without a history to record, the write needs no op."""
    array = _placed(np.asarray(flat), t)
    if grad_mode._state["enabled"] and t._requires_grad:
        return dispatch_inplace(_random_fill, t, (_wrap(array, t._device), grad_name), {})
    return t._assign(_wrap(np.asarray(array).astype(t.dtype._np), t._device), grad_name)


# ---- factories ------------------------------------------------------------------------------------


def _continuous(name, kernel, draw, args, size, generator, out, dtype, device, requires_grad):
    d = _floating(kernel, _dtype_arg(dtype, out, name))
    shape = _size(args, size, name)
    _check_requires_grad(requires_grad, d)
    stream = _stream(generator, name, _target(device, out))
    values = draw(stream, math.prod(shape), d._np).reshape(shape)
    return _result(values, out, device, requires_grad)


def _target(device, out):
    """The device a factory's result lands on."""
    return out.device if device is None and out is not None else device


def rand(
    *args,
    size=None,
    generator=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
):
    """torch.rand(*size): uniform draws from [0, 1)."""
    check_strided("rand", layout)
    return _continuous(
        "rand",
        "check_uniform_bounds",
        lambda stream, n, dt: stream.uniform(n, dt),
        args,
        size,
        generator,
        out,
        dtype,
        device,
        requires_grad,
    )


def randn(
    *args,
    size=None,
    generator=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
):
    """torch.randn(*size): standard normal draws (complex: variance 1 split between the parts)."""
    check_strided("randn", layout)
    return _continuous(
        "randn",
        "normal_kernel_cpu",
        lambda stream, n, dt: stream.normal(n, dt),
        args,
        size,
        generator,
        out,
        dtype,
        device,
        requires_grad,
    )


def randint(
    *args,
    low=None,
    high=None,
    size=None,
    generator=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
):
    """torch.randint(high, size) or torch.randint(low, high, size): integers from [low, high)."""
    check_strided("randint", layout)
    bound = [*args]
    for value in (low, high, size):
        if value is not None:
            bound.append(value)
    if len(bound) == 2:
        bound.insert(0, 0)
    check(
        len(bound) == 3,
        TypeError,
        lambda: (
            f"randint() received an invalid combination of arguments - got "
            f"({', '.join(type(a).__name__ for a in args)})"
        ),
    )
    lo, hi, shape = bound
    lo = _as_int(lo, "randint", "low", 1)
    hi = _as_int(hi, "randint", "high", 2)
    check(
        isinstance(shape, (tuple, list)),
        TypeError,
        lambda: (
            f"randint(): argument 'size' (position 2) must be tuple of ints, not {type(shape).__name__}"
        ),
    )
    d = (
        _dtype_arg(dtype, out, "randint")
        if (dtype is not None or out is not None)
        else _dtype.int64
    )
    lo, hi = _representable(lo, hi, d)
    _integer_bounds(lo, hi, d)
    _check_requires_grad(requires_grad, d)
    shape = size_arg((shape,), "randint")
    stream = _stream(generator, "randint", _target(device, out))
    draws = stream.integers(math.prod(shape), lo, hi, d._np).reshape(shape)
    return _result(draws, out, device, requires_grad)


def randperm(
    n,
    *,
    generator=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
):
    """torch.randperm(n): a random permutation of 0..n-1."""
    check_strided("randperm", layout)
    n = _as_int(n, "randperm", "n", 1)
    size_arg((n,), "randperm")
    d = _dtype.as_dtype(dtype) or (out.dtype if out is not None else _dtype.int64)
    check(d is not _dtype.bool, NotImplementedError, "\"randperm\" not implemented for 'Bool'")
    limits = {
        "float16": (2049, "2049", "Half"),
        "float32": (2**24 + 1, "2^24+1", "Float"),
        "float64": (2**53 + 1, "2^53+1", "Double"),
    }
    if d._name in limits:
        most, text, title = limits[d._name]
        check(n <= most, RuntimeError, lambda: f"n cannot be greater than {text} for {title} type.")
    elif _dtype.is_integral(d) and n:
        checked_scalar(n - 1, d)
    _check_requires_grad(requires_grad, d)
    stream = _stream(generator, "randperm", _target(device, out))
    return _result(stream.permutation(n, d._np), out, device, requires_grad)


def rand_like(
    input,
    *,
    generator=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    memory_format=None,
):
    kwargs = _like("rand_like", input, dtype, device, layout)
    return rand(input.shape, generator=generator, requires_grad=requires_grad, **kwargs)


def randn_like(
    input,
    *,
    generator=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    memory_format=None,
):
    kwargs = _like("randn_like", input, dtype, device, layout)
    return randn(input.shape, generator=generator, requires_grad=requires_grad, **kwargs)


def randint_like(
    input,
    low=0,
    high=None,
    *,
    generator=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    memory_format=None,
):
    """torch.randint_like(input, high) or (input, low, high)."""
    if high is None:
        low, high = 0, low
    kwargs = _like("randint_like", input, dtype, device, layout)
    return randint(
        low, high, tuple(input.shape), generator=generator, requires_grad=requires_grad, **kwargs
    )


# ---- normal, bernoulli, multinomial ---------------------------------------------------------------


def normal(
    mean=0.0,
    std=1.0,
    size=None,
    *,
    generator=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    pin_memory=False,
    requires_grad=False,
):
    """torch.normal's four overloads: (Tensor mean, Tensor std), (Tensor mean, float std=1),
    (float mean, Tensor std), and (float mean, float std, size). Differentiating the result
    gives zero gradients, as in torch."""
    check_strided("normal", layout)
    Tensor = _tensor_class()
    tensors = [x for x in (mean, std) if isinstance(x, Tensor)]
    if not tensors:
        check(
            size is not None,
            TypeError,
            lambda: (
                f"normal() received an invalid combination of arguments - got ({type(mean).__name__}, "
                f"{type(std).__name__})"
            ),
        )
        check(
            std >= 0,
            RuntimeError,
            lambda: f"normal expects std >= 0.0, but found std {_fmt(float(std))}",
        )
        d = _floating("normal_kernel_cpu", _dtype_arg(dtype, out, "normal"))
        _check_requires_grad(requires_grad, d)
        shape = size_arg((size,), "normal")
        stream = _stream(generator, "normal", _target(device, out))
        z = stream.normal(math.prod(shape), d._np, mean, std).reshape(shape)
        return _result(z, out, device, requires_grad)
    if isinstance(std, Tensor):
        check(not (_host(std) < 0).any(), RuntimeError, "normal expects all elements of std >= 0.0")
    else:
        check(
            std >= 0,
            RuntimeError,
            lambda: f"normal expects std >= 0.0, but found std {_fmt(float(std))}",
        )
    for t in tensors:
        _floating("normal_kernel_cpu", t.dtype)
    from .._errors import broadcast_shapes

    shape = broadcast_shapes(*(t._shape for t in tensors))
    dt = _dtype.result_type_of(
        [t.dtype for t in tensors], [], [x for x in (mean, std) if not isinstance(x, Tensor)]
    )
    # torch fills the output with normal_(0, 1), then multiplies by std and adds mean in place
    stream = _stream(generator, "normal", tensors[0].device)
    noise = stream.normal(math.prod(shape), dt._np).reshape(shape)
    scaled = (noise * _operand(std, dt)).astype(dt._np)
    values = (scaled + _operand(mean, dt)).astype(dt._np)
    result = _normal(mean, std, _wrap(values, tensors[0].device))
    return result if out is None else out._resize_assign(result)


def bernoulli(input, p=None, *, generator=None, out=None):
    """torch.bernoulli(input): draws of Bernoulli(input), in input's dtype; or, with ``p``,
    draws of Bernoulli(p) shaped like input."""
    Tensor = _tensor_class()
    check(
        isinstance(input, Tensor),
        TypeError,
        lambda: (
            f"bernoulli(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}"
        ),
    )
    check(
        p is None or isinstance(p, (int, float)),
        TypeError,
        lambda: (
            f"bernoulli() received an invalid combination of arguments - got (Tensor, {type(p).__name__})"
        ),
    )
    stream = _stream(generator, "bernoulli", input.device)
    if p is None:
        check(
            input.dtype.is_floating_point,
            NotImplementedError,
            lambda: (
                f"\"bernoulli_tensor_cpu_p_\" not implemented for '{_dtype.title(input.dtype)}'"
            ),
        )
        probs = _in_draw_order(_probabilities(input), input)
    else:
        _check_p(p, "bernoulli_")
        probs = p
    flat = stream.bernoulli(probs, input.numel(), input.dtype._np)
    draws = _wrap(_placed(flat, input), input.device)
    result = _random_fill(input, draws, "BernoulliBackward0" if p is None else "BernoulliBackward1")
    return result if out is None else out._resize_assign(result)


def _operand(x, d):
    """A tensor or number as a host operand of an in-place op on a tensor of dtype ``d``."""
    if isinstance(x, _tensor_class()):
        return np.asarray(x._value()).astype(d._np)
    return d._np.type(x)


def _host(t):
    """A tensor's values on the host, for checks and for the samplers (float64 for halves)."""
    h = np.asarray(t._value())
    return h.astype(np.float32) if t.dtype is _dtype.bfloat16 else h


def _probabilities(t):
    probs = _host(t)
    check(
        bool(((probs >= 0) & (probs <= 1)).all()),
        RuntimeError,
        "Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error message be improved?  "
        "If so, please report an enhancement request to PyTorch.)",
    )
    return probs


def _check_p(p, name):
    check(
        0 <= p <= 1,
        RuntimeError,
        lambda: f"{name} expects p to be in [0, 1], but got p={_fmt(float(p))}",
    )


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """torch.multinomial: indices drawn from the rows of ``input`` (1-D or 2-D, unnormalized)."""
    check(
        input.dtype.is_floating_point,
        RuntimeError,
        lambda: (
            f"multinomial only supports floating-point dtypes for input, got: {_dtype.title(input.dtype)}"
        ),
    )
    check(input.dim() in (1, 2), RuntimeError, "prob_dist must be 1 or 2 dim")
    check(num_samples > 0, RuntimeError, "cannot sample n_sample <= 0 samples")
    n_categories = input._shape[-1]
    check(
        replacement or num_samples <= n_categories,
        RuntimeError,
        "cannot sample n_sample > prob_dist.size(-1) samples without replacement",
    )
    check(n_categories <= 2**24, RuntimeError, "number of categories cannot exceed 2^24")
    probs = _host(input).astype(np.float64)
    if probs.size == 0:
        return _result(
            np.zeros((*input._shape[:-1], num_samples), np.int64), out, input.device, False
        )
    check(
        bool((np.isfinite(probs) & (probs >= 0)).all()),
        RuntimeError,
        "probability tensor contains either `inf`, `nan` or element < 0",
    )
    check(
        bool((probs.sum(-1) > 0).all()),
        RuntimeError,
        "invalid multinomial distribution (sum of probabilities <= 0)",
    )
    rows = np.asarray(input._value()).reshape(-1, n_categories)  # in input's dtype, as torch
    stream = _stream(generator, "multinomial", input.device)
    idx = stream.multinomial(rows, num_samples, replacement)
    idx = idx.reshape(*input._shape[:-1], num_samples)
    return _result(idx.astype(np.int64), out, input.device, False)


# ---- in-place samplers ------------------------------------------------------------------------------


@method("uniform_")
def uniform_(self, from_=0.0, to=1.0, *, generator=None, **kwargs):
    """Tensor.uniform_(from=0, to=1): fill with draws from U[from, to)."""
    from_ = kwargs.pop("from", from_)
    check(
        not kwargs,
        TypeError,
        lambda: f"uniform_() got an unexpected keyword argument '{next(iter(kwargs))}'",
    )
    _floating("check_uniform_bounds", self.dtype)
    check(
        from_ <= to,
        RuntimeError,
        lambda: (
            f"uniform_ expects to return a [from, to) range, but found from={_fmt(from_)} > to={_fmt(to)}"
        ),
    )
    limit = float(
        np.finfo(self.dtype.to_real()._np if self.dtype is not _dtype.bfloat16 else np.float32).max
    )
    check(
        to - from_ <= limit,
        RuntimeError,
        lambda: (
            f"uniform_ expects to-from <= std::numeric_limits<{_dtype.title(self.dtype)}>::max(), but found "
            f"to={_fmt(to)} and from={_fmt(from_)} which result in to-from to exceed the limit"
        ),
    )
    draws = _stream(generator, "uniform_", self.device).uniform(
        self.numel(), self.dtype._np, from_, to
    )
    return _fill(self, draws, "UniformBackward0")


@method("normal_")
def normal_(self, mean=0.0, std=1.0, *, generator=None):
    """Tensor.normal_(mean=0, std=1): fill with normal draws."""
    _floating("normal_kernel_cpu", self.dtype)
    check(std >= 0, RuntimeError, lambda: f"normal expects std >= 0.0, but found std {_fmt(std)}")
    z = _stream(generator, "normal_", self.device).normal(
        self.numel(), self.dtype._np, mean, std, self.is_contiguous()
    )
    return _fill(self, z, "NormalBackward0")


@method("bernoulli_")
def bernoulli_(self, p=0.5, *, generator=None):
    """Tensor.bernoulli_(p=0.5): fill with draws of Bernoulli(p); ``p`` a number or a tensor
    broadcastable to self."""
    Tensor = _tensor_class()
    kernel = "bernoulli_tensor_cpu_self_" if isinstance(p, Tensor) else "bernoulli_scalar_cpu_"
    _kernel(kernel, self.dtype, not self.dtype.is_complex)
    if isinstance(p, Tensor):
        probs = _probabilities(p)
        check(
            len(p._shape) <= len(self._shape)
            and all(a in (1, b) for a, b in zip(reversed(p._shape), reversed(self._shape))),
            RuntimeError,
            lambda: (
                f"The expanded size of the tensor ({self._shape[-1] if self._shape else 1}) must match the existing "
                f"size ({p._shape[-1]}) at non-singleton dimension 0.  Target sizes: {list(self._shape)}.  Tensor sizes: "
                f"{list(p._shape)}"
            ),
        )
        probs = _in_draw_order(np.broadcast_to(probs, self._shape), self)
    else:
        _check_p(p, "bernoulli_")
        probs = p
    draws = _stream(generator, "bernoulli_", self.device).bernoulli(
        probs, self.numel(), self.dtype._np
    )
    return _fill(
        self, draws, "BernoulliBackward1" if isinstance(p, Tensor) else "BernoulliBackward2"
    )


def _check_continuous(self, name, title=True):
    check(
        self.dtype.is_floating_point,
        RuntimeError,
        lambda: (
            f"{name} distribution is a continuous probability distribution. dtype must be a floating point but "
            f"you specified {_dtype.title(self.dtype) if title else _C_NAMES[self.dtype._name]}"
        ),
    )


@method("exponential_")
def exponential_(self, lambd=1.0, *, generator=None):
    """Tensor.exponential_(lambd=1): fill with draws of Exp(lambd)."""
    _check_continuous(self, "Exponential")
    check(
        lambd > 0,
        RuntimeError,
        lambda: f"exponential_ expects lambda > 0.0, but found lambda={_fmt(lambd)}",
    )
    draws = _stream(generator, "exponential_", self.device).exponential(
        self.numel(), self.dtype._np, lambd
    )
    return _fill(self, draws, "ExponentialBackward0")


@method("geometric_")
def geometric_(self, p, *, generator=None):
    """Tensor.geometric_(p): fill with the number of Bernoulli(p) trials to the first success."""
    _kernel("geometric_cpu", self.dtype, not (self.dtype.is_complex or self.dtype is _dtype.bool))
    check(
        0 < p < 1,
        RuntimeError,
        lambda: f"geometric_ expects p to be in (0, 1), but got p={_fmt(p)}",
    )
    draws = _stream(generator, "geometric_", self.device).geometric(self.numel(), self.dtype._np, p)
    return _fill(self, draws, "GeometricBackward0")


@method("cauchy_")
def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    """Tensor.cauchy_(median=0, sigma=1): fill with draws of the Cauchy distribution."""
    _check_continuous(self, "Cauchy", title=False)
    check(
        sigma > 0,
        RuntimeError,
        lambda: f"cauchy_ expects sigma > 0.0, but found sigma={_fmt(sigma)}",
    )
    draws = _stream(generator, "cauchy_", self.device).cauchy(
        self.numel(), self.dtype._np, median, sigma
    )
    return _fill(self, draws, "CauchyBackward0")


@method("log_normal_")
def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    """Tensor.log_normal_(mean=1, std=2): fill with ``exp`` of normal draws."""
    _floating("log_normal_cpu", self.dtype, complex=False)
    check(
        std > 0, RuntimeError, lambda: f"log_normal_ expects std > 0.0, but found std={_fmt(std)}"
    )
    draws = _stream(generator, "log_normal_", self.device).log_normal(
        self.numel(), self.dtype._np, mean, std
    )
    return _fill(self, draws, "LogNormalBackward0")


_NO_TO = object()  # random_(from) means random_(to=from); random_(from, None) is another overload


@method("random_")
def random_(self, from_=None, to=_NO_TO, *, generator=None, **kwargs):
    """Tensor.random_(), random_(to), random_(from, to), random_(from, None): integers from
    [from, to); with no bounds, from [0, 2**mantissa] for floats and [0, max] for integers;
    with ``to=None``, from [from, that top]."""
    from_ = kwargs.pop("from", from_)
    check(
        not kwargs,
        TypeError,
        lambda: f"random_() got an unexpected keyword argument '{next(iter(kwargs))}'",
    )
    d = self.dtype
    _kernel("random_kernel_cpu", d, not d.is_complex)
    if from_ is None and to in (None, _NO_TO):
        overload, from_, to = 2, 0, _top(d) + 1
    elif from_ is None or to is _NO_TO:
        overload, from_, to = 1, 0, (from_ if to is _NO_TO else to)
    else:
        overload = 0
        if to is None:
            to = 2**63 if from_ == -(2**63) else _top(d) + 1
    if overload != 2 and to - from_ < 2**64:
        from_, to = _representable(from_, to, d)
    _integer_bounds(from_, to, d)
    draws = _stream(generator, "random_", self.device).integers(
        self.numel(), from_, to, self.dtype._np, full=overload == 2
    )
    return _fill(self, draws, f"RandomBackward{overload}")


def _top(d):
    """The largest value random_ draws for dtype ``d`` without an upper bound."""
    if d.is_floating_point:
        return 2 ** _DIGITS[d._name]
    return 1 if d is _dtype.bool else int(np.iinfo(d._np).max)


method("bernoulli")(bernoulli)
method("multinomial")(multinomial)
