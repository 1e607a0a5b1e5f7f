"""Matrix products: matmul/@, mm, bmm, mv, dot, vdot, inner, outer/ger, einsum, and the fused
``beta * input + alpha * product`` family (addmm, addmv, addbmm, baddbmm, addr).

torch does not promote across dtypes here (``float @ double`` is an error, except in outer,
addr and inner with a zero-dim operand), and it computes float32 products in full precision
unless told otherwise, so jtorch asks XLA for the highest precision (no TF32 on GPUs; see
``set_float32_matmul_precision``). The checks follow the kernel torch's matmul dispatches to
(dot, mv, mm or bmm, after folding batch dimensions), so errors name what torch names.
"""

import math

import jax
import jax.numpy as jnp

from .. import _dtype
from .._errors import broadcast_shapes, check, wrap_dim
from . import products as _products
from . import shape as _shape
from ._registry import NONE, SAME, TL, TT, D, T, check_inplace, method, op

_precision = {"value": jax.lax.Precision.HIGHEST, "name": "highest"}


def set_float32_matmul_precision(precision):
    """torch.set_float32_matmul_precision: "highest" (default), "high" or "medium"."""
    check(
        precision in ("highest", "high", "medium"), RuntimeError, f"Invalid precision {precision}"
    )
    _precision["value"] = (
        jax.lax.Precision.HIGHEST if precision == "highest" else jax.lax.Precision.DEFAULT
    )
    _precision["name"] = precision


def get_float32_matmul_precision():
    return _precision["name"]


def _mm(a, b):
    return jnp.matmul(a, b, precision=_precision["value"])


# ---- torch's checks, by kernel ----------------------------------------------------------------------


def _dt(x):
    """The torch dtype of a Tensor or of a jax array (the checks run on either)."""
    return x.dtype if isinstance(x.dtype, _dtype.dtype) else _dtype.from_numpy_dtype(x.dtype)


def _title(x):
    return _dtype.title(_dt(x))


_C_NAMES = {
    "float32": "float",
    "float64": "double",
    "float16": "c10::Half",
    "bfloat16": "c10::BFloat16",
    "int64": "long int",
    "int32": "int",
    "int16": "short int",
    "int8": "signed char",
    "uint8": "unsigned char",
    "bool": "bool",
    "complex64": "c10::complex<float>",
    "complex128": "c10::complex<double>",
}


def _cname(x):
    return _C_NAMES[_dt(x)._name]


def _dims(x):
    return "x".join(str(s) for s in x.shape)


def _no_bool(kernel, *xs):
    check(
        all(_dt(x) is not _dtype.bool for x in xs),
        NotImplementedError,
        lambda: f"\"{kernel}\" not implemented for 'Bool'",
    )


def _check_dot(a, b):
    check(
        _dt(a) is _dt(b),
        RuntimeError,
        lambda: (
            f"dot : expected both vectors to have same dtype, but found {_title(a)} and {_title(b)}"
        ),
    )
    check(
        a.shape[0] == b.shape[0],
        RuntimeError,
        lambda: (
            f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src [{b.shape[0]}] to have the same "
            f"number of elements, but got {a.shape[0]} and {b.shape[0]} elements respectively"
        ),
    )
    _no_bool("dot", a)


def _check_mv(shape, m, v):
    """``shape``: the matrix's shape as torch's kernel sees it (batch dimensions folded)."""
    check(
        _dt(m) is _dt(v),
        RuntimeError,
        lambda: (
            f"addmv input tensors must have the same dtype, but got {_title(v)}, {_title(m)}, and {_title(v)}"
        ),
    )
    check(
        shape[1] == v.shape[0],
        RuntimeError,
        lambda: (
            f"size mismatch, got input ({shape[0]}), mat ({shape[0]}x{shape[1]}), vec ({v.shape[0]})"
        ),
    )
    _no_bool("addmv_impl_cpu", m)


