"""Indexing (jtorch/_ops/indexing.py) against real torch.

``x[...]`` get and set with every kind of index torch accepts (ints, slices, None, Ellipsis,
bool scalars, integer and boolean tensors, lists, numpy arrays, and mixes of basic and advanced
indices with torch's placement of the advanced dims), then gather/scatter, the index_* family,
masked ops, take/put and nonzero: values, dtypes, gradients, in-place variants, ``out=`` and
torch's exception types for bad input, all compared with real torch by ``_compare.same``.
"""

import numpy as np
import pytest
import torch

import jtorch
from conformance import _compare
from conformance._compare import same

RNG = np.random.default_rng(1)


def arr(*shape, dtype="float32"):
    return _compare.arr(RNG, *shape, dtype=dtype)


MASK_3D = arr(3, 4, 5, dtype="bool")
MASK_2D = arr(3, 4, dtype="bool")


def ids(table):
    return [row[0] for row in table]


def T(L, data, dtype=None):
    """An index tensor of library ``L`` (int64 unless told)."""
    return L.tensor(data, dtype=dtype)


# ---- x[index] ---------------------------------------------------------------------------------
# (id, index(lib) -> the index); every row runs on a (3, 4, 5) float input with gradients.

GETITEM = [
    ("int", lambda L: 1),
    ("ints", lambda L: (2, -1, 0)),
    ("tensor_0d_int", lambda L: T(L, 1)),
    ("slice_step", lambda L: (slice(None, None, 2), slice(1, None, 3))),
    ("slice_neg", lambda L: (slice(-2, None), slice(None, -1))),
    ("slice_out_of_range", lambda L: (slice(-10, 10), slice(5, 9))),
    ("none_mid", lambda L: (slice(None), None, 1)),
    ("ellipsis_mid", lambda L: (0, Ellipsis, None, slice(1, None, 3))),
    ("ellipsis_twice", lambda L: (Ellipsis, 0, Ellipsis)),
    ("ellipsis_twice_full_slice", lambda L: (None, Ellipsis, Ellipsis, slice(None))),
    ("empty_result_unchecked", lambda L: (slice(5, None), [7])),
    ("ellipsis_only", lambda L: Ellipsis),
    ("true", lambda L: True),
    ("false", lambda L: False),
    ("bool_scalars_spread", lambda L: (None, True, Ellipsis, False)),
    ("tensor_0d_bool", lambda L: T(L, True)),
    ("int_tensor", lambda L: T(L, [2, 0, 2])),
    ("int_tensor_2d", lambda L: T(L, [[0, 1], [2, 1]])),
    ("int32_tensor", lambda L: T(L, [1, 0], L.int32)),
    ("int_tensor_empty", lambda L: T(L, [], L.int64)),
    ("list_nested_is_tuple", lambda L: [[0, 1], [1, 2]]),
    ("list_empty", lambda L: []),
    ("list_bool", lambda L: [True, False, True]),
    ("np_bool", lambda L: np.array([False, True, True])),
    ("two_tensors", lambda L: (T(L, [0, 2]), T(L, [1, 3]))),
    ("tensors_broadcast", lambda L: (T(L, [[0], [2]]), T(L, [1, 3, 0]))),
    ("separated", lambda L: (T(L, [0, 2]), slice(None), T(L, [1, 4]))),
    ("separated_by_none", lambda L: (T(L, [0, 2]), None, T(L, [1, 4]))),
    ("int_then_adv", lambda L: (1, slice(None), [0, 2])),
    ("adv_int_adv", lambda L: ([0, 1], 2, [3, 4])),
    ("ellipsis_adv", lambda L: (Ellipsis, [4, 0])),
    ("none_adv", lambda L: (None, [1, 2])),
    ("adv_true", lambda L: ([0, 1], True)),
    ("adv_slice_true", lambda L: ([0, 1], slice(None), True)),
    ("mask", lambda L: L.tensor(MASK_3D)),
    ("mask_leading", lambda L: L.tensor([True, False, True])),
    ("mask_2d", lambda L: L.tensor(MASK_2D)),
    ("mask_after_slice", lambda L: (slice(None), L.tensor([True, False, False, True]))),
    ("mask_after_int", lambda L: (1, L.tensor([False, True, True, True]), 0)),
    ("mask_and_adv", lambda L: (L.tensor([True, False, True]), slice(None), T(L, [0, 4]))),
    ("uint8_mask", lambda L: L.tensor([1, 0, 1], dtype=L.uint8)),
]


