"""Matrix products against real torch: speaks about jtorch/_ops/linalg.py.

matmul over every pair of ranks 1-4 with broadcasting, grad_fn names, mm/bmm/mv/dot/vdot/
inner/outer/ger/einsum and the addmm family (beta=0 ignoring nan and inf), in-place and out=
variants, errors with torch's messages, and gradients of everything differentiable.
"""

import numpy as np
import pytest

from conformance._compare import same

rng = np.random.default_rng(0)


def arr(*shape, dtype="float32"):
    if dtype == "bool":
        return rng.random(shape) > 0.5
    if dtype.startswith("int"):
        return rng.integers(-3, 4, shape).astype(dtype)
    if dtype.startswith("complex"):
        return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def lhs(rank, n=3, k=4):
    return {1: (k,), 2: (n, k), 3: (2, n, k), 4: (3, 2, n, k)}[rank]


def rhs(rank, k=4, m=5):
    return {1: (k,), 2: (k, m), 3: (2, k, m), 4: (3, 2, k, m)}[rank]


RANKS = [(a, b) for a in range(1, 5) for b in range(1, 5)]


# ---- matmul ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("ranks", RANKS, ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_matmul_ranks(ranks, dtype):
    a, b = arr(*lhs(ranks[0]), dtype=dtype), arr(*rhs(ranks[1]), dtype=dtype)
    same(lambda lib, x, y: (lib.matmul(x, y), x @ y, x.matmul(y)), a, b)


@pytest.mark.parametrize("ranks", RANKS, ids=str)
@pytest.mark.parametrize("grads", ["both", "first", "second"])
def test_matmul_grad_fn_names(ranks, grads):
    a, b = arr(*lhs(ranks[0])), arr(*rhs(ranks[1]))
    rg = {"both": [True, True], "first": [True, False], "second": [False, True]}[grads]

    def f(lib, x, y):
        r = x @ y
        return r.grad_fn.name(), repr(r).split("grad_fn=")[1]

    same(f, a, b, requires_grad=rg)


BROADCAST = [
    ((2, 1, 3, 4), (5, 4, 2)),
    ((1, 3, 4), (2, 4, 5)),
    ((3, 1, 2, 4), (1, 5, 4, 3)),
    ((4,), (3, 2, 4, 5)),
    ((3, 2, 3, 4), (4,)),
    ((0, 3), (3, 4)),
    ((2, 0), (0, 4)),
    ((2, 0, 3), (3, 5)),
    ((0,), (0,)),
]


@pytest.mark.parametrize("shapes", BROADCAST, ids=str)
def test_matmul_broadcasting_and_empty(shapes):
    same(lambda lib, x, y: x @ y, arr(*shapes[0]), arr(*shapes[1]))


@pytest.mark.parametrize(
    "dtype", ["int64", "int32", "float16", "bfloat16", "complex64", "complex128"]
)
@pytest.mark.parametrize("ranks", [(1, 1), (2, 1), (1, 2), (2, 2), (3, 3), (3, 2)], ids=str)
def test_matmul_dtypes(dtype, ranks):
    a, b = arr(*lhs(ranks[0]), dtype="float32"), arr(*rhs(ranks[1]), dtype="float32")
    tol = {"float16": 1e-2, "bfloat16": 5e-2}.get(dtype)

    def f(lib, x, y):
        d = getattr(lib, dtype)
        if dtype.startswith("int"):
            x, y = (x * 3).to(d), (y * 3).to(d)
        return x.to(d) @ y.to(d)

    same(f, a, b, rtol=tol, atol=tol, grad=dtype.startswith("int"))


MATMUL_ERRORS = [
    ((), (3,)),
    ((3,), ()),
    *[(lhs(a), {1: (6,), 2: (6, 5), 3: (2, 6, 5), 4: (3, 2, 6, 5)}[b]) for a, b in RANKS],
    ((2, 3, 4), (3, 4, 5)),
    ((2, 3, 4), (4, 6, 5)),
]


@pytest.mark.parametrize("shapes", MATMUL_ERRORS, ids=str)
def test_matmul_shape_errors(shapes):
    e, je = same(lambda lib, x, y: x @ y, arr(*shapes[0]), arr(*shapes[1]))
    assert str(je).split("\n")[0] == str(e)


