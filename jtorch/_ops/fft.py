"""torch.fft: discrete Fourier transforms over jax.numpy.fft, and the frequency helpers.

Every transform is a sequence of one-dimensional jnp.fft transforms, one per transformed dim
(XLA's FFT takes at most three axes at once; one axis at a time has no limit). Real input is
promoted as torch does (integers and bool to the default float dtype) and gives the complex
dtype of its precision. The Hermitian transforms follow from the real ones:
``hfftn(x) = irfftn(conj(x))`` and ``ihfftn(x) = conj(rfftn(x))``, each with the
normalization swapped ("backward" <-> "forward"), since a forward transform of a Hermitian
signal is N times the inverse transform of its conjugate.
"""

import jax.numpy as jnp
import numpy as np

from .. import _dtype
from .._errors import check, wrap_dim
from ._registry import INT_TO_FLOAT, SAME, TT, T, op
from .creation import _check_requires_grad, _np_dtype, _out_dtype, finish
from .pointwise import _kind, _title

_SWAP = {"backward": "forward", "forward": "backward", "ortho": "ortho"}


def _norm(norm):
    check(
        norm in (None, "backward", "ortho", "forward"),
        RuntimeError,
        lambda: f'Invalid normalization mode: "{norm}"',
    )
    return norm or "backward"


def _dim(x, d):
    check(
        x.ndim > 0,
        IndexError,
        lambda: f"Dimension specified as {d} but tensor has no dimensions",
    )
    return wrap_dim(d, x.ndim)


def _plan(x, s, dim, name, c2r=False):
    """torch's resolution of (s, dim) for an n-dimensional transform: the dims and, per dim,
    the signal length (None: the input's, or for a complex-to-real last dim 2 * (m - 1))."""
    if dim is None:
        if s is None:
            dims = list(range(x.ndim))
        else:
            check(
                len(s) <= x.ndim,
                RuntimeError,
                lambda: f"Got shape with {len(s)} values but input tensor only has {x.ndim} "
                "dimensions.",
            )
            dims = list(range(x.ndim - len(s), x.ndim))
    else:
        dims = [_dim(x, d) for d in ((dim,) if isinstance(dim, int) else dim)]
        check(len(set(dims)) == len(dims), RuntimeError, "FFT dims must be unique")
        check(
            s is None or len(s) == len(dims),
            RuntimeError,
            "When given, dim and shape arguments must have the same length",
        )
    sizes = [None if s is None or s[i] == -1 else s[i] for i in range(len(dims))]
    lengths = [x.shape[d] if n is None else n for d, n in zip(dims, sizes)]
    if c2r and dims:
        lengths[-1] = 2 * (x.shape[dims[-1]] - 1) if sizes[-1] is None else sizes[-1]
    bad = [n for n in lengths if n < 1]
    check(not bad, RuntimeError, lambda: f"Invalid number of data points ({bad[0]}) specified")
    return dims, lengths


def _real_only(x, name, message="{name} expects a real input tensor, but got {dtype}"):
    check(
        _kind(x) != "c",
        RuntimeError,
        lambda: message.format(name=name, dtype=_title(x)),
    )


def _c2c(x, s, dim, norm, inverse, name):
    dims, lengths = _plan(x, s, dim, name)
    norm = _norm(norm)
    if _kind(x) != "c":
        x = x.astype(jnp.result_type(x.dtype, jnp.complex64))
    step = jnp.fft.ifft if inverse else jnp.fft.fft
    for d, n in zip(dims, lengths):
        x = step(x, n, d, norm)
    return x


def _r2c(x, s, dim, norm, name):
    """rfftn: a real transform of the last dim, then complex transforms of the others."""
    _real_only(x, name, "{name} expects a real-valued input tensor, but got {dtype}")
    dims, lengths = _plan(x, s, dim, name)
    check(dims, RuntimeError, lambda: f"{name} must transform at least one axis")
    norm = _norm(norm)
    x = jnp.fft.rfft(x, lengths[-1], dims[-1], norm)
    for d, n in zip(dims[:-1], lengths[:-1]):
        x = jnp.fft.fft(x, n, d, norm)
    return x


