"""Recurrent layers: torch.rnn_tanh, rnn_relu, lstm, gru (every layer and direction of a
multi-layer RNN), their single-step cells, and the packing kernels behind
torch.nn.utils.rnn.

Note [recurrence as one op]: a whole recurrent stack is one registered op, ``_rnn``, so a
forward is one dispatch and one autograd node, and its backward is jax's vjp of the scan.
Per layer, the input projections of all time steps are one matmul before ``lax.scan`` runs
over time; the scan carries a ``(D, B, H)`` state, so the two directions of a bidirectional
layer share one scan (the reverse direction reads its inputs flipped in time). A packed
sequence enters as its packed rows plus their flat positions in the padded ``(T, B)`` grid,
computed on the host from ``batch_sizes``: the rows are scattered into the grid, a mask holds
each sequence's state once it has ended (so ``h_n`` is the state after its last valid step,
and the reverse direction starts at each sequence's own last step), and the outputs are
gathered back into packed rows. Dropout between layers draws its noise on the host through
the generator (Note [RNG interface] in _random.py), as ``nn.functional.dropout`` does, and
the noise enters the op as operands.

Gate math is torch's: LSTM gates i, f, g, o (``c' = f*c + i*g``, ``h' = o*tanh(c')``, then
``h' @ W_hr^T`` with projections); GRU gates r, z, n with
``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))`` and ``h' = (h - n) * z + n``.
"""

import inspect

import jax
import jax.numpy as jnp
import numpy as np

from .._errors import broadcast_shapes, check
from ._registry import NONE, TL, TN, TT, D, T, op
from .linalg import _mm
from .nn_dropout import noise
from .pointwise import _title

# ---- the recurrence ------------------------------------------------------------------------------


def _t(w):
    return jnp.swapaxes(w, -1, -2)


def _step(mode, gi, h, c, w_hh, b_hh, w_hr):
    """One time step for a ``(D, B, ...)`` state; ``gi`` holds the input projections."""
    gh = _mm(h, _t(w_hh))
    if b_hh is not None:
        gh = gh + b_hh[:, None]
    if mode == "LSTM":
        i, f, g, o = jnp.split(gi + gh, 4, axis=-1)
        c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
        h = jax.nn.sigmoid(o) * jnp.tanh(c)
        return (h if w_hr is None else _mm(h, _t(w_hr))), c
    if mode == "GRU":
        ir, iz, in_ = jnp.split(gi, 3, axis=-1)
        hr, hz, hn = jnp.split(gh, 3, axis=-1)
        r = jax.nn.sigmoid(ir + hr)
        z = jax.nn.sigmoid(iz + hz)
        n = jnp.tanh(in_ + r * hn)
        return (h - n) * z + n, c
    pre = gi + gh
    return (jnp.tanh(pre) if mode == "RNN_TANH" else jax.nn.relu(pre)), c


def _layer(mode, x, h, c, w, mask):
    """One layer, all its directions: ``x`` (T, B, I), states (D, B, ·), weights stacked over
    D, ``mask`` (T, B) or None. Returns the output (T, B, D*H_out) and the final states."""
    w_ih, w_hh, b_ih, b_hh, w_hr = w
    n_dir = h.shape[0]
    gi = _mm(x[None], _t(w_ih)[:, None])  # (D, T, B, G)
    if b_ih is not None:
        gi = gi + b_ih[:, None, None]
    flip = [lambda a: a, lambda a: jnp.flip(a, 0)][:n_dir]
    gi = jnp.stack([f(g) for f, g in zip(flip, gi)], axis=1)  # (T, D, B, G)
    m = None if mask is None else jnp.stack([f(mask) for f in flip], axis=1)[..., None]

    def body(carry, step):
        h, c = carry
        g, keep = step
        h2, c2 = _step(mode, g, h, c, w_hh, b_hh, w_hr)
        if keep is None:
            return (h2, c2), h2
        h2 = jnp.where(keep, h2, h)
        c2 = None if c is None else jnp.where(keep, c2, c)
        return (h2, c2), jnp.where(keep, h2, 0)

    (h, c), ys = jax.lax.scan(body, (h, c), (gi, m))  # ys (T, D, B, H_out)
    ys = jnp.stack([f(ys[:, d]) for d, f in enumerate(flip)], axis=2)  # (T, B, D, H_out)
    return ys.reshape(*ys.shape[:2], -1), h, c


