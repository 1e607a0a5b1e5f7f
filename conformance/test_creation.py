"""Tensor creation against real torch: speaks about jtorch/_ops/creation.py and ranges.py.

tensor() dtype inference and its errors, as_tensor/asarray/from_numpy/numpy() memory sharing,
the filled factories and their _like/new_ forms, the range factories (bit-exact values), eye,
scalar_tensor, complex/polar, and the legacy torch.Tensor constructor.
"""

import warnings

import numpy as np
import pytest
import torch

import jtorch
from conformance._compare import same
from conformance.test_dtype import float64_default  # noqa: F401 (a fixture)

pytestmark = [
    pytest.mark.filterwarnings("ignore:To copy construct"),
    pytest.mark.filterwarnings("ignore:Creating a tensor from a list of numpy"),
    pytest.mark.filterwarnings("ignore:torch.range is deprecated"),
    pytest.mark.filterwarnings("ignore:The given NumPy array is not writable"),
    pytest.mark.filterwarnings("ignore:Converting a tensor with requires_grad=True to a scalar"),
]


def exact(fn, *inputs):
    """``same`` with values required to match to the last bit."""
    return same(fn, *inputs, rtol=0, atol=0)


def same_message(e, je):
    """torch's message, up to its list of overloads or of supported numpy types (jtorch lacks
    uint16/32/64)."""
    first = str(e).split("\n")[0].split(" The only supported types")[0]
    assert str(je).split(" The only supported types")[0] == first


# ---- torch.tensor: inference, conversion, errors --------------------------------------------------


class Seq:
    """A user sequence: torch reads anything with __len__ and __getitem__."""

    def __len__(self):
        return 2

    def __getitem__(self, i):
        if i >= 2:
            raise IndexError(i)
        return i * 1.5


TENSOR_DATA = {
    "bools": lambda lib: [True, False],
    "ints": lambda lib: [1, 2],
    "floats": lambda lib: [1.5, 2],
    "complex": lambda lib: [1j, 2],
    "bool_int": lambda lib: [True, 2],
    "bool_float": lambda lib: [True, 2.5],
    "bool_complex": lambda lib: [True, 1j],
    "nested": lambda lib: [[1, 2], [3, 4.0]],
    "nested_tuple_list": lambda lib: ([1, 2], (3, 4)),
    "deep": lambda lib: [[[1], [2]], [[3], [4]]],
    "scalar_int": lambda lib: 3,
    "scalar_float": lambda lib: 3.5,
    "scalar_bool": lambda lib: True,
    "scalar_complex": lambda lib: 1 + 2j,
    "range": lambda lib: range(3),
    "user_sequence": lambda lib: Seq(),
    "user_sequences": lambda lib: [Seq(), Seq()],
    "empty": lambda lib: [],
    "empty_nested": lambda lib: [[], []],
    "float32_rounding": lambda lib: [0.1, 1 / 3, 1e-40, 3.4e38],
    "float_overflow_to_inf": lambda lib: [1e39],
    "inf_nan": lambda lib: [float("inf"), float("nan"), -0.0],
    "int64_limits": lambda lib: [2**63 - 1, -(2**63)],
    "np_float32_scalar": lambda lib: [np.float32(1.5), 2],
    "np_float64_scalar": lambda lib: np.float64(1.5),
    "np_int32_scalar": lambda lib: np.int32(1),
    "np_int32_in_list": lambda lib: [np.int32(1), 2],
    "np_float16_with_float": lambda lib: [np.float16(1), 2.5],
    "np_float16_alone": lambda lib: [np.float16(2.5)],
    "np_uint8_int8": lambda lib: [np.uint8(1), np.int8(2)],
    "np_complex64_float64": lambda lib: [np.complex64(1j), np.float64(2.0)],
    "np_bool": lambda lib: [np.bool_(True)],
    "np_array": lambda lib: np.array([1, 2], np.float32),
    "np_array_0d": lambda lib: np.array(3.5, np.float32),
    "np_array_noncontiguous": lambda lib: np.arange(12.0).reshape(3, 4)[:, ::2],
    "np_array_transposed": lambda lib: np.array([[1, 2]]).T,
    "np_arrays_in_list": lambda lib: [np.array([1, 2], np.float32), np.array([3, 4], np.float32)],
    "np_array_and_list": lambda lib: [np.array([1, 2], np.int32), [3.5, 4]],
    "np_arrays_promote": lambda lib: [np.array([1, 2], np.uint8), np.array([1, 2], np.int8)],
    "zero_dim_tensors": lambda lib: [lib.tensor(1.5), lib.tensor(2.5)],
    "zero_dim_int_and_float": lambda lib: [lib.tensor(1), 2.5],
    "zero_dim_float64": lambda lib: [lib.tensor(1, dtype=lib.float64), 2],
    "zero_dim_float16_with_float": lambda lib: [lib.tensor(1, dtype=lib.float16), 2.5],
    "zero_dim_half_bfloat": lambda lib: [
        lib.tensor(1, dtype=lib.float16),
        lib.tensor(1, dtype=lib.bfloat16),
    ],
    "one_element_tensor": lambda lib: [lib.tensor([1.0])],
    "one_element_nested": lambda lib: [[lib.tensor([1.0])]],
    "np_int64_and_uint8_tensor": lambda lib: [np.int64(1), lib.tensor(1, dtype=lib.uint8)],
    "requires_grad_leaf": lambda lib: [lib.tensor(1.0, requires_grad=True)],
    "tensor": lambda lib: lib.tensor([1.0, 2.0]),
    "tensor_int": lambda lib: lib.arange(4).reshape(2, 2),
    # errors
    "ragged": lambda lib: [[1, 2], [3]],
    "ragged_deep": lambda lib: [[[1], [2]], [[3], [4, 5]]],
    "scalar_where_sequence": lambda lib: [[1], 2.5],
    "sequence_where_float": lambda lib: [1.5, [2]],
    "sequence_where_int": lambda lib: [True, [2]],
    "multi_element_int_tensors": lambda lib: [lib.tensor([1, 2]), lib.tensor([3, 4])],
    "multi_element_float_tensors": lambda lib: [lib.tensor([1.0, 2.0])],
    "multi_element_bool_tensors": lambda lib: [lib.tensor([True, False])],
    "list_of_0d_arrays": lambda lib: [np.array(3.5, np.float32), 1],
    "string": lambda lib: "abc",
    "string_in_list": lambda lib: ["ab"],
    "string_after_number": lambda lib: [1, "a"],
    "none": lambda lib: None,
    "none_in_list": lambda lib: [1, None],
    "dict": lambda lib: {1: 2},
    "int_overflow": lambda lib: 2**63,
    "int_overflow_in_list": lambda lib: [1, 2**64],
    "huge_int": lambda lib: [10**400],
    "np_object_array": lambda lib: np.array([1, "a"], dtype=object),
}