def _c2r(x, s, dim, norm, name):
    """irfftn: complex inverse transforms of all dims but the last, then a real one."""
    dims, lengths = _plan(x, s, dim, name, c2r=True)
    check(dims, RuntimeError, lambda: f"{name} must transform at least one axis")
    norm = _norm(norm)
    for d, n in zip(dims[:-1], lengths[:-1]):
        x = jnp.fft.ifft(x, n, d, norm)
    return jnp.fft.irfft(x, lengths[-1], dims[-1], norm)


def _one(n):
    return None if n is None else (n,)


def _hermitian_in(x, s, dim, norm, name):
    return _c2r(jnp.conj(x), s, dim, _SWAP[_norm(norm)], name)


def _hermitian_out(x, s, dim, norm, name):
    check(
        _kind(x) != "c",
        RuntimeError,
        lambda: f"Only supports floating-point dtypes, but found: {_title(x)}",
    )
    return jnp.conj(_r2c(x, s, dim, _SWAP[_norm(norm)], name))


# ---- one dimension ---------------------------------------------------------------------------


@op("fft.fft", promote=INT_TO_FLOAT, method=False)
def fft(input: TT, n=None, dim=-1, norm=None):
    """torch.fft.fft: the one-dimensional discrete Fourier transform."""
    return _c2c(input, _one(n), _dim(input, dim), norm, False, "fft")


@op("fft.ifft", promote=INT_TO_FLOAT, method=False)
def ifft(input: TT, n=None, dim=-1, norm=None):
    """torch.fft.ifft: the one-dimensional inverse discrete Fourier transform."""
    return _c2c(input, _one(n), _dim(input, dim), norm, True, "ifft")


@op("fft.rfft", promote=INT_TO_FLOAT, method=False)
def rfft(input: TT, n=None, dim=-1, norm=None):
    """torch.fft.rfft: the one-sided transform of a real signal (n // 2 + 1 outputs)."""
    _real_only(input, "rfft")
    return _r2c(input, _one(n), _dim(input, dim), norm, "rfft")


@op("fft.irfft", promote=INT_TO_FLOAT, method=False)
def irfft(input: TT, n=None, dim=-1, norm=None):
    """torch.fft.irfft: the inverse of rfft; n defaults to 2 * (input.size(dim) - 1)."""
    return _c2r(input, _one(n), _dim(input, dim), norm, "irfft")


@op("fft.hfft", promote=INT_TO_FLOAT, method=False)
def hfft(input: TT, n=None, dim=-1, norm=None):
    """torch.fft.hfft: the transform of a Hermitian signal given by its first half (real)."""
    return _hermitian_in(input, _one(n), _dim(input, dim), norm, "hfft")


@op("fft.ihfft", promote=INT_TO_FLOAT, method=False)
def ihfft(input: TT, n=None, dim=-1, norm=None):
    """torch.fft.ihfft: the inverse of hfft, the one-sided inverse transform of a real signal."""
    _real_only(input, "ihfft")
    return _hermitian_out(input, _one(n), _dim(input, dim), norm, "ihfft")


# ---- two and n dimensions --------------------------------------------------------------------


@op("fft.fft2", promote=INT_TO_FLOAT, method=False)
def fft2(input: TT, s=None, dim=(-2, -1), norm=None):
    """torch.fft.fft2: the transform over two dims (the last two by default)."""
    return _c2c(input, s, dim, norm, False, "fft2")


@op("fft.ifft2", promote=INT_TO_FLOAT, method=False)
def ifft2(input: TT, s=None, dim=(-2, -1), norm=None):
    """torch.fft.ifft2: the inverse transform over two dims."""
    return _c2c(input, s, dim, norm, True, "ifft2")


@op("fft.fftn", promote=INT_TO_FLOAT, method=False)
def fftn(input: TT, s=None, dim=None, norm=None):
    """torch.fft.fftn: the transform over ``dim`` (all dims, or the last len(s), by default)."""
    return _c2c(input, s, dim, norm, False, "fftn")