def _layer_weights(params, first, n_dir, per, has_biases):
    """The weights of one layer's directions, each stacked over the directions."""
    groups = [params[first + d * per : first + (d + 1) * per] for d in range(n_dir)]
    stacked = [jnp.stack(ws) for ws in zip(*groups)]
    w_ih, w_hh = stacked[:2]
    b_ih, b_hh = stacked[2:4] if has_biases else (None, None)
    w_hr = stacked[-1] if per in (3, 5) else None
    return w_ih, w_hh, b_ih, b_hh, w_hr


def _to_grid(data, positions, grid):
    """Packed rows ``data`` scattered to their flat ``positions`` of a zero ``grid`` (T, B)."""
    rows = grid[0] * grid[1]
    padded = jnp.zeros((rows, *data.shape[1:]), data.dtype).at[positions].set(data)
    mask = jnp.zeros((rows,), bool).at[positions].set(True)
    return padded.reshape(*grid, *data.shape[1:]), mask.reshape(grid)


@op("_rnn", promote=NONE, method=False, out=False)
def _rnn(
    input: T,
    hx: TL,
    params: TL,
    positions: TN,
    noise: TL,
    mode,
    has_biases,
    num_layers,
    bidirectional,
    batch_first,
    grid,
):
    """Note [recurrence as one op]: (output, h_n) or, for LSTM, (output, h_n, c_n)."""
    check(
        input.dtype == params[0].dtype,
        RuntimeError,
        lambda: (
            f"mat1 and mat2 must have the same dtype, but got {_title(input)} and {_title(params[0])}"
        ),
    )
    n_dir = 2 if bidirectional else 1
    per = len(params) // (num_layers * n_dir)
    mask = None
    if positions is not None:
        x, mask = _to_grid(input, positions, grid)
    else:
        x = jnp.swapaxes(input, 0, 1) if batch_first else input
    h0 = hx[0]
    c0 = hx[1] if mode == "LSTM" else None
    hs, cs = [], []
    for layer in range(num_layers):
        if layer and noise is not None:
            x = x * noise[layer - 1].astype(x.dtype)
        w = _layer_weights(params, layer * n_dir * per, n_dir, per, has_biases)
        states = slice(layer * n_dir, (layer + 1) * n_dir)
        x, h, c = _layer(mode, x, h0[states], None if c0 is None else c0[states], w, mask)
        hs.append(h)
        cs.append(c)
    if positions is not None:
        x = x.reshape(-1, x.shape[-1])[positions]
    elif batch_first:
        x = jnp.swapaxes(x, 0, 1)
    if mode == "LSTM":
        return x, jnp.concatenate(hs), jnp.concatenate(cs)
    return x, jnp.concatenate(hs)


# ---- torch.rnn_tanh, rnn_relu, lstm, gru -------------------------------------------------------


def _signature(*names):
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    return inspect.Signature([inspect.Parameter(n, kind) for n in names])


_COMMON = ("params", "has_biases", "num_layers", "dropout", "train", "bidirectional")
_SIGNATURES = (
    _signature("input", "hx", *_COMMON, "batch_first"),
    _signature("data", "batch_sizes", "hx", *_COMMON),
)


def _bind(mode, name, args, kwargs):
    """torch's two overloads: (input, hx, params, ..., batch_first) and (data, batch_sizes, hx,
    params, ...). The packed one has a Tensor where the other has hx (LSTM: a tuple) or params."""
    second = args[1] if len(args) > 1 else kwargs.get("batch_sizes", kwargs.get("hx"))
    third = args[2] if len(args) > 2 else kwargs.get("hx", kwargs.get("params"))
    tensor = _tensor_class()
    packed = "batch_sizes" in kwargs or (
        isinstance(second, tensor) and (mode == "LSTM" or isinstance(third, tensor))
    )
    try:
        bound = _SIGNATURES[packed].bind(*args, **kwargs)
    except TypeError as e:
        raise TypeError(f"{name}() {e}") from None
    a = bound.arguments
    if packed:
        a["input"], a["batch_first"] = a.pop("data"), False
    else:
        a["batch_sizes"] = None
    return a


def _tensor_class():
    from ..tensor import Tensor

    return Tensor


