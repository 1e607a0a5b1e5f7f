"""The op registry: one definition per op, every entry point derived from it.

An op is a pure function on jax arrays with torch's parameter names, decorated with ``@op``.
Parameters annotated ``T`` take a tensor (or a Python scalar that promotes with the tensors),
``TT`` the same but a Tensor only, ``TN`` a tensor kept in its own dtype, ``TL`` a sequence of
tensors, ``D`` a Python number that is passed traced (so a changing index or scalar never
recompiles; floats go as float64, for the op to cast); every other parameter is static and
part of the jit cache key.

From that the registry derives ``torch.X`` (the returned ``TorchOp``), ``Tensor.X``,
``Tensor.X_`` (``inplace=True``), ``out=`` handling, dtype promotion (Note [type promotion] in
_dtype.py), device checks, one cached ``jax.jit`` per (op, static arguments, operand layout,
dtypes), autograd recording (Note [recording] in autograd/graph.py), views (Note [views and
versions] in _storage.py) and a real ``__signature__``.
"""

import inspect
import sys
import types

import jax
import jax.numpy as jnp
import numpy as np

from .. import _dtype, _lazy, _tracing
from .._device import jax_device
from .._errors import broadcast_shapes, check, clean_user_error, int_list, is_number_tensor
from .._storage import Storage as _Storage
from ..autograd import grad_mode
from ..autograd.graph import PureFn, node_class

# ---- parameter kinds and promotion kinds ----------------------------------------------------


class T:
    """Annotation: a tensor operand (Python scalars allowed, promoted as torch does)."""


class TL:
    """Annotation: a sequence of tensor operands."""


class TN:
    """Annotation: a tensor operand passed in its own dtype (no promotion), e.g. a condition."""


class TT:
    """Annotation: like ``T``, but a Tensor is required (torch's TypeError for a Python scalar)."""


class D:
    """Annotation: a Python number passed to jax traced (not part of the cache key)."""


SAME = "same"  # result dtype = torch.result_type of the operands
INT_TO_FLOAT = "int_to_float"  # like SAME, integral/bool results become the default float
BOOL_OUT = "bool_out"  # operands promoted to their common dtype, result bool
NONE = None  # operands passed in their own dtypes

_STATIC, _T, _TL, _D, _TN, _TT = range(6)
_KIND = {T: _T, TL: _TL, D: _D, TN: _TN, TT: _TT}

REGISTRY = {}
_jit_cache = {}
_Tensor = None  # set by tensor.py (import cycle)
_tensor_module = None


def set_tensor_class(cls):
    global _Tensor, _tensor_module
    _Tensor = cls
    _tensor_module = sys.modules[cls.__module__]


# ---- the op object --------------------------------------------------------------------------


_BY_NAME = {}  # op name ("neg", "nn.functional.relu") -> the op


def _op_named(name):
    """The registered op called ``name`` (how an op unpickles)."""
    import jtorch  # noqa: F401  (registers every op)

    return _BY_NAME[name]


def pickle_by_public_name(namespace):
    """Make the plain functions of public module ``namespace`` that pickle would not find by
    their own module and qualified name pickle as ``namespace``'s: a wrapper that shadows the op
    of its name in the module defining both (``F.relu`` beside the ``relu`` op), or a function
    a factory made (``atleast_1d``), is named by the public module, as torch's functions are
    (``torch.nn.functional.relu.__module__``)."""
    for name, obj in vars(namespace).items():
        if type(obj) is not types.FunctionType or name.startswith("_"):
            continue
        home = sys.modules.get(obj.__module__)
        if getattr(home, obj.__qualname__, None) is not obj:  # a local name is never found
            obj.__module__, obj.__qualname__ = namespace.__name__, name


