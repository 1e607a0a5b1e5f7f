"""Tensor's Python operators and the methods that are aliases or thin compositions of ops."""

import numbers

from . import _dtype
from ._errors import check
from ._ops import comparison, indexing, linalg, pointwise, shape
from .tensor import Tensor


def _operand(x):
    return isinstance(x, (Tensor, numbers.Number))


def _binary(fn, reflected=False):
    def method(self, other):
        check(
            isinstance(self, Tensor),
            TypeError,
            lambda: f"descriptor requires a 'torch._C.TensorBase' object but received a '{type(self).__name__}'",
        )
        if not _operand(other):
            return NotImplemented
        return fn(other, self) if reflected else fn(self, other)

    return method


def _inplace(name):
    def method(self, other):
        return getattr(self, name)(other)

    return method


_BINARY = {
    "add": pointwise.add,
    "sub": pointwise.sub,
    "mul": pointwise.mul,
    "truediv": pointwise.div,
    "floordiv": pointwise.floor_divide,
    "mod": pointwise.remainder,
    "pow": pointwise.pow,
    "matmul": linalg.matmul,
    "and": pointwise.bitwise_and,
    "or": pointwise.bitwise_or,
    "xor": pointwise.bitwise_xor,
    "lshift": pointwise.bitwise_left_shift,
    "rshift": pointwise.bitwise_right_shift,
}
# torch's reflections of the commutative operators call the op with the tensor first (``2 * x``
# is ``x.mul(2)``), which matters where a kernel reads its second operand in opmath.
_COMMUTATIVE = {"add", "mul", "and", "or", "xor"}
for _name, _fn in _BINARY.items():
    setattr(Tensor, f"__{_name}__", _binary(_fn))
    setattr(Tensor, f"__r{_name}__", _binary(_fn, reflected=_name not in _COMMUTATIVE))
    if _name != "matmul":
        setattr(Tensor, f"__i{_name}__", _inplace(f"{_fn.__name__}_"))

# torch's own reflections: ``2 - x`` is rsub, ``2 / x`` is ``x.reciprocal() * 2``.
Tensor.__rsub__ = _binary(pointwise.rsub)


def _rdiv(self, other):
    # torch's Python-level definition: a non-Tensor ``self`` fails on ``.reciprocal`` (AttributeError).
    if not _operand(other):
        return NotImplemented
    return pointwise.mul(self.reciprocal(), other)


Tensor.__rtruediv__ = Tensor.__rdiv__ = _rdiv

for _name in ("eq", "ne", "lt", "le", "gt", "ge"):
    setattr(Tensor, f"__{_name}__", _binary(getattr(comparison, _name)))

Tensor.__neg__ = lambda self: pointwise.neg(self)
Tensor.__pos__ = pointwise.positive
Tensor.__abs__ = lambda self: pointwise.abs(self)
def _invert(self):
    check(
        _dtype.is_integral(self._dtype, include_bool=True),
        TypeError,
        "~ (operator.invert) is only implemented on integer and Boolean-type tensors",
    )
    return pointwise.bitwise_not(self)


Tensor.__invert__ = _invert
Tensor.__getitem__ = indexing.getitem
Tensor.__setitem__ = indexing.setitem
Tensor.__contains__ = lambda self, element: bool((self == element).any())
Tensor.__array_priority__ = 1000  # numpy scalars defer to Tensor's reflected operators

# ---- aliases and thin compositions -------------------------------------------------------------

_ALIASES = {
    "absolute": "abs",
    "absolute_": "abs_",
    "negative": "neg",
    "negative_": "neg_",
    "subtract": "sub",
    "subtract_": "sub_",
    "multiply": "mul",
    "multiply_": "mul_",
    "divide": "div",
    "divide_": "div_",
    "clip": "clamp",
    "clip_": "clamp_",
    "arcsin": "asin",
    "arcsin_": "asin_",
    "arccos": "acos",
    "arccos_": "acos_",
    "arctan": "atan",
    "arctan_": "atan_",
    "arctan2": "atan2",
    "arctan2_": "atan2_",
    "arcsinh": "asinh",
    "arcsinh_": "asinh_",
    "arccosh": "acosh",
    "arccosh_": "acosh_",
    "arctanh": "atanh",
    "arctanh_": "atanh_",
    "fix": "trunc",
    "fix_": "trunc_",
    "greater": "gt",
    "greater_": "gt_",
    "greater_equal": "ge",
    "greater_equal_": "ge_",
    "less": "lt",
    "less_": "lt_",
    "less_equal": "le",
    "less_equal_": "le_",
    "not_equal": "ne",
    "not_equal_": "ne_",
    "swapaxes": "transpose",
    "swapdims": "transpose",
    "moveaxis": "movedim",
    "concat": "cat",
    "ger": "outer",
}
for _alias, _target in _ALIASES.items():
    if hasattr(Tensor, _target):
        setattr(Tensor, _alias, getattr(Tensor, _target))

Tensor.where = lambda self, condition, other: pointwise.where(condition, self, other)
Tensor.view_as = shape.view_as
Tensor.expand_as = shape.expand_as
Tensor.reshape_as = shape.reshape_as
Tensor.type_as = lambda self, other: self.to(other.dtype)
Tensor.dim_order = lambda self: tuple(range(self.dim()))


def _new(factory):
    def method(self, *args, dtype=None, device=None, requires_grad=False, **kwargs):
        return factory(
            *args,
            dtype=dtype or self.dtype,
            device=device if device is not None else self.device,
            requires_grad=requires_grad,
            **kwargs,
        )

    return method


def _install_new():
    from ._ops import creation

    Tensor.new_zeros = _new(creation.zeros)
    Tensor.new_ones = _new(creation.ones)
    Tensor.new_empty = _new(creation.empty)
    Tensor.new_full = _new(creation.full)
    Tensor.new_tensor = _new(creation.tensor)


_install_new()
Tensor.__class_getitem__ = classmethod(lambda cls, item: cls)
