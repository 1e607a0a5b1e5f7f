"""torch.nn recurrent layers: RNNBase, RNN, LSTM, GRU and the cells RNNCellBase, RNNCell,
LSTMCell, GRUCell.

These classes hold the parameters (torch's names, order and init), check inputs and states as
torch does and handle unbatched and packed inputs; the recurrence itself is one op per call
(Note [recurrence as one op] in _ops/nn_rnn.py).

Differences from torch: ``flatten_parameters()`` does nothing (there is no cuDNN weight
buffer to compact); a packed input with a wrongly sized state raises torch's Python-level
message ("Expected hidden[0] size ...") where torch's kernel raises a less direct
RuntimeError.
"""

import math
import numbers
import warnings
import weakref
from typing import ClassVar

from ..._errors import check
from ..._ops import nn_rnn as _rnn
from ..._ops.creation import empty, zeros
from .. import init
from ..parameter import Parameter
from ..utils.rnn import PackedSequence
from .module import Module

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _apply_permutation(tensor, permutation, dim=1):
    return tensor.index_select(dim, permutation)


def _check_type(name, value, kind):
    check(
        isinstance(value, kind),
        TypeError,
        lambda: f"{name} should be of type {kind.__name__}, got: {type(value).__name__}",
    )


def _no_projections(kwargs):
    check(
        "proj_size" not in kwargs,
        ValueError,
        "proj_size argument is only supported for LSTM, not RNN or GRU",
    )