class TorchOp:
    """A registered op; calling it is ``torch.X(...)``."""

    def __init__(self, fn, name, promote, inplace, method, view, grad_name, returns, out, broadcast, varargs, linear, pre):
        self.fn = fn
        self.name = name
        _BY_NAME[name] = self
        self.__name__ = name.rsplit(".", 1)[-1]
        self.__qualname__ = self.__name__
        self.__doc__ = fn.__doc__
        self.promote = promote
        self.inplace = inplace
        self.method = self.__name__ if method is True else method
        self.view = view
        torch_name = name.replace("linalg.", "linalg_").rsplit(".", 1)[-1]  # LinalgInvExBackward0
        self.grad_name = grad_name or _camel(torch_name) + "Backward0"
        self.returns = _structseq(torch_name, returns) if returns else None
        self.broadcast = broadcast
        self.varargs = varargs
        self.linear = linear
        self.pre = pre
        sig = inspect.signature(fn)
        self.params = [(p.name, _KIND.get(p.annotation, _STATIC), p.default, p.kind) for p in sig.parameters.values()]
        self._names = [p[0] for p in self.params]
        self._dtype_pos = self._names.index("dtype") if "dtype" in self._names else None
        self._kinds = [p[1] for p in self.params]
        # how many arguments may come by position (the parameters before the keyword-only ones)
        kinds = [p[3] for p in self.params] + [inspect.Parameter.KEYWORD_ONLY]
        self._positional = kinds.index(inspect.Parameter.KEYWORD_ONLY)
        self._int_varargs = varargs is not None and self._kinds[varargs] == _STATIC  # x.view(2, 3)
        self.overloads = None  # the signatures torch's parse errors list, where it has several
        self.opmath_scalars = False
        self.opmath = False
        # Note [dispatch plans]: None where every call derives anew
        plain = not callable(promote) and _TL not in self._kinds
        self._plans = {} if plain and self._dtype_pos is None else None
        params = [p.replace(annotation=inspect.Parameter.empty) for p in sig.parameters.values()]
        if out:
            params.append(inspect.Parameter("out", inspect.Parameter.KEYWORD_ONLY, default=None))
        self.accepts_out = out
        self.__signature__ = sig.replace(parameters=params, return_annotation=inspect.Signature.empty)

    def __repr__(self):
        return f"<function {self.name}>"

    def __call__(self, *args, **kwargs):
        out = kwargs.pop("out", None) if self.accepts_out else None
        if out is not None:
            _check_out_overlap(self, out, args, kwargs)
        result = dispatch(self, args, kwargs)
        if out is not None:
            return _write_out(self, out, result)
        return result

    # an op is a function, which Python copies by reference (a module's activation, say)
    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    # pickled by name (a Pool's ``map(torch.neg, ...)``, a module holding ``torch.tanh``): the
    # unpickling process finds the op of that name in its own registry
    def __reduce__(self):
        return _op_named, (self.name,)

    def __get__(self, obj, objtype=None):
        # Lets ``Tensor.X = op`` act as a method (``t.X(...)`` passes ``t`` as ``input``).
        if obj is None:
            return self
        return _BoundOp(self, obj)

    def bind(self, args, kwargs):
        """Values in parameter order; torch-style TypeError for bad calls."""
        params = self.params
        i = self.varargs
        if i is not None and len(args) > i:
            spread = not isinstance(args[i], (list, tuple))
            if spread or (self._int_varargs and len(args) == i + 1):
                packed = tuple(args[i:]) if spread else args[i]
                if self._int_varargs and not (len(packed) == 1 and isinstance(packed[0], _dtype.dtype)):
                    packed = int_list(packed, self.__name__, self.params[i][0], spread, self.overloads)
                args = (*args[:i], packed)
        if len(args) > self._positional:
            return self._bind_slow(args, kwargs)
        values = list(args)
        used = 0
        for name, _, default, _ in params[len(args) :]:
            if name in kwargs:
                values.append(kwargs[name])
                used += 1
            elif default is inspect.Parameter.empty:
                return self._bind_slow(args, kwargs)
            else:
                values.append(default)
        if used != len(kwargs):
            return self._bind_slow(args, kwargs)
        return values

    def _bind_slow(self, args, kwargs):
        for alias, name in _NUMPY_NAMES.items():  # torch's arg parser takes numpy's names too
            if alias in kwargs and name in self._names and alias not in self._names:
                kwargs[name] = kwargs.pop(alias)
        try:
            b = self.__signature__.bind(*args, **kwargs)
        except TypeError as e:
            raise TypeError(f"{self.__name__}() {e}") from None
        b.apply_defaults()
        return [b.arguments[n] for n in self._names]


_NUMPY_NAMES = {"axis": "dim", "keepdims": "keepdim", "x": "input", "a": "input", "x1": "input", "x2": "other"}


class _BoundOp:
    __slots__ = ("op", "self")

    def __init__(self, op, obj):
        self.op = op
        self.self = obj

    def __call__(self, *args, **kwargs):
        return self.op(self.self, *args, **kwargs)


def _camel(name):
    return "".join(part[:1].upper() + part[1:] for part in name.strip("_").split("_"))


_structseqs = {}


def _structseq(name, fields):
    import collections

    key = (name, tuple(fields))
    if key not in _structseqs:
        cls = collections.namedtuple(name, fields)
        cls.__module__ = "torch.return_types"
        cls.__repr__ = _structseq_repr
        _structseqs[key] = cls
    return _structseqs[key]