@op("fft.ifftn", promote=INT_TO_FLOAT, method=False)
def ifftn(input: TT, s=None, dim=None, norm=None):
    """torch.fft.ifftn: the inverse transform over ``dim``."""
    return _c2c(input, s, dim, norm, True, "ifftn")


@op("fft.rfft2", promote=INT_TO_FLOAT, method=False)
def rfft2(input: TT, s=None, dim=(-2, -1), norm=None):
    """torch.fft.rfft2: rfftn over two dims."""
    return _r2c(input, s, dim, norm, "rfftn")


@op("fft.irfft2", promote=INT_TO_FLOAT, method=False)
def irfft2(input: TT, s=None, dim=(-2, -1), norm=None):
    """torch.fft.irfft2: irfftn over two dims."""
    return _c2r(input, s, dim, norm, "irfftn")


@op("fft.rfftn", promote=INT_TO_FLOAT, method=False)
def rfftn(input: TT, s=None, dim=None, norm=None):
    """torch.fft.rfftn: one-sided in the last transformed dim, full in the others."""
    return _r2c(input, s, dim, norm, "rfftn")


@op("fft.irfftn", promote=INT_TO_FLOAT, method=False)
def irfftn(input: TT, s=None, dim=None, norm=None):
    """torch.fft.irfftn: the inverse of rfftn."""
    return _c2r(input, s, dim, norm, "irfftn")


@op("fft.hfft2", promote=INT_TO_FLOAT, method=False)
def hfft2(input: TT, s=None, dim=(-2, -1), norm=None):
    """torch.fft.hfft2: hfftn over two dims."""
    return _hermitian_in(input, s, dim, norm, "hfftn")


@op("fft.ihfft2", promote=INT_TO_FLOAT, method=False)
def ihfft2(input: TT, s=None, dim=(-2, -1), norm=None):
    """torch.fft.ihfft2: ihfftn over two dims."""
    return _hermitian_out(input, s, dim, norm, "ihfftn")


@op("fft.hfftn", promote=INT_TO_FLOAT, method=False)
def hfftn(input: TT, s=None, dim=None, norm=None):
    """torch.fft.hfftn: the transform of a signal Hermitian in the last transformed dim."""
    return _hermitian_in(input, s, dim, norm, "hfftn")


@op("fft.ihfftn", promote=INT_TO_FLOAT, method=False)
def ihfftn(input: TT, s=None, dim=None, norm=None):
    """torch.fft.ihfftn: the inverse of hfftn, one-sided in the last transformed dim."""
    return _hermitian_out(input, s, dim, norm, "ihfftn")


# ---- shifts and frequencies ------------------------------------------------------------------