# jtorch has no uint16/uint32/uint64 (torch 2.13 has limited support for them).
KNOWN_FAILURES = {
    "np_uint16_array": (lambda lib: np.array([1], np.uint16), "jtorch has no uint16 dtype"),
}


@pytest.mark.parametrize("name", TENSOR_DATA)
def test_tensor_inference(name):
    e, je = same(lambda lib: lib.tensor(TENSOR_DATA[name](lib)))
    if isinstance(e, Exception):
        same_message(e, je)


@pytest.mark.parametrize("name", KNOWN_FAILURES)
@pytest.mark.xfail(strict=True, reason="see KNOWN_FAILURES")
def test_tensor_known_failures(name):
    data, _ = KNOWN_FAILURES[name]
    same(lambda lib: lib.tensor(data(lib)))


EXPLICIT_DTYPES = [
    "float32",
    "float64",
    "float16",
    "bfloat16",
    "int64",
    "int32",
    "int8",
    "uint8",
    "bool",
    "complex64",
]
EXPLICIT_DATA = {
    "ints": [1, -2, 3],
    "floats": [1.7, -2.7, 0.0],
    "bools": [True, False],
    "complex": [1 + 2j, 0j],
    "int_overflows_uint8": [300],
    "negative_wraps_uint8": [-255],
    "int_overflows_int8": [128],
    "float_overflows_int8": [127.5],
    "nan": [float("nan")],
    "big_float": [1e39],
    "two_pow_63": [2.0**63],
    "np_float32": [np.float32(1.5)],
    "np_float64": [np.float64(1.5)],
    "zero_dim_float_tensor": "tensor(1.5)",
    "zero_dim_int_tensor": "tensor(300)",
    "none": [None],
    "np_array": np.array([1.7, 300.25, -1.5]),
    "tensor": "tensor([1.7, 300.25, -1.5])",
}