def _structseq_repr(self):
    body = ",\n".join(f"{k}={v!r}" for k, v in zip(self._fields, self))
    return f"torch.return_types.{type(self).__name__}(\n{body})"


def op(
    name=None,
    *,
    promote=SAME,
    inplace=False,
    method=True,
    view=False,
    grad_name=None,
    returns=None,
    out=True,
    broadcast=False,
    varargs=None,
    linear=False,
    pre=None,
    post=None,
    opmath_scalars=False,
    opmath=False,
):
    """Register a pure jax function as a torch op (see the module docstring).

    promote: SAME, INT_TO_FLOAT, BOOL_OUT, NONE, or a function of the bound arguments (as
    keywords) returning one of those. inplace: also derive ``Tensor.X_``. method: the Tensor
    method name (True: the op's own name; False: none). view: outputs share the first
    operand's storage ("overlapping" for views such as expand that may not be written).
    broadcast: check that the tensor operands broadcast, with torch's error. varargs: the
    position from which extra positional arguments are packed into one tuple
    (``x.view(2, 3)``). linear: backward needs no saved values, so it may run twice.
    grad_name: the grad_fn name, or a function of the bound arguments returning it.
    pre: a check run on the bound arguments (Tensors, before jax) for what the pure function
    cannot see, such as the strides of a view or the values of an index.
    post: ``post(result, *bound values)`` run on the result Tensors, returning what the call
    returns: for checks on computed values (torch's LinAlgError from an ``info`` output).
    opmath_scalars: a Python number among the promoted operands goes in float32 where they
    are computed in float16 or bfloat16, as torch's kernel reads it (Note [opmath] in
    pointwise.py); the op rounds its result. opmath: float16 and bfloat16 array operands are
    computed in float32 and the results rounded once to the dtypes the op gives them (torch's
    kernels of activations and softmaxes).
    """

    def register(fn):
        key = name or fn.__name__
        top = TorchOp(fn, key, promote, inplace, method, view, grad_name, returns, out, broadcast, varargs, linear, pre)
        top.post = post
        top.opmath_scalars = opmath_scalars
        top.opmath = opmath
        REGISTRY[key] = top
        return top

    return register


# ---- classification of arguments ------------------------------------------------------------


class _HSlice(tuple):
    """A hashable stand-in for a slice inside a jit cache key (slices hash only from 3.12)."""


class _HScalar(tuple):
    """A static bool or float inside a jit cache key, kept apart from the equal int: True == 1
    == 1.0 hash alike, and ``x.std(True)`` must not reuse the trace of ``x.std(1)``."""


def _static_key(v):
    if isinstance(v, (bool, float)):
        return _HScalar((type(v).__name__, v))
    if isinstance(v, (list, tuple)) and not isinstance(v, (_HSlice, _HScalar)):
        return tuple(_static_key(x) for x in v)
    if isinstance(v, slice):
        return _HSlice((v.start, v.stop, v.step))
    if isinstance(v, _Tensor):
        raise TypeError("a Tensor cannot be passed where a static argument is expected")
    return v


def _unkey(v):
    if isinstance(v, _HSlice):
        return slice(*v)
    if isinstance(v, _HScalar):
        return v[1]
    if isinstance(v, tuple):
        return tuple(_unkey(x) for x in v)
    return v


_SCALARS = (int, float, complex, np.number, np.bool_)


def _static_type(default):
    """The type torch's argument parser wants for a static parameter, as its default tells:
    a Number where the default is a float, a str or bool where it is one, else an int."""
    if isinstance(default, (bool, str)):
        return type(default).__name__
    return "Number" if isinstance(default, float) else "int"


def _number_arg(top, pname, v, want):
    """Tensor ``v`` given for a number parameter, as torch's argument parser takes it: a
    zero-dim tensor that does not require grad is its value (read on the host, as torch reads
    it), an integral one where an int is wanted; anything else is its TypeError."""
    if want in ("int", "Number") and is_number_tensor(v, integral=want == "int"):
        return v.item()
    raise TypeError(f"{top.__name__}(): argument '{pname}' must be {want}, not Tensor")