@pytest.mark.parametrize("index", [row[1] for row in GETITEM], ids=ids(GETITEM))
def test_getitem(index):
    same(lambda L, x: x[index(L)], arr(3, 4, 5))


@pytest.mark.parametrize("dtype", ["float64", "int64", "bool"])
@pytest.mark.parametrize("name", ["slice_step", "separated", "mask_2d"])
def test_getitem_dtypes(name, dtype):
    index = dict((row[0], row[1]) for row in GETITEM)[name]
    same(lambda L, x: x[index(L)], arr(3, 4, 5, dtype=dtype), grad=False)


def test_getitem_0d():
    for index in [(), Ellipsis, None, True, False, (None, Ellipsis, None)]:
        same(lambda L, x: x[index], np.array(2.5, np.float32))


def test_getitem_views_and_copies():
    """Basic indices view the input (``_base``), advanced ones copy, as in torch."""

    def run(L, x):
        y = x.detach()
        basic = [y[1], y[:, ::2], y[None, ..., 0], y[T(L, 1)], y[...], y[:]]
        advanced = [y[[0]], y[True], y[y > 0], y[:, T(L, [1])]]
        return [v._base is y for v in basic], [v._base is None for v in advanced]

    same(run, arr(3, 4))


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: x[1],
        lambda x: x[0, 1],
        lambda x: x[1:],
        lambda x: x[:, 1:],
        lambda x: x[None],
        lambda x: x[..., None],
        lambda x: x[...],
        lambda x: x[:],
        lambda x: x[::2],
        lambda x: x[[0, 1]],
        lambda x: x[True],
        lambda x: x[x > 0],
    ],
    ids=[
        "select",
        "select2",
        "slice",
        "slice_dim1",
        "none",
        "none_last",
        "ellipsis",
        "full",
        "step",
        "list",
        "true",
        "mask",
    ],
)
def test_getitem_grad_fn_name(fn):
    names = []
    for lib in (torch, jtorch):
        x = lib.ones(3, 4, requires_grad=True) * 1
        gf = fn(x).grad_fn
        names.append(type(gf).__name__ if lib is torch else gf.name())
    assert names[1] == names[0]


GETITEM_ERRORS = [
    ("int_oob", lambda L: 3),
    ("int_oob_neg", lambda L: -4),
    ("int_oob_dim1", lambda L: (0, 4)),
    ("tensor_0d_oob", lambda L: T(L, 5)),
    ("tensor_oob", lambda L: T(L, [0, 3])),
    ("tensor_oob_neg", lambda L: T(L, [-4])),
    ("tensor_oob_dim2", lambda L: (slice(None), slice(None), T(L, [5]))),
    ("list_oob", lambda L: [0, 7]),
    ("float_tensor", lambda L: T(L, [1.0])),
    ("int8_tensor", lambda L: T(L, [1], L.int8)),
    ("float", lambda L: 1.5),
    ("string", lambda L: "a"),
    ("too_many", lambda L: (0, 0, 0, 0)),
    ("past_second_ellipsis", lambda L: (Ellipsis, Ellipsis, None)),
    ("past_second_ellipsis_int", lambda L: (Ellipsis, Ellipsis, 0)),
    ("too_many_mask", lambda L: (0, L.ones(4, 5, 1, dtype=L.bool))),
    ("mask_shape", lambda L: L.tensor([True, False])),
    ("mask_shape_2d", lambda L: L.ones(3, 5, dtype=L.bool)),
    ("step_negative", lambda L: slice(None, None, -1)),
    ("step_zero", lambda L: slice(None, None, 0)),
    ("no_broadcast", lambda L: (T(L, [0, 1]), T(L, [0, 1, 2]))),
]


@pytest.mark.parametrize("index", [row[1] for row in GETITEM_ERRORS], ids=ids(GETITEM_ERRORS))
def test_getitem_errors(index):
    expected, _ = same(lambda L, x: x[index(L)], arr(3, 4, 5), grad=False)
    assert isinstance(expected, Exception)


# ---- x[index] = value ----------------------------------------------------------------------------
# (id, index(lib), value(lib, v) where v is a float tensor input that requires grad, v's shape)

