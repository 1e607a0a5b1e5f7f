"""Complex numbers: conj, real, imag, view_as_real, view_as_complex and the conj/neg bits.

``conj``, ``real``, ``imag``, ``view_as_real`` and ``view_as_complex`` are views, as in torch:
writing ``x.real[0] = 1`` or ``x.conj()[0] = 1j`` changes ``x`` (complex storages are indexed
by real slots, Note [views and versions] in _storage.py). Gradients follow torch's conjugate
convention (Note [complex gradients] in autograd/graph.py).

Differences from torch: jtorch has no lazy conjugate or negative bit; ``conj`` is a view that
conjugates on read. ``is_conj`` is True for a complex view whose chain holds an odd number of
``conj`` steps (what torch's bit says for views and fresh results alike), and
``resolve_conj`` copies such a tensor as torch does. ``is_neg`` is always False (torch sets it
on ``x.conj().imag``), so ``resolve_neg`` returns its input unchanged. There is no complex32:
``chalf()`` and ``view_as_complex`` of float16 raise NotImplementedError.
"""

import jax
import jax.numpy as jnp

from .. import _dtype
from .._errors import check
from ._registry import NONE, TT, method, op


def _is_tensor(x):
    from ..tensor import Tensor

    return isinstance(x, Tensor)


def _is_complex(t):
    return _is_tensor(t) and t._dtype.is_complex


# ---- conj and the conj/neg bits -------------------------------------------------------------


@op("conj", promote=NONE, method=False, out=False, view=True, grad_name="ConjBackward0")
def _conj(input: TT):
    return jnp.conj(input)


def conj(input):
    """torch.conj: the complex conjugate, as a view; a real tensor is returned as it is."""
    return _conj(input) if not _is_tensor(input) or _is_complex(input) else input


@op("conj_physical", promote=NONE, inplace=True, method=False)
def _conj_physical(input: TT):
    return jnp.conj(input)


def conj_physical(input, *, out=None):
    """torch.conj_physical: the complex conjugate, computed (not a view); a real tensor is
    returned as it is."""
    if out is None and _is_tensor(input) and not input._dtype.is_complex:
        return input
    return _conj_physical(input, out=out)


def is_conj(input):
    """torch.is_conj: whether ``input`` is a conjugated view (see the module docstring)."""
    view = input._view
    if not input._dtype.is_complex or view is None:
        return False
    return sum(key[0][0] == "conj" for key in view.keys) % 2 == 1


def is_neg(input):
    """torch.is_neg: always False in jtorch (see the module docstring)."""
    return False


def resolve_conj(input):
    """torch.resolve_conj: a materialized copy of a conjugated view, else ``input`` itself."""
    from .rearrange import clone

    return clone(input) if is_conj(input) else input


def resolve_neg(input):
    """torch.resolve_neg: ``input`` itself (jtorch has no negative bit)."""
    return input


# ---- real and imaginary parts -----------------------------------------------------------------


@op("real", promote=NONE, method=False, out=False, view=True, grad_name="SelectBackward0")
def _real(input: TT):
    return jnp.real(input)


@op("imag", promote=NONE, method=False, out=False, view=True, grad_name="SelectBackward0")
def _imag(input: TT):
    return jnp.imag(input)


def real(input):
    """torch.real: the real part of a complex tensor as a view; a real tensor itself."""
    return _real(input) if not _is_tensor(input) or _is_complex(input) else input


def imag(input):
    """torch.imag: the imaginary part of a complex tensor, as a view."""
    check(
        not _is_tensor(input) or _is_complex(input),
        RuntimeError,
        "imag is not implemented for tensors with non-complex dtypes.",
    )
    return _imag(input)


def _part_setter(getter):
    def setter(self, value):  # ``x.real = v`` writes the view, as torch's copy_ does
        getter(self)[...] = value

    return setter


method("real")(property(real, _part_setter(real)))
method("imag")(property(imag, _part_setter(imag)))


# ---- view_as_real / view_as_complex ---------------------------------------------------------


def _not_conj(input):
    check(
        not _is_tensor(input) or not is_conj(input),
        RuntimeError,
        "view_as_real doesn't work on unresolved conjugated tensors.  To resolve the conjugate "
        "tensor so you can view it as real, use self.resolve_conj(); however, be warned that the "
        "resulting tensor will NOT alias the original.",
    )


@op(promote=NONE, method=False, out=False, view=True, pre=_not_conj)
def view_as_real(input: TT):
    """torch.view_as_real: a complex tensor as a real one with a last dimension of size 2."""
    check(
        jnp.iscomplexobj(input), RuntimeError, "view_as_real is only supported for complex tensors"
    )
    return jnp.stack([jnp.real(input), jnp.imag(input)], axis=-1)


def _complex_strides(input):
    """view_as_complex's checks, in torch's order (strides need the Tensor)."""
    if not _is_tensor(input):
        return
    d = input._dtype
    check(
        d in (_dtype.float16, _dtype.float32, _dtype.float64),
        RuntimeError,
        lambda: "view_as_complex is only supported for half, float and double tensors, but got a "
        f"tensor of scalar type: {_dtype.title(d)}",
    )
    check(input._shape, RuntimeError, "Input tensor must have one or more dimensions")
    check(input._shape[-1] == 2, RuntimeError, "Tensor must have a last dimension of size 2")
    check(
        d is not _dtype.float16,
        NotImplementedError,
        "view_as_complex of a float16 tensor: jtorch has no complex32 (torch.chalf)",
    )
    offset, strides = input._layout_info()
    check(strides[-1] == 1, RuntimeError, "Tensor must have a last dimension with stride 1")
    check(
        all(s % 2 == 0 for s in strides[:-1]),
        RuntimeError,
        "Tensor must have a stride divisible by 2 for all but last dimension",
    )
    check(offset % 2 == 0, RuntimeError, "Tensor must have a storage_offset divisible by 2")


@op(promote=NONE, method=False, out=False, view=True, pre=_complex_strides)
def view_as_complex(input: TT):
    """torch.view_as_complex: a real tensor whose last dimension has size 2 as a complex one."""
    if not jnp.issubdtype(input.dtype, jnp.floating):  # the integer iota of a view's index map
        input = input.astype(jnp.float64)
    return jax.lax.complex(input[..., 0], input[..., 1])


# ---- Tensor methods ---------------------------------------------------------------------------

for _name, _fn in {
    "conj": conj,
    "conj_physical": conj_physical,
    "is_conj": is_conj,
    "is_neg": is_neg,
    "resolve_conj": resolve_conj,
    "resolve_neg": resolve_neg,
}.items():
    method(_name)(_fn)


@method("chalf")
def chalf(self, memory_format=None):
    """Tensor.chalf: jtorch has no complex32."""
    raise NotImplementedError("torch.Tensor.chalf: jtorch has no complex32 (torch.chalf) dtype")