@pytest.mark.parametrize("dtype", EXPLICIT_DTYPES)
@pytest.mark.parametrize("name", EXPLICIT_DATA)
def test_tensor_explicit_dtype(name, dtype):
    def data(lib):
        d = EXPLICIT_DATA[name]
        if isinstance(d, str):
            return eval("lib." + d, {"lib": lib})
        if isinstance(d, list) and d and isinstance(d[0], str):
            return [eval("lib." + d[0], {"lib": lib})]
        return d

    def f(lib):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return lib.tensor(data(lib), dtype=getattr(lib, dtype))

    if name in ("zero_dim_float_tensor", "zero_dim_int_tensor"):
        same(lambda lib: lib.tensor([data(lib)], dtype=getattr(lib, dtype)))
    else:
        e, je = same(f)
        if isinstance(e, Exception):
            assert str(je) == str(e)


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.tensor([1.0, 2.0], requires_grad=True),
        lambda lib: lib.tensor([1, 2], requires_grad=True),
        lambda lib: lib.tensor([1, 2], dtype=lib.float64, requires_grad=True),
        lambda lib: lib.tensor(lib.tensor([1.0], requires_grad=True) * 2),
        lambda lib: lib.tensor([1j], requires_grad=True),
        lambda lib: lib.tensor([1.0], dtype="float32"),
    ],
)
def test_tensor_requires_grad(call):
    def f(lib):
        t = call(lib)
        return t, t.requires_grad, t.is_leaf, t.grad_fn is None

    same(f)


def test_tensor_copies_its_input():
    def f(lib):
        a = np.zeros(2)
        src = lib.zeros(2)
        t1, t2 = lib.tensor(a), lib.tensor(src)
        a[0] = 1
        src.add_(1)
        return t1, t2

    same(f)


def test_tensor_copy_warning():
    for lib in (torch, jtorch):
        with pytest.warns(UserWarning, match="To copy construct from a tensor"):
            lib.tensor(lib.ones(1))


def test_tensor_bfloat16_default_with_complex():
    def f(lib):
        lib.set_default_dtype(lib.bfloat16)
        try:
            return lib.tensor([1.5]), lib.result_type(lib.tensor([1]), 1j), lib.tensor([1j])
        finally:
            lib.set_default_dtype(lib.float32)

    same(f)


# ---- as_tensor, asarray, from_numpy, numpy(): sharing -------------------------------------------


def test_as_tensor_returns_the_tensor():
    def f(lib):
        t = lib.ones(2)
        return (
            lib.as_tensor(t) is t,
            lib.as_tensor(t, dtype=lib.float32) is t,
            lib.as_tensor(t, device="cpu") is t,
            lib.asarray(t) is t,
            lib.as_tensor(t, dtype=lib.float64).dtype,
        )

    same(f)


@pytest.mark.parametrize("convert", ["as_tensor", "asarray", "from_numpy"])
def test_numpy_sharing(convert):
    def f(lib):
        a = np.ones(3, np.float32)
        t = getattr(lib, convert)(a)
        a[0] = 5  # numpy -> tensor
        seen = t.clone()
        t.add_(1)  # tensor -> numpy
        t[2] = 9
        return seen, a.tolist(), t

    same(f)


@pytest.mark.parametrize(
    "call",
    [
        lambda lib, a: lib.as_tensor(a, dtype=lib.float64),
        lambda lib, a: lib.asarray(a, copy=True),
        lambda lib, a: lib.asarray(a, dtype=lib.int64),
        lambda lib, a: lib.tensor(a),
        lambda lib, a: lib.as_tensor(a.tolist()),
    ],
)
def test_numpy_copies(call):
    def f(lib):
        a = np.ones(3, np.float32)
        t = call(lib, a)
        a[0] = 5
        return t

    same(f)


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.asarray(np.ones(2, np.float32), dtype=lib.float64, copy=False),
        lambda lib: lib.asarray([1, 2], copy=False),
        lambda lib: lib.asarray(lib.ones(2), dtype=lib.float64, copy=False),
        lambda lib: lib.as_tensor([1, 2], requires_grad=True),
        lambda lib: lib.asarray(3.5),
        lambda lib: lib.asarray([np.float32(1)]),
        lambda lib: lib.asarray(np.ones(2), requires_grad=True),
        lambda lib: lib.as_tensor([1, 2.5]),
        lambda lib: lib.as_tensor(3),
    ],
)
def test_asarray_calls(call):
    e, je = same(call)
    if isinstance(e, ValueError):
        assert str(je) == str(e)