@pytest.mark.parametrize("ranks", RANKS, ids=str)
def test_matmul_dtype_errors(ranks):
    a, b = arr(*lhs(ranks[0])), arr(*rhs(ranks[1]), dtype="float64")
    e, je = same(lambda lib, x, y: x @ y, a, b)
    assert str(je).split("\n")[0] == str(e)


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.matmul(lib.ones(2, 2, dtype=lib.bool), lib.ones(2, 2, dtype=lib.bool)),
        lambda lib: lib.mv(lib.ones(2, 2, dtype=lib.bool), lib.ones(2, dtype=lib.bool)),
        lambda lib: lib.dot(lib.ones(2, dtype=lib.bool), lib.ones(2, dtype=lib.bool)),
        lambda lib: lib.vdot(lib.ones(2, dtype=lib.bool), lib.ones(2, dtype=lib.bool)),
        lambda lib: lib.matmul(lib.ones(2, 3), 2),
        lambda lib: lib.ones(2, 3) @ [[1.0], [2.0], [3.0]],
        lambda lib: lib.mm(lib.ones(2, 3), lib.ones(3, 4), out=lib.empty(0)),
        lambda lib: lib.matmul(lib.ones(2, 3), lib.ones(3), out=lib.empty(5)),
    ],
)
def test_matmul_other_calls(call):
    same(call)


# ---- mm, bmm, mv, dot, vdot, inner, outer -----------------------------------------------------------------

PRODUCTS = {
    "mm": (lambda lib, x, y: lib.mm(x, y), (3, 4), (4, 5)),
    "mm_method": (lambda lib, x, y: x.mm(y), (3, 4), (4, 5)),
    "mm_empty": (lambda lib, x, y: lib.mm(x, y), (3, 0), (0, 5)),
    "bmm": (lambda lib, x, y: lib.bmm(x, y), (2, 3, 4), (2, 4, 5)),
    "bmm_method": (lambda lib, x, y: x.bmm(y), (2, 3, 4), (2, 4, 5)),
    "mv": (lambda lib, x, y: lib.mv(x, y), (3, 4), (4,)),
    "mv_method": (lambda lib, x, y: x.mv(y), (3, 4), (4,)),
    "dot": (lambda lib, x, y: lib.dot(x, y), (4,), (4,)),
    "dot_method": (lambda lib, x, y: x.dot(y), (4,), (4,)),
    "vdot": (lambda lib, x, y: lib.vdot(x, y), (4,), (4,)),
    "inner_1d": (lambda lib, x, y: lib.inner(x, y), (4,), (4,)),
    "inner_nd": (lambda lib, x, y: lib.inner(x, y), (3, 4), (2, 3, 4)),
    "inner_method": (lambda lib, x, y: x.inner(y), (2, 4), (4,)),
    "inner_zero_dim": (lambda lib, x, y: lib.inner(x, y), (), (2, 3)),
    "outer": (lambda lib, x, y: lib.outer(x, y), (3,), (4,)),
    "outer_method": (lambda lib, x, y: x.outer(y), (3,), (4,)),
    "ger": (lambda lib, x, y: lib.ger(x, y), (3,), (4,)),
    "ger_method": (lambda lib, x, y: x.ger(y), (3,), (4,)),
}


@pytest.mark.parametrize("name", PRODUCTS)
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "complex64"])
def test_products(name, dtype):
    fn, sa, sb = PRODUCTS[name]

    def f(lib, x, y):
        r = fn(lib, x, y)
        return r, (r.grad_fn.name() if r.grad_fn is not None else None)

    same(f, arr(*sa, dtype=dtype), arr(*sb, dtype=dtype), grad=dtype != "complex64")