def _check_mm(shape1, a, b):
    check(
        _dt(a) is _dt(b),
        RuntimeError,
        lambda: f"expected m1 and m2 to have the same dtype, but got: {_cname(a)} != {_cname(b)}",
    )
    check(
        shape1[1] == b.shape[0],
        RuntimeError,
        lambda: (
            f"mat1 and mat2 shapes cannot be multiplied ({shape1[0]}x{shape1[1]} and {_dims(b)})"
        ),
    )
    _no_bool("addmm_impl_cpu_", a)


def _check_bmm(batch, k1, k2, a, b):
    check(
        _dt(a) is _dt(b),
        RuntimeError,
        lambda: f"expected scalar type {_title(a)} but found {_title(b)}",
    )
    check(
        k1 == k2,
        RuntimeError,
        lambda: (
            f"Expected size for first two dimensions of batch2 tensor to be: [{batch[0]}, {k1}] but got: "
            f"[{batch[1]}, {k2}]."
        ),
    )
    _no_bool("bmm", a)


def _check_matmul(a, b):
    """torch's matmul checks, on the path its implementation takes: dot, mv or mm with the
    larger operand's batch dimensions folded into rows, or a broadcast bmm. A larger second
    operand folds (transposed) only when the first requires grad, as in torch's should_fold."""
    if not (isinstance(a, _Tensor()) and isinstance(b, _Tensor())):
        return  # the registry raises torch's TypeError
    check(
        a.ndim > 0 and b.ndim > 0,
        RuntimeError,
        lambda: (
            f"both arguments to matmul need to be at least 1D, but they are {a.ndim}D and {b.ndim}D"
        ),
    )
    if a.ndim == 1 and b.ndim == 1:
        _check_dot(a, b)
    elif b.ndim <= 2:  # a's leading dimensions fold into the rows of one mm or mv
        rows = (1 if a.ndim == 1 else math.prod(a.shape[:-1]), a.shape[-1])
        _check_mv(rows, a, b) if b.ndim == 1 else _check_mm(rows, a, b)
    elif a.ndim <= 2 and a.requires_grad:  # computed as (b.mT folded) @ a.mT
        rows = (math.prod(b.shape[:-2]) * b.shape[-1], b.shape[-2])
        _check_mv(rows, b, a) if a.ndim == 1 else _check_mm(rows, b, _Transposed(a))
    else:
        batch = math.prod(broadcast_shapes(a.shape[:-2], b.shape[:-2]))
        _check_bmm((batch, batch), a.shape[-1], b.shape[-2], a, b)


class _Transposed:
    """The shape and dtype of a matrix's transpose, for messages."""

    def __init__(self, x):
        self.shape, self.dtype = tuple(x.shape)[::-1], x.dtype


def _Tensor():
    from ..tensor import Tensor

    return Tensor


# ---- the products --------------------------------------------------------------------------------


def _matmul_name(input, other):
    names = {
        (1, 1): "DotBackward0",
        (2, 1): "MvBackward0",
        (1, 2): "SqueezeBackward4",
        (2, 2): "MmBackward0",
    }
    if input.dim() == 2 and other.dim() > 2 and input.requires_grad:
        return "CloneBackward0"  # torch computes this case transposed
    return names.get((input.dim(), other.dim()), "UnsafeViewBackward0")


@op(promote=NONE, grad_name=_matmul_name, pre=_check_matmul)
def matmul(input: TT, other: TT):
    """torch.matmul / ``@``: dot, matrix-vector, matrix-matrix or batched, with broadcasting."""
    return _mm(input, other)


@op(promote=NONE)
def mm(input: TT, mat2: TT):
    """torch.mm: the product of two matrices."""
    check(input.ndim == 2, RuntimeError, "self must be a matrix")
    check(mat2.ndim == 2, RuntimeError, "mat2 must be a matrix")
    _check_mm(input.shape, input, mat2)
    return _mm(input, mat2)


def _check_batches(name, a, b):
    check(a.ndim == 3, RuntimeError, "batch1 must be a 3D tensor")
    check(b.ndim == 3, RuntimeError, "batch2 must be a 3D tensor")
    if name == "addbmm":
        check(
            a.shape[0] == b.shape[0],
            RuntimeError,
            lambda: (
                f"batch1 and batch2 must have same number of batches, got {a.shape[0]} and {b.shape[0]}"
            ),
        )
    _check_bmm((a.shape[0], b.shape[0]), a.shape[2], b.shape[1], a, b)
    check(
        a.shape[0] == b.shape[0],
        RuntimeError,
        lambda: (
            f"Expected size for first two dimensions of batch2 tensor to be: [{a.shape[0]}, {a.shape[2]}] but "
            f"got: [{b.shape[0]}, {b.shape[1]}]."
        ),
    )