def _classify(top, values):
    """Split bound values into a static layout key and the dynamic operands.

    Returns (layout, operands, kinds): layout has one entry per parameter ("t"/"s" for a T
    tensor/scalar, "d" for a D number, an int for a TL length, None, or ("c", static value)).
    """
    layout, operands, kinds = [], [], []
    for (pname, kind, default, _), v in zip(top.params, values):
        if kind == _D and isinstance(v, _Tensor):
            v = _number_arg(top, pname, v, "Number")
        if kind == _STATIC:
            if isinstance(v, _Tensor):
                v = _number_arg(top, pname, v, _static_type(default))
            elif type(v) in (list, tuple) and any(isinstance(x, _Tensor) for x in v):
                v = type(v)(_number_arg(top, pname, x, "int") if isinstance(x, _Tensor) else x for x in v)
            layout.append(("c", _static_key(v)))
        elif v is None:
            layout.append(None)
        elif kind == _TL:
            check(
                isinstance(v, (list, tuple)) and all(isinstance(x, _Tensor) for x in v),
                TypeError,
                lambda: f"{top.__name__}(): argument '{pname}' must be tuple of Tensors, not {type(v).__name__}",
            )
            layout.append(len(v))
            operands.extend(v)
            kinds.extend([_T] * len(v))
        elif isinstance(v, _Tensor) and kind in (_T, _TN, _TT):
            layout.append("t")
            operands.append(v)
            kinds.append(_T if kind == _TT else kind)
        elif kind == _D and isinstance(v, tuple):
            layout.append(("d", len(v)))
            operands.append(v)
            kinds.append(kind)
        else:
            check(
                isinstance(v, _SCALARS) and kind != _TT,
                TypeError,
                lambda: f"{top.__name__}(): argument '{pname}' must be {'Number' if kind == _D else 'Tensor'}, "
                f"not {type(v).__name__}",
            )
            layout.append("d" if kind == _D else "s")
            operands.append(v.item() if isinstance(v, (np.number, np.bool_)) else v)
            kinds.append(kind)
    return tuple(layout), operands, kinds


def _compute_dtype(top, values, operands, kinds):
    """The dtype the T operands are computed in (None: each keeps its own)."""
    kind = top.promote
    if callable(kind):
        kind = kind(**dict(zip(top._names, values)))
    if kind is NONE:
        return None
    if isinstance(kind, _dtype.dtype):  # a fixed computation dtype, e.g. float_power's float64
        return kind
    dims, zeros, scalars = [], [], []
    for v, k in zip(operands, kinds):
        if k != _T:
            continue
        if isinstance(v, _Tensor):
            (dims if v._shape else zeros).append(v._dtype)
        else:
            scalars.append(v)
    dt = _dtype.result_type_of(dims, zeros, scalars)
    if kind == INT_TO_FLOAT and dt is not None and not (dt.is_floating_point or dt.is_complex):
        dt = _dtype.get_default_dtype()
    return dt


def _arrays(operands, kinds, compute, opmath=False):
    """jax/numpy arrays of the operands and the dtype each is passed in (``opmath``: the op's
    ``opmath_scalars``)."""
    arrays, dtypes = [], []
    scalar_dt = compute
    if opmath and compute in (_dtype.float16, _dtype.bfloat16):
        scalar_dt = _dtype.float32
    for i, (v, k) in enumerate(zip(operands, kinds)):
        if isinstance(v, _Tensor):
            dt = compute if (compute is not None and k == _T) else v._dtype
            a = v._lazy_value()
        else:
            if isinstance(v, tuple):  # a D tuple of ints
                dt = _dtype.int64
            elif compute is not None and k == _T:
                # torch's kernels read only a later operand in opmath (``0.3 // x`` rounds 0.3)
                dt = scalar_dt if i and type(v) in (int, float) else compute
            else:
                dt = _scalar_operand_dtype(v, k)
            a = np.asarray(v, dtype=dt._np)
        arrays.append(a)
        dtypes.append(dt)
    return arrays, tuple(dtypes)


def _scalar_operand_dtype(v, kind):
    """A Python scalar outside promotion (D, TN, or T under NONE): T keeps torch's scalar dtype;
    D and TN go at full precision (float64/complex128), since the op casts them itself."""
    if kind != _T and isinstance(v, (float, complex)):
        return _dtype.complex128 if isinstance(v, complex) else _dtype.float64
    return _dtype.scalar_dtype(v)


def pure_fn(top, layout, dtypes):
    """The PureFn of ``top`` for one layout: a function of the dynamic operands only."""
    key = (top.name, layout, dtypes)
    pf = _jit_cache.get(key)
    if pf is None:
        pf = PureFn(key, _make_pure(top, layout, dtypes))
        pf.jitted = jax.jit(pf.fn)
        pf.linear = top.linear
        _jit_cache[key] = pf
    return pf