SETITEM = [
    ("int_scalar", lambda L: 1, lambda L, v: 7.0, None),
    ("int_tensor_value", lambda L: 1, lambda L, v: v, (4, 5)),
    ("int_broadcast", lambda L: -1, lambda L, v: v, (5,)),
    ("leading_ones_value", lambda L: 0, lambda L, v: v, (1, 1, 5)),
    ("ints_0d_value", lambda L: (0, 1, 2), lambda L, v: v, ()),
    ("slice_step", lambda L: (slice(None, None, 2), slice(1, None, 2)), lambda L, v: v, (2, 2, 1)),
    ("column", lambda L: (slice(None), 1), lambda L, v: v, (3, 1)),
    ("none_ellipsis", lambda L: (None, Ellipsis, 0), lambda L, v: v, (4,)),
    ("ellipsis_all", lambda L: Ellipsis, lambda L, v: v, (5,)),
    ("full_slice", lambda L: slice(None), lambda L, v: 0.5, None),
    ("true", lambda L: True, lambda L, v: 2.0, None),
    ("false", lambda L: False, lambda L, v: v, (5,)),
    ("tensor_0d_int", lambda L: T(L, 2), lambda L, v: v, (4, 5)),
    ("int_tensor", lambda L: T(L, [2, 0]), lambda L, v: v, (2, 4, 5)),
    ("list", lambda L: [0, 2], lambda L, v: v, (5,)),
    ("two_tensors", lambda L: (T(L, [0, 2]), T(L, [1, 3])), lambda L, v: v, (2, 5)),
    ("separated", lambda L: (T(L, [0, 2]), slice(None), T(L, [1, 4])), lambda L, v: v, (2, 4)),
    ("int_then_adv", lambda L: (1, slice(None), [0, 2]), lambda L, v: v, (4, 2)),
    ("mask", lambda L: L.tensor(MASK_3D), lambda L, v: -1.0, None),
    ("mask_leading", lambda L: L.tensor([True, False, True]), lambda L, v: v, (4, 5)),
    (
        "mask_2d_values",
        lambda L: L.tensor([[True, False, True, False]] * 3),
        lambda L, v: v,
        (6, 5),
    ),
    (
        "mask_after_slice",
        lambda L: (slice(None), L.tensor([True, False, False, True])),
        lambda L, v: v,
        (3, 2, 5),
    ),
    ("cast_double_value", lambda L: 0, lambda L, v: v.double(), (4, 5)),
    ("cast_int_value", lambda L: 1, lambda L, v: L.tensor([1, 2, 3, 4, 5]), None),
]


@pytest.mark.parametrize("index,value,vshape", [row[1:] for row in SETITEM], ids=ids(SETITEM))
def test_setitem(index, value, vshape):
    def run(L, x, *v):
        y = x * 1
        view = y[1:]  # an older view sees the write, and its gradient follows it
        y[index(L)] = value(L, *v)
        return y, view, y._version

    inputs = [arr(3, 4, 5)] + ([] if vshape is None else [arr(*vshape)])
    same(run, *inputs)


@pytest.mark.parametrize("dtype", ["int64", "bool", "float64"])
@pytest.mark.parametrize(
    "index,value",
    [
        (lambda L: 1, lambda L: 1),
        (lambda L: (slice(None), 0), lambda L: 0.7),
        (lambda L: [2, 0], lambda L: True),
        (lambda L: L.tensor([True, False, True]), lambda L: L.tensor(2.9)),
    ],
    ids=["int", "float_into", "bool_into", "mask_tensor"],
)
def test_setitem_dtypes(index, value, dtype):
    def run(L, x):
        x[index(L)] = value(L)
        return x

    same(run, arr(3, 4, dtype=dtype))


def test_setitem_into_view_of_leaf_copy():
    def run(L, x, v):
        y = x.clone()
        y[0][1:3] = v
        y.t()[1, 2] = v[0] * 2
        return y

    same(run, arr(3, 4), arr(2))


def test_setitem_value_requires_grad_into_plain_tensor():
    def run(L, v):
        y = L.zeros(3, 4)
        y[1] = v
        y[:, 3] = v[:3] * 2
        y[[0, 2], [0, 1]] = v[2:]
        return y, y.requires_grad, y.is_leaf

    same(run, arr(4))


def test_setitem_leaf_raises():
    same(lambda L, x: x.__setitem__(0, 1.0), arr(2, 3))
    same(lambda L, x: x.__setitem__([0], 1.0), arr(2, 3))


def test_setitem_under_no_grad_on_leaf():
    def run(L, x):
        with L.no_grad():
            x[0] = 0.0
            x[[1]] = 2.0
        return x * x, x._version

    same(run, arr(2, 3))