def _shift(x, dim, direction):
    check(x.ndim > 0, RuntimeError, "`shifts` required")
    dims = range(x.ndim) if dim is None else (dim,) if isinstance(dim, int) else dim
    dims = [wrap_dim(d, x.ndim) for d in dims]
    return jnp.roll(x, [direction * (x.shape[d] // 2) for d in dims], dims)


@op("fft.fftshift", promote=SAME, method=False, out=False)
def fftshift(input: TT, dim=None):
    """torch.fft.fftshift: the zero frequency moved to the middle of ``dim`` (all dims)."""
    return _shift(input, dim, 1)


@op("fft.ifftshift", promote=SAME, method=False, out=False)
def ifftshift(input: TT, dim=None):
    """torch.fft.ifftshift: the inverse of fftshift."""
    return _shift(input, dim, -1)


def _frequencies(name, k, n, d, out, dtype, device, requires_grad):
    dt = _out_dtype(out, dtype) or _dtype.get_default_dtype()
    np_dt = _np_dtype(dt, name=name)
    _check_requires_grad(requires_grad, dt)
    # torch fills integers, then multiplies by the double scalar 1 / (n * d) in the dtype.
    with np.errstate(divide="ignore", invalid="ignore"):
        host = k.astype(np_dt) * np.divide(1.0, np.float64(n * d)).astype(np_dt)
    return finish(host, out, device, requires_grad)


def fftfreq(
    n, d=1.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False,
    pin_memory=False,
):
    """torch.fft.fftfreq: the sample frequencies of a length-n transform with spacing d."""
    k = np.concatenate([np.arange((n - 1) // 2 + 1), np.arange(-(n // 2), 0)])
    return _frequencies("fftfreq", k, n, d, out, dtype, device, requires_grad)


def rfftfreq(
    n, d=1.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False,
    pin_memory=False,
):
    """torch.fft.rfftfreq: the sample frequencies of a length-n rfft (n // 2 + 1 of them)."""
    k = np.arange(n // 2 + 1)
    return _frequencies("rfftfreq", k, n, d, out, dtype, device, requires_grad)


# ---- short-time Fourier transform ------------------------------------------------------------


def _stft_window(window, n_fft, win_length, dtype):
    """The analysis window, zero-padded on both sides to n_fft (torch's centering)."""
    if window is None:
        window = jnp.ones(win_length, dtype)
    check(
        window.ndim == 1 and window.shape[0] == win_length,
        RuntimeError,
        lambda: f"stft: expected a 1D window tensor of size equal to win_length={win_length}, "
        f"but got window with size {list(window.shape)}",
    )
    left = (n_fft - win_length) // 2
    return jnp.pad(window, (left, n_fft - win_length - left))


_PAD_MODES = {"reflect": "reflect", "constant": "constant", "replicate": "edge", "circular": "wrap"}


@op(promote=SAME, grad_name="StftBackward0")
def stft(
    input: TT, n_fft, hop_length=None, win_length=None, window: T = None, center=True,
    pad_mode="reflect", normalized=False, onesided=None, return_complex=None,
):
    """torch.stft: windowed FFTs of frames of ``input`` (1-D or batched 2-D), frequencies by
    frames; return_complex=False gives the real view with a trailing dim of 2.

    Differences from torch: no warnings (rectangular window, return_complex=False)."""
    complex_ = _kind(input) == "c" or (window is not None and _kind(window) == "c")
    check(
        return_complex is not None or complex_,
        RuntimeError,
        "stft requires the return_complex parameter be given for real inputs, and will further "
        "require that return_complex=True in a future PyTorch release.",
    )
    check(
        input.ndim in (1, 2),
        RuntimeError,
        lambda: f"stft: expected a 1D or 2D tensor, but got {input.ndim}D",
    )
    hop_length = n_fft // 4 if hop_length is None else hop_length
    win_length = n_fft if win_length is None else win_length
    x = input[None] if input.ndim == 1 else input
    if center:
        x = jnp.pad(x, ((0, 0), (n_fft // 2, n_fft // 2)), mode=_PAD_MODES[pad_mode])
    length = x.shape[-1]
    check(
        0 < n_fft <= length,
        RuntimeError,
        lambda: f"stft: expected 0 < n_fft < {length}, but got n_fft={n_fft}",
    )
    check(
        hop_length > 0,
        RuntimeError,
        lambda: f"stft: expected hop_length > 0, but got hop_length={hop_length}",
    )
    check(
        0 < win_length <= n_fft,
        RuntimeError,
        lambda: f"stft: expected 0 < win_length <= n_fft, but got win_length={win_length}",
    )
    frames = 1 + (length - n_fft) // hop_length
    index = jnp.arange(frames)[:, None] * hop_length + jnp.arange(n_fft)[None, :]
    segments = x[:, index] * _stft_window(window, n_fft, win_length, x.dtype)
    real = _kind(segments) != "c"
    norm = "ortho" if normalized else "backward"
    if (real if onesided is None else onesided):
        out = jnp.fft.rfft(segments, axis=-1, norm=norm)
    else:
        out = jnp.fft.fft(segments, axis=-1, norm=norm)
    out = jnp.swapaxes(out, -1, -2)
    out = out[0] if input.ndim == 1 else out
    return out if return_complex else jnp.stack([out.real, out.imag], -1)