def packed_positions(batch_sizes, time, batch, batch_first=False, device=None):
    """The flat positions of a packed sequence's rows in its padded (time, batch) grid
    ((batch, time) with ``batch_first``), as an int64 tensor on ``device``."""
    from .random import _wrap

    stride = (1, time) if batch_first else (batch, 1)
    rows = [t * stride[0] + np.arange(n) * stride[1] for t, n in enumerate(batch_sizes)]
    return _wrap(np.concatenate(rows).astype(np.int64), device)


def _noise(p, shape, dtype, device, count):
    """Dropout noise (kept / (1 - p)) for the outputs of all but the last layer."""
    from .random import _wrap

    return [_wrap(noise(device, shape, p, dtype._np), device) for _ in range(count)]


def _recurrent(mode, name, args, kwargs):
    a = _bind(mode, name, args, kwargs)
    input, hx, params, num_layers = a["input"], a["hx"], list(a["params"]), a["num_layers"]
    hx = tuple(hx) if mode == "LSTM" else (hx,)
    n_dir = 2 if a["bidirectional"] else 1
    per = len(params) // max(num_layers * n_dir, 1)
    projection = per - (4 if a["has_biases"] else 2)  # one weight_hr per layer, LSTM only
    check(
        len(params) == per * num_layers * n_dir
        and projection in ((0, 1) if mode == "LSTM" else (0,)),
        RuntimeError,
        "got an incorrect number of RNN parameters",
    )
    positions = grid = None
    if a["batch_sizes"] is not None:
        sizes = [int(n) for n in a["batch_sizes"].tolist()]
        grid = time, batch = len(sizes), sizes[0]
        positions = packed_positions(sizes, time, batch, device=input.device)
    else:
        time, batch = input.shape[:2][:: -1 if a["batch_first"] else 1]
    noise = None
    p = a["dropout"]
    if a["train"] and p > 0 and num_layers > 1:
        shape = (time, batch, n_dir * hx[0].shape[-1])
        noise = _noise(p, shape, input.dtype, input.device, num_layers - 1)
    return _rnn(
        input,
        hx,
        params,
        positions,
        noise,
        mode,
        bool(a["has_biases"]),
        num_layers,
        bool(a["bidirectional"]),
        bool(a["batch_first"]),
        grid,
    )


def rnn_tanh(*args, **kwargs):
    """torch.rnn_tanh: a multi-layer Elman RNN with tanh, as nn.RNN runs it: ``(output, h_n)``.
    Overloads ``(input, hx, params, has_biases, num_layers, dropout, train, bidirectional,
    batch_first)`` and ``(data, batch_sizes, hx, params, has_biases, num_layers, dropout,
    train, bidirectional)``."""
    return _recurrent("RNN_TANH", "rnn_tanh", args, kwargs)


def rnn_relu(*args, **kwargs):
    """torch.rnn_relu: as rnn_tanh, with ReLU."""
    return _recurrent("RNN_RELU", "rnn_relu", args, kwargs)


def lstm(*args, **kwargs):
    """torch.lstm: a multi-layer LSTM (projections when ``params`` has ``weight_hr`` per
    layer), ``hx = (h_0, c_0)``: ``(output, h_n, c_n)``. Overloads as rnn_tanh."""
    return _recurrent("LSTM", "lstm", args, kwargs)


def gru(*args, **kwargs):
    """torch.gru: a multi-layer GRU: ``(output, h_n)``. Overloads as rnn_tanh."""
    return _recurrent("GRU", "gru", args, kwargs)


# ---- cells ---------------------------------------------------------------------------------------


def _check_cell(input, hx, w_ih, w_hh):
    """torch's checks of a cell's input and hidden states (batch first, then sizes)."""
    check(
        input.dtype == w_ih.dtype,
        RuntimeError,
        lambda: (
            f"mat1 and mat2 must have the same dtype, but got {_title(input)} and {_title(w_ih)}"
        ),
    )
    check(
        input.shape[1] == w_ih.shape[1],
        RuntimeError,
        lambda: f"input has inconsistent input_size: got {input.shape[1]} expected {w_ih.shape[1]}",
    )
    for i, h in enumerate(hx):
        check(
            input.shape[0] == h.shape[0],
            RuntimeError,
            lambda h=h, i=i: (
                f"Input batch size {input.shape[0]} doesn't match hidden{i} batch size {h.shape[0]}"
            ),
        )
        check(h.ndim == 2, RuntimeError, lambda h=h, i=i: f"hidden{i} must be 2-D, got {h.ndim}-D")
        check(
            h.shape[1] == w_hh.shape[1],
            RuntimeError,
            lambda h=h, i=i: (
                f"hidden{i} has inconsistent hidden_size: got {h.shape[1]}, expected "
                f"{w_hh.shape[1]}"
            ),
        )