class RNNBase(Module):
    """Base class of RNN, LSTM and GRU: the parameters of every layer and direction
    (``weight_ih_l{k}``, ``weight_hh_l{k}``, ``bias_ih_l{k}``, ``bias_hh_l{k}``,
    ``weight_hr_l{k}``, with ``_reverse`` for the second direction), in torch's order, and
    the shared checks. ``forward`` is the subclasses'."""

    __constants__: ClassVar[list] = [
        "mode",
        "input_size",
        "hidden_size",
        "num_layers",
        "bias",
        "batch_first",
        "dropout",
        "bidirectional",
        "proj_size",
    ]
    __jit_unused_properties__: ClassVar[list] = ["all_weights"]

    def __init__(
        self,
        mode,
        input_size,
        hidden_size,
        num_layers=1,
        bias=True,
        batch_first=False,
        dropout=0.0,
        bidirectional=False,
        proj_size=0,
        device=None,
        dtype=None,
    ):
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        self._flat_weight_refs = []
        self._check_arguments(dropout)
        check(mode in _GATES, ValueError, lambda: "Unrecognized RNN mode: " + mode)
        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(num_layers):
            for direction in range(2 if bidirectional else 1):
                names = self._make_layer(
                    layer, direction, _GATES[mode] * hidden_size, device, dtype
                )
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self._init_flat_weights()
        self.reset_parameters()

    def _check_arguments(self, dropout):
        """torch's constructor checks, in torch's order."""
        check(
            isinstance(dropout, numbers.Number)
            and not isinstance(dropout, bool)
            and 0 <= dropout <= 1,
            ValueError,
            "dropout should be a number in range [0, 1] representing the probability of an element "
            "being zeroed",
        )
        if dropout > 0 and self.num_layers == 1:
            warnings.warn(
                "dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
                f"expects num_layers greater than 1, but got dropout={dropout} and "
                f"num_layers={self.num_layers}",
                stacklevel=3,
            )
        _check_type("bias", self.bias, bool)
        _check_type("batch_first", self.batch_first, bool)
        for name in ("input_size", "hidden_size"):
            _check_type(name, getattr(self, name), int)
            check(getattr(self, name) > 0, ValueError, f"{name} must be greater than zero")
        check(self.num_layers > 0, ValueError, "num_layers must be greater than zero")
        check(
            self.proj_size >= 0,
            ValueError,
            "proj_size should be a positive integer or zero to disable projections",
        )
        check(
            self.proj_size < self.hidden_size,
            ValueError,
            "proj_size has to be smaller than hidden_size",
        )

    def _make_layer(self, layer, direction, gate_size, device, dtype):
        """Register one layer-direction's parameters; their names, in torch's order."""
        factory = {"device": device, "dtype": dtype}
        out_size = self.proj_size or self.hidden_size
        in_size = self.input_size if layer == 0 else out_size * (2 if self.bidirectional else 1)
        shapes = {"weight_ih": (gate_size, in_size), "weight_hh": (gate_size, out_size)}
        if self.bias:
            shapes.update(bias_ih=(gate_size,), bias_hh=(gate_size,))
        if self.proj_size > 0:
            shapes["weight_hr"] = (self.proj_size, self.hidden_size)
        suffix = "_reverse" if direction == 1 else ""
        names = []
        for kind, shape in shapes.items():
            names.append(f"{kind}_l{layer}{suffix}")
            setattr(self, names[-1], Parameter(empty(shape, **factory)))
        return names

    def _init_flat_weights(self):
        self._flat_weights = [
            getattr(self, n) if hasattr(self, n) else None for n in self._flat_weights_names
        ]
        self._flat_weight_refs = [None if w is None else weakref.ref(w) for w in self._flat_weights]
        self.flatten_parameters()

    def __setattr__(self, attr, value):
        if hasattr(self, "_flat_weights_names") and attr in self._flat_weights_names:
            self._flat_weights[self._flat_weights_names.index(attr)] = value
        super().__setattr__(attr, value)

    def flatten_parameters(self):
        """torch compacts the weights into one cuDNN buffer here; jtorch has none: a no-op."""

    def _apply(self, fn, recurse=True):
        self._flat_weight_refs = []
        result = super()._apply(fn, recurse)
        self._init_flat_weights()
        return result

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def check_input(self, input, batch_sizes):
        weight_dtype = self._flat_weights[0].dtype
        check(
            input.dtype == weight_dtype,
            ValueError,
            lambda: (
                f"RNN input dtype ({input.dtype}) does not match weight dtype ({weight_dtype}). "
                f"Convert input: input.to({weight_dtype}), or convert model: model.to({input.dtype})"
            ),
        )
        expected = 2 if batch_sizes is not None else 3
        check(
            input.dim() == expected,
            RuntimeError,
            lambda: f"input must have {expected} dimensions, got {input.dim()}",
        )
        check(
            self.input_size == input.size(-1),
            RuntimeError,
            lambda: (
                f"input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                f"got {input.size(-1)}"
            ),
        )

    def _num_states(self):
        return self.num_layers * (2 if self.bidirectional else 1)

    def _mini_batch(self, input, batch_sizes):
        if batch_sizes is not None:
            return int(batch_sizes[0])
        return input.size(0) if self.batch_first else input.size(1)

    def get_expected_hidden_size(self, input, batch_sizes):
        size = self.proj_size if self.proj_size > 0 else self.hidden_size
        return (self._num_states(), self._mini_batch(input, batch_sizes), size)

    def check_hidden_size(self, hx, expected_hidden_size, msg="Expected hidden size {}, got {}"):
        check(
            tuple(hx.size()) == tuple(expected_hidden_size),
            RuntimeError,
            lambda: msg.format(expected_hidden_size, list(hx.size())),
        )

    def _weights_have_changed(self):
        for ref, name in zip(self._flat_weight_refs, self._flat_weights_names, strict=True):
            weight = getattr(self, name) if hasattr(self, name) else None
            if weight is not None and ref is not None and ref() is not weight:
                return True
        return False

    def check_forward_args(self, input, hidden, batch_sizes):
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden, self.get_expected_hidden_size(input, batch_sizes))

    def permute_hidden(self, hx, permutation):
        if permutation is None:
            return hx
        return _apply_permutation(hx, permutation)

    def extra_repr(self):
        s = "{input_size}, {hidden_size}"
        if self.proj_size != 0:
            s += ", proj_size={proj_size}"
        if self.num_layers != 1:
            s += ", num_layers={num_layers}"
        if self.bias is not True:
            s += ", bias={bias}"
        if self.batch_first is not False:
            s += ", batch_first={batch_first}"
        if self.dropout != 0:
            s += ", dropout={dropout}"
        if self.bidirectional is not False:
            s += ", bidirectional={bidirectional}"
        return s.format(**self.__dict__)

    def _update_flat_weights(self):
        if self._weights_have_changed():
            self._init_flat_weights()

    def __getstate__(self):
        self._update_flat_weights()
        state = self.__dict__.copy()
        del state["_flat_weight_refs"]  # weak references do not pickle
        return state

    def __setstate__(self, d):
        super().__setstate__(d)
        self.__dict__.setdefault("proj_size", 0)
        self._flat_weights = [
            getattr(self, n) if hasattr(self, n) else None for n in self._flat_weights_names
        ]
        self._flat_weight_refs = [None if w is None else weakref.ref(w) for w in self._flat_weights]

    @property
    def all_weights(self):
        return [[getattr(self, weight) for weight in weights] for weights in self._all_weights]

    def _zeros(self, input, batch, size):
        return zeros(self._num_states(), batch, size, dtype=input.dtype, device=input.device)

    def _run(self, fn, input, hx, batch_sizes):
        """The recurrent op ``fn`` (torch.rnn_tanh, lstm, ...) on this module's weights."""
        common = (
            self._flat_weights,
            self.bias,
            self.num_layers,
            self.dropout,
            self.training,
            self.bidirectional,
        )
        if batch_sizes is None:
            return fn(input, hx, *common, self.batch_first)
        return fn(input, batch_sizes, hx, *common)

    def _forward_single_state(self, fn, input, hx, tensor_word):
        """RNN's and GRU's forward (one state tensor): batching, checks, packing."""
        self._update_flat_weights()
        if isinstance(input, PackedSequence):
            input, batch_sizes, sorted_indices, unsorted_indices = input
            if hx is None:
                hx = self._zeros(input, int(batch_sizes[0]), self.hidden_size)
            else:
                hx = self.permute_hidden(hx, sorted_indices)
            self.check_forward_args(input, hx, batch_sizes)
            output, hidden = self._run(fn, input, hx, batch_sizes)
            packed = PackedSequence(output, batch_sizes, sorted_indices, unsorted_indices)
            return packed, self.permute_hidden(hidden, unsorted_indices)
        check(
            input.dim() in (2, 3),
            ValueError,
            lambda: (
                f"{type(self).__name__}: Expected input to be 2D or 3D, got {input.dim()}D"
                f"{tensor_word} instead"
            ),
        )
        is_batched = input.dim() == 3
        batch_dim = 0 if self.batch_first else 1
        if not is_batched:
            input = input.unsqueeze(batch_dim)
            if hx is not None:
                check(
                    hx.dim() == 2,
                    RuntimeError,
                    lambda: (
                        f"For unbatched 2-D input, hx should also be 2-D but got {hx.dim()}-D tensor"
                    ),
                )
                hx = hx.unsqueeze(1)
        elif hx is not None:
            check(
                hx.dim() == 3,
                RuntimeError,
                lambda: f"For batched 3-D input, hx should also be 3-D but got {hx.dim()}-D tensor",
            )
        if hx is None:
            hx = self._zeros(input, input.size(batch_dim), self.hidden_size)
        self.check_forward_args(input, hx, None)
        output, hidden = self._run(fn, input, hx, None)
        if not is_batched:
            output, hidden = output.squeeze(batch_dim), hidden.squeeze(1)
        return output, hidden