def _make_pure(top, layout, dtypes):
    """``top.fn`` as a function of the dynamic operands, cast to ``dtypes`` (None: no casts,
    as view steps need when they run on the index map's integers)."""
    fn = top.fn
    names = [p[0] for p in top.params]
    targets = None if dtypes is None else [dt._np for dt in dtypes]

    def pure(*arrays):
        if targets is not None:
            arrays = [a if a.dtype == t else a.astype(t) for a, t in zip(arrays, targets)]
        if top.broadcast:
            broadcast_shapes(*(a.shape for a in arrays))
        kwargs, i = {}, 0
        for pname, lay in zip(names, layout):
            if lay is None:
                kwargs[pname] = None
            elif isinstance(lay, int):
                kwargs[pname] = arrays[i : i + lay]
                i += lay
            elif isinstance(lay, tuple) and lay[0] == "c":
                kwargs[pname] = _unkey(lay[1])
            else:
                kwargs[pname] = arrays[i]
                i += 1
        return _in_opmath(fn, kwargs) if top.opmath else fn(**kwargs)

    return pure


HALF = (np.dtype(jnp.float16), np.dtype(jnp.bfloat16))  # computed in float32 under opmath


def _in_opmath(fn, kwargs):
    """``fn(**kwargs)`` with its float16/bfloat16 arrays in float32, each result rounded to
    the dtype ``fn`` gives it on the arrays as they are (the op's ``opmath``)."""
    names = [k for k, v in kwargs.items() if isinstance(v, jax.Array) and v.dtype in HALF]
    if not names:
        return fn(**kwargs)

    def call(*arrays):
        return fn(**{**kwargs, **dict(zip(names, arrays))})

    halves = [kwargs[k] for k in names]
    want = jax.eval_shape(call, *halves)
    out = call(*[a.astype(jnp.float32) for a in halves])
    return jax.tree.map(lambda o, w: o if o.dtype == w.dtype else o.astype(w.dtype), out, want)


# ---- dispatch -------------------------------------------------------------------------------


def _is_d_tuple(lay):
    return type(lay) is tuple and lay[0] == "d"


class _Plan:
    """What dispatch derived for one call signature (Note [dispatch plans])."""

    __slots__ = ("dev", "operand_pos", "pf", "scalar_dtypes", "visible")

    def __init__(self, layout, operands, dtypes, dev, pf):
        # the parameters _classify took an operand from (plans are never made for tensor lists)
        self.operand_pos = [i for i, lay in enumerate(layout) if lay in ("t", "s", "d") or _is_d_tuple(lay)]
        self.scalar_dtypes = [None if isinstance(v, _Tensor) else dt._np for v, dt in zip(operands, dtypes)]
        self.dev = dev
        self.pf = pf
        self.visible = None  # _visible's answer, the same for every call of the signature


# Note [dispatch plans]: an op's layout, computation dtype, operand dtypes, result device and
# jitted function depend only on which arguments are tensors (their dtypes, whether they are
# zero-dim, their devices), on the Python types of the scalar ones, on the static arguments'
# values and on the default dtype. For most ops (no dtype or tensor-list parameter, no
# promotion rule of its own), a call whose arguments are plain (tensors, Python numbers,
# None, and static ints, floats, strings, dtypes, or tuples of ints, strings and such tuples,
# as indexing's view spec) keys the plan derived on its first call by exactly that (after
# binding), and later calls skip classification, promotion and the device check. The op's
# ``pre`` checks run on every call, and what depends on shapes or values (broadcasting, index
# checks) happens in the jitted function or in ``pre``, as on the first call. A call that
# would raise while classifying never makes a plan.
_PLAIN_STATIC = (int, bool, float, str, type(None), _dtype.dtype)
_NUMBERS = (int, float, bool, complex)
_MAX_PLANS = 256  # per op


def _plain_tuple(v):
    """Whether static tuple ``v`` holds only ints, strings and such tuples (no bool or float,
    which would key alike with the equal int)."""
    for x in v:
        t = type(x)
        if t is not int and t is not str and not (t is tuple and _plain_tuple(x)):
            return False
    return True


def _signature(top, values):
    """The plan key of a bound call, or None where the call takes the general path."""
    sig = [_dtype._default[0]]
    for v, kind in zip(values, top._kinds):
        if isinstance(v, _Tensor):
            if kind == _STATIC or kind == _D:
                return None
            sig.append((v._dtype, not v._shape, v._device))
            continue
        t = type(v)
        if kind == _STATIC:
            if t in _PLAIN_STATIC or (t is tuple and _plain_tuple(v)):
                sig.append((t, v))
                continue
            return None
        if v is None:
            sig.append(None)
        elif t in _NUMBERS:
            sig.append(t)
        elif t is tuple and kind == _D and all(type(x) is int for x in v):
            sig.append((t, len(v)))
        else:
            return None
    return tuple(sig)