PRODUCT_ERRORS = {
    "mm_vector": lambda lib: lib.mm(lib.ones(2), lib.ones(2, 2)),
    "mm_vector2": lambda lib: lib.mm(lib.ones(2, 2), lib.ones(2)),
    "mm_shapes": lambda lib: lib.mm(lib.ones(2, 3), lib.ones(4, 5)),
    "mm_dtypes": lambda lib: lib.mm(lib.ones(2, 2), lib.ones(2, 2, dtype=lib.float64)),
    "mm_int_float": lambda lib: lib.mm(lib.ones(2, 2, dtype=lib.int64), lib.ones(2, 2)),
    "mm_bool": lambda lib: lib.mm(lib.ones(2, 2, dtype=lib.bool), lib.ones(2, 2, dtype=lib.bool)),
    "bmm_2d": lambda lib: lib.bmm(lib.ones(2, 2), lib.ones(2, 2)),
    "bmm_2d_second": lambda lib: lib.bmm(lib.ones(2, 2, 2), lib.ones(2, 2)),
    "bmm_inner": lambda lib: lib.bmm(lib.ones(2, 3, 4), lib.ones(2, 5, 6)),
    "bmm_batch": lambda lib: lib.bmm(lib.ones(2, 3, 4), lib.ones(3, 4, 6)),
    "bmm_dtypes": lambda lib: lib.bmm(lib.ones(1, 2, 2), lib.ones(1, 2, 2, dtype=lib.float64)),
    "mv_sizes": lambda lib: lib.mv(lib.ones(2, 3), lib.ones(4)),
    "mv_matrix": lambda lib: lib.mv(lib.ones(2, 3), lib.ones(3, 1)),
    "mv_vector": lambda lib: lib.mv(lib.ones(3), lib.ones(3)),
    "mv_dtypes": lambda lib: lib.mv(lib.ones(2, 2), lib.ones(2, dtype=lib.float64)),
    "dot_2d": lambda lib: lib.dot(lib.ones(2, 2), lib.ones(2)),
    "dot_sizes": lambda lib: lib.dot(lib.ones(2), lib.ones(3)),
    "dot_dtypes": lambda lib: lib.dot(lib.ones(2), lib.ones(2, dtype=lib.float64)),
    "vdot_dtypes": lambda lib: lib.vdot(lib.ones(2), lib.ones(2, dtype=lib.float64)),
    "vdot_2d": lambda lib: lib.vdot(lib.ones(2, 2), lib.ones(2)),
    "vdot_sizes": lambda lib: lib.vdot(lib.ones(3), lib.ones(2)),
    "inner_sizes": lambda lib: lib.inner(lib.ones(2), lib.ones(3)),
    "inner_dtypes": lambda lib: lib.inner(lib.ones(2), lib.ones(2, dtype=lib.float64)),
    "inner_zero_dim_promotes": lambda lib: lib.inner(lib.tensor(2), lib.ones(2, dtype=lib.float64)),
    "outer_2d": lambda lib: lib.outer(lib.ones(2, 2), lib.ones(3)),
    "outer_2d_second": lambda lib: lib.outer(lib.ones(2), lib.ones(3, 3)),
    "outer_zero_dim": lambda lib: lib.outer(lib.tensor(2.0), lib.ones(2)),
    "outer_promotes": lambda lib: lib.outer(lib.ones(2), lib.ones(3, dtype=lib.float64)),
    "outer_int_float": lambda lib: lib.outer(lib.ones(2), lib.ones(3, dtype=lib.int64)),
    "outer_bool": lambda lib: lib.outer(lib.ones(2, dtype=lib.bool), lib.ones(2, dtype=lib.bool)),
    "dot_complex": lambda lib: lib.dot(lib.tensor([1 + 1j]), lib.tensor([1j])),
    "vdot_complex": lambda lib: lib.vdot(lib.tensor([1 + 1j]), lib.tensor([1j])),
}


@pytest.mark.parametrize("name", PRODUCT_ERRORS)
def test_product_errors(name):
    e, je = same(PRODUCT_ERRORS[name])
    if isinstance(e, Exception):
        assert str(je).split("\n")[0] == str(e)


@pytest.mark.parametrize("name", ["mm", "bmm", "mv", "dot", "outer"])
def test_out(name):
    fn, sa, sb = PRODUCTS[name]

    def f(lib, x, y):
        out = lib.empty(0)
        r = getattr(lib, name)(x, y, out=out)
        return r is out, out

    same(f, arr(*sa), arr(*sb), grad=False)


# ---- einsum -------------------------------------------------------------------------------------------

