"""torch.nn.Parameter: a Tensor that a Module registers as one of its parameters."""

from .._errors import check
from ..autograd import grad_mode
from ..tensor import Tensor, _rebuild


class Parameter(Tensor):
    """torch.nn.Parameter(data=None, requires_grad=True): shares ``data``'s storage (and version
    counter), has no autograd history, and prints as ``Parameter containing:``."""

    __slots__ = ()
    _is_param = True

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            from .. import empty

            data = empty(0)
        check(
            not requires_grad or data.is_floating_point() or data.is_complex(),
            RuntimeError,
            "Only Tensors of floating point and complex dtype can require gradients",
        )
        t = data._alias(cls)
        t.__dict__.update(data.__dict__)
        t._requires_grad = bool(requires_grad)
        return t

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        with grad_mode.no_grad():
            result = type(self)(self.data.clone(), self._requires_grad)
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, proto):
        return (_rebuild_parameter, (Tensor.__reduce_ex__(self, proto)[1], self._requires_grad))


def _rebuild_parameter(tensor_args, requires_grad):
    return Parameter(_rebuild(*tensor_args), requires_grad)


# ---- lazy (uninitialized) parameters and buffers ------------------------------------------------

_UNINITIALIZED_USE = (
    "Attempted to use an uninitialized parameter in {func}. This error happens when you are "
    "using a `LazyModule` or explicitly manipulating `torch.nn.parameter.{cls}` objects. When "
    "using LazyModules Call `forward` with a dummy batch to initialize the parameters before "
    "calling torch functions"
)


class UninitializedTensorMixin:
    """torch.nn.parameter.UninitializedTensorMixin: a placeholder without a shape until
    ``materialize(shape)``, which gives it storage and turns it into ``cls_to_become``.

    Until then, torch allows only metadata and conversions (``size``, ``dtype``, ``device``,
    ``to``/``float``/``cpu``..., ``copy_``); any op reading its value raises ValueError.

    Differences from torch: an op (``p + 1``, ``torch.mul(p, 2)``) is named "a tensor
    operation" in the error, not by torch's function object."""

    __slots__ = ()
    cls_to_become = None

    def materialize(self, shape, device=None, dtype=None):
        """Give this tensor an uninitialized storage of ``shape`` and make it a
        ``cls_to_become`` (a Parameter or a plain Tensor)."""
        from .. import empty

        plain = self.data
        device = plain.device if device is None else device
        dtype = plain.dtype if dtype is None else dtype
        self.data = empty(shape, device=device, dtype=dtype)
        self.__class__ = self.cls_to_become

    def _value(self):
        raise ValueError(
            _UNINITIALIZED_USE.format(func="a tensor operation", cls=type(self).__name__)
        )

    _lazy_value = _value

    def _refuse(self, method):
        func = f"<method '{method}' of 'torch._C.TensorBase' objects>"  # as torch names it
        raise ValueError(_UNINITIALIZED_USE.format(func=func, cls=type(self).__name__))

    @property
    def shape(self):
        raise RuntimeError(
            "Can't access the shape of an uninitialized parameter or buffer. This error usually "
            "happens in `load_state_dict` when trying to load an uninitialized parameter into an "
            "initialized one. Call `forward` to initialize the parameters before accessing their "
            "attributes."
        )

    def dim(self):
        self._refuse("dim")

    ndimension = dim

    def numel(self):
        self._refuse("numel")

    nelement = numel

    def detach(self):
        self._refuse("detach")

    def share_memory_(self):
        raise RuntimeError(
            "Can't share memory on an uninitialized parameter or buffer. Call `forward` to "
            "initialize the parameters before calling `module.share_memory()`."
        )

    def to(self, *args, **kwargs):
        # torch lets conversions through: a no-op keeps the placeholder, a real one gives a
        # plain empty tensor (Module._apply then stores it as this placeholder's data)
        plain = self.data
        out = plain.to(*args, **kwargs)
        return self if out is plain else out

    def copy_(self, src, non_blocking=False):
        self.data.copy_(src.data if is_lazy(src) else src, non_blocking)
        return self

    def __repr__(self):
        return f"<{type(self).__name__}>"

    def __reduce_ex__(self, proto):
        return (type(self), (self.requires_grad,))


def is_lazy(param):
    """torch.nn.parameter.is_lazy: whether ``param`` is an uninitialized parameter or buffer."""
    return isinstance(param, UninitializedTensorMixin)


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """torch.nn.UninitializedParameter(requires_grad=True, device=None, dtype=None): a Parameter
    whose shape a lazy module infers on its first forward."""

    __slots__ = ()
    cls_to_become = Parameter

    def __new__(cls, requires_grad=True, device=None, dtype=None):
        from .. import empty

        t = empty(0, device=device, dtype=dtype)._alias(cls)
        t._requires_grad = bool(requires_grad)
        return t

    def __deepcopy__(self, memo):
        if id(self) not in memo:
            plain = self.data
            memo[id(self)] = type(self)(self.requires_grad, plain.device, plain.dtype)
        return memo[id(self)]


class _BufferMeta(type):
    # torch.nn.Buffer(t) returns a plain Tensor marked ``_is_buffer``; isinstance sees the mark
    def __instancecheck__(cls, instance):
        if (
            cls is Buffer
            and isinstance(instance, Tensor)
            and getattr(instance, "_is_buffer", False)
        ):
            return True
        return super().__instancecheck__(instance)


class Buffer(Tensor, metaclass=_BufferMeta):
    """torch.nn.Buffer(data=None, *, persistent=True): marks a tensor so that assigning it to a
    Module attribute registers a buffer (``persistent=False`` keeps it out of the state_dict).
    Returns a detached plain Tensor, as torch does."""

    __slots__ = ()

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            from .. import empty

            data = empty(0)
        t = data.detach().requires_grad_(data.requires_grad)
        t.persistent = persistent
        t._is_buffer = True
        return t


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    """torch.nn.UninitializedBuffer(requires_grad=False, device=None, dtype=None, persistent=True):
    a buffer whose shape a lazy module infers on its first forward."""

    __slots__ = ()
    cls_to_become = Tensor

    def __new__(cls, requires_grad=False, device=None, dtype=None, persistent=True):
        from .. import empty

        t = empty(0, device=device, dtype=dtype)._alias(cls)
        t._requires_grad = bool(requires_grad)
        t.persistent = persistent
        t._is_buffer = True
        return t

    def to(self, *args, **kwargs):
        # unlike a lazy parameter, torch keeps a converted lazy buffer a placeholder (so that
        # Module._apply, which replaces buffers, leaves it lazy)
        out = super().to(*args, **kwargs)
        return out if out is self else out._alias(type(self))