def dispatch(top, args, kwargs):
    """Run op ``top`` on torch-style arguments: promote, check, call jitted, record, wrap."""
    values = top.bind(args, kwargs)
    if top._dtype_pos is not None:  # dtype=float means float64, as in torch
        values[top._dtype_pos] = _dtype.as_dtype(values[top._dtype_pos])
    sig = _signature(top, values) if top._plans is not None else None
    plan = top._plans.get(sig) if sig is not None else None
    if top.pre is not None:
        top.pre(*values)
    if plan is not None:
        operands = [values[i] for i in plan.operand_pos]
        arrays = [
            v._lazy_value() if dt is None else np.asarray(v, dtype=dt) for v, dt in zip(operands, plan.scalar_dtypes)
        ]
        pf, dev = plan.pf, plan.dev
    else:
        layout, operands, kinds = _classify(top, values)
        compute = _compute_dtype(top, values, operands, kinds)
        arrays, dtypes = _arrays(operands, kinds, compute, top.opmath_scalars)
        dev = _check_devices(top, operands)
        pf = pure_fn(top, layout, dtypes)
        if sig is not None:
            if len(top._plans) >= _MAX_PLANS:  # static values that never repeat
                top._plans.clear()
            top._plans[sig] = _Plan(layout, operands, dtypes, dev, pf)
    if dev is not None and dev.type != "cpu":  # a CPU scalar tensor may have joined the GPU
        _to_device(operands, arrays, dev)
    try:
        if top.view and dev is not None and _defers_views():
            result = _view_result(pf, arrays, dev)  # Note [deferred views]
        else:
            result = _lazy.call(pf.jitted, arrays, tree=False)
    except Exception as e:
        raise clean_user_error(e) from None
    multi = isinstance(result, (tuple, list))
    if type(result) is _Tensor:
        outs = [result]
    elif multi:
        outs = [_Tensor._wrap(a, dev) for a in result]
    else:
        outs = [_Tensor._wrap(result, dev)]
    if grad_mode._state["enabled"]:
        _record(top, pf, values, operands, arrays, outs, multi, plan)
    if top.view:
        _make_views(top, pf, operands[0], arrays[1:], outs, multi, values)
    if not multi:
        result = outs[0]
    else:
        result = top.returns(*outs) if top.returns else tuple(outs)
    return result if top.post is None else top.post(result, *values)


# Note [deferred views]: an eager view op (``x[i]``, ``x.view(...)``, ``x.t()``) does not compute
# its value: a view's value is derived from its storage's array when it is read (Note [views and
# versions] in _storage.py), so the view is made with its shape and dtype (from jax.eval_shape,
# cached per signature) and its first read computes it. A view that is never read on its own
# costs no jitted call: a Dataset's ``x[i]`` samples, which default_collate stacks with one
# vmapped read of the storage (``_collate._stacked_views``) instead of one call per sample.
# Checks still run at the call: the pure function is traced by eval_shape on its first
# signature, and an op's ``pre`` checks (an index's range) run on every call. Not in lazy mode
# (a pending value costs no jitted call either) nor inside a compiled call's trace.
_view_shapes = {}
MAX_VIEW_SHAPES = 4096


def _defers_views():
    return _tracing.Tracing.active is None and not _lazy.records() and _tensor_module.read_hook is None


def _view_result(pf, arrays, dev):
    """The output Tensor of a single-output view op, its value not computed; the computed
    result where the op has several outputs."""
    if any(type(a) is _lazy.Pending for a in arrays):  # made in lazy mode: computed as always
        return _lazy.call(pf.jitted, arrays, tree=False)
    key = (pf.key, *[(a.shape, a.dtype) for a in arrays])
    out = _view_shapes.get(key)
    if out is None:
        if len(_view_shapes) >= MAX_VIEW_SHAPES:
            _view_shapes.clear()
        out = _view_shapes[key] = jax.eval_shape(pf.jitted, *arrays)
    if not isinstance(out, jax.ShapeDtypeStruct):
        return _lazy.call(pf.jitted, arrays, tree=False)
    t = object.__new__(_Tensor)
    t._init(_Storage(None), out.shape, _dtype.from_numpy_dtype(out.dtype), dev)
    return t


def _check_devices(top, operands):
    """The device of the result; torch's error when tensors sit on two devices (zero-dim CPU
    tensors may join any device, as in torch; a zero-dim CUDA tensor may not join CPU ones)."""
    first = scalar_dev = None
    for v in operands:
        if not isinstance(v, _Tensor):
            continue
        if not v._shape and v._device.type == "cpu":
            scalar_dev = scalar_dev or v._device
        elif first is None:
            first = v._device
        elif v._device != first:
            # torch names the GPU first ("cuda:0 and cpu"), whichever operand it was
            a, b = (v._device, first) if first.type == "cpu" else (first, v._device)
            raise RuntimeError(
                f"Expected all tensors to be on the same device, but found at least two devices, {a} and {b}!"
            )
    return first or scalar_dev


