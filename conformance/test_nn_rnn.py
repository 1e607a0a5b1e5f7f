"""Recurrent layers and torch.nn.utils.rnn against real torch: speaks about
jtorch/nn/modules/rnn.py, jtorch/nn/utils/rnn.py and jtorch/_ops/nn_rnn.py.

Module checks build the layer in torch, copy its state_dict into jtorch's, run both on the
same input and compare outputs, final states and the gradients of ``sum(out * cotangent)``
with respect to the input, the initial states and every parameter. Options module_db does not
sample (several layers with packed bidirectional input, unsorted packing, dropout, dtypes),
the errors, reprs and the nn.utils.rnn functions are compared here.
"""

import copy
import pickle
import warnings

import numpy as np
import pytest
import torch

import jtorch
from conformance._compare import _tensors, assert_close, to_numpy

TOL = {"rtol": 1e-4, "atol": 1e-5}  # float32 recurrences round differently in XLA and in torch


def pair(name, *args, **kwargs):
    """The torch module ``nn.<name>(*args, **kwargs)`` and jtorch's with torch's weights."""
    torch.manual_seed(0)
    t = getattr(torch.nn, name)(*args, **kwargs)
    if "dtype" in kwargs:
        kwargs["dtype"] = j_dtype(kwargs["dtype"])
    j = getattr(jtorch.nn, name)(*args, **kwargs)
    j.load_state_dict(
        {k: jtorch.tensor(to_numpy(v)).to(j_dtype(v.dtype)) for k, v in t.state_dict().items()}
    )
    return t, j


def j_dtype(dtype):
    return getattr(jtorch, str(dtype).replace("torch.", ""))