SETITEM_ERRORS = [
    ("oob", lambda L, x: x.__setitem__(3, 1.0)),
    ("tensor_oob", lambda L, x: x.__setitem__(T(L, [5]), 1.0)),
    ("value_shape", lambda L, x: x.__setitem__(0, L.ones(3))),
    ("value_more_dims", lambda L, x: x.__setitem__(0, L.ones(2, 4, 5))),
    ("mask_value_shape", lambda L, x: x.__setitem__(x > 0, L.ones(1000))),
    ("adv_value_shape", lambda L, x: x.__setitem__(([0, 1], slice(None), [1, 2]), L.ones(4, 2))),
    ("list_value", lambda L, x: x.__setitem__(0, [1.0, 2.0])),
    ("numpy_value", lambda L, x: x.__setitem__(0, np.ones(5))),
    ("none_value", lambda L, x: x.__setitem__(0, None)),
    ("string_value", lambda L, x: x.__setitem__(0, "a")),
    ("float_index", lambda L, x: x.__setitem__(T(L, [0.0]), 1.0)),
    ("step_negative", lambda L, x: x.__setitem__(slice(None, None, -1), 1.0)),
    (
        "expanded_tensor",
        lambda L, x: x[:1].expand(3, 4, 5).__setitem__(slice(None), L.ones(3, 4, 5)),
    ),
    (
        "expanded_column",
        lambda L, x: (
            x[:, :1].expand(3, 4, 5).__setitem__((slice(None), slice(None), 0), L.ones(3, 4))
        ),
    ),
]


@pytest.mark.parametrize("fn", [row[1] for row in SETITEM_ERRORS], ids=ids(SETITEM_ERRORS))
def test_setitem_errors(fn):
    expected, _ = same(fn, arr(3, 4, 5), grad=False)
    assert isinstance(expected, Exception)


def test_setitem_expanded_row_ok():
    """Writing a piece of an expanded view with no repeated element is allowed, as in torch."""

    def run(L, x):
        e = x[:1].expand(3, 5)
        e[0] = L.arange(5.0)
        e[1, 2] = -1.0
        return x

    same(run, arr(2, 5), grad=False)


# ---- index_put --------------------------------------------------------------------------------------

INDEX_PUT = [
    ("set", lambda L, x, v: L.index_put(x, (T(L, [0, 2]),), v), (2, 4)),
    (
        "accumulate_dups",
        lambda L, x, v: x.index_put((T(L, [0, 0, 1]), T(L, [1, 1, 3])), v, accumulate=True),
        (3,),
    ),
    ("accumulate_broadcast", lambda L, x, v: x.index_put([T(L, [1, 1])], v, True), (4,)),
    ("mask", lambda L, x, v: x.index_put((x > 0,), v[0]), (1,)),
    ("scalar_value", lambda L, x, v: x.index_put((T(L, [2]), T(L, [3])), v), ()),
]


@pytest.mark.parametrize("fn,vshape", [row[1:] for row in INDEX_PUT], ids=ids(INDEX_PUT))
def test_index_put(fn, vshape):
    same(fn, arr(3, 4), arr(*vshape))


def test_index_put_inplace():
    def run(L, x, v):
        y = x * 1
        r = y.index_put_((T(L, [0, 0]), T(L, [1, 1])), v, accumulate=True)
        r2 = L.index_put_(y, (T(L, [2]),), v[0])
        return y, r is y, r2 is y, y._version

    same(run, arr(3, 4), arr(2))


INDEX_PUT_ERRORS = [
    ("oob", lambda L, x: x.index_put((T(L, [5]),), L.tensor(1.0))),
    ("dtype", lambda L, x: x.index_put((T(L, [0]),), L.tensor(1))),
    ("shape", lambda L, x: x.index_put((T(L, [0]),), L.ones(2))),
    ("none_index", lambda L, x: x.index_put((T(L, [0]), None), L.tensor(1.0))),
    ("float_index", lambda L, x: x.index_put((L.tensor([0.0]),), L.tensor(1.0))),
    ("too_many", lambda L, x: x.index_put((T(L, [0]),) * 3, L.tensor(1.0))),
]


@pytest.mark.parametrize("fn", [row[1] for row in INDEX_PUT_ERRORS], ids=ids(INDEX_PUT_ERRORS))
def test_index_put_errors(fn):
    expected, _ = same(fn, arr(3, 4), grad=False)
    assert isinstance(expected, Exception)


# ---- gather / scatter / index_* / masked / take / put --------------------------------------------------
# (id, fn(lib, x, *more), inputs besides x). x is a (3, 4) float input.

IDX = np.array([[0, 3, 1], [2, 2, 0]])