@op(promote=NONE)
def bmm(input: TT, mat2: TT):
    """torch.bmm: batched matrix products of two 3-D tensors (no broadcasting)."""
    _check_batches("bmm", input, mat2)
    return _mm(input, mat2)


def _check_vector(name, arg, x):
    check(
        x.ndim == 1,
        RuntimeError,
        lambda: f"{name}: Expected 1-D argument {arg}, but got {x.ndim}-D",
    )


@op(promote=NONE)
def mv(input: TT, vec: TT):
    """torch.mv: a matrix times a vector."""
    check(
        input.ndim == 2 and vec.ndim == 1,
        RuntimeError,
        lambda: f"vector + matrix @ vector expected, got 1, {input.ndim}, {vec.ndim}",
    )
    _check_mv(input.shape, input, vec)
    return _mm(input, vec)


def _check_vectors(a, b):
    check(
        a.ndim == 1 and b.ndim == 1,
        RuntimeError,
        lambda: f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors",
    )
    _check_dot(a, b)


@op(promote=NONE)
def dot(input: TT, tensor: TT):
    """torch.dot: the inner product of two 1-D tensors (no conjugation)."""
    _check_vectors(input, tensor)
    return _mm(input, tensor)


@op(promote=NONE)
def vdot(input: TT, other: TT):
    """torch.vdot: the inner product of two 1-D tensors, conjugating the first."""
    _check_vectors(input, other)
    return jnp.vdot(input, other, precision=_precision["value"])


def _inner_promotion(input, other):
    return SAME if input.dim() == 0 or other.dim() == 0 else NONE


def _inner_name(input, other):
    return "MulBackward0" if input.dim() == 0 or other.dim() == 0 else "ViewBackward0"


@op(promote=_inner_promotion, grad_name=_inner_name)
def inner(input: TT, other: TT):
    """torch.inner: sums of products over the last dimensions (a product if one is zero-dim)."""
    if input.ndim == 0 or other.ndim == 0:
        return input * other
    check(input.dtype == other.dtype, RuntimeError, "both inputs should have same dtype")
    check(
        input.shape[-1] == other.shape[-1],
        RuntimeError,
        lambda: (
            f"inner() the last dimension must match on both input tensors but got shapes "
            f"{list(input.shape)} and {list(other.shape)}"
        ),
    )
    return jnp.inner(input, other, precision=_precision["value"])


@op(grad_name="MulBackward0")
def outer(input: TT, vec2: TT):
    """torch.outer (and torch.ger): ``input[i] * vec2[j]``."""
    _check_vector("outer", "self", input)
    _check_vector("outer", "vec2", vec2)
    return jnp.outer(input, vec2)


ger = outer


# ---- einsum ----------------------------------------------------------------------------------------


def einsum(*args):
    """torch.einsum(equation, *operands), einsum(equation, [operands]), or the sublist form
    einsum(op1, sublist1, op2, sublist2, ..., [out_sublist])."""
    check(args, TypeError, "einsum(): must specify the equation string and at least one operand")
    if not isinstance(args[0], str):
        return _einsum(*_from_sublists(args))
    equation, operands = args[0], args[1:]
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    return _einsum(equation, list(operands))