def test_from_numpy_noncontiguous_shares_both_ways():
    def f(lib):
        b = np.arange(6.0).reshape(2, 3)[:, ::2]
        t = lib.from_numpy(b)
        b[0, 0] = 9
        seen = t.clone()
        t += 1
        return seen, b.tolist(), t.shape

    same(f)


def test_from_numpy_integer_inplace_ops():
    def f(lib):
        c = np.zeros(3, np.int32)
        t = lib.from_numpy(c)
        t[1] = 4
        t.add_(1)
        after_add = c.tolist()
        t.zero_()
        return after_add, c.tolist(), t.dtype

    same(f)


@pytest.mark.parametrize(
    "array",
    [
        [1],
        np.array(["a"]),
        np.array([1], dtype=">f4"),
        np.array(5.0),
        np.array([1, 2], np.uint8),
        np.array([True]),
        np.array([1 + 1j], np.complex64),
        np.zeros((2, 0), np.float16),
    ],
    ids=["list", "str", "big_endian", "zero_dim", "uint8", "bool", "complex64", "empty_float16"],
)
def test_from_numpy_dtypes_and_errors(array):
    e, je = same(lambda lib: lib.from_numpy(array))
    if isinstance(e, Exception):
        same_message(e, je)


def test_from_numpy_readonly_warns():
    a = np.ones(2)
    a.flags.writeable = False
    for lib in (torch, jtorch):
        with pytest.warns(UserWarning, match="not writable"):
            lib.from_numpy(a)


def test_tensor_numpy_shares_memory():
    def f(lib):
        y = lib.zeros(3)
        n = y.numpy()
        n[0] = 3  # numpy -> tensor
        seen = y.clone()
        y.add_(1)  # tensor -> numpy
        y[1:].mul_(2)  # through a view
        return seen, n.tolist(), y

    same(f)


def test_tensor_numpy_of_views():
    def f(lib):
        z = lib.arange(6.0).reshape(2, 3)
        n = z.t().numpy()
        n[0, 1] = 100
        return n.tolist(), z, n.shape

    same(f)


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.zeros(3, requires_grad=True).numpy(),
        lambda lib: lib.zeros(3, requires_grad=True).detach().numpy().tolist(),
        lambda lib: lib.zeros(3, requires_grad=True).numpy(force=True).tolist(),
        lambda lib: lib.zeros(2, dtype=lib.bfloat16).numpy(),
        lambda lib: str(lib.zeros(2, dtype=lib.int16).numpy().dtype),
    ],
)
def test_tensor_numpy_errors_and_dtypes(call):
    e, je = same(call)
    if isinstance(e, Exception):
        assert str(je) == str(e)


# ---- filled tensors -------------------------------------------------------------------------------

SIZES = [(), (0,), (3,), (2, 3), (1, 0, 2)]
FILL_DTYPES = ["float32", "float64", "int64", "bool", "float16", "complex64", "uint8"]


@pytest.mark.parametrize("factory", ["zeros", "ones", "empty"])
@pytest.mark.parametrize("size", SIZES, ids=str)
@pytest.mark.parametrize("dtype", [None, *FILL_DTYPES])
def test_zeros_ones_empty(factory, size, dtype):
    def f(lib):
        kw = {} if dtype is None else {"dtype": getattr(lib, dtype)}
        t = getattr(lib, factory)(size, **kw)
        forms = [
            getattr(lib, factory)(*size, **kw).shape,
            getattr(lib, factory)(list(size), **kw).shape,
        ]
        return (t.shape, t.dtype, forms) if factory == "empty" else (t, forms)

    same(f)


SIZE_FORMS = {
    "size_keyword": lambda lib, f: f(size=(2, 3)),
    "torch_size": lambda lib, f: f(lib.Size([2, 1])),
    "numpy_int": lambda lib, f: f(np.int64(2)),
    "tensor_int": lambda lib, f: f(lib.tensor(2)),
    "empty_list": lambda lib, f: f([]),
    "float_size": lambda lib, f: f(2, 3.0),
    "float_in_list": lambda lib, f: f([2, 3.0]),
    "negative": lambda lib, f: f(2, -1),
    "two_tuples": lambda lib, f: f((2,), (3,)),
    "int_requires_grad": lambda lib, f: f(2, dtype=lib.int64, requires_grad=True),
    "float_requires_grad": lambda lib, f: f(2, requires_grad=True).requires_grad,
    "dtype_string": lambda lib, f: f(2, dtype="float32"),
    "out": lambda lib, f: f(2, 2, out=lib.empty(0)),
    "out_int": lambda lib, f: f(3, out=lib.empty(1, dtype=lib.int64)),
    "out_dtype_mismatch": lambda lib, f: f(2, out=lib.empty(3, dtype=lib.int64), dtype=lib.float32),
}


