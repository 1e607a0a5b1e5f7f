"""torch.fft (jtorch/_ops/fft.py), torch.special (jtorch/_ops/special.py) and the window
functions (jtorch/_ops/windows.py) against real torch, for what op_db does not reach: the three
norm modes, n/s padding and trimming, result dtypes of integer/bool/float64 input, gradients
of complex outputs, fftfreq, torch's errors for the common mistakes, the special functions at
their edges (poles, negative arguments, tensor degrees), the torch.special aliases, and the
windows' periodic/symmetric forms.
"""

import numpy as np
import pytest
import torch

import jtorch
from conformance._compare import assert_close, same

RNG = np.random.default_rng(0)
X = RNG.standard_normal((3, 6)).astype(np.float32)
X64 = RNG.standard_normal((2, 3, 5))
INTS = np.arange(-3, 5, dtype=np.int64)
BOOLS = np.array([True, False, True, True])
NAN, INF = float("nan"), float("inf")

# ---- torch.fft ----------------------------------------------------------------------------------

FFT_ROWS = {
    "fft-default": (lambda lib, x: lib.fft.fft(x), X),
    "fft-ortho": (lambda lib, x: lib.fft.fft(x, norm="ortho"), X),
    "fft-forward-pad": (lambda lib, x: lib.fft.fft(x, n=9, norm="forward"), X),
    "fft-trim-dim0": (lambda lib, x: lib.fft.fft(x, n=2, dim=0), X),
    # torch's ifft/ihfft of real input return a lazily conjugated view; numpy() needs it resolved.
    "ifft-backward": (lambda lib, x: lib.fft.ifft(x, norm="backward").resolve_conj(), X),
    "rfft-int64": (lambda lib, x: lib.fft.rfft(x), INTS),
    "fft-bool": (lambda lib, x: lib.fft.fft(x), BOOLS),
    "rfft-float64-odd": (lambda lib, x: lib.fft.rfft(x, n=7), X64),
    "irfft-default-n": (lambda lib, x: lib.fft.irfft(x), X),
    "irfft-odd-n-ortho": (lambda lib, x: lib.fft.irfft(x, n=5, norm="ortho"), X),
    "hfft-forward": (lambda lib, x: lib.fft.hfft(x, norm="forward"), X),
    "ihfft-ortho": (lambda lib, x: lib.fft.ihfft(x, norm="ortho").resolve_conj(), X64),
    "fft2-s": (lambda lib, x: lib.fft.fft2(x, s=(4, 4)), X),
    "fftn-all-dims": (lambda lib, x: lib.fft.fftn(x), X64),
    "fftn-s-implies-dims": (lambda lib, x: lib.fft.fftn(x, s=(2, 8)), X64),
    "fftn-4d": (lambda lib, x: lib.fft.fftn(x.reshape(1, 2, 3, 5)), X64),
    "ifftn-minus-one-s": (lambda lib, x: lib.fft.ifftn(x, s=(-1, 3), dim=(0, 2)), X64),
    "rfftn-ortho": (lambda lib, x: lib.fft.rfftn(x, norm="ortho"), X64),
    "irfftn-s": (lambda lib, x: lib.fft.irfftn(x, s=(3, 8)), X64),
    "rfft2-irfft2": (lambda lib, x: lib.fft.irfft2(lib.fft.rfft2(x), s=(3, 6)), X),
    "hfftn-forward": (lambda lib, x: lib.fft.hfftn(x, norm="forward"), X64),
    "ihfft2": (lambda lib, x: lib.fft.ihfft2(x), X64),
    "fftn-0d": (lambda lib, x: lib.fft.fftn(x), np.array(2.5)),
    "fftshift-all": (lambda lib, x: lib.fft.fftshift(x), X),
    "ifftshift-dim": (lambda lib, x: lib.fft.ifftshift(x, dim=(0, -1)), X64),
    "fftshift-int": (lambda lib, x: lib.fft.fftshift(x), INTS),
}


@pytest.mark.parametrize("row", FFT_ROWS, ids=str)
def test_fft(row):
    fn, x = FFT_ROWS[row]
    same(fn, x)


def test_fft_out_and_complex_input():
    same(lambda lib, x: lib.fft.fft(lib.fft.fft(x), n=4, norm="ortho"), X)
    same(lambda lib, x: lib.fft.fft(x, out=lib.empty(0, dtype=lib.complex64)), X, grad=False)


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.fft.fftfreq(5),
        lambda lib: lib.fft.fftfreq(8, d=0.1),
        lambda lib: lib.fft.rfftfreq(7, 2.0),
        lambda lib: lib.fft.rfftfreq(4, dtype=lib.float64),
        lambda lib: lib.fft.fftfreq(0),
        lambda lib: lib.fft.rfftfreq(0),
    ],
)
def test_fftfreq(call):
    same(call)