@op("_rnn_cell", promote=NONE, method=False, out=False)
def _rnn_cell(mode, input: TT, hx: TL, w_ih: TT, w_hh: TT, b_ih: TT = None, b_hh: TT = None):
    """One step of an RNN/LSTM/GRU cell on (B, I) input: ``h'`` or, for LSTM, ``(h', c')``."""
    _check_cell(input, hx, w_ih, w_hh)
    gi = _mm(input, _t(w_ih))
    if b_ih is not None:
        gi = gi + b_ih
    c = hx[1][None] if mode == "LSTM" else None
    b_hh = None if b_hh is None else b_hh[None]
    h, c = _step(mode, gi[None], hx[0][None], c, w_hh[None], b_hh, None)
    return (h[0], c[0]) if mode == "LSTM" else h[0]


def rnn_tanh_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """torch.rnn_tanh_cell: ``tanh(input @ w_ih.T + b_ih + hx @ w_hh.T + b_hh)``."""
    return _rnn_cell("RNN_TANH", input, (hx,), w_ih, w_hh, b_ih, b_hh)


def rnn_relu_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """torch.rnn_relu_cell: as rnn_tanh_cell, with ReLU."""
    return _rnn_cell("RNN_RELU", input, (hx,), w_ih, w_hh, b_ih, b_hh)


def lstm_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """torch.lstm_cell: one LSTM step, ``hx = (h, c)``: ``(h', c')``."""
    return _rnn_cell("LSTM", input, tuple(hx), w_ih, w_hh, b_ih, b_hh)


def gru_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """torch.gru_cell: one GRU step: ``h'``."""
    return _rnn_cell("GRU", input, (hx,), w_ih, w_hh, b_ih, b_hh)


# ---- the kernels of torch.nn.utils.rnn -----------------------------------------------------------


@op("_pack_padded", promote=NONE, method=False, out=False, grad_name="PackPaddedSequenceBackward0")
def _pack_padded(input: T, positions: TN):
    """The rows of ``input`` at flat ``positions`` of its first two dims: the packed data."""
    return input.reshape(-1, *input.shape[2:])[positions]


@op("_pad_packed", promote=NONE, method=False, out=False)
def _pad_packed(data: T, positions: TN, padding_value: D, grid):
    """Packed rows ``data`` placed at flat ``positions`` of a ``grid``-shaped batch filled
    with ``padding_value``."""
    rows = grid[0] * grid[1]
    out = jnp.full((rows, *data.shape[1:]), padding_value).astype(data.dtype)
    return out.at[positions].set(data).reshape(*grid, *data.shape[1:])


@op("_pad_sequence", promote=NONE, method=False, out=False)
def _pad_sequence(sequences: TL, batch_first, padding_value: D, padding_side):
    """Sequences of different lengths stacked into one batch padded with ``padding_value``;
    each takes the first one's dtype and trailing shape (broadcast into it, as torch copies)."""
    first = sequences[0]
    longest = max(s.shape[0] for s in sequences)
    trailing = first.shape[1:]
    out = jnp.full((len(sequences), longest, *trailing), padding_value).astype(first.dtype)
    for i, s in enumerate(sequences):
        slot = (s.shape[0], *trailing)
        wide = tuple(broadcast_shapes(slot, s.shape))
        check(
            wide == slot,
            RuntimeError,
            lambda slot=slot, wide=wide: (
                f"output with shape {list(slot)} doesn't match the broadcast shape {list(wide)}"
            ),
        )
        start = 0 if padding_side == "right" else longest - s.shape[0]
        out = out.at[i, start : start + s.shape[0]].set(
            jnp.broadcast_to(s.astype(first.dtype), slot)
        )
    return out if batch_first else jnp.swapaxes(out, 0, 1)