def _from_sublists(args):
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

    def term(sub):
        return "".join("..." if s is Ellipsis else letters[s] for s in sub)

    pairs, out = args[: len(args) // 2 * 2], args[len(args) // 2 * 2 :]
    lhs = ",".join(term(sub) for sub in pairs[1::2])
    return lhs + ("->" + term(out[0]) if out else ""), list(pairs[0::2])


def _parse_einsum(equation, shapes):
    """Torch's einsum checks; returns the normalized equation (no spaces, explicit output)."""
    equation = equation.replace(" ", "")
    lhs, arrow, rhs = equation.partition("->")
    terms = lhs.split(",")
    check(
        len(terms) >= len(shapes),
        ValueError,
        lambda: (
            f"Number of einsum subscripts, {len(terms)}, must be equal to the number of operands, {len(shapes)}."
        ),
    )
    check(
        len(terms) <= len(shapes),
        RuntimeError,
        "einsum(): fewer operands were provided than specified in the equation",
    )
    sizes = {}
    for i, (term, shape) in enumerate(zip(terms, shapes)):
        letters = term.replace("...", "")
        ellipsis = "..." in term
        check(
            len(letters) == len(shape) or (ellipsis and len(letters) <= len(shape)),
            RuntimeError,
            lambda: (
                f"einsum(): the number of subscripts in the equation ({len(letters)}) does not match the number "
                f"of dimensions ({len(shape)}) for operand {i}{'' if ellipsis else ' and no ellipsis was given'}"
            ),
        )
        dims = (
            list(shape[: term.index("...")])
            + list(shape[len(shape) - len(term.split("...")[-1]) :])
            if ellipsis
            else shape
        )
        for c, n in zip(letters, dims):
            seen = sizes.setdefault(c, n)
            check(
                seen == n,
                RuntimeError,
                lambda: (
                    f"einsum(): subscript {c} has size {n} for operand {i} which does not broadcast with "
                    f"previously seen size {seen}"
                ),
            )
    if arrow:
        for c in rhs.replace("...", ""):
            check(
                c in sizes,
                RuntimeError,
                lambda: (
                    f"einsum(): output subscript {c} does not appear in the equation for any input operand"
                ),
            )
    return equation, terms, (rhs if arrow else None)


def _einsum_name(equation, operands):
    _, terms, rhs = _parse_einsum(equation, [o.shape for o in operands])
    inputs = set("".join(terms))
    output = (
        set(rhs) if rhs is not None else {c for c in inputs if "".join(terms).count(c) == 1} | {"."}
    )
    if len(terms) == 1:
        return "PermuteBackward0" if output == inputs else "SumBackward1"
    return "MulBackward0" if output == inputs else "ViewBackward0"


@op("einsum", promote=NONE, method=False, out=False, grad_name=_einsum_name)
def _einsum(equation, operands: TL):
    equation, _, _ = _parse_einsum(equation, [o.shape for o in operands])
    for o in operands[1:]:
        check(
            o.dtype == operands[0].dtype,
            RuntimeError,
            lambda: f"expected scalar type {_title(operands[0])} but found {_title(o)}",
        )
    _no_bool("bmm", *operands)
    return jnp.einsum(equation, *operands, precision=_precision["value"])


# ---- beta * input + alpha * product --------------------------------------------------------------------


def _scaled_sum(input, product, beta, alpha):
    """``beta * input + alpha * product`` in the result's dtype; beta == 0 ignores input, so nan
    and inf in it do not propagate (as torch documents)."""
    dt = product.dtype
    beta, alpha = beta.astype(dt), alpha.astype(dt)
    if dt == jnp.bool_:
        return (beta & input) | (alpha & product)
    scaled = jnp.where(beta == 0, jnp.zeros_like(product), beta * input)
    return scaled + alpha * product


def _check_same(input, mat, name="self and mat2"):
    check(
        input.dtype == mat.dtype,
        RuntimeError,
        lambda: f"{name} must have the same dtype, but got {_title(input)} and {_title(mat)}",
    )


def _check_expands(input, shape):
    """torch's error when ``input`` does not broadcast to the product's ``shape``."""
    ok = input.ndim <= len(shape) and all(
        a in (1, b) for a, b in zip(input.shape[::-1], shape[::-1])
    )
    if not ok:
        dim = next(
            i for i, (a, b) in enumerate(zip(input.shape[::-1], shape[::-1])) if a not in (1, b)
        )
        raise RuntimeError(
            f"The expanded size of the tensor ({shape[len(shape) - 1 - dim]}) must match the existing size "
            f"({input.shape[input.ndim - 1 - dim]}) at non-singleton dimension {len(shape) - 1 - dim}.  Target "
            f"sizes: {list(shape)}.  Tensor sizes: {list(input.shape)}"
        )


@op(promote=NONE, inplace=True, grad_name="AddmmBackward0")
def addmm(input: TT, mat1: TT, mat2: TT, *, beta: D = 1, alpha: D = 1):
    """torch.addmm: ``beta * input + alpha * (mat1 @ mat2)``."""
    check(mat1.ndim == 2, RuntimeError, lambda: f"mat1 must be a matrix, got {mat1.ndim}-D tensor")
    check(mat2.ndim == 2, RuntimeError, lambda: f"mat2 must be a matrix, got {mat2.ndim}-D tensor")
    _check_same(input, mat2)
    _check_mm(mat1.shape, mat1, mat2)
    _check_expands(input, (mat1.shape[0], mat2.shape[1]))
    return _scaled_sum(input, _mm(mat1, mat2), beta, alpha)


@op(promote=NONE, inplace=True, grad_name="AddmvBackward0")
def addmv(input: TT, mat: TT, vec: TT, *, beta: D = 1, alpha: D = 1):
    """torch.addmv: ``beta * input + alpha * (mat @ vec)``."""
    check(
        mat.ndim == 2 and vec.ndim == 1 and input.ndim <= 1,
        RuntimeError,
        lambda: f"vector + matrix @ vector expected, got {input.ndim}, {mat.ndim}, {vec.ndim}",
    )
    check(
        input.dtype == mat.dtype == vec.dtype,
        RuntimeError,
        lambda: (
            f"addmv input tensors must have the same dtype, but got {_title(input)}, {_title(mat)}, and "
            f"{_title(vec)}"
        ),
    )
    check(
        mat.shape[1] == vec.shape[0] and input.shape in ((), (1,), (mat.shape[0],)),
        RuntimeError,
        lambda: (
            f"size mismatch, got input ({input.shape[0] if input.ndim else 1}), mat ({_dims(mat)}), "
            f"vec ({vec.shape[0]})"
        ),
    )
    _no_bool("addmv_impl_cpu", mat)
    return _scaled_sum(input, _mm(mat, vec), beta, alpha)


@op(promote=NONE, inplace=True, grad_name="BaddbmmBackward0")
def baddbmm(input: TT, batch1: TT, batch2: TT, *, beta: D = 1, alpha: D = 1):
    """torch.baddbmm: ``beta * input + alpha * bmm(batch1, batch2)``."""
    _check_batches("baddbmm", batch1, batch2)
    _check_same(input, batch1, "self and batch1")
    _check_expands(input, (batch1.shape[0], batch1.shape[1], batch2.shape[2]))
    return _scaled_sum(input, _mm(batch1, batch2), beta, alpha)


@op(promote=NONE, inplace=True, grad_name="AddbmmBackward0")
def addbmm(input: TT, batch1: TT, batch2: TT, *, beta: D = 1, alpha: D = 1):
    """torch.addbmm: ``beta * input + alpha * sum_b(batch1[b] @ batch2[b])``."""
    _check_batches("addbmm", batch1, batch2)
    _check_same(input, batch1, "self and batch1")
    _check_expands(input, (batch1.shape[1], batch2.shape[2]))
    return _scaled_sum(input, _mm(batch1, batch2).sum(0), beta, alpha)


@method("addbmm_")
def addbmm_(self, batch1, batch2, *, beta=1, alpha=1):
    """In place; as in torch, ``self`` takes the result's shape when it only broadcasts to it."""
    check_inplace(self)
    result = addbmm(self, batch1, batch2, beta=beta, alpha=alpha)
    if result.shape != self.shape:
        self._resize_assign(result.detach())
    return self._assign(result, "addbmm_")


def _check_integral_scalars(input, vec1, vec2, beta, alpha):
    if not any(isinstance(x, float) for x in (beta, alpha)):
        return
    dt = _dtype.result_type_of([t.dtype for t in (input, vec1, vec2)], [], [])
    for name, x in (("beta", beta), ("alpha", alpha)):
        check(
            not (isinstance(x, float) and not dt.is_floating_point and not dt.is_complex),
            RuntimeError,
            lambda: (
                f"For integral input tensors, argument {name} must not be a floating point number."
            ),
        )


@op(inplace=True, grad_name="AddrBackward0", pre=_check_integral_scalars)
def addr(input: TT, vec1: TT, vec2: TT, *, beta: D = 1, alpha: D = 1):
    """torch.addr: ``beta * input + alpha * outer(vec1, vec2)`` (logical for bool)."""
    _check_vector("addr", "vec1", vec1)
    _check_vector("addr", "vec2", vec2)
    _check_expands(input, (vec1.shape[0], vec2.shape[0]))
    return _scaled_sum(input, jnp.outer(vec1, vec2), beta, alpha)


# ---- torch.linalg's products and conveniences ---------------------------------------------------


@op("linalg.multi_dot", promote=NONE, method=False, grad_name="ViewBackward0")
def multi_dot(tensors: TL):
    """torch.linalg.multi_dot: the chained product of matrices (the first and last may be
    vectors), in the cheapest order."""
    n = len(tensors)
    check(n >= 2, RuntimeError, lambda: f"multi_dot(): expected at least 2 tensors but got {n}")
    for i, t in enumerate(tensors):
        ok = t.ndim == 2 or (t.ndim == 1 and i in (0, n - 1))
        check(
            ok,
            RuntimeError,
            lambda: (
                f"multi_dot(): {'the first' if i == 0 else 'the last' if i == n - 1 else f'tensor {i}'}"
                f" tensor must be {'1D or 2D' if i in (0, n - 1) else '2D'} but got {t.ndim}D"
            ),
        )
        check(
            t.dtype == tensors[0].dtype,
            RuntimeError,
            lambda: (
                f"multi_dot(): all tensors must have be the same dtype but tensor 0 is "
                f"{_title(tensors[0])} and tensor {i} {_title(t)}"
            ),
        )
    for i in range(n - 1):
        a, b = tensors[i], tensors[i + 1]
        check(
            a.shape[-1] == b.shape[0],
            RuntimeError,
            lambda: (
                f"multi_dot(): tensors {i} and {i + 1} with shapes {list(a.shape)} and "
                f"{list(b.shape)} cannot be multiplied"
            ),
        )
    return jnp.linalg.multi_dot(tensors, precision=_precision["value"])


@op("linalg.vecdot", promote=NONE, method=False, grad_name="SumBackward1")
def vecdot(x: TT, y: TT, *, dim=-1):
    """torch.linalg.vecdot: sum(conj(x) * y) over ``dim``, batches broadcast."""
    check(
        x.dtype == y.dtype,
        RuntimeError,
        lambda: (
            f"linalg.vecdot: Expected x and y to have the same dtype, but found x of type {_title(x)} "
            f"and y of type {_title(y)} instead"
        ),
    )
    shape = broadcast_shapes(x.shape, y.shape)
    wrap_dim(dim, len(shape))
    return (jnp.conj(x) * y).sum(dim)


@op("linalg.cross", method=False)
def linalg_cross(input: T, other: T, *, dim=-1):
    """torch.linalg.cross: the cross product of 3-vectors along ``dim``, batches broadcast."""
    return _products.cross_product(input, other, dim)


@op("linalg.vander", promote=NONE, method=False, grad_name="CatBackward0")
def vander(x: TT, *, N=None):
    """torch.linalg.vander: the Vandermonde matrix of x's last dimension, powers 0..N-1
    increasing along the columns."""
    x = x.reshape(1) if x.ndim == 0 else x
    n = x.shape[-1] if N is None else N
    check(n > 1, RuntimeError, "N must be greater than 1.")
    x = x.astype(jnp.int64) if x.dtype == jnp.bool_ else x
    powers = [jnp.ones_like(x)]
    for _ in range(n - 1):
        powers.append(powers[-1] * x)
    return jnp.stack(powers, axis=-1)


@op("linalg.diagonal", promote=NONE, method=False, view=True, linear=True, out=False)
def linalg_diagonal(A: T, *, offset=0, dim1=-2, dim2=-1):
    """torch.linalg.diagonal: torch.diagonal with defaults over the last two dims."""
    return _shape.diagonal.fn(A, offset, dim1, dim2)