OPS = [
    ("gather", lambda L, x: x.gather(1, T(L, IDX)), []),
    ("gather_neg_dim", lambda L, x: L.gather(x, -1, T(L, [[1], [0], [3]]), sparse_grad=False), []),
    ("gather_int32", lambda L, x: x.gather(1, T(L, [[1, 0]], L.int32)), []),
    ("gather_empty", lambda L, x: x.gather(1, L.zeros(3, 0, dtype=L.int64)), []),
    ("gather_0d", lambda L, x: x[0, 0].gather(0, T(L, [0, 0])), []),
    ("scatter_src", lambda L, x, s: x.scatter(1, T(L, [[0, 3], [1, 2]]), s), [(2, 2)]),
    ("scatter_src_bigger", lambda L, x, s: x.scatter(0, T(L, [[2, 0]]), s[:1, :2]), [(2, 3)]),
    ("scatter_value", lambda L, x: L.scatter(x, 0, T(L, [[2, 0, 1, 0]]), 7.5), []),
    (
        "scatter_add_reduce",
        lambda L, x, s: x.scatter(1, T(L, [[0, 0], [1, 1]]), s, reduce="add"),
        [(2, 2)],
    ),
    ("scatter_mul_reduce", lambda L, x: x.scatter(0, T(L, [[1, 1]]), 3.0, reduce="multiply"), []),
    ("scatter_add", lambda L, x, s: x.scatter_add(1, T(L, [[0, 0, 3], [1, 1, 1]]), s), [(2, 3)]),
    (
        "scatter_reduce_prod",
        lambda L, x, s: x.scatter_reduce(0, T(L, [[1, 1, 0, 2]]), s, "prod"),
        [(1, 4)],
    ),
    (
        "scatter_reduce_mean",
        lambda L, x, s: L.scatter_reduce(x, 1, T(L, [[0, 0, 0], [2, 1, 2]]), s, "mean"),
        [(2, 3)],
    ),
    (
        "scatter_reduce_mean_excl",
        lambda L, x, s: x.scatter_reduce(
            1, T(L, [[0, 0, 0], [2, 1, 2]]), s, "mean", include_self=False
        ),
        [(2, 3)],
    ),
    (
        "scatter_reduce_amax",
        lambda L, x, s: x.scatter_reduce(1, T(L, [[1, 1, 2]]), s, "amax"),
        [(1, 3)],
    ),
    (
        "scatter_reduce_amin_excl",
        lambda L, x, s: x.scatter_reduce(1, T(L, [[1, 3, 1]]), s, "amin", include_self=False),
        [(1, 3)],
    ),
    ("index_select", lambda L, x: x.index_select(1, T(L, [3, 0, 0])), []),
    ("index_select_0d_index", lambda L, x: x.index_select(-1, T(L, 2)), []),
    ("index_select_empty", lambda L, x: x.index_select(0, L.zeros(0, dtype=L.int64)), []),
    ("index_add", lambda L, x, s: x.index_add(0, T(L, [2, 0, 2]), s), [(3, 4)]),
    ("index_add_alpha", lambda L, x, s: L.index_add(x, 1, T(L, [1, 3]), s, alpha=-2), [(3, 2)]),
    ("index_fill", lambda L, x: x.index_fill(1, T(L, [0, 2]), -1.0), []),
    ("index_fill_tensor", lambda L, x, v: x.index_fill(1, T(L, [3]), v), [()]),
    ("index_copy", lambda L, x, s: x.index_copy(1, T(L, [3, 0]), s), [(3, 2)]),
    ("masked_fill", lambda L, x: x.masked_fill(x > 0, 0.0), []),
    (
        "masked_fill_broadcast",
        lambda L, x: L.masked_fill(x, L.tensor([True, False, True, False]), -2),
        [],
    ),
    ("masked_select", lambda L, x: x.masked_select(x > 0), []),
    (
        "masked_select_broadcast",
        lambda L, x: L.masked_select(x, L.tensor([[True], [False], [True]])),
        [],
    ),
    (
        "masked_select_mask_bigger",
        lambda L, x: x[0].masked_select(L.tensor([[True, False, True, True]] * 2)),
        [],
    ),
    ("masked_scatter", lambda L, x, s: x.masked_scatter(x > 0, s), [(12,)]),
    (
        "masked_scatter_broadcast",
        lambda L, x, s: L.masked_scatter(x, L.tensor([False, True, True, False]), s),
        [(2, 4)],
    ),
    ("take", lambda L, x: x.take(T(L, [[0, 11], [-1, 5]])), []),
    ("take_along_dim", lambda L, x: x.take_along_dim(T(L, [[0], [3], [1]]), 1), []),
    ("take_along_dim_broadcast", lambda L, x: L.take_along_dim(x, T(L, [[0, 2]]), dim=0), []),
    ("take_along_dim_argsort", lambda L, x: x.take_along_dim(x.argsort(1), 1), []),
    ("put", lambda L, x, s: x.put(T(L, [0, 11, -2]), s), [(3,)]),
    ("put_accumulate", lambda L, x, s: x.put(T(L, [[1], [1]]), s, accumulate=True), [(2,)]),
]