@pytest.mark.parametrize("factory", ["ones", "empty"])
@pytest.mark.parametrize("form", SIZE_FORMS)
def test_size_forms_and_errors(factory, form):
    def f(lib):
        t = SIZE_FORMS[form](lib, getattr(lib, factory))
        if isinstance(t, lib.Tensor) and factory == "empty":
            return t.shape, t.dtype
        return t

    e, je = same(f)
    if isinstance(e, Exception):
        assert str(je) == str(e).split("\n")[0]


FILL_VALUES = [
    0,
    7,
    -1,
    2.5,
    -2.7,
    True,
    1j,
    1e39,
    70000,
    2**40,
    300,
    255.9,
    -255,
    float("nan"),
    float("inf"),
]


@pytest.mark.parametrize("value", FILL_VALUES, ids=repr)
@pytest.mark.parametrize("dtype", [None, *FILL_DTYPES, "int32", "int8", "bfloat16"])
def test_full(value, dtype):
    def f(lib):
        kw = {} if dtype is None else {"dtype": getattr(lib, dtype)}
        return lib.full((2,), value, **kw)

    e, je = same(f)
    if isinstance(e, Exception):
        assert str(je) == str(e)


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.full((2,), lib.tensor(1.5, dtype=lib.float64)),
        lambda lib: lib.full((2,), lib.tensor(1)),
        lambda lib: lib.full((2,), lib.tensor([1.5])),
        lambda lib: lib.full((2,), np.float32(1.5)),
        lambda lib: lib.full((2,), np.int32(1)),
        lambda lib: lib.full((2,), "a"),
        lambda lib: lib.full(2, 1.0),
        lambda lib: lib.full([2, 3], 1.0),
        lambda lib: lib.full((2, -1), 1.0),
        lambda lib: lib.full((2,), 1.0, requires_grad=True),
        lambda lib: lib.full((2,), 1, requires_grad=True),
        lambda lib: lib.full(size=(2,), fill_value=1.0),
        lambda lib: lib.full((3,), 1.5, out=lib.empty(0, dtype=lib.float64)),
    ],
)
def test_full_arguments(call):
    same(call)


LIKE_INPUTS = {
    "float": lambda lib: lib.ones(2, 3),
    "int32": lambda lib: lib.ones(2, dtype=lib.int32),
    "requires_grad": lambda lib: lib.ones(2, requires_grad=True),
    "zero_dim": lambda lib: lib.tensor(2.5),
    "view": lambda lib: lib.arange(6.0).reshape(2, 3).t(),
}


@pytest.mark.parametrize("name", LIKE_INPUTS)
@pytest.mark.parametrize(
    "call",
    [
        lambda lib, x: lib.zeros_like(x),
        lambda lib, x: lib.ones_like(x),
        lambda lib, x: (lib.empty_like(x).shape, lib.empty_like(x).dtype),
        lambda lib, x: lib.full_like(x, 2.7),
        lambda lib, x: lib.full_like(x, 7, dtype=lib.float64),
        lambda lib, x: lib.zeros_like(x, dtype=lib.float64),
        lambda lib, x: lib.ones_like(x, requires_grad=True).requires_grad,
        lambda lib, x: lib.zeros_like(x, device="cpu"),
        lambda lib, x: lib.full_like(x, 2**40),
        lambda lib, x: lib.rand_like(x.double()).dtype,
    ],
)
def test_like(name, call):
    same(lambda lib: call(lib, LIKE_INPUTS[name](lib)))


def test_like_errors():
    same(lambda lib: lib.zeros_like([1, 2]))
    same(lambda lib: lib.ones_like(lib.ones(2), dtype=lib.int64, requires_grad=True))


NEW_CALLS = {
    "new_zeros": lambda lib, x: x.new_zeros(3),
    "new_zeros_tuple": lambda lib, x: x.new_zeros((2, 3)),
    "new_zeros_dtype": lambda lib, x: x.new_zeros(2, 3, dtype=lib.float16),
    "new_zeros_size_keyword": lambda lib, x: x.new_zeros(size=(2,)),
    "new_zeros_empty": lambda lib, x: x.new_zeros(()),
    "new_ones": lambda lib, x: x.new_ones(2),
    "new_full": lambda lib, x: x.new_full((2,), 2.7),
    "new_full_overflow": lambda lib, x: x.new_full((2,), 2**40),
    "new_full_int_size": lambda lib, x: x.new_full(2, 1),
    "new_empty": lambda lib, x: (x.new_empty(2).shape, x.new_empty(2).dtype),
    "new_tensor": lambda lib, x: x.new_tensor([1.7, 2]),
    "new_tensor_dtype": lambda lib, x: x.new_tensor([1.7, 2], dtype=lib.float64),
    "new_tensor_requires_grad": lambda lib, x: x.new_tensor([1.0], requires_grad=True),
}


