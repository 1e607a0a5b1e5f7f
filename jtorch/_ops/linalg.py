"""Matrix products: matmul/@, mm, bmm, mv, dot, outer, einsum, addmm and friends.

torch does not promote across dtypes here (``float @ double`` is an error), and it computes
float32 products in full precision unless told otherwise, so jtorch asks XLA for the highest
precision (no TF32 on GPUs; see ``set_float32_matmul_precision``).
"""

import jax
import jax.numpy as jnp

from .._errors import check
from ._registry import NONE, TL, T, op

_precision = {"value": jax.lax.Precision.HIGHEST}


def set_float32_matmul_precision(precision):
    """torch.set_float32_matmul_precision: "highest" (default), "high" or "medium"."""
    check(precision in ("highest", "high", "medium"), RuntimeError, f"Invalid precision {precision}")
    _precision["value"] = jax.lax.Precision.HIGHEST if precision == "highest" else jax.lax.Precision.DEFAULT
    _PRECISION_NAME[0] = precision


_PRECISION_NAME = ["highest"]


def get_float32_matmul_precision():
    return _PRECISION_NAME[0]


def _names(d):
    return {"float32": "float", "float64": "double", "float16": "c10::Half", "bfloat16": "c10::BFloat16", "int64": "long int", "int32": "int"}.get(str(d), str(d))


def _same_dtype(a, b):
    check(
        a.dtype == b.dtype,
        RuntimeError,
        lambda: f"expected m1 and m2 to have the same dtype, but got: {_names(a.dtype)} != {_names(b.dtype)}",
    )


def _mm(a, b):
    return jnp.matmul(a, b, precision=_precision["value"])


def _matmul_name(input, other):
    kinds = {(1, 1): "DotBackward0", (2, 1): "MvBackward0", (1, 2): "SqueezeBackward4", (2, 2): "MmBackward0"}
    return kinds.get((input.dim(), other.dim()), "UnsafeViewBackward0")


@op(promote=NONE, grad_name=_matmul_name)
def matmul(input: T, other: T):
    check(
        input.ndim > 0 and other.ndim > 0,
        RuntimeError,
        lambda: f"both arguments to matmul need to be at least 1D, but they are {input.ndim}D and {other.ndim}D",
    )
    _same_dtype(input, other)
    if input.ndim == 1 and other.ndim == 1:
        _dot_check(input, other)
    elif input.ndim <= 2 and other.ndim <= 2:
        k1, k2 = input.shape[-1], other.shape[0]
        check(
            k1 == k2,
            RuntimeError,
            lambda: f"mat1 and mat2 shapes cannot be multiplied ({_shape_str(input)} and {_shape_str(other)})"
            if input.ndim == 2 and other.ndim == 2
            else f"size mismatch, got input ({input.shape[0]}), mat ({_shape_str(input)}), vec ({other.shape[0]})"
            if other.ndim == 1
            else f"size mismatch, got input ({other.shape[1]}), mat ({other.shape[1]}x{other.shape[0]}), vec ({input.shape[0]})",
        )
    else:
        k1 = input.shape[-1]
        k2 = other.shape[-2] if other.ndim > 1 else other.shape[0]
        check(
            k1 == k2,
            RuntimeError,
            lambda: f"Expected size for first two dimensions of batch2 tensor to be: "
            f"[{_batch(input, other)}, {k1}] but got: [{_batch(input, other)}, {k2}].",
        )
    return _mm(input, other)


def _batch(a, b):
    import math

    return math.prod(jnp.broadcast_shapes(a.shape[:-2], b.shape[:-2] if b.ndim > 2 else ()))


def _shape_str(x):
    return "x".join(str(s) for s in x.shape)


def _dot_check(a, b):
    check(
        a.shape[0] == b.shape[0],
        RuntimeError,
        lambda: f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src [{b.shape[0]}] to have the same "
        f"number of elements, but got {a.shape[0]} and {b.shape[0]} elements respectively",
    )


