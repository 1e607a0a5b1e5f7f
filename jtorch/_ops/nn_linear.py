"""Linear layers of torch.nn.functional: linear and bilinear."""

import jax.numpy as jnp

from .._errors import check
from ._registry import NONE, TT, op
from .linalg import _mm
from .pointwise import _title


def _same_dtype(name, *xs):
    first = xs[0]
    for x in xs[1:]:
        if x is not None:
            check(
                x.dtype == first.dtype,
                RuntimeError,
                lambda x=x: f"{name}: expected tensors of one dtype, got {_title(first)} and {_title(x)}",
            )


@op("nn.functional.linear", method=False, promote=NONE, grad_name="AddmmBackward0")
def linear(input: TT, weight: TT, bias: TT = None):
    """torch.nn.functional.linear: ``input @ weight.T + bias``."""
    check(
        input.dtype == weight.dtype,
        RuntimeError,
        lambda: f"mat1 and mat2 must have the same dtype, but got {_title(input)} and {_title(weight)}",
    )
    rows = input.size // input.shape[-1] if input.ndim and input.shape[-1] else 0
    w = weight.T
    check(
        input.ndim >= 1 and input.shape[-1] == w.shape[0],
        RuntimeError,
        lambda: f"mat1 and mat2 shapes cannot be multiplied ({rows}x{input.shape[-1] if input.ndim else 1} "
        f"and {'x'.join(map(str, w.shape))})",
    )
    out = _mm(input, w)
    return out if bias is None else out + bias.astype(out.dtype)


@op("nn.functional.bilinear", method=False, promote=NONE)
def bilinear(input1: TT, input2: TT, weight: TT, bias: TT = None):
    """torch.bilinear: ``y_k = input1 @ weight[k] @ input2 + bias_k``."""
    _same_dtype("bilinear", input1, input2, weight, bias)
    check(
        input1.ndim == input2.ndim,
        RuntimeError,
        lambda: f"bilinear(): input dimensions do not match: got {input1.ndim} and {input2.ndim}",
    )
    check(
        weight.ndim == 3 and input1.shape[-1] == weight.shape[1] and input2.shape[-1] == weight.shape[2],
        RuntimeError,
        lambda: f"bilinear(): input sizes do not match weight: got {list(input1.shape)}, "
        f"{list(input2.shape)} and weight {list(weight.shape)}",
    )
    out = jnp.einsum("...i,kij,...j->...k", input1, weight, input2)
    return out if bias is None else out + bias
