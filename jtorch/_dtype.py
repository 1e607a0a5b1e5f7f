"""torch dtypes and torch's type promotion.

Note [type promotion]: jtorch never lets jax promote. Every op computes its result dtype here,
with torch's rules (``torch.result_type``), and casts its inputs explicitly before jax sees them.
torch ranks operands in three groups: tensors with dimensions, zero-dim tensors, and Python
scalars ("wrapped numbers"). Within a group dtypes combine with ``promote_types``; across groups
a lower group only matters when it belongs to a higher category (bool < integer < float <
complex), which is why ``int_tensor * 2.5`` gives the default float dtype while
``float16_tensor * 2.5`` stays float16.
"""

import builtins

import ml_dtypes
import numpy as np

_BOOL, _INT, _FLOAT, _COMPLEX = range(4)
FLOAT = _FLOAT  # a dtype whose ``_category >= FLOAT`` is floating point or complex (differentiable)


class dtype:
    """A torch dtype: ``torch.float32`` and friends. Instances are singletons."""

    __slots__ = ("_name", "_np", "_category", "_aliases", "itemsize")

    def __init__(self, name, np_dtype, category):
        self._name = name
        self._np = np.dtype(np_dtype)
        self._category = category
        self.itemsize = self._np.itemsize

    @property
    def is_floating_point(self):
        return self._category == _FLOAT

    @property
    def is_complex(self):
        return self._category == _COMPLEX

    @property
    def is_signed(self):
        return self._name not in ("bool", "uint8")

    def to_real(self):
        return {complex64: float32, complex128: float64}.get(self, self)

    def to_complex(self):
        """The complex dtype of this float dtype. Differences from torch: jtorch has no
        complex32, so float16 maps to complex64."""
        if self._category == _INT or self is bool:
            raise RuntimeError(f"Unknown Complex ScalarType for {_TITLES[self._name]}")
        return complex128 if self in (float64, complex128) else complex64

    def __repr__(self):
        return "torch." + self._name

    def __reduce__(self):
        return (_lookup, (self._name,))


float32 = dtype("float32", np.float32, _FLOAT)
float64 = dtype("float64", np.float64, _FLOAT)
float16 = dtype("float16", np.float16, _FLOAT)
bfloat16 = dtype("bfloat16", ml_dtypes.bfloat16, _FLOAT)
complex64 = dtype("complex64", np.complex64, _COMPLEX)
complex128 = dtype("complex128", np.complex128, _COMPLEX)
uint8 = dtype("uint8", np.uint8, _INT)
int8 = dtype("int8", np.int8, _INT)
int16 = dtype("int16", np.int16, _INT)
int32 = dtype("int32", np.int32, _INT)
int64 = dtype("int64", np.int64, _INT)
bool = dtype("bool", np.bool_, _BOOL)

float, double, half = float32, float64, float16
cfloat, cdouble = complex64, complex128
short, int, long = int16, int32, int64

ALL = (
    float32,
    float64,
    float16,
    bfloat16,
    complex64,
    complex128,
    uint8,
    int8,
    int16,
    int32,
    int64,
    bool,
)
ALIASES = {
    "float": float32,
    "double": float64,
    "half": float16,
    "cfloat": complex64,
    "cdouble": complex128,
    "short": int16,
    "int": int32,
    "long": int64,
}
_TITLES = {
    "float32": "Float",
    "float64": "Double",
    "float16": "Half",
    "bfloat16": "BFloat16",
    "int64": "Long",
    "int32": "Int",
    "int16": "Short",
    "int8": "Char",
    "uint8": "Byte",
    "bool": "Bool",
    "complex64": "ComplexFloat",
    "complex128": "ComplexDouble",
}
_BY_NAME = {d._name: d for d in ALL} | ALIASES
_BY_NP = {d._np: d for d in ALL}


def title(d):
    """The name torch's messages give a dtype: Float, Long, ComplexDouble..."""
    return _TITLES[d._name]