@op(promote=NONE)
def mm(input: T, mat2: T):
    check(input.ndim == 2, RuntimeError, "self must be a matrix")
    check(mat2.ndim == 2, RuntimeError, "mat2 must be a matrix")
    _same_dtype(input, mat2)
    check(
        input.shape[1] == mat2.shape[0],
        RuntimeError,
        lambda: f"mat1 and mat2 shapes cannot be multiplied ({_shape_str(input)} and {_shape_str(mat2)})",
    )
    return _mm(input, mat2)


@op(promote=NONE)
def bmm(input: T, mat2: T):
    check(input.ndim == 3, RuntimeError, "batch1 must be a 3D tensor")
    check(mat2.ndim == 3, RuntimeError, "batch2 must be a 3D tensor")
    _same_dtype(input, mat2)
    check(
        mat2.shape[:2] == (input.shape[0], input.shape[2]),
        RuntimeError,
        lambda: f"Expected size for first two dimensions of batch2 tensor to be: [{input.shape[0]}, "
        f"{input.shape[2]}] but got: [{mat2.shape[0]}, {mat2.shape[1]}].",
    )
    return _mm(input, mat2)


@op(promote=NONE)
def mv(input: T, vec: T):
    check(input.ndim == 2 and vec.ndim == 1, RuntimeError, lambda: f"vector + matrix @ vector expected, got 1, {input.ndim}, {vec.ndim}")
    _same_dtype(input, vec)
    check(
        input.shape[1] == vec.shape[0],
        RuntimeError,
        lambda: f"size mismatch, got input ({input.shape[0]}), mat ({_shape_str(input)}), vec ({vec.shape[0]})",
    )
    return _mm(input, vec)


@op(promote=NONE)
def dot(input: T, tensor: T):
    check(
        input.ndim == 1 and tensor.ndim == 1,
        RuntimeError,
        lambda: f"1D tensors expected, but got {input.ndim}D and {tensor.ndim}D tensors",
    )
    check(
        input.dtype == tensor.dtype,
        RuntimeError,
        lambda: f"dot : expected both vectors to have same dtype, but found {_names(input.dtype).title()} and {_names(tensor.dtype).title()}",
    )
    _dot_check(input, tensor)
    return _mm(input, tensor)


inner_product = dot


@op(promote=NONE)
def vdot(input: T, other: T):
    return jnp.vdot(input, other, precision=_precision["value"])


@op(grad_name="MulBackward0")
def outer(input: T, vec2: T):
    check(input.ndim == 1 and vec2.ndim == 1, RuntimeError, "outer: Expected 1-D argument self, but got " + f"{input.ndim}-D")
    return jnp.outer(input, vec2)


ger = outer


def einsum(equation, *operands):
    """torch.einsum(equation, *operands) (or a single list of operands)."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    return _einsum_op(equation, list(operands))


@op("einsum", promote=NONE, method=False, grad_name="ViewBackward0")
def _einsum_op(equation, operands: TL):
    return jnp.einsum(equation, *operands, precision=_precision["value"])


@op(grad_name="AddmmBackward0", inplace=True)
def addmm(input: T, mat1: T, mat2: T, *, beta: T = 1, alpha: T = 1):
    return beta * input + alpha * _mm(mat1, mat2)


@op(grad_name="AddmvBackward0", inplace=True)
def addmv(input: T, mat: T, vec: T, *, beta: T = 1, alpha: T = 1):
    return beta * input + alpha * _mm(mat, vec)


@op(grad_name="BaddbmmBackward0", inplace=True)
def baddbmm(input: T, batch1: T, batch2: T, *, beta: T = 1, alpha: T = 1):
    return beta * input + alpha * _mm(batch1, batch2)


@op(grad_name="AddbmmBackward0", inplace=True)
def addbmm(input: T, batch1: T, batch2: T, *, beta: T = 1, alpha: T = 1):
    return beta * input + alpha * _mm(batch1, batch2).sum(0)


@op(grad_name="AddrBackward0", inplace=True)
def addr(input: T, vec1: T, vec2: T, *, beta: T = 1, alpha: T = 1):
    return beta * input + alpha * jnp.outer(vec1, vec2)