# torch has no gradient for scatter with ``reduce=``
NO_GRAD = {"scatter_add_reduce", "scatter_mul_reduce", "scatter_reduce_"}


@pytest.mark.parametrize("name,fn,more", OPS, ids=ids(OPS))
def test_ops(name, fn, more):
    same(fn, arr(3, 4), *[arr(*s) for s in more], grad=name not in NO_GRAD)


OPS_DTYPES = [
    "gather",
    "scatter_add",
    "scatter_reduce_amax",
    "index_add",
    "index_copy",
    "masked_scatter",
    "take_along_dim",
    "put_accumulate",
]


@pytest.mark.parametrize("dtype", ["float64", "int64"])
@pytest.mark.parametrize("name", OPS_DTYPES)
def test_ops_dtypes(name, dtype):
    fn, more = dict((row[0], row[1:]) for row in OPS)[name]
    same(fn, arr(3, 4, dtype=dtype), *[arr(*s, dtype=dtype) for s in more], grad=False)


@pytest.mark.parametrize(
    "fn",
    [
        lambda L, x: L.masked_fill(x, x > 0, 2.5),
        lambda L, x: x.index_fill(0, T(L, [1]), 2.5),
        lambda L, x: L.scatter(x, 0, T(L, [[1, 0]]), 2.5),
        lambda L, x: x.masked_fill(x > 0, L.tensor(2.5)),
        lambda L, x: x.masked_fill(L.tensor([True, False, True, False]), True),
    ],
    ids=["masked_fill", "index_fill", "scatter", "masked_fill_tensor", "masked_fill_bool"],
)
@pytest.mark.parametrize("dtype", ["int64", "bool", "float64"])
def test_fill_value_cast(fn, dtype):
    same(fn, arr(3, 4, dtype=dtype))


# in-place variants: (id, fn(lib, y, *more)) applied to a non-leaf y; y, the result's identity and
# y's version are compared, and gradients flow to x and the extra inputs.
INPLACE = [
    ("scatter_", lambda L, y, s: y.scatter_(1, T(L, [[0, 3], [1, 2]]), s), [(2, 2)]),
    ("scatter_value_", lambda L, y: y.scatter_(0, T(L, [[2, 0]]), 1.0), []),
    ("scatter_reduce_", lambda L, y: y.scatter_(0, T(L, [[2, 0]]), 2.0, reduce="multiply"), []),
    ("scatter_add_", lambda L, y, s: y.scatter_add_(1, T(L, [[0, 0]]), s), [(1, 2)]),
    (
        "scatter_reduce_amax_",
        lambda L, y, s: y.scatter_reduce_(1, T(L, [[0, 0]]), s, "amax"),
        [(1, 2)],
    ),
    ("index_add_", lambda L, y, s: y.index_add_(0, T(L, [1, 1]), s, alpha=3), [(2, 4)]),
    ("index_fill_", lambda L, y: y.index_fill_(1, T(L, [0]), 5.0), []),
    ("index_copy_", lambda L, y, s: y.index_copy_(0, T(L, [2, 0]), s), [(2, 4)]),
    ("masked_fill_", lambda L, y: y.masked_fill_(y > 0, 0.5), []),
    ("masked_scatter_", lambda L, y, s: y.masked_scatter_(y < 0, s), [(12,)]),
    ("put_", lambda L, y, s: y.put_(T(L, [1, 5]), s), [(2,)]),
    ("put_accumulate_", lambda L, y, s: y.put_(T(L, [1, 1]), s, accumulate=True), [(2,)]),
]


@pytest.mark.parametrize("name,fn,more", INPLACE, ids=ids(INPLACE))
def test_inplace(name, fn, more):
    def run(L, x, *m):
        y = x * 1
        view = y[1]
        r = fn(L, y, *m)
        return y, view, r is y, y._version

    same(run, arr(3, 4), *[arr(*s) for s in more], grad=name not in NO_GRAD)