def _to_device(operands, arrays, dev):
    """Zero-dim tensors from another device (a CPU scalar tensor beside CUDA ones, which torch
    allows) join ``dev``, so the jitted call sees one device."""
    for i, v in enumerate(operands):
        if isinstance(v, _Tensor) and v._device != dev:
            arrays[i] = jax.device_put(_lazy.concrete(arrays[i]), jax_device(dev))


def _differentiable(jax_dtype):
    return jax_dtype.kind in "fc" or jax_dtype == _dtype.bfloat16._np  # bfloat16's kind is "V"


def _grad_mask(operands):
    """Which operands are tensors that require grad."""
    return tuple([isinstance(v, _Tensor) and v._requires_grad for v in operands])


def _record(top, pf, values, operands, arrays, outs, multi, plan):
    mask = _grad_mask(operands)
    if True not in mask:
        return
    name = top.grad_name(*values) if callable(top.grad_name) else top.grad_name
    node = record_function(name, pf, operands, arrays, outs, multi, mask=mask)
    if node is not None:
        if plan is None:
            node._visible = _visible(top, values)
        else:
            if plan.visible is None:
                plan.visible = _visible(top, values)
            node._visible = plan.visible


def _visible(top, values):
    """Which operands torch lists in ``next_functions``: tensor arguments and positional
    scalars, not traced ints or keyword-only scalars such as ``alpha``."""
    visible = []
    for (_, kind, _, pkind), v in zip(top.params, values):
        if v is None or kind == _STATIC:
            continue
        if kind == _TL:
            visible.extend([True] * len(v))
        else:
            tensor_like = kind != _D and (pkind != inspect.Parameter.KEYWORD_ONLY or isinstance(v, _Tensor))
            visible.append(tensor_like)
    return tuple(visible)


def record_function(name, pf, operands, arrays, outs, multi, cls=None, mask=None):
    """Record PureFn ``pf`` applied to ``operands`` (whose values are ``arrays``) as the
    producer of Tensors ``outs``: the one place a Node is made (Note [recording]).

    Also used outside ``dispatch`` by code that computes through a pure function of its own:
    the backward pass under create_graph, autograd.Function, CopySlices, compiled calls (whose
    Node class ``cls`` has its own backward). ``mask``: which operands require grad, where the
    caller has found it already (dispatch, when at least one does).
    """
    if not grad_mode._state["enabled"]:
        return
    if mask is None:
        mask = _grad_mask(operands)
        if True not in mask:
            return
    if multi:
        out_mask = tuple(o._dtype._category >= _dtype.FLOAT for o in outs)
        diff = [o for o, m in zip(outs, out_mask) if m]
    else:
        out_mask = None
        diff = [o for o in outs if o._dtype._category >= _dtype.FLOAT]  # float or complex
    if not diff:
        return
    edges = [v._grad_edge() for v, m in zip(operands, mask) if m]
    meta = [(o._shape, o._dtype._np) for o in diff]
    node = (cls or node_class(name))(name, pf, tuple(arrays), mask, out_mask, meta, edges)
    for i, o in enumerate(diff):
        o._grad_fn = node
        o._output_nr = i
        o._requires_grad = True
    return node


_steps = {}


def _step(top, pf, j):
    """The view step of output ``j`` of view op ``pf``: ``fn(x, *dyn)``, without casts."""
    key = (pf.key, j)
    s = _steps.get(key)
    if s is None:
        fn = _make_pure(top, pf.key[1], None)
        s = _steps[key] = (lambda x, *d: fn(x, *d)) if j is None else (lambda x, *d: fn(x, *d)[j])
    return key, s


def _make_views(top, pf, src, dyn, outs, multi, values):
    check(isinstance(src, _Tensor), TypeError, f"{top.__name__}(): expected a Tensor input")
    for j, o in enumerate(outs):
        key, fn = _step(top, pf, j if multi else None)
        o._become_view_of(src, key, fn, dyn, overlapping=top.view == "overlapping")
        if multi:  # torch forbids in-place writes into these under autograd (see Tensor._assign)
            o._multi_view = (j, top.grad_name(*values) if callable(top.grad_name) else top.grad_name)


# ---- in-place and out= ----------------------------------------------------------------------


def check_inplace(t):
    """torch's errors for in-place ops on leaves that require grad (and their views)."""
    if not grad_mode._state["enabled"]:
        return
    if t._requires_grad and t._grad_fn is None and t._base is None:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    base = t._base
    if base is not None and base._requires_grad and base._grad_fn is None:
        raise RuntimeError(
            "a view of a leaf Variable that requires grad is being used in an in-place operation."
        )