FFT_ERRORS = {
    "bad-norm": lambda lib, x: lib.fft.fft(x, norm="bad"),
    "n-zero": lambda lib, x: lib.fft.fft(x, n=0),
    "dim-out-of-range": lambda lib, x: lib.fft.fft(x, dim=2),
    "s-dim-mismatch": lambda lib, x: lib.fft.fftn(x, s=(2,), dim=(0, 1)),
    "repeated-dims": lambda lib, x: lib.fft.fftn(x, dim=(0, 0)),
    "s-too-long": lambda lib, x: lib.fft.fftn(x, s=(1, 2, 3)),
    "irfft-one-point": lambda lib, x: lib.fft.irfft(x[:, :1]),
    "rfft-complex": lambda lib, x: lib.fft.rfft(lib.fft.fft(x)),
    "rfftn-complex": lambda lib, x: lib.fft.rfftn(lib.fft.fft(x)),
    "ihfft-complex": lambda lib, x: lib.fft.ihfft(lib.fft.fft(x)),
    "fft-0d": lambda lib, x: lib.fft.fft(x[0, 0]),
    "rfftn-0d": lambda lib, x: lib.fft.rfftn(x[0, 0]),
    "fft-empty": lambda lib, x: lib.fft.fft(x[:, :0]),
}


@pytest.mark.parametrize("row", FFT_ERRORS, ids=str)
def test_fft_errors(row):
    torch_error, jtorch_error = same(FFT_ERRORS[row], X, grad=False)
    assert str(jtorch_error) == str(torch_error)


SIGNAL = RNG.standard_normal((2, 40)).astype(np.float32)
STFT_ROWS = {
    "hann-1d": lambda lib, x: lib.stft(x[0], 8, window=lib.hann_window(8), return_complex=True),
    "batched-hop": lambda lib, x: lib.stft(x, 8, hop_length=3, return_complex=True),
    "not-centered": lambda lib, x: lib.stft(x, 8, center=False, return_complex=True),
    "two-sided-normalized": lambda lib, x: lib.stft(
        x, 6, onesided=False, normalized=True, return_complex=True
    ),
    "short-window": lambda lib, x: lib.stft(
        x, 8, win_length=5, window=lib.hamming_window(5), return_complex=True
    ),
    "real-view": lambda lib, x: lib.stft(x, 8, return_complex=False),
    "constant-pad-method": lambda lib, x: x.stft(8, pad_mode="constant", return_complex=True),
    "needs-return-complex": lambda lib, x: lib.stft(x, 8),
    "n-fft-too-long": lambda lib, x: lib.stft(x, 100, center=False, return_complex=True),
}


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("row", STFT_ROWS, ids=str)
def test_stft(row):
    same(STFT_ROWS[row], SIGNAL)


# ---- torch.special -------------------------------------------------------------------------------

EDGES = np.array([-8.4784, -2.5, -1.0, -0.5, 0.0, 1e-6, 0.3, 1.0, 2.0, 2.09, 4.5, 5.0, 7.3, 30.0])
SPECIAL_UNARY = [
    "airy_ai", "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "modified_bessel_i0",
    "modified_bessel_i1", "modified_bessel_k0", "modified_bessel_k1", "scaled_modified_bessel_k0",
    "scaled_modified_bessel_k1", "spherical_bessel_j0", "entr", "erfcx", "i0e", "i1", "i1e",
    "log_ndtr", "ndtr",
]


@pytest.mark.parametrize("name", SPECIAL_UNARY)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_special_unary_edges(name, dtype):
    same(lambda lib, x: getattr(lib.special, name)(x), EDGES.astype(dtype), grad=False)


@pytest.mark.parametrize(
    "name", ["entr", "erfcx", "i0e", "i1", "i1e", "log_ndtr", "ndtr", "ndtri"]
)
def test_special_gradients(name):
    x = np.array([0.0, 0.2, 0.5, 0.9, 1.5, 3.0]) if name != "ndtri" else np.array([0.1, 0.5, 0.9])
    same(lambda lib, x: getattr(lib.special, name)(x), x)


def test_special_int_and_bool_promote():
    same(lambda lib, x: lib.special.i1(x), INTS)
    same(lambda lib, x: lib.special.ndtr(x), BOOLS)
    same(lambda lib, x: lib.special.bessel_j0(x), INTS)


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_polygamma_negative_arguments(n):
    # jax's polygamma is wrong below zero; torch's is reflection (n = 1) and Cephes' zeta.
    x = np.array([-8.4784, -2.3, -1.5, -0.5, 0.0, 0.3, 5.0])
    same(lambda lib, x: lib.polygamma(n, x), x, grad=n < 4)
    same(lambda lib, x: lib.special.polygamma(n, x), x, grad=False)


def test_zeta():
    x = np.array([1.0, 1.5, 2.0, 3.0, 7.5, 0.5, NAN])
    q = np.array([[-2.5], [0.5], [3.0], [-1.0], [NAN], [INF], [0.0]])
    same(lambda lib, x, q: lib.special.zeta(x, q), x, q, grad=False)
    same(lambda lib, q: lib.special.zeta(2, q), q, grad=False)


def test_xlog1py():
    x = np.array([0.0, 0.0, 1.5, -2.0, 0.0])
    y = np.array([-1.0, 0.5, -0.5, 3.0, NAN])
    same(lambda lib, x, y: lib.special.xlog1py(x, y), x, y)
    same(lambda lib, y: lib.special.xlog1py(2, y), y[1:4])