@pytest.mark.parametrize("name", NEW_CALLS)
@pytest.mark.parametrize("dtype", ["int32", "float64"])
def test_new_methods(name, dtype):
    same(lambda lib: NEW_CALLS[name](lib, lib.zeros(2, dtype=getattr(lib, dtype))))


def test_new_methods_device_and_grad():
    def f(lib):
        x = lib.ones(2, requires_grad=True)
        y = x.new_zeros(2, dtype=lib.float16)
        return y, y.requires_grad, repr(x.new_ones(1).device), x.new_full((1,), 3).dtype

    same(f)


# ---- ranges (bit-exact) ----------------------------------------------------------------------------

ARANGE_ARGS = [
    (5,),
    (0, 10),
    (1, 2.5, 0.5),
    (-3, 3, 2),
    (5, 0, -1),
    (0, 3, 0.5),
    (0.5, 3),
    (0, 5.5),
    (2, 2),
    (0, 1, 0.1),
    (5, 1, -1.5),
    (2.739233746429086, 3.544643481668448, 0.01),
    (0.3, 12.6, 0.0123456789),
    (-7.5, 9.1, 0.37),
    (1, 2**62, 2**60),
    (-(2**63), 2**63 - 1, 2**62),
    (0, 2**53 + 3, 2**52),
    (0, 4000, 0.7),
    # errors
    (0, 3, 0),
    (3, 0),
    (0, 3, -1),
    (0, float("inf")),
    (0, float("nan")),
    (1e20,),
    (0, 1, 0.5j),
]
ARANGE_DTYPES = [
    None,
    "float32",
    "float64",
    "float16",
    "bfloat16",
    "int64",
    "int32",
    "uint8",
    "bool",
]


@pytest.mark.parametrize("args", ARANGE_ARGS, ids=str)
@pytest.mark.parametrize("dtype", ARANGE_DTYPES)
def test_arange(args, dtype):
    if dtype == "uint8" and any(a < 0 for a in args if isinstance(a, (int, float))):
        return  # wraps through C casts torch documents as undefined
    kw = {} if dtype is None else {"dtype": dtype}
    e, je = exact(lambda lib: lib.arange(*args, **{k: getattr(lib, v) for k, v in kw.items()}))
    if isinstance(e, Exception):
        assert type(je) is type(e) and str(je) == str(e)


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.arange(lib.tensor(5)),
        lambda lib: lib.arange(lib.tensor(5.0)),
        lambda lib: lib.arange(lib.tensor(5, dtype=lib.int32)),
        lambda lib: lib.arange(lib.tensor([5])),
        lambda lib: lib.arange("3"),
        lambda lib: lib.arange(True),
        lambda lib: lib.arange(np.float32(2.5)),
        lambda lib: lib.arange(start=1, end=4),
        lambda lib: lib.arange(end=4),
        lambda lib: lib.arange(5, requires_grad=True),
        lambda lib: lib.arange(5.0, requires_grad=True).requires_grad,
        lambda lib: lib.arange(3, out=lib.empty(3)),
        lambda lib: lib.arange(3, out=lib.empty(0, dtype=lib.int32)),
        lambda lib: lib.arange(0, 3, 1, dtype=lib.complex64),
    ],
)
def test_arange_arguments(call):
    exact(call)


@pytest.mark.usefixtures("float64_default")
def test_arange_float_default_dtype():
    exact(lambda lib: (lib.arange(0, 1, 0.1), lib.arange(3.0), lib.arange(3)))


SPACE_ARGS = [
    (0, 1, 5),
    (0.5, 10.7, 5),
    (-5, 5, 101),
    (1, -1, 7),
    (0, 1, 1),
    (0, 1, 0),
    (0, 1, 2),
    (3, 3, 4),
    (2.739233746429086, 3.544643481668448, 15),
    (6.265404784005447, 25.776068361582166, 182),
    (0, 1, 2049),
    (-1.5028668940017442, 2.520076896229741, 51),
    # errors
    (0, 1, -1),
    (0, 1e39, 3),
]
SPACE_DTYPES = [*ARANGE_DTYPES, "complex64"]