def dispatch_inplace(top, t, args, kwargs):
    check_inplace(t)
    result = dispatch(top, (t, *args), kwargs)
    if top.view:  # t_(), squeeze_(): t itself becomes the view
        return t._restride(result)
    # a number filled in (fill_, zero_) may go where elements share memory (an expanded
    # tensor's), as torch allows; no other in-place write may
    uniform = top.__name__ in ("fill", "zero") and not any(
        isinstance(v, _Tensor) for v in (*args, *kwargs.values())
    )
    return t._assign(result, top.__name__ + "_", uniform)


# Families whose kernels read inputs while writing out= in another order (torch's
# assert_no_overlap): any memory shared between out= and an input is refused. Elementwise ops
# (TensorIterator in torch) accept out= that is exactly an input, and refuse partial overlap.
_NO_OVERLAP_FAMILIES = ("rearrange", "selection", "random", "indexing")
_OVERLAP_MESSAGE = (
    "unsupported operation: some elements of the input tensor and the written-to tensor refer "
    "to a single memory location. Please clone() the tensor before performing the operation."
)


def _check_out_overlap(top, out, args, kwargs):
    outs = [o for o in (out if isinstance(out, (tuple, list)) else (out,)) if isinstance(o, _Tensor)]
    if not outs:
        return
    for o in outs:
        check(
            o._view is None or not o._view.overlapping,
            RuntimeError,
            "unsupported operation: more than one element of the written-to tensor refers to a "
            "single memory location. Please clone() the tensor before performing the operation.",
        )
    strict = top.fn.__module__.rsplit(".", 1)[-1] in _NO_OVERLAP_FAMILIES
    for t in _flat_tensors((args, kwargs)):
        for o in outs:
            if t._storage is not o._storage:
                continue
            a, b = _storage_elements(t), _storage_elements(o)
            if not np.intersect1d(a, b).size:
                continue  # same storage, disjoint elements
            full = t._shape == o._shape and np.array_equal(a, b)
            check(not strict and full, RuntimeError, _OVERLAP_MESSAGE)


def _storage_elements(t):
    """The flat storage positions ``t`` reads, in its element order."""
    if t._view is None:
        return np.arange(t.numel())
    return t._view.index_map(t._storage.array.dtype).reshape(-1)


def _flat_tensors(v):
    if isinstance(v, _Tensor):
        yield v
    elif isinstance(v, (list, tuple)):
        for x in v:
            yield from _flat_tensors(x)
    elif isinstance(v, dict):
        for x in v.values():
            yield from _flat_tensors(x)


def _write_out(top, out, result):
    if isinstance(result, tuple):
        check(
            isinstance(out, (tuple, list)) and len(out) == len(result),
            TypeError,
            f"{top.__name__}(): argument 'out' must be a tuple of {len(result)} Tensors",
        )
        for o, r in zip(out, result):
            _write_out(top, o, r)
        return out
    check(isinstance(out, _Tensor), TypeError, f"{top.__name__}(): argument 'out' must be Tensor")
    if grad_mode._state["enabled"] and (result._requires_grad or out._requires_grad):
        raise RuntimeError(
            f"{top.__name__}(): functions with out=... arguments don't support automatic "
            "differentiation, but one of the arguments requires grad."
        )
    check(
        _dtype.can_cast(result._dtype, out._dtype),
        RuntimeError,
        lambda: f"result type {dtype_title(result._dtype)} can't be cast to the desired output type "
        f"{dtype_title(out._dtype)}",
    )
    out._resize_assign(result)
    return out


def dtype_title(d):
    return {
        "float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
        "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
        "bool": "Bool", "complex64": "ComplexFloat", "complex128": "ComplexDouble",
    }[d._name]



_extra_methods = {}


def method(name):
    """Register a plain function as ``Tensor.<name>`` (for overloads such as ``max``)."""

    def register(fn):
        _extra_methods[name] = fn
        return fn

    return register


def install_methods(cls):
    """Give Tensor a method (and in-place variant) for every registered op that has one."""
    for name, fn in _extra_methods.items():
        setattr(cls, name, fn)
    for top in REGISTRY.values():
        if top.method and not hasattr(cls, top.method):
            setattr(cls, top.method, top)
        name = (top.method or top.__name__) + "_"
        if top.inplace and not hasattr(cls, name):
            setattr(cls, name, _inplace_method(top, name))


def _inplace_method(top, name):
    def method(self, *args, **kwargs):
        return dispatch_inplace(top, self, args, kwargs)

    method.__name__ = name
    return method