@pytest.mark.parametrize("fn,more", [row[1:] for row in INPLACE], ids=ids(INPLACE))
def test_inplace_on_leaf_raises(fn, more):
    expected, _ = same(fn, arr(3, 4), *[arr(*s) for s in more])
    assert isinstance(expected, RuntimeError)


@pytest.mark.parametrize("name,fn,more", INPLACE, ids=ids(INPLACE))
def test_inplace_through_view(name, fn, more):
    def run(L, x, *m):
        y = x * 1
        fn(L, y.t().t()[:, :], *m)
        return y

    same(run, arr(3, 4), *[arr(*s) for s in more], grad=name not in NO_GRAD)


OUT = [
    ("gather", lambda L, x, o: L.gather(x, 1, T(L, [[0], [1], [2]]), out=o), (3, 1)),
    ("index_select", lambda L, x, o: L.index_select(x, 1, T(L, [0, 1]), out=o), (3, 2)),
    ("masked_select", lambda L, x, o: L.masked_select(x, x > 0, out=o), (0,)),
    ("take", lambda L, x, o: L.take(x, T(L, [0, 1]), out=o), (2,)),
    ("take_along_dim", lambda L, x, o: L.take_along_dim(x, T(L, [[0]]), 1, out=o), (3, 1)),
    ("scatter", lambda L, x, o: L.scatter(x, 1, T(L, [[0]]), 1.0, out=o), (3, 4)),
    ("scatter_add", lambda L, x, o: L.scatter_add(x, 1, T(L, [[0]]), x, out=o), (3, 4)),
    ("index_add", lambda L, x, o: L.index_add(x, 1, T(L, [0]), x[:, :1], out=o), (3, 4)),
]


@pytest.mark.parametrize("fn,oshape", [row[1:] for row in OUT], ids=ids(OUT))
def test_out(fn, oshape):
    same(lambda L, x, o: (fn(L, x, o), o), arr(3, 4), arr(*oshape), grad=False)