POLYNOMIALS = [
    "chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v",
    "chebyshev_polynomial_w", "shifted_chebyshev_polynomial_t", "shifted_chebyshev_polynomial_u",
    "shifted_chebyshev_polynomial_v", "shifted_chebyshev_polynomial_w", "hermite_polynomial_h",
    "hermite_polynomial_he", "laguerre_polynomial_l", "legendre_polynomial_p",
]


@pytest.mark.parametrize("name", POLYNOMIALS)
def test_polynomials_tensor_degree(name):
    x = np.array([-1.0, -0.7, 0.0, 0.25, 0.5, 1.0, 1.7])[:, None]
    n = np.array([-1.0, 0.0, 1.0, 2.0, 5.0, 9.0, 12.0, NAN])
    same(lambda lib, x, n: getattr(lib.special, name)(x, n), x, n, grad=False)
    same(lambda lib, x: getattr(lib.special, name)(x, 3), x, grad=False)


def test_special_errors():
    same(lambda lib: lib.special.xlog1py(2, 3))
    same(lambda lib, x: lib.polygamma(-1, x), X, grad=False)
    same(lambda lib, x: lib.special.i1(x.to(lib.complex64)), X, grad=False)


ALIASES = {
    "expit": "sigmoid", "exp2": "exp2", "expm1": "expm1", "log1p": "log1p", "erf": "erf",
    "erfc": "erfc", "erfinv": "erfinv", "gammaln": "lgamma", "digamma": "digamma",
    "psi": "digamma", "i0": "i0", "logit": "logit", "logsumexp": "logsumexp",
    "multigammaln": "mvlgamma", "round": "round", "sinc": "sinc", "softmax": "softmax",
    "log_softmax": "log_softmax", "xlogy": "xlogy", "gammainc": "igamma",
    "gammaincc": "igammac", "polygamma": "polygamma",
}


@pytest.mark.parametrize("alias", ALIASES)
def test_special_alias_is_the_top_level_op(alias):
    assert getattr(jtorch.special, alias) is getattr(jtorch, ALIASES[alias])


def test_special_alias_values():
    x = np.array([0.1, 0.4, 0.7], dtype=np.float32)
    same(lambda lib, x: lib.special.expit(x), x)
    same(lambda lib, x: lib.special.gammaln(x), x)
    same(lambda lib, x: lib.special.multigammaln(x + 2, 2), x)
    same(lambda lib, x: lib.special.logsumexp(x, 0), x)
    same(lambda lib, x: lib.special.softmax(x, 0), x)
    same(lambda lib, x: lib.special.round(x, decimals=1), x, grad=False)
    same(lambda lib, a, x: lib.special.gammainc(a, x), x + 1, x, grad=False)


# ---- windows -------------------------------------------------------------------------------------

WINDOWS = {
    "bartlett": {}, "blackman": {}, "cosine": {}, "hamming": {}, "hann": {}, "nuttall": {},
    "kaiser": {"beta": 3.0}, "gaussian": {"std": 0.7}, "exponential": {"tau": 2.0},
    "general_hamming": {"alpha": 0.6}, "general_cosine": {"a": [0.5, 0.3, 0.2]},
}


@pytest.mark.parametrize("name", WINDOWS)
@pytest.mark.parametrize("sym", [True, False])
def test_signal_windows(name, sym):
    for M in (0, 1, 2, 7, 10):
        same(lambda lib, M=M: getattr(lib.signal.windows, name)(M, sym=sym, **WINDOWS[name]))
    same(lambda lib: getattr(lib.signal.windows, name)(6, sym=sym, dtype=lib.float64))


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.signal.windows.hann(-1),
        lambda lib: lib.signal.windows.hann(4, dtype=lib.int64),
        lambda lib: lib.signal.windows.gaussian(4, std=0.0),
        lambda lib: lib.signal.windows.exponential(4, center=1.0),
        lambda lib: lib.signal.windows.kaiser(4, beta=-1.0),
        lambda lib: lib.hann_window(-1),
        lambda lib: lib.hann_window(4, dtype=lib.int64),
    ],
)
def test_window_errors(call):
    same(call)


@pytest.mark.parametrize(
    "name", ["hann_window", "hamming_window", "blackman_window", "bartlett_window", "kaiser_window"]
)
@pytest.mark.parametrize("periodic", [True, False])
def test_window_factories(name, periodic):
    for n in (0, 1, 2, 5, 8):
        same(lambda lib, n=n: getattr(lib, name)(n, periodic))
    same(lambda lib: getattr(lib, name)(6, periodic=periodic, dtype=lib.float64))


def test_window_factory_extra_parameters():
    same(lambda lib: lib.hamming_window(7, True, 0.3, 0.2))
    same(lambda lib: lib.kaiser_window(7, False, 2.5))
    same(lambda lib: lib.signal.windows.exponential(7, sym=False, center=2.0))
    t = torch.hann_window(5, requires_grad=True)
    j = jtorch.hann_window(5, requires_grad=True)
    assert j.requires_grad and j.is_leaf
    assert_close(j.detach(), t.detach())