class RNN(RNNBase):
    """A multi-layer Elman RNN, ``h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)``
    (``nonlinearity='relu'``: ReLU).

    Args: input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True,
    batch_first=False, dropout=0.0 (between layers, when training), bidirectional=False,
    device=None, dtype=None.

    Shape: input ``(L, H_in)``, ``(L, N, H_in)`` or ``(N, L, H_in)`` with batch_first, or a
    PackedSequence; hx ``(D * num_layers, [N,] H_out)``. Returns ``(output, h_n)``, output
    ``(L, [N,] D * H_out)`` (packed for packed input).

    Examples::

        >>> rnn = nn.RNN(10, 20, 2)
        >>> output, hn = rnn(torch.randn(5, 3, 10), torch.randn(2, 3, 20))
    """

    def __init__(self, *args, **kwargs):
        _no_projections(kwargs)
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop("nonlinearity", "tanh")
        modes = {"tanh": "RNN_TANH", "relu": "RNN_RELU"}
        check(
            self.nonlinearity in modes,
            ValueError,
            lambda: f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' or 'relu'.",
        )
        super().__init__(modes[self.nonlinearity], *args, **kwargs)

    def forward(self, input, hx=None):
        fn = _rnn.rnn_tanh if self.mode == "RNN_TANH" else _rnn.rnn_relu
        return self._forward_single_state(fn, input, hx, " tensor")