ERRORS = [
    ("gather_oob", lambda L, x: x.gather(1, T(L, [[4]]))),
    ("gather_neg", lambda L, x: x.gather(1, T(L, [[-1]]))),
    ("gather_ndim", lambda L, x: x.gather(1, T(L, [0]))),
    ("gather_size", lambda L, x: x.gather(0, T(L, [[0, 1, 2, 3, 0]]))),
    ("gather_float", lambda L, x: x.gather(1, L.tensor([[0.0]]))),
    ("gather_dim", lambda L, x: x.gather(2, T(L, [[0]]))),
    ("scatter_oob", lambda L, x: x.scatter(1, T(L, [[4]]), 1.0)),
    ("scatter_neg", lambda L, x: x.scatter(1, T(L, [[-1]]), 1.0)),
    ("scatter_src_small", lambda L, x: x.scatter(1, T(L, [[0, 1], [1, 0]]), L.ones(1, 1))),
    ("scatter_src_dtype", lambda L, x: x.scatter(1, T(L, [[0]]), L.ones(1, 1, dtype=L.float64))),
    ("scatter_ndim", lambda L, x: x.scatter(1, T(L, [0]), 1.0)),
    ("scatter_src_ndim", lambda L, x: x.scatter(1, T(L, [[0]]), L.tensor(2.0))),
    ("scatter_reduce_arg", lambda L, x: x.scatter(1, T(L, [[0]]), L.ones(1, 1), reduce="mean")),
    ("scatter_float_index", lambda L, x: x.scatter(1, L.tensor([[0.0]]), 1.0)),
    ("scatter_add_oob", lambda L, x: x.scatter_add(0, T(L, [[3]]), L.ones(1, 1))),
    ("scatter_reduce_bad", lambda L, x: x.scatter_reduce(1, T(L, [[0]]), L.ones(1, 1), "foo")),
    (
        "scatter_reduce_dtype",
        lambda L, x: x.scatter_reduce(1, T(L, [[0]]), L.ones(1, 1).double(), "sum"),
    ),
    ("index_select_oob", lambda L, x: x.index_select(1, T(L, [4]))),
    ("index_select_neg", lambda L, x: x.index_select(1, T(L, [-1]))),
    ("index_select_2d", lambda L, x: x.index_select(1, T(L, [[0]]))),
    ("index_select_float", lambda L, x: x.index_select(1, L.tensor([0.0]))),
    ("index_add_oob", lambda L, x: x.index_add(0, T(L, [3]), L.ones(1, 4))),
    ("index_add_count", lambda L, x: x.index_add(0, T(L, [0, 0]), L.ones(3, 4))),
    ("index_add_shape", lambda L, x: x.index_add(0, T(L, [0, 0]), L.ones(2, 3))),
    ("index_add_dtype", lambda L, x: x.index_add(0, T(L, [0]), L.ones(1, 4, dtype=L.int64))),
    ("index_fill_oob", lambda L, x: x.index_fill(0, T(L, [3]), 1.0)),
    ("index_fill_value_dim", lambda L, x: x.index_fill(0, T(L, [0]), L.ones(1))),
    ("index_copy_oob", lambda L, x: x.index_copy(0, T(L, [3]), L.ones(1, 4))),
    ("index_copy_neg", lambda L, x: x.index_copy(0, T(L, [-1]), L.ones(1, 4))),
    ("index_copy_count", lambda L, x: x.index_copy(1, T(L, [0, 2]), L.ones(3, 3))),
    ("index_copy_dtype", lambda L, x: x.index_copy(0, T(L, [0]), L.ones(1, 4).double())),
    ("masked_fill_int_mask", lambda L, x: x.masked_fill(T(L, [1, 0, 1, 0]), 2.0)),
    ("masked_fill_value_dim", lambda L, x: x.masked_fill(x > 0, L.ones(1))),
    ("masked_fill_broadcast", lambda L, x: x.masked_fill(L.ones(3, dtype=L.bool), 1.0)),
    (
        "masked_fill_inplace_grows",
        lambda L, x: x.clone().masked_fill_(L.ones(2, 3, 4, dtype=L.bool), 1.0),
    ),
    ("masked_select_int_mask", lambda L, x: x.masked_select(T(L, [1, 0, 1, 0]))),
    ("masked_scatter_short", lambda L, x: x.masked_scatter(x > -100, L.ones(3))),
    ("masked_scatter_dtype", lambda L, x: x.masked_scatter(x > 0, L.ones(12, dtype=L.int64))),
    ("masked_scatter_int_mask", lambda L, x: x.masked_scatter(T(L, [1, 0, 1, 0]), L.ones(12))),
    ("take_oob", lambda L, x: x.take(T(L, [12]))),
    ("take_neg_oob", lambda L, x: x.take(T(L, [-13]))),
    ("take_float", lambda L, x: x.take(L.tensor([0.0]))),
    ("take_along_dim_ndim", lambda L, x: x.take_along_dim(T(L, [0]), 1)),
    ("take_along_dim_float", lambda L, x: x.take_along_dim(L.tensor([[0.0]]), 1)),
    ("take_along_dim_broadcast", lambda L, x: x.take_along_dim(L.zeros(2, 1, dtype=L.int64), 1)),
    ("put_oob", lambda L, x: x.clone().put_(T(L, [12]), L.ones(1))),
    ("put_count", lambda L, x: x.clone().put_(T(L, [1, 2]), L.ones(1))),
]


@pytest.mark.parametrize("fn", [row[1] for row in ERRORS], ids=ids(ERRORS))
def test_errors(fn):
    expected, _ = same(fn, arr(3, 4), grad=False)
    assert isinstance(expected, Exception)


# ---- nonzero / argwhere ---------------------------------------------------------------------------------

NONZERO = [
    ("nonzero", lambda L, x: x.nonzero()),
    ("nonzero_fn", lambda L, x: L.nonzero(x > 0)),
    ("as_tuple", lambda L, x: L.nonzero(x, as_tuple=True)),
    ("as_tuple_method", lambda L, x: (x > 0).nonzero(as_tuple=True)),
    ("argwhere", lambda L, x: L.argwhere(x > 0)),
    ("argwhere_method", lambda L, x: x.argwhere()),
]


@pytest.mark.parametrize("fn", [row[1] for row in NONZERO], ids=ids(NONZERO))
@pytest.mark.parametrize("shape", [(3, 4), (5,), (), (0, 2)], ids=str)
@pytest.mark.parametrize("dtype", ["float32", "int64", "bool"])
def test_nonzero(fn, shape, dtype):
    x = arr(*shape, dtype=dtype)
    if dtype != "bool" and x.size:
        x.reshape(-1)[::2] = 0
    same(fn, x, grad=False)


def test_nonzero_0d():
    for v in (0.0, 3.0):
        same(
            lambda L, x: (x.nonzero(), L.nonzero(x, as_tuple=True), L.argwhere(x)),
            np.array(v),
            grad=False,
        )


def test_nonzero_out():
    same(lambda L, x, o: (L.nonzero(x, out=o), o), arr(3, 4), np.zeros((0,), np.int64), grad=False)
