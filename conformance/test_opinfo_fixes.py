"""Hand tests for op_db fixes in the pointwise/selection/reduction/creation families: what op_db
reaches only incidentally (errors, bool scatters, in-place resizes, the new creation functions).
Expected values come from real torch via ``_compare.same``."""

import numpy as np
import pytest

import jtorch
from conformance._compare import same

rng = np.random.default_rng(0)
X = rng.standard_normal((4, 3)).astype(np.float32)
B = np.array([True, False, True, False])
IDX = np.array([0, 0, 2, 1])


# Two Python numbers: torch has no (Number, Number) overload for these (TypeError).
@pytest.mark.parametrize(
    "name",
    ["bitwise_and", "bitwise_or", "bitwise_left_shift", "pow", "float_power", "remainder", "xlogy"],
)
def test_two_numbers_rejected(name):
    same(lambda lib: getattr(lib, name)(2, 3))


@pytest.mark.parametrize("name", ["pow", "remainder", "bitwise_xor", "xlogy"])
def test_number_then_tensor_allowed(name):
    same(lambda lib, y: getattr(lib, name)(2, y), np.array([1, 2, 3]))


BAD = [
    ("max of two numbers", lambda lib, x: lib.max(2, 3)),
    ("roll of a 0-d tensor along dim 0", lambda lib, x: lib.roll(x[0, 0], 0, 0)),
    ("masked_fill with a complex value", lambda lib, x: x.masked_fill(x > 0, 1j)),
    ("masked_fill overflow", lambda lib, x: x.to(lib.uint8).masked_fill(x > 0, 300)),
    ("clamp_min of bool by a number", lambda lib, x: lib.clamp_min(x > 0, True)),
    ("clamp of bool by numbers", lambda lib, x: lib.clamp(x > 0, True, True)),
    ("sum_to_size not expandable", lambda lib, x: x.sum_to_size(2)),
    ("empty_strided lengths", lambda lib, x: lib.empty_strided((2, 3), (1,))),
    ("empty_permuted duplicate", lambda lib, x: lib.empty_permuted((2, 3), (0, 0))),
    ("gather int16 index", lambda lib, x: lib.gather(x, 0, lib.zeros(1, 3, dtype=lib.int16))),
]


@pytest.mark.parametrize("case", BAD, ids=[c[0] for c in BAD])
def test_errors(case):
    expected, _ = same(case[1], X, grad=False)
    assert isinstance(expected, Exception)


CASES = [
    ("clamp_min bool by tensor", lambda lib, b: lib.clamp_min(b, b.flip(0))),
    ("clamp_max bool by tensor", lambda lib, b: lib.clamp_max(b, b.flip(0))),
    ("scatter add bool", lambda lib, b, i: lib.scatter(b, 0, i, b.flip(0), reduce="add")),
    ("scatter_add bool", lambda lib, b, i: lib.scatter_add(b, 0, i, b.flip(0))),
    ("scatter_reduce amax bool", lambda lib, b, i: b.scatter_reduce(0, i, b, "amax", include_self=False)),
    ("scatter_reduce amin bool", lambda lib, b, i: b.scatter_reduce(0, i, b.flip(0), "amin")),
    ("scatter_reduce prod bool", lambda lib, b, i: b.scatter_reduce(0, i, b.flip(0), "prod")),
    ("put accumulate bool", lambda lib, b, i: b.put(i, b.flip(0), accumulate=True)),
    ("index_put accumulate bool", lambda lib, b, i: b.index_put((i,), b.flip(0), accumulate=True)),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bool_scatters(case):
    fn = case[1]
    same(fn, B, IDX) if fn.__code__.co_argcount == 3 else same(fn, B)


def test_empty_index_gather_and_scatter():
    empty = np.zeros((0, 3), np.uint8)
    same(lambda lib, x, i: lib.gather(x, 0, i), X, empty)
    same(lambda lib, x, i: lib.scatter(x, 0, i.long().int(), 2.0), X, np.zeros((1, 3), np.int64))


@pytest.mark.parametrize("size", [(1, 3), (3,), (4, 1), (4, 3), ((),), ()])
def test_sum_to_size(size):
    same(lambda lib, x: x.sum_to_size(*size), X)
    same(lambda lib, x: (x > 0).sum_to_size(*size), X, grad=False)


def test_sum_to_size_same_shape_is_self():
    x = jtorch.ones(2, 3)
    assert x.sum_to_size(2, 3) is x


def test_zero_function():
    def fn(lib, x):
        y = x * 1
        return lib.zero_(y), y

    same(fn, X)


# (Not a shape such as (4, 1): torch then reads the grown storage's uninitialized memory.)
@pytest.mark.parametrize("shape", [(1,), (3,), ()])
def test_addbmm_inplace_resizes_self(shape):
    b1, b2 = rng.standard_normal((2, 4, 5)), rng.standard_normal((2, 5, 3))
    same(lambda lib, x, a, b: x.clone().addbmm_(a, b), rng.standard_normal(shape), b1, b2)


def test_new_creation_functions():
    same(lambda lib: lib.empty_strided((2, 3), (3, 1)).shape)
    same(lambda lib: lib.empty_permuted((2, 3, 4), (2, 0, 1), dtype=lib.float64).dtype)
    same(lambda lib, x: x.new_empty_strided((2, 2), (2, 1)).dtype, X)


def test_static_bool_and_int_arguments_do_not_share_a_compiled_trace():
    # True == 1 and hash(True) == hash(1): jit cache keys must keep them apart (x.std(1) then
    # x.std(True) once returned the dim-1 result for the second call).
    x = np.arange(10.0).reshape(2, 5)
    same(lambda lib, x: (x.std(1), x.std(True), x.var(0), x.var(False)), x)


@pytest.mark.parametrize(
    "case",
    [
        lambda L, x: L.add(x, 1, out=x),  # elementwise, out is exactly the input: allowed
        lambda L, x: L.mul(x[:4], 2, out=x[2:6]),  # partial overlap: refused
        lambda L, x: L.cat([x[:3], x[3:6]], out=x[:6]),  # cat: any overlap refused
        lambda L, x: L.take(x, L.tensor([0, 1]), out=x[:2]),
        lambda L, x: L.add(x[:3], 1, out=x.new_zeros(1).expand(3)),  # expanded out: refused
        lambda L, x: L.add(x[:3], 1, out=x[3:6]),  # same storage, disjoint elements: allowed
    ],
)
def test_out_overlapping_an_input(case):
    def fn(L, x):
        x = x.clone()
        return case(L, x), x

    same(fn, np.arange(8.0), grad=False)