def _lookup(name):
    return _BY_NAME[name]


_PYTHON_TYPES = {
    builtins.float: float64,
    builtins.int: int64,
    builtins.bool: bool,
    builtins.complex: complex128,
}


def as_dtype(d):
    """A dtype argument as torch's parser reads it: Python's float, int, bool and complex stand
    for float64, int64, bool and complex128; anything else is returned as it is."""
    return _PYTHON_TYPES.get(d, d) if isinstance(d, type) else d


def from_numpy_dtype(np_dtype):
    """The torch dtype of a numpy/jax dtype; TypeError for ones torch lacks."""
    d = _BY_NP.get(np_dtype)  # a numpy dtype already (a jax array's), without np.dtype()
    if d is None:
        d = _BY_NP.get(np.dtype(np_dtype))
    if d is None:
        raise TypeError(
            f"can't convert np.ndarray of type {np.dtype(np_dtype)}. The only supported types are: "
            "float64, float32, float16, complex64, complex128, int64, int32, int16, int8, uint8, "
            "and bool."
        )
    return d


def to_jax(d):
    return d._np


def category(d):
    return d._category


# ---- default dtype -------------------------------------------------------------------------

_default = [float32]


def get_default_dtype():
    return _default[0]


def set_default_dtype(d):
    """torch.set_default_dtype: the dtype of Python floats (and, paired, of Python complex)."""
    if not isinstance(d, dtype):
        raise TypeError(
            "invalid dtype object: only floating-point types are supported as the default type"
        )
    if not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _default[0] = d


def default_complex():
    return _default[0].to_complex()


# ---- promotion -----------------------------------------------------------------------------


def promote_types(a, b):
    """torch.promote_types."""
    if a is b:
        return a
    ca, cb = a._category, b._category
    if ca < cb:
        a, b, ca, cb = b, a, cb, ca
    if ca > cb:
        if ca == _COMPLEX and cb == _FLOAT:
            return promote_types(a.to_real(), b).to_complex()
        return a
    if ca == _FLOAT:
        if {a, b} == {float16, bfloat16}:
            return float32
        return a if a.itemsize >= b.itemsize else b
    if ca == _INT:
        return _BY_NP[np.promote_types(a._np, b._np)]
    return a if a.itemsize >= b.itemsize else b


def scalar_dtype(x):
    """The dtype torch gives a Python scalar operand (before group rules)."""
    if isinstance(x, builtins.bool):
        return bool
    if isinstance(x, builtins.int):
        return int64
    if isinstance(x, builtins.float):
        return get_default_dtype()
    if isinstance(x, builtins.complex):
        return default_complex()
    raise TypeError(f"unsupported scalar type {type(x).__name__}")


def _combine(higher, lower):
    """Fold a lower-priority group's dtype into a higher one (torch's combine_categories)."""
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher._category == _COMPLEX:
        return higher
    if lower._category == _COMPLEX:
        return higher.to_complex() if higher._category == _FLOAT else lower
    if higher._category == _FLOAT:
        return higher
    if higher is bool or lower._category == _FLOAT:
        return promote_types(higher, lower)
    return higher


def result_type_of(dim_dtypes, zero_dim_dtypes, scalars):
    """torch.result_type over tensors with dims, zero-dim tensors and Python scalars."""
    groups = []
    for ds in (dim_dtypes, zero_dim_dtypes):
        r = None
        for d in ds:
            r = d if r is None else promote_types(r, d)
        groups.append(r)
    r = None
    for s in scalars:
        d = scalar_dtype(s)
        r = d if r is None else promote_types(r, d)
    groups.append(r)
    return _combine(groups[0], _combine(groups[1], groups[2]))


def is_integral(d, include_bool=False):
    return d._category == _INT or (include_bool and d is bool)


def can_cast(from_, to):
    """torch.can_cast: may an op's result of dtype ``from_`` be written into ``to``."""
    return from_._category <= to._category and not (from_._category > _BOOL and to is bool)