@pytest.mark.parametrize("args", SPACE_ARGS, ids=str)
@pytest.mark.parametrize("dtype", SPACE_DTYPES)
@pytest.mark.parametrize("fn", ["linspace", "logspace"])
def test_linspace_logspace(fn, args, dtype):
    if dtype == "uint8" and any(a < 0 for a in args[:2]):
        return
    kw = {} if dtype is None else {"dtype": dtype}

    def f(lib):
        return getattr(lib, fn)(*args, **{k: getattr(lib, v) for k, v in kw.items()})

    if fn == "logspace" and dtype == "complex64":
        same(f, rtol=1e-5)  # Differences from torch: complex logspace is close, not bit-exact
        return
    e, je = exact(f)
    if isinstance(e, Exception):
        assert type(je) is type(e) and str(je) == str(e)


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.linspace(0, 1j, 3),
        lambda lib: lib.linspace(lib.tensor(0.0), lib.tensor(1.0), 3),
        lambda lib: lib.linspace(lib.tensor([0.0]), 1, 3),
        lambda lib: lib.linspace(0, 1, 2.5),
        lambda lib: lib.linspace(0, 1, steps=lib.tensor(3)),
        lambda lib: lib.linspace(0, 1),
        lambda lib: lib.linspace(1.5, 1e5, 3, dtype=lib.uint8),
        lambda lib: lib.linspace(0, 1, 3, requires_grad=True).requires_grad,
        lambda lib: lib.linspace(0, 1, 4, out=lib.empty(0, dtype=lib.float64)),
        lambda lib: lib.logspace(0, 2, 3, base=2),
        lambda lib: lib.logspace(0, 2, 3, 2.0, dtype=lib.int64),
        lambda lib: lib.logspace(0.5, 2, 1, dtype=lib.int64),
        lambda lib: lib.logspace(0, 40, 3, dtype=lib.int32),
        lambda lib: lib.logspace(-1, 1, 5, base=0.5),
    ],
)
def test_space_arguments(call):
    exact(call)


RANGE_ARGS = [
    (0, 3),
    (0, 3, 0.5),
    (3, 0, -1),
    (0.5, 3),
    (0, 1, 0.1),
    (0, 1e4, 0.3),
    (3, 0),
    (0, 3, 0),
    (3,),
]


@pytest.mark.parametrize("args", RANGE_ARGS, ids=str)
@pytest.mark.parametrize("dtype", [None, "float64", "int64", "float16"])
def test_range(args, dtype):
    if dtype == "int64" and len(args) == 3 and 0 < abs(args[2]) < 1:
        return  # torch dies of an integer division by zero (SIGFPE); jtorch raises, see below
    kw = {} if dtype is None else {"dtype": dtype}
    exact(lambda lib: lib.range(*args, **{k: getattr(lib, v) for k, v in kw.items()}))


def test_range_integer_step_truncating_to_zero():
    with pytest.raises(RuntimeError, match="step must be nonzero"):
        jtorch.range(0, 3, 0.5, dtype=jtorch.int64)


# ---- eye, scalar_tensor, complex, polar --------------------------------------------------------------


@pytest.mark.parametrize("args", [(3,), (2, 3), (3, 2), (0,), (1, 0), (-1,), (2, -1)], ids=str)
@pytest.mark.parametrize("dtype", [None, "int64", "bool", "float64", "complex64"])
def test_eye(args, dtype):
    kw = {} if dtype is None else {"dtype": dtype}
    e, je = same(lambda lib: lib.eye(*args, **{k: getattr(lib, v) for k, v in kw.items()}))
    if isinstance(e, Exception):
        assert str(je) == str(e)


def test_eye_arguments():
    same(lambda lib: lib.eye(2, requires_grad=True).requires_grad)
    same(lambda lib: lib.eye(2, dtype=lib.int64, requires_grad=True))
    same(lambda lib: lib.eye(2, 3, out=lib.empty(0, dtype=lib.int32)))


@pytest.mark.parametrize("value", [1, True, 1.5, 1j, 1e39, -3])
@pytest.mark.parametrize("dtype", [None, "int64", "float64", "bool", "complex64"])
def test_scalar_tensor(value, dtype):
    kw = {} if dtype is None else {"dtype": dtype}
    same(lambda lib: lib.scalar_tensor(value, **{k: getattr(lib, v) for k, v in kw.items()}))