def compare(t_mod, j_mod, forward, *arrays, rtol=TOL["rtol"], atol=TOL["atol"]):
    """``forward(module, lib, *tensors)`` in both libraries: outputs and every gradient."""
    t_in = [torch.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    j_in = [jtorch.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    expected = forward(t_mod, torch, *t_in)
    actual = forward(j_mod, jtorch, *j_in)
    assert_close(actual, expected, rtol, atol)
    t_outs = [o for o in _tensors(expected) if o.requires_grad]
    j_outs = [o for o in _tensors(actual) if o.requires_grad]
    assert len(j_outs) == len(t_outs), "differentiable outputs"
    rng = np.random.default_rng(1)
    cts = [rng.standard_normal(tuple(o.shape)).astype(to_numpy(o).dtype) for o in t_outs]
    t_leaves = [t for t in t_in if t.requires_grad] + list(t_mod.parameters())
    j_leaves = [t for t in j_in if t.requires_grad] + list(j_mod.parameters())
    t_grads = torch.autograd.grad(
        t_outs, t_leaves, [torch.tensor(c) for c in cts], allow_unused=True
    )
    j_grads = jtorch.autograd.grad(
        j_outs, j_leaves, [jtorch.tensor(c) for c in cts], allow_unused=True
    )
    for i, (jg, tg) in enumerate(zip(j_grads, t_grads, strict=True)):
        if tg is None:
            assert jg is None or not to_numpy(jg).any(), f"grad[{i}]"
        else:
            assert_close(jg, tg, rtol, atol, f"grad[{i}]")
    return expected, actual


def data(*shape, dtype="float32", seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


# ---- RNN, LSTM, GRU on padded input ----------------------------------------------------------------

LAYERS = [
    ("RNN", {}),
    ("RNN", {"nonlinearity": "relu", "num_layers": 2, "bias": False}),
    ("LSTM", {"num_layers": 2, "bidirectional": True}),
    ("LSTM", {"proj_size": 2, "batch_first": True, "bidirectional": True}),
    ("GRU", {"num_layers": 2, "batch_first": True}),
    ("GRU", {"bidirectional": True, "bias": False}),
]


def _call(mod, lib, x, *states):
    if not states:
        return mod(x)
    return mod(x, tuple(states) if isinstance(mod, lib.nn.LSTM) else states[0])


def _state_shapes(name, kwargs, batch):
    n = kwargs.get("num_layers", 1) * (2 if kwargs.get("bidirectional") else 1)
    tail = (batch,) if batch else ()
    h = (n, *tail, kwargs.get("proj_size") or 4)
    return [h, (n, *tail, 4)] if name == "LSTM" else [h]


@pytest.mark.parametrize("name,kwargs", LAYERS, ids=[f"{n}-{'-'.join(k)}" for n, k in LAYERS])
@pytest.mark.parametrize("with_states", [False, True])
def test_layer_matches_torch(name, kwargs, with_states):
    t, j = pair(name, 3, 4, **kwargs)
    shape = (2, 5, 3) if kwargs.get("batch_first") else (5, 2, 3)
    states = (
        [data(*s, seed=i + 1) for i, s in enumerate(_state_shapes(name, kwargs, 2))]
        if with_states
        else []
    )
    compare(t, j, _call, data(*shape), *states)


@pytest.mark.parametrize("name,kwargs", LAYERS[:4:3] + LAYERS[5:], ids=["RNN", "LSTM-proj", "GRU"])
def test_unbatched_input(name, kwargs):
    t, j = pair(name, 3, 4, **kwargs)
    states = [data(*s, seed=i + 1) for i, s in enumerate(_state_shapes(name, kwargs, 0))]
    compare(t, j, _call, data(5, 3), *states)


def test_float64():
    t, j = pair("LSTM", 3, 4, num_layers=2, dtype=torch.float64)
    assert j.weight_ih_l0.dtype == jtorch.float64
    compare(t, j, _call, data(4, 2, 3, dtype="float64"), rtol=1e-10, atol=1e-10)


def test_dropout_one_is_deterministic():
    # p = 1 zeroes the input of every layer after the first: the output is torch's exactly
    for name in ("LSTM", "GRU", "RNN"):
        t, j = pair(name, 3, 4, num_layers=2, dropout=1.0)
        compare(t, j, _call, data(5, 2, 3))


def test_dropout_is_random_in_training_only():
    j = jtorch.nn.GRU(3, 4, num_layers=2, dropout=0.5)
    x = jtorch.tensor(data(6, 2, 3))
    a, b = j(x)[0], j(x)[0]
    assert not np.allclose(to_numpy(a), to_numpy(b))
    j.eval()
    assert np.array_equal(to_numpy(j(x)[0]), to_numpy(j(x)[0]))


def test_dropout_warning_with_one_layer():
    messages = []
    for lib in (torch, jtorch):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            lib.nn.LSTM(3, 4, dropout=0.5)
        messages.append([(x.category, str(x.message)) for x in w])
    assert messages[1] == messages[0] and len(messages[0]) == 1


# ---- packed sequences through the layers -------------------------------------------------------------


def _packed_forward(lengths, enforce_sorted=True):
    def forward(mod, lib, x, *states):
        pack = lib.nn.utils.rnn.pack_padded_sequence
        packed = pack(x, lengths, enforce_sorted=enforce_sorted)
        out, hidden = _call(mod, lib, packed, *states)
        assert isinstance(out, lib.nn.utils.rnn.PackedSequence)
        padded, lens = lib.nn.utils.rnn.pad_packed_sequence(out, padding_value=-1.0)
        return out.data, out.batch_sizes, padded, lens, hidden

    return forward


@pytest.mark.parametrize(
    "name,kwargs",
    [
        ("LSTM", {"num_layers": 2, "bidirectional": True}),
        ("LSTM", {"proj_size": 2, "bidirectional": True}),
        ("GRU", {"num_layers": 2, "bidirectional": True}),
        ("RNN", {"nonlinearity": "relu", "bidirectional": True}),
    ],
)
def test_packed_input(name, kwargs):
    t, j = pair(name, 3, 4, **kwargs)
    compare(t, j, _packed_forward([5, 3, 3, 1]), data(5, 4, 3))


def test_packed_unsorted_with_states():
    t, j = pair("LSTM", 3, 4, num_layers=2, bidirectional=True)
    states = [data(4, 3, 4, seed=2), data(4, 3, 4, seed=3)]
    compare(t, j, _packed_forward([2, 5, 4], enforce_sorted=False), data(5, 3, 3), *states)


# ---- cells ---------------------------------------------------------------------------------------------

CELLS = [
    ("RNNCell", {}),
    ("RNNCell", {"nonlinearity": "relu", "bias": False}),
    ("LSTMCell", {}),
    ("LSTMCell", {"bias": False}),
    ("GRUCell", {}),
]


def _cell(mod, lib, x, *states):
    if not states:
        return mod(x)
    return mod(x, tuple(states) if isinstance(mod, lib.nn.LSTMCell) else states[0])


@pytest.mark.parametrize("name,kwargs", CELLS, ids=[f"{n}-{'-'.join(k)}" for n, k in CELLS])
@pytest.mark.parametrize("batch", [(3,), ()], ids=["batched", "unbatched"])
def test_cell_matches_torch(name, kwargs, batch):
    t, j = pair(name, 3, 4, **kwargs)
    n_states = 2 if name == "LSTMCell" else 1
    compare(t, j, _cell, data(*batch, 3), *[data(*batch, 4, seed=i + 1) for i in range(n_states)])
    compare(t, j, _cell, data(*batch, 3))


def test_torch_level_functions():
    """torch.lstm / gru / rnn_tanh and the cells, called as nn's modules call them."""

    def run(lib):
        m = lib.nn.LSTM(3, 4)
        m.load_state_dict(ref.state_dict() if lib is torch else jref)
        x = lib.tensor(data(5, 2, 3))
        h = (lib.zeros(1, 2, 4), lib.zeros(1, 2, 4))
        w = m._flat_weights
        out = lib.lstm(x, h, w, True, 1, 0.0, False, False, False)
        cell = lib.lstm_cell(x[0], (h[0][0], h[1][0]), *w)
        return out, cell

    torch.manual_seed(0)
    ref = torch.nn.LSTM(3, 4)
    jref = {k: jtorch.tensor(to_numpy(v)) for k, v in ref.state_dict().items()}
    assert_close(run(jtorch), run(torch), **TOL)


# ---- construction: parameters, init, repr, errors ---------------------------------------------------------

CONSTRUCTORS = [
    ("RNN", (4, 3), {}),
    ("RNN", (4, 3, 2, "relu"), {"bias": False}),
    (
        "LSTM",
        (4, 3, 2),
        {"bias": False, "batch_first": True, "dropout": 0.5, "bidirectional": True, "proj_size": 2},
    ),
    ("LSTM", (4, 3), {"num_layers": 2, "dropout": 0.25}),
    ("GRU", (4, 3), {"bidirectional": True}),
    ("RNNCell", (4, 3), {"bias": False, "nonlinearity": "relu"}),
    ("LSTMCell", (4, 3), {}),
    ("GRUCell", (4, 3), {"bias": False}),
]


@pytest.mark.parametrize("name,args,kwargs", CONSTRUCTORS)
def test_parameters_and_repr(name, args, kwargs):
    t, j = pair(name, *args, **kwargs)
    assert repr(j) == repr(t)
    assert [(k, tuple(v.shape), str(v.dtype)) for k, v in j.state_dict().items()] == [
        (k, tuple(v.shape), str(v.dtype)) for k, v in t.state_dict().items()
    ]
    assert type(j).__constants__ == type(t).__constants__
    assert {k: v for k, v in vars(j).items() if k in type(t).__constants__ + ["nonlinearity"]} == {
        k: v for k, v in vars(t).items() if k in type(t).__constants__ + ["nonlinearity"]
    }


@pytest.mark.parametrize("name,args,kwargs", CONSTRUCTORS)
def test_init_bounds(name, args, kwargs):
    j = getattr(jtorch.nn, name)(*args, **kwargs)
    bound = 1 / np.sqrt(args[1])
    values = np.concatenate([to_numpy(p).ravel() for p in j.parameters()])
    assert values.min() >= -bound and values.max() <= bound
    assert values.max() - values.min() > bound  # spread over the range, not a constant


def test_flat_weights_follow_the_parameters():
    j = jtorch.nn.LSTM(3, 4, num_layers=2, proj_size=2)
    t = torch.nn.LSTM(3, 4, num_layers=2, proj_size=2)
    assert j._flat_weights_names == t._flat_weights_names
    assert all(
        w is getattr(j, n) for w, n in zip(j._flat_weights, j._flat_weights_names, strict=True)
    )
    assert j.flatten_parameters() is None
    assert [[tuple(p.shape) for p in ws] for ws in j.all_weights] == [
        [tuple(p.shape) for p in ws] for ws in t.all_weights
    ]
    j.double()
    assert j._flat_weights[0].dtype == jtorch.float64
    new = jtorch.nn.Parameter(jtorch.zeros(16, 3, dtype=jtorch.float64))
    j.weight_ih_l0 = new
    assert j._flat_weights[0] is new
    for clone in (copy.deepcopy(j), pickle.loads(pickle.dumps(j))):
        assert all(
            w is getattr(clone, n)
            for w, n in zip(clone._flat_weights, clone._flat_weights_names, strict=True)
        )
        x = jtorch.randn(2, 1, 3, dtype=jtorch.float64)
        assert_close(clone(x)[0], torch.tensor(to_numpy(j(x)[0])), **TOL)


CONSTRUCTOR_ERRORS = [
    ("RNN", (10, 0, 1), {}),
    ("GRU", (10, 10, 0), {}),
    ("LSTM", (3, 5), {"bias": 0}),
    ("LSTM", (3, 5), {"batch_first": "False"}),
    ("GRU", (3.0, 5), {}),
    ("GRU", (-1, 5), {}),
    ("RNN", (3, 5.0), {}),
    ("LSTM", (4, 3), {"proj_size": 3}),
    ("LSTM", (4, 3), {"proj_size": -1}),
    ("RNN", (4, 3), {"proj_size": 2}),
    ("GRU", (4, 3), {"proj_size": 2}),
    ("LSTM", (4, 3), {"dropout": 1.5}),
    ("LSTM", (4, 3), {"dropout": True}),
    ("RNN", (4, 3, 2, "sigmoid"), {}),
    ("RNN", (4, 3), {"nonlinearity": "gelu"}),
    ("RNN", (4, 3), {"num_layers": 2.0}),
]


@pytest.mark.parametrize("name,args,kwargs", CONSTRUCTOR_ERRORS)
def test_constructor_errors(name, args, kwargs):
    with pytest.raises(Exception) as expected:
        getattr(torch.nn, name)(*args, **kwargs)
    with pytest.raises(expected.type) as actual:
        getattr(jtorch.nn, name)(*args, **kwargs)
    assert str(actual.value) == str(expected.value)


FORWARD_ERRORS = [  # (module, constructor args, forward input shapes / nested state shapes)
    ("LSTM", (4, 3, 2), [(5, 2, 5)]),
    ("LSTM", (4, 3, 2), [(5, 2, 4), [(2, 3, 3), (2, 2, 3)]]),
    ("LSTM", (4, 3, 2), [(5, 2, 4), [(2, 2, 3), (2, 3, 3)]]),
    ("LSTM", (4, 3), [(5, 4, 2, 1)]),
    ("LSTM", (4, 3), [(5, 4), [(1, 2, 3), (1, 3)]]),
    ("LSTM", (4, 3), [(5, 2, 4), [(1, 3), (1, 3)]]),
    ("RNN", (4, 3), [(5, 4, 2, 1)]),
    ("RNN", (4, 3), [(5, 2, 4), (2, 2, 3)]),
    ("GRU", (4, 3), [(5, 2, 4), (1, 3)]),
    ("GRU", (4, 3), [(5, 4), (1, 2, 3)]),
    ("GRU", (4, 3), [(5, 4, 2, 1)]),
    ("RNNCell", (10, 20), [(3, 11), (3, 20)]),
    ("RNNCell", (10, 20, True, "relu"), [(3, 10), (3, 21)]),
    ("GRUCell", (10, 20), [(3, 10), (5, 20)]),
    ("GRUCell", (10, 20), [(3, 10), (3, 1, 1, 20)]),
    ("GRUCell", (10, 20), [(3, 1, 10)]),
    ("LSTMCell", (10, 20), [(3, 10), [(3, 21), (3, 20)]]),
    ("LSTMCell", (10, 20), [(3, 10), [(3, 20), (5, 20)]]),
    ("LSTMCell", (10, 20), [(3, 10), [(3, 1, 1, 20), (3, 20)]]),
    ("RNNCell", (10, 20, True, "foo"), [(3, 10)]),
]


def _build_input(lib, spec):
    if isinstance(spec, list):
        return tuple(_build_input(lib, s) for s in spec)
    return lib.zeros(*spec)


@pytest.mark.parametrize("name,args,inputs", FORWARD_ERRORS)
def test_forward_errors(name, args, inputs):
    with pytest.raises(Exception) as expected:
        getattr(torch.nn, name)(*args)(*[_build_input(torch, s) for s in inputs])
    with pytest.raises(expected.type) as actual:
        getattr(jtorch.nn, name)(*args)(*[_build_input(jtorch, s) for s in inputs])
    assert str(actual.value) == str(expected.value)


def test_dtype_mismatch_error():
    messages = []
    for lib in (torch, jtorch):
        with pytest.raises(ValueError) as info:
            lib.nn.GRU(3, 5)(lib.zeros(2, 4, 3, dtype=lib.float64))
        messages.append(str(info.value))
    assert messages[1] == messages[0]


# ---- nn.utils.rnn ------------------------------------------------------------------------------------------


def both(script):
    """``script(lib)`` in both libraries: the same values, or the same error type and text."""
    try:
        expected = script(torch)
    except Exception as e:  # noqa: BLE001 - the exception itself is compared
        with pytest.raises(type(e)) as info:
            script(jtorch)
        assert str(info.value) == str(e)
        return
    assert_close(script(jtorch), expected)


def seqs(lib, *lengths, trailing=(2,), dtype="float32"):
    return [lib.tensor(data(n, *trailing, dtype=dtype, seed=n)) for n in lengths]


PAD_CASES = [
    lambda lib: lib.nn.utils.rnn.pad_sequence(seqs(lib, 3, 5, 1)),
    lambda lib: lib.nn.utils.rnn.pad_sequence(
        seqs(lib, 3, 5, 1), batch_first=True, padding_value=-2.5
    ),
    lambda lib: lib.nn.utils.rnn.pad_sequence(seqs(lib, 3, 5, trailing=()), padding_side="left"),
    lambda lib: lib.nn.utils.rnn.pad_sequence(iter(seqs(lib, 2, 4)), True, 1, "left"),
    lambda lib: lib.nn.utils.rnn.pad_sequence([lib.ones(2, 3), lib.ones(3, dtype=lib.float64)]),
    lambda lib: lib.nn.utils.rnn.pad_sequence(
        [lib.ones(2, 3, dtype=lib.int64), lib.ones(3, 3)], padding_value=0.5
    ),
    lambda lib: lib.nn.utils.rnn.pad_sequence(lib.ones(2, 3)),
    lambda lib: lib.nn.utils.rnn.pad_sequence([]),
    lambda lib: lib.nn.utils.rnn.pad_sequence(3),
    lambda lib: lib.nn.utils.rnn.pad_sequence([lib.ones(2, 3), lib.ones(3, 2)]),
    lambda lib: lib.nn.utils.rnn.pad_sequence(seqs(lib, 2, 3), padding_side="middle"),
]


@pytest.mark.parametrize("case", range(len(PAD_CASES)))
def test_pad_sequence(case):
    both(PAD_CASES[case])


def test_pad_sequence_gradient():
    def script(lib):
        xs = [x.requires_grad_() for x in seqs(lib, 3, 5, 1)]
        out = lib.nn.utils.rnn.pad_sequence(xs, padding_side="left")
        (out * lib.arange(out.numel()).reshape(out.shape)).sum().backward()
        return [x.grad for x in xs]

    both(script)


def _packed(lib, packed):
    return packed.data, packed.batch_sizes, packed.sorted_indices, packed.unsorted_indices


PACK_CASES = [
    lambda lib: _packed(
        lib, lib.nn.utils.rnn.pack_padded_sequence(lib.tensor(data(4, 3, 2)), [4, 3, 2])
    ),
    lambda lib: _packed(
        lib,
        lib.nn.utils.rnn.pack_padded_sequence(
            lib.tensor(data(3, 4, 2)), lib.tensor([2, 4, 1]), True, False
        ),
    ),
    lambda lib: lib.nn.utils.rnn.pack_padded_sequence(lib.tensor(data(4, 3, 2)), [4, 2, 3]),
    lambda lib: lib.nn.utils.rnn.pack_padded_sequence(lib.tensor(data(4, 3, 2)), [4, 3, 2, 1]),
    lambda lib: lib.nn.utils.rnn.pack_padded_sequence(lib.tensor(data(4, 3, 2)), [4, 3, 0]),
    lambda lib: lib.nn.utils.rnn.pack_padded_sequence(
        lib.tensor(data(4, 3, 2)), lib.tensor([[4, 3, 2]])
    ),
    lambda lib: _packed(
        lib, lib.nn.utils.rnn.pack_sequence(seqs(lib, 3, 5, 1), enforce_sorted=False)
    ),
    lambda lib: lib.nn.utils.rnn.pack_sequence(seqs(lib, 3, 5, 1)),
    lambda lib: lib.nn.utils.rnn.unpack_sequence(
        lib.nn.utils.rnn.pack_sequence(seqs(lib, 3, 5, 1), False)
    ),
    lambda lib: lib.nn.utils.rnn.pad_packed_sequence(
        lib.nn.utils.rnn.pack_sequence(seqs(lib, 5, 3, 1))
    ),
    lambda lib: lib.nn.utils.rnn.pad_packed_sequence(
        lib.nn.utils.rnn.pack_sequence(seqs(lib, 3, 5, 1, dtype="int64"), False), True, 7, 6
    ),
    lambda lib: lib.nn.utils.rnn.pad_packed_sequence(
        lib.nn.utils.rnn.pack_sequence(seqs(lib, 5, 3)), total_length=4
    ),
    lambda lib: lib.nn.utils.rnn.invert_permutation(lib.tensor([2, 0, 3, 1])),
]


@pytest.mark.parametrize("case", range(len(PACK_CASES)))
def test_packing(case):
    both(PACK_CASES[case])


def test_pack_and_pad_gradients():
    def script(lib):
        x = lib.tensor(data(4, 3, 2), requires_grad=True)
        packed = lib.nn.utils.rnn.pack_padded_sequence(
            x, [2, 4, 3], batch_first=False, enforce_sorted=False
        )
        padded, _ = lib.nn.utils.rnn.pad_packed_sequence(packed, batch_first=True, total_length=5)
        (padded * lib.arange(padded.numel()).reshape(padded.shape)).sum().backward()
        return padded, x.grad

    both(script)


def test_unpad_sequence_transposes_its_input_in_place():
    def script(lib):
        padded = lib.tensor(data(4, 3))
        out = lib.nn.utils.rnn.unpad_sequence(padded, lib.tensor([4, 2, 1]))
        return out, padded

    both(script)
    both(
        lambda lib: lib.nn.utils.rnn.unpad_sequence(
            lib.zeros(4, 3, requires_grad=True), lib.tensor([4, 2, 1])
        )
    )
    both(lambda lib: lib.nn.utils.rnn.unpad_sequence(lib.zeros(4, 3), lib.tensor([4, 2])))


def test_packed_sequence_class():
    def script(lib):
        rnn = lib.nn.utils.rnn
        p = rnn.pack_sequence(seqs(lib, 3, 5, 1), enforce_sorted=False)
        d = p.double()
        return (
            p._fields,
            isinstance(p, tuple),
            p.to(lib.float32) is p,
            d.data.dtype,
            d.batch_sizes.dtype,
            d.sorted_indices,
            p.long().data.dtype,
            p.is_cuda,
            rnn.PackedSequence(lib.ones(3), lib.tensor([2, 1])).unsorted_indices,
            rnn.PackedSequence(
                (lib.ones(3), lib.tensor([2, 1])), sorted_indices=lib.tensor([1, 0])
            ).unsorted_indices,
        )

    both(script)
    both(lambda lib: lib.nn.utils.rnn.PackedSequence(lib.ones(3)))
    p = jtorch.nn.utils.rnn.pack_sequence([jtorch.ones(2), jtorch.ones(1)])
    t = torch.nn.utils.rnn.pack_sequence([torch.ones(2), torch.ones(1)])
    assert repr(p) == repr(t)