class LSTM(RNNBase):
    """A multi-layer LSTM: gates ``i, f, g, o`` from ``x_t W_ih^T + b_ih + h_{t-1} W_hh^T +
    b_hh``, ``c_t = f * c_{t-1} + i * g``, ``h_t = o * tanh(c_t)`` (times ``W_hr^T`` when
    ``proj_size > 0``).

    Args: input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
    bidirectional=False, proj_size=0, device=None, dtype=None.

    Shape: input as nn.RNN; ``hx = (h_0, c_0)`` with h_0 ``(D * num_layers, [N,] H_out)``
    (H_out = proj_size or hidden_size) and c_0 ``(D * num_layers, [N,] hidden_size)``.
    Returns ``(output, (h_n, c_n))``.

    Examples::

        >>> rnn = nn.LSTM(10, 20, 2)
        >>> output, (hn, cn) = rnn(torch.randn(5, 3, 10))
    """

    def __init__(self, *args, **kwargs):
        super().__init__("LSTM", *args, **kwargs)

    def get_expected_cell_size(self, input, batch_sizes):
        return (self._num_states(), self._mini_batch(input, batch_sizes), self.hidden_size)

    def check_forward_args(self, input, hidden, batch_sizes):
        self.check_input(input, batch_sizes)
        self.check_hidden_size(
            hidden[0],
            self.get_expected_hidden_size(input, batch_sizes),
            "Expected hidden[0] size {}, got {}",
        )
        self.check_hidden_size(
            hidden[1],
            self.get_expected_cell_size(input, batch_sizes),
            "Expected hidden[1] size {}, got {}",
        )

    def permute_hidden(self, hx, permutation):
        if permutation is None:
            return hx
        return _apply_permutation(hx[0], permutation), _apply_permutation(hx[1], permutation)

    def _zero_states(self, input, batch):
        return (
            self._zeros(input, batch, self.proj_size or self.hidden_size),
            self._zeros(input, batch, self.hidden_size),
        )

    def forward(self, input, hx=None):
        self._update_flat_weights()
        if isinstance(input, PackedSequence):
            input, batch_sizes, sorted_indices, unsorted_indices = input
            if hx is None:
                hx = self._zero_states(input, int(batch_sizes[0]))
            else:
                hx = self.permute_hidden(hx, sorted_indices)
            self.check_forward_args(input, hx, batch_sizes)
            output, *hidden = self._run(_rnn.lstm, input, hx, batch_sizes)
            packed = PackedSequence(output, batch_sizes, sorted_indices, unsorted_indices)
            return packed, self.permute_hidden(tuple(hidden), unsorted_indices)
        check(
            input.dim() in (2, 3),
            ValueError,
            lambda: f"LSTM: Expected input to be 2D or 3D, got {input.dim()}D instead",
        )
        is_batched = input.dim() == 3
        batch_dim = 0 if self.batch_first else 1
        if not is_batched:
            input = input.unsqueeze(batch_dim)
        if hx is None:
            hx = self._zero_states(input, input.size(batch_dim))
        else:
            dims = 3 if is_batched else 2
            check(
                hx[0].dim() == dims and hx[1].dim() == dims,
                RuntimeError,
                lambda: (
                    f"For {'batched 3-D' if is_batched else 'unbatched 2-D'} input, hx and cx "
                    f"should also be {dims}-D but got ({hx[0].dim()}-D, {hx[1].dim()}-D) tensors"
                ),
            )
            if not is_batched:
                hx = (hx[0].unsqueeze(1), hx[1].unsqueeze(1))
        self.check_forward_args(input, hx, None)
        output, h, c = self._run(_rnn.lstm, input, hx, None)
        if not is_batched:
            output, h, c = output.squeeze(batch_dim), h.squeeze(1), c.squeeze(1)
        return output, (h, c)


class GRU(RNNBase):
    """A multi-layer GRU: gates ``r, z`` and ``n = tanh(W_in x_t + b_in + r * (W_hn h_{t-1} +
    b_hn))``, ``h_t = (1 - z) * n + z * h_{t-1}``.

    Args: input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
    bidirectional=False, device=None, dtype=None.

    Shape: as nn.RNN. Returns ``(output, h_n)``.

    Examples::

        >>> rnn = nn.GRU(10, 20, 2)
        >>> output, hn = rnn(torch.randn(5, 3, 10), torch.randn(2, 3, 20))
    """

    def __init__(self, *args, **kwargs):
        _no_projections(kwargs)
        super().__init__("GRU", *args, **kwargs)

    def forward(self, input, hx=None):
        return self._forward_single_state(_rnn.gru, input, hx, "")


# ---- cells ---------------------------------------------------------------------------------------