@pytest.mark.parametrize("fn", ["complex", "polar"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shapes", [((3,), (3,)), ((2, 3), (3,)), ((), ()), ((0,), (0,))], ids=str)
def test_complex_polar(fn, dtype, shapes):
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal(s).astype(dtype) for s in shapes)
    a = np.asarray(np.abs(a))  # polar is undefined for negative abs
    same(lambda lib, x, y: getattr(lib, fn)(x, y), a, b, grad=False)
    same(lambda lib, x, y: getattr(lib, fn)(x, y).abs() + getattr(lib, fn)(x, y).angle(), a, b)


@pytest.mark.parametrize("fn", ["complex", "polar"])
def test_complex_polar_grad_fn(fn):
    same(
        lambda lib, x, y: getattr(lib, fn)(x, y).grad_fn.name(),
        np.ones(2, np.float32),
        np.ones(2, np.float32),
    )


@pytest.mark.parametrize(
    "dtypes",
    [("float32", "float64"), ("int64", "int64"), ("float32", "int64"), ("complex64", "complex64")],
)
@pytest.mark.parametrize("fn", ["complex", "polar"])
def test_complex_polar_errors(fn, dtypes):
    e, je = same(
        lambda lib: getattr(lib, fn)(
            lib.ones(2, dtype=getattr(lib, dtypes[0])), lib.ones(2, dtype=getattr(lib, dtypes[1]))
        )
    )
    assert str(je) == str(e)


def test_complex_broadcast_error():
    same(lambda lib: lib.complex(lib.ones(2), lib.ones(3)))


# ---- legacy constructor -------------------------------------------------------------------------------

LEGACY = {
    "sizes": lambda lib: lib.Tensor(2, 3).shape,
    "data": lambda lib: lib.Tensor([1, 2]),
    "mixed_data": lambda lib: lib.Tensor([True, 2.5]),
    "nothing": lambda lib: lib.Tensor(),
    "torch_size": lambda lib: lib.Tensor(lib.Size([2, 3])).shape,
    "tuple_is_data": lambda lib: lib.Tensor((2, 3)),
    "numpy_int_data": lambda lib: lib.Tensor(np.array([1, 2])),
    "numpy_float_data": lambda lib: lib.Tensor(np.array([1.5, 2])),
    "int_tensor": lambda lib: lib.Tensor(lib.tensor([1, 2])),
    "zero_dim_int_tensor": lambda lib: lib.Tensor(lib.tensor(3)),
    "numpy_int_size": lambda lib: lib.Tensor(np.int64(3)).shape,
    "empty_list": lambda lib: lib.Tensor([]),
    "zero": lambda lib: lib.Tensor(0),
    "zero_inner": lambda lib: lib.Tensor(2, 0),
    "device": lambda lib: lib.Tensor(2, device="cpu").shape,
    "float_size": lambda lib: lib.Tensor(2, 3.0),
    "negative": lambda lib: lib.Tensor(-1),
    "ragged": lambda lib: lib.Tensor([[1, 2], [3]]),
    "dtype_keyword": lambda lib: lib.Tensor([1], dtype=lib.float64),
    "float": lambda lib: lib.Tensor(3.5),
    "string": lambda lib: lib.Tensor("a"),
    "typed_float": lambda lib: lib.FloatTensor([1, 2]),
    "typed_long": lambda lib: lib.LongTensor([1, 2]),
    "typed_long_size": lambda lib: lib.LongTensor(2).shape,
    "typed_bool": lambda lib: lib.BoolTensor([1, 0]),
    "typed_isinstance": lambda lib: (
        isinstance(lib.zeros(2), lib.FloatTensor),
        isinstance(lib.zeros(2, dtype=lib.int64), lib.FloatTensor),
    ),
}


@pytest.mark.parametrize("name", LEGACY)
def test_legacy_constructor(name):
    e, je = same(LEGACY[name])
    if isinstance(e, Exception):
        assert type(je) is type(e)


def test_legacy_constructor_aliases_a_float_tensor():
    def f(lib):
        x = lib.tensor([1.0, 2.0])
        y = lib.Tensor(x)
        y.add_(1)
        return y is x, x, type(y).__name__

    same(f)


@pytest.mark.usefixtures("float64_default")
def test_legacy_default_dtype():
    same(lambda lib: (lib.Tensor([1, 2]), lib.Tensor(2).dtype))