EINSUM = [
    ("ij,jk->ik", [(3, 4), (4, 5)]),
    ("ij,jk", [(3, 4), (4, 5)]),
    ("i,i->", [(4,), (4,)]),
    ("i,i", [(4,), (4,)]),
    ("i,i->i", [(4,), (4,)]),
    ("ii->i", [(3, 3)]),
    ("ii", [(3, 3)]),
    ("ij->ji", [(3, 4)]),
    ("ij->", [(3, 4)]),
    ("ij->j", [(3, 4)]),
    ("i,j->ij", [(3,), (4,)]),
    ("ij,j->i", [(3, 4), (4,)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("...ij,...jk->...ik", [(2, 3, 4), (2, 4, 5)]),
    ("...ij,jk", [(2, 3, 4), (4, 5)]),
    ("b...->b", [(2, 3, 4)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)]),
    ("bhqd,bhkd->bhqk", [(2, 2, 3, 4), (2, 2, 5, 4)]),
    (" i j , j k -> i k ", [(3, 4), (4, 5)]),
]


@pytest.mark.parametrize("equation,shapes", EINSUM, ids=[e for e, _ in EINSUM])
def test_einsum(equation, shapes):
    def f(lib, *xs):
        r = lib.einsum(equation, *xs)
        return r, r.grad_fn.name()

    same(f, *(arr(*s) for s in shapes))


def test_einsum_call_forms():
    a, b = arr(3, 4), arr(4, 5)
    same(lambda lib, x, y: lib.einsum("ij,jk->ik", [x, y]), a, b)
    same(lambda lib, x, y: lib.einsum(x, [0, 1], y, [1, 2], [0, 2]), a, b)
    same(lambda lib, x, y: lib.einsum(x, [0, 1], y, [1, 2]), a, b)
    same(lambda lib, x: lib.einsum(x, [Ellipsis, 0]), arr(2, 3, 4))


EINSUM_ERRORS = [
    ("ij,jk->ik", [(2, 3), (4, 2)], "float32"),
    ("ij,jk->ik", [(2, 3)], "float32"),
    ("ij->ik", [(2, 3)], "float32"),
    ("ij", [(2, 3, 4)], "float32"),
    ("i,i", [(2,), (2,), (2,)], "float32"),
    ("i,i", [(2,), (2,)], "bool"),
    ("i,i", [(2,), (2,)], "int64"),
]


@pytest.mark.parametrize("equation,shapes,dtype", EINSUM_ERRORS, ids=str)
def test_einsum_errors(equation, shapes, dtype):
    e, je = same(
        lambda lib, *xs: lib.einsum(equation, *xs), *(arr(*s, dtype=dtype) for s in shapes)
    )
    if isinstance(e, Exception):
        assert str(je).split("\n")[0] == str(e)


def test_einsum_dtype_mismatch():
    e, je = same(lambda lib, x, y: lib.einsum("i,i", x, y.double()), arr(2), arr(2))
    assert str(je).split("\n")[0] == str(e)


# ---- addmm family ---------------------------------------------------------------------------------------

FUSED = {
    "addmm": ((3, 5), (3, 4), (4, 5)),
    "addmm_broadcast": ((5,), (3, 4), (4, 5)),
    "addmm_scalar_input": ((), (3, 4), (4, 5)),
    "addmv": ((3,), (3, 4), (4,)),
    "addmv_scalar_input": ((), (3, 4), (4,)),
    "addbmm": ((3, 5), (2, 3, 4), (2, 4, 5)),
    "baddbmm": ((2, 3, 5), (2, 3, 4), (2, 4, 5)),
    "baddbmm_broadcast": ((3, 5), (2, 3, 4), (2, 4, 5)),
    "addr": ((3, 4), (3,), (4,)),
    "addr_broadcast": ((4,), (3,), (4,)),
}


def _fused(name):
    return name.split("_")[0]


@pytest.mark.parametrize("name", FUSED)
@pytest.mark.parametrize(
    "scalars",
    [{}, {"beta": 0.5, "alpha": 2.0}, {"beta": 0}, {"alpha": 0}, {"beta": 2, "alpha": -1}],
    ids=str,
)
def test_fused(name, scalars):
    shapes = FUSED[name]

    def f(lib, i, a, b):
        r = getattr(lib, _fused(name))(i, a, b, **scalars)
        return r, r.grad_fn.name()

    same(f, *(arr(*s) for s in shapes))


@pytest.mark.parametrize("name", FUSED)
@pytest.mark.parametrize("special", [float("nan"), float("inf")])
def test_fused_beta_zero_ignores_input(name, special):
    shapes = FUSED[name]
    inp = np.full(shapes[0], special, np.float32)
    same(
        lambda lib, i, a, b: getattr(lib, _fused(name))(i, a, b, beta=0),
        inp,
        arr(*shapes[1]),
        arr(*shapes[2]),
    )


@pytest.mark.parametrize("name", ["addmm", "addmv", "addbmm", "baddbmm", "addr"])
def test_fused_method_inplace_and_out(name):
    shapes = FUSED[name]

    def f(lib, i, a, b):
        method = getattr(i, name)(a, b, beta=2)
        j = i.clone()
        inplace = getattr(j, name + "_")(a, b, alpha=3)
        out = lib.empty(0)
        getattr(lib, name)(i, a, b, out=out)
        return method, inplace is j, j, out

    same(f, *(arr(*s) for s in shapes), grad=False)


@pytest.mark.parametrize("dtype", ["int64", "float64", "bool", "complex64"])
@pytest.mark.parametrize("name", ["addmm", "addmv", "addbmm", "baddbmm", "addr"])
def test_fused_dtypes(name, dtype):
    shapes = FUSED[name]
    same(
        lambda lib, i, a, b: getattr(lib, name)(i, a, b),
        *(arr(*s, dtype=dtype) for s in shapes),
        grad=dtype == "float64",
    )


FUSED_ERRORS = {
    "addmm_int_float_beta": lambda lib: lib.addmm(
        lib.ones(3, 5, dtype=lib.int64),
        lib.ones(3, 4, dtype=lib.int64),
        lib.ones(4, 5, dtype=lib.int64),
        beta=0.5,
    ),
    "addmm_input_dtype": lambda lib: lib.addmm(
        lib.ones(3, 5, dtype=lib.float64), lib.ones(3, 4), lib.ones(4, 5)
    ),
    "addmm_input_shape": lambda lib: lib.addmm(lib.ones(2, 5), lib.ones(3, 4), lib.ones(4, 5)),
    "addmm_mats": lambda lib: lib.addmm(lib.ones(3, 5), lib.ones(3, 4), lib.ones(3, 5)),
    "addmm_mat_dtypes": lambda lib: lib.addmm(
        lib.ones(3, 5), lib.ones(3, 4), lib.ones(4, 5, dtype=lib.float64)
    ),
    "addmm_int_input": lambda lib: lib.addmm(
        lib.ones(3, 5, dtype=lib.int64), lib.ones(3, 4), lib.ones(4, 5)
    ),
    "addmm_bool_alpha": lambda lib: lib.addmm(
        lib.ones(3, 5), lib.ones(3, 4), lib.ones(4, 5), beta=2.5, alpha=True
    ),
    "addmv_sizes": lambda lib: lib.addmv(lib.ones(3), lib.ones(3, 4), lib.ones(5)),
    "addmv_input": lambda lib: lib.addmv(lib.ones(2), lib.ones(3, 4), lib.ones(4)),
    "addr_sizes": lambda lib: lib.addr(lib.ones(3, 3), lib.ones(3), lib.ones(4)),
    "addr_2d": lambda lib: lib.addr(lib.ones(3, 4), lib.ones(3, 2), lib.ones(4)),
    "addr_int_float_beta": lambda lib: lib.addr(
        lib.ones(2, 2, dtype=lib.int64),
        lib.ones(2, dtype=lib.int64),
        lib.ones(2, dtype=lib.int64),
        beta=2.5,
    ),
    "addr_promotes": lambda lib: lib.addr(
        lib.ones(2, 2), lib.ones(2, dtype=lib.int64), lib.ones(2, dtype=lib.int64)
    ),
    "addr_promotes_input": lambda lib: lib.addr(
        lib.ones(2, 2, dtype=lib.int64), lib.ones(2), lib.ones(2)
    ),
    "addr_bool_beta": lambda lib: lib.addr(
        lib.ones(2, 2, dtype=lib.bool),
        lib.ones(2, dtype=lib.bool),
        lib.ones(2, dtype=lib.bool),
        beta=2,
    ),
    "baddbmm_inner": lambda lib: lib.baddbmm(
        lib.ones(2, 3, 5), lib.ones(2, 3, 4), lib.ones(2, 5, 5)
    ),
    "baddbmm_input": lambda lib: lib.baddbmm(
        lib.ones(2, 3, 6), lib.ones(2, 3, 4), lib.ones(2, 4, 5)
    ),
    "addbmm_batches": lambda lib: lib.addbmm(lib.ones(3, 5), lib.ones(2, 3, 4), lib.ones(3, 4, 5)),
    "addbmm_input": lambda lib: lib.addbmm(lib.ones(3, 6), lib.ones(2, 3, 4), lib.ones(2, 4, 5)),
}


@pytest.mark.parametrize("name", FUSED_ERRORS)
def test_fused_errors(name):
    e, je = same(FUSED_ERRORS[name])
    if isinstance(e, Exception):
        assert str(je).split("\n")[0] == str(e)


def test_inplace_on_leaf_requiring_grad():
    same(lambda lib: lib.ones(3, 5, requires_grad=True).addmm_(lib.ones(3, 4), lib.ones(4, 5)))


def test_matmul_precision_setting():
    import jtorch

    assert jtorch.get_float32_matmul_precision() == "highest"
    jtorch.set_float32_matmul_precision("high")
    try:
        assert jtorch.get_float32_matmul_precision() == "high"
    finally:
        jtorch.set_float32_matmul_precision("highest")