class RNNCellBase(Module):
    """Base class of the cells: ``weight_ih`` ``(chunks * hidden, input)``, ``weight_hh``
    ``(chunks * hidden, hidden)`` and, with ``bias``, ``bias_ih`` and ``bias_hh``."""

    __constants__: ClassVar[list] = ["input_size", "hidden_size", "bias"]

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        factory = {"device": device, "dtype": dtype}
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(empty((num_chunks * hidden_size, input_size), **factory))
        self.weight_hh = Parameter(empty((num_chunks * hidden_size, hidden_size), **factory))
        if bias:
            self.bias_ih = Parameter(empty(num_chunks * hidden_size, **factory))
            self.bias_hh = Parameter(empty(num_chunks * hidden_size, **factory))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self):
        s = "{input_size}, {hidden_size}"
        if "bias" in self.__dict__ and self.bias is not True:
            s += ", bias={bias}"
        if "nonlinearity" in self.__dict__ and self.nonlinearity != "tanh":
            s += ", nonlinearity={nonlinearity}"
        return s.format(**self.__dict__)

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _batched(self, input, states):
        """The input and states with a batch dim (zeros for absent states), and whether the
        input had one."""
        is_batched = input.dim() == 2
        if not is_batched:
            input = input.unsqueeze(0)
        if states is None:
            zero = zeros(input.size(0), self.hidden_size, dtype=input.dtype, device=input.device)
            return input, None, zero, is_batched
        if not is_batched:
            states = tuple(s.unsqueeze(0) for s in states)
        return input, states, None, is_batched

    def _forward_single_state(self, name, fn, input, hx):
        """RNNCell's and GRUCell's forward: torch's dimension checks around the cell op."""
        check(
            input.dim() in (1, 2),
            ValueError,
            lambda: f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead",
        )
        check(
            hx is None or hx.dim() in (1, 2),
            ValueError,
            lambda: f"{name}: Expected hidden to be 1D or 2D, got {hx.dim()}D instead",
        )
        input, states, zero, is_batched = self._batched(input, None if hx is None else (hx,))
        ret = fn(input, zero if states is None else states[0], *self._weights())
        return ret if is_batched else ret.squeeze(0)

    def _weights(self):
        return self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh


class RNNCell(RNNCellBase):
    """An Elman RNN cell: ``h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)`` (or ReLU).

    Args: input_size, hidden_size, bias=True, nonlinearity='tanh', device=None, dtype=None.

    Shape: input ``(N, H_in)`` or ``(H_in)``, hx ``(N, H_out)`` or ``(H_out)`` (zeros when
    omitted); returns h' of hx's shape.

    Examples::

        >>> cell = nn.RNNCell(10, 20)
        >>> hx = cell(torch.randn(3, 10), torch.randn(3, 20))
    """

    __constants__: ClassVar[list] = ["input_size", "hidden_size", "bias", "nonlinearity"]

    def __init__(
        self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None
    ):
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        cells = {"tanh": _rnn.rnn_tanh_cell, "relu": _rnn.rnn_relu_cell}
        if self.nonlinearity not in cells:
            self._forward_single_state(
                "RNNCell", lambda *args: None, input, hx
            )  # torch checks first
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        return self._forward_single_state("RNNCell", cells[self.nonlinearity], input, hx)


class LSTMCell(RNNCellBase):
    """A long short-term memory cell: torch.lstm_cell's gates ``i, f, g, o``.

    Args: input_size, hidden_size, bias=True, device=None, dtype=None.

    Shape: input ``(N, H_in)`` or ``(H_in)``; ``hx = (h, c)``, each ``(N, H)`` or ``(H)``
    (zeros when omitted). Returns ``(h', c')``.

    Examples::

        >>> cell = nn.LSTMCell(10, 20)
        >>> hx, cx = cell(torch.randn(3, 10))
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        check(
            input.dim() in (1, 2),
            ValueError,
            lambda: f"LSTMCell: Expected input to be 1D or 2D, got {input.dim()}D instead",
        )
        for idx, value in enumerate(hx or ()):
            check(
                value.dim() in (1, 2),
                ValueError,
                lambda idx=idx, value=value: (
                    f"LSTMCell: Expected hx[{idx}] to be 1D or 2D, got {value.dim()}D instead"
                ),
            )
        input, states, zero, is_batched = self._batched(input, hx)
        h, c = (zero, zero) if states is None else states
        ret = _rnn.lstm_cell(input, (h, c), *self._weights())
        return ret if is_batched else (ret[0].squeeze(0), ret[1].squeeze(0))


class GRUCell(RNNCellBase):
    """A gated recurrent unit cell: torch.gru_cell's gates ``r, z, n``.

    Args: input_size, hidden_size, bias=True, device=None, dtype=None.

    Shape: as nn.RNNCell.

    Examples::

        >>> cell = nn.GRUCell(10, 20)
        >>> hx = cell(torch.randn(3, 10), torch.randn(3, 20))
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        return self._forward_single_state("GRUCell", _rnn.gru_cell, input, hx)
