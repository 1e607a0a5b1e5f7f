"""The Tensor class: state, properties, Python protocols and thin methods.

A Tensor is a Storage plus an optional view chain (Note [views and versions] in _storage.py),
its metadata (shape, dtype, device) and its autograd state (Note [recording] in
autograd/graph.py). Every read of a tensor's value goes through ``_value()`` and every in-place
write through ``_assign()``: the one accessor a lazy mode will hook.
"""

import time
import warnings

import numpy as np

from . import _device, _dtype
from ._errors import check
from ._layout import strided
from ._lazy import Pending
from ._ops import _registry
from ._size import Size
from ._storage import Storage, ViewSpec, contiguous_strides, strides_from_index_map
from .autograd import _engine, grad_mode
from .autograd import backward as _backward
from .autograd.graph import AccumulateGrad
from .sparse import _no_sparse_tensors, unsupported

_NONLEAF_GRAD = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute "
    "won't be populated during autograd.backward(). If you indeed want the .grad field to be populated "
    "for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you access the non-leaf Tensor "
    "by mistake, make sure you access the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 "
    "for more information. (Triggered internally at /__w/pytorch/pytorch/build/aten/src/ATen/core/TensorBody.h:493.)"
)


read_hook = None  # set while jtorch/_compile.py traces: it sees every read and write of a value
births = [0]  # tensors made so far: a trace tells its own tensors from older ones by ``_born``


# Note [host reads]: a value read on the host (``item()``, ``tolist()``, printing) usually waits
# for a program that jax dispatched asynchronously. Blocking puts this thread to sleep until
# XLA's thread wakes it, and on a virtual machine that wake-up alone takes 20-30 µs, as long as a
# small training step's whole program. So a read first polls the array's readiness for up to
# HOST_SPIN_S and blocks only after that: a step of the 10-50-1 MLP reads its loss about
# 25 µs sooner, and a long program costs the read at most HOST_SPIN_S of one core.
HOST_SPIN_S = 2e-4


def _ready(a):
    """``a`` (a jax array), after waiting up to HOST_SPIN_S for it to be computed."""
    is_ready = getattr(a, "is_ready", None)
    if is_ready is None or is_ready():
        return a
    end = time.perf_counter() + HOST_SPIN_S
    while not is_ready() and time.perf_counter() < end:
        pass
    return a


_NO_SHARED_MEMORY = (
    "torch.Tensor.share_memory_ is not supported by jtorch: a jax array cannot be placed in memory "
    "shared between processes, so another process would only get a copy and never see updates "
    "made here, nor send its own back (Note [no shared memory] in "
    "jtorch/multiprocessing/_context.py)"
)


class Tensor:
    """torch.Tensor on a jax array."""

    __slots__ = (
        "_storage",
        "_view",
        "_cache",
        "_cache_ver",
        "_base",
        "_view_hist",
        "_hist_ver",
        "_vc",
        "_multi_view",
        "_shape",
        "_dtype",
        "_device",
        "_requires_grad",
        "_grad",
        "_grad_fn",
        "_output_nr",
        "_accumulator",
        "_retains_grad",
        "_hooks",
        "_born",
        "__dict__",
        "__weakref__",
    )

    # ---- construction ------------------------------------------------------------------

    def __new__(cls, *args, **kwargs):
        from ._ops import creation

        return creation.legacy_tensor(cls, args, kwargs)

    @staticmethod
    def _wrap(array, device=None, cls=None):
        """A new root tensor holding jax array ``array`` (no copy)."""
        t = object.__new__(cls or Tensor)
        t._init(Storage(array), array.shape, _dtype.from_numpy_dtype(array.dtype), device)
        return t

    def _init(self, storage, shape, dtype, device):
        self._born = births[0]
        births[0] += 1
        if read_hook is not None:  # made inside a compiled call's trace
            read_hook.__self__.born.add(self)
        self._storage = storage
        self._view = None
        self._cache = None
        self._cache_ver = -1
        self._base = None
        self._view_hist = 0
        self._hist_ver = 0
        self._vc = [0]  # the version counter (``_version``): shared by views and detach(), not .data
        self._multi_view = None  # (output number, grad_fn name) for outputs of split, unbind...
        self._shape = shape
        self._dtype = dtype
        self._device = device if device is not None else _device.of_array(storage.array)
        self._requires_grad = False
        self._grad = None
        self._grad_fn = None
        self._output_nr = 0
        self._accumulator = None
        self._retains_grad = False
        self._hooks = None

    def _alias(self, cls=None):
        """A tensor sharing this one's storage and view chain, with no autograd history."""
        t = object.__new__(cls or Tensor)
        t._init(self._storage, self._shape, self._dtype, self._device)
        t._view = self._view
        t._cache, t._cache_ver = self._cache, self._cache_ver
        t._vc = self._vc
        return t

    def _become_view_of(self, src, key, fn, dyn, overlapping=False):
        spec = src._view if src._view is not None else ViewSpec(src._storage.array.shape)
        value = self._storage.array  # None: computed at the first read (Note [deferred views])
        self._cache, self._cache_ver = value, (-1 if value is None else src._storage.version)
        self._storage = src._storage
        self._vc = src._vc
        self._multi_view = src._multi_view
        self._view = spec.extend(key, fn, dyn, overlapping)
        self._base = src._base if src._base is not None else src
        self._view_hist = self._base._hist_ver

    # ---- the value accessor --------------------------------------------------------------

    def _value(self):
        v = self._lazy_value()
        if type(v) is Pending:
            v.force()
            v = self._lazy_value()  # which keeps the value in place of the placeholder
        return v

    def _lazy_value(self):
        """The value, or in lazy mode possibly a ``Pending`` one (Note [lazy mode] in _lazy.py):
        for code that only passes it to jitted functions through ``_lazy.call``."""
        if read_hook is not None:  # a compiled call's trace (Note [compiled calls])
            read_hook(self)
        st = self._storage
        if self._view is None:
            return st.read()
        if self._cache_ver == st.version and st.host is None:
            c = self._cache
            if type(c) is Pending and c.value is not None:
                c = self._cache = c.value
            return c
        val = self._view.read(st.read())
        self._cache, self._cache_ver = val, st.version
        return val

    def _write_value(self, array, uniform=False):
        """Write ``array`` into this tensor's elements; ``uniform``: every element gets the
        same value (``fill_``, ``zero_``), which torch allows where elements share memory."""
        if read_hook is not None:  # a compiled call's trace (Note [compiled calls])
            read_hook(self)
        st = self._storage
        if self._view is None:
            st.write(array)
            self._vc[0] += 1
            return
        check(
            uniform
            or not self._view.overlapping
            or not any(s == 0 and n > 1 for s, n in zip(self.stride(), self._shape)),
            RuntimeError,
            "unsupported operation: more than one element of the written-to tensor refers to a single "
            "memory location. Please clone() the tensor before performing the operation.",
        )
        st.write(self._view.write(st.read(), array))
        self._vc[0] += 1

    def _assign(self, new, name="copy_", uniform=False):
        """In-place update of this tensor with the values and history of tensor ``new``
        (``uniform``: one value for every element, see ``_write_value``)."""
        check(
            new._shape == self._shape,
            RuntimeError,
            lambda: f"output with shape {list(self._shape)} doesn't match the broadcast shape {list(new._shape)}",
        )
        if new._dtype is not self._dtype:
            check(
                _dtype.can_cast(new._dtype, self._dtype),
                RuntimeError,
                lambda: f"result type {_registry.dtype_title(new._dtype)} can't be cast to the desired "
                f"output type {_registry.dtype_title(self._dtype)}",
            )
            new = new.to(self._dtype)
        if self._multi_view is not None and grad_mode._state["enabled"] and new._requires_grad:
            j, name = self._multi_view
            raise RuntimeError(
                f"Output {j} of {name.replace('Backward0', '')} is a view and is being modified inplace. This view "
                "is the output of a function that returns multiple views. Such functions do not allow the output "
                "views to be modified inplace. You should replace the inplace operation by an out-of-place one."
            )
        self._write_value(new._lazy_value(), uniform)
        if grad_mode._state["enabled"] and new._requires_grad:
            self._rebase_history(new)
        return self

    def _resize_assign(self, result):
        """``out=`` semantics: take ``result``'s values, resizing a root tensor if needed."""
        if result._shape != self._shape and self._view is None:
            self._storage.array = result._value().astype(self._dtype._np)
            self._storage.version += 1
            self._vc[0] += 1
            self._shape = result._shape
            return self
        return self._assign(result.detach())

    def _restride(self, view):
        """In-place view ops (``t_``, ``squeeze_``): take the shape, view chain and history of
        ``view``, a view of this tensor; identity, storage and version counter stay."""
        self._view, self._shape = view._view, view._shape
        self._cache, self._cache_ver = view._cache, view._cache_ver
        if view._grad_fn is not None:
            self._grad_fn, self._output_nr = view._grad_fn, view._output_nr
        self._vc[0] += 1
        return self

    def _rebase_history(self, new):
        base = self._base
        if self._view is None or base is None:
            self._grad_fn, self._output_nr, self._requires_grad = new._grad_fn, new._output_nr, True
            self._hist_ver += 1  # views of this tensor re-derive their history from the new one
            return
        from .autograd import _views

        _views.copy_slices(self, base, new)

    # ---- autograd state ------------------------------------------------------------------

    def _grad_edge(self):
        if self._base is not None and self._view_hist != self._base._hist_ver:
            from .autograd import _views

            _views.regenerate(self)
        if self._grad_fn is not None:
            return (self._grad_fn, self._output_nr)
        if self._accumulator is None:
            self._accumulator = AccumulateGrad(self)
        return (self._accumulator, 0)

    @property
    def grad_fn(self):
        if self._base is not None and self._view_hist != self._base._hist_ver:
            self._grad_edge()
        return self._grad_fn

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        self.requires_grad_(value)

    def requires_grad_(self, requires_grad=True):
        if not self.is_leaf:
            check(
                requires_grad,
                RuntimeError,
                "you can only change requires_grad flags of leaf variables. If you want to use a "
                "computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach().",
            )
            return self
        check(
            not requires_grad or self._dtype.is_floating_point or self._dtype.is_complex,
            RuntimeError,
            "only Tensors of floating point dtype can require gradients",
        )
        self._requires_grad = bool(requires_grad)
        return self

    @property
    def grad(self):
        if self._grad is None and self._requires_grad and not self._retains_grad and not self.is_leaf:
            warnings.warn(_NONLEAF_GRAD, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            check(isinstance(value, Tensor), TypeError, "assigned grad expected to be a Tensor or None")
            check(value._dtype is self._dtype, RuntimeError, "assigned grad has data of a different type")
            check(value._shape == self._shape, RuntimeError, "assigned grad has data of a different size")
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    @property
    def retains_grad(self):
        return self._retains_grad

    def retain_grad(self):
        check(self._requires_grad, RuntimeError, "can't retain_grad on Tensor that has requires_grad=False")
        if self.is_leaf or self._retains_grad:
            return
        self._retains_grad = True
        node, nr = self._grad_edge()
        import weakref

        if node._retained is None:
            node._retained = {}
        node._retained[nr] = weakref.ref(self)

    def register_hook(self, hook):
        check(
            self._requires_grad,
            RuntimeError,
            "cannot register a hook on a tensor that doesn't require gradient",
        )
        from .autograd.graph import _Handle

        if self.is_leaf:
            if self._hooks is None:
                self._hooks = []
            self._hooks.append(hook)
            return _Handle(self._hooks, hook)
        node, nr = self._grad_edge()
        if node._tensor_hooks is None:
            node._tensor_hooks = {}
        hooks = node._tensor_hooks.setdefault(nr, [])
        hooks.append(hook)
        return _Handle(hooks, hook)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        _backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self):
        return self._alias()

    def detach_(self):
        self._grad_fn = None
        self._requires_grad = False
        return self

    @property
    def data(self):
        t = self._alias()
        t._vc = [0]  # unlike detach(), torch gives .data a version counter of its own
        return t

    @data.setter
    def data(self, other):
        check(isinstance(other, Tensor), TypeError, "data must be a Tensor")
        self._storage, self._view = other._storage, other._view
        self._cache, self._cache_ver = other._cache, other._cache_ver
        self._shape, self._dtype, self._device = other._shape, other._dtype, other._device

    @property
    def _version(self):
        return self._vc[0]

    def is_inference(self):
        return False

    # ---- metadata -------------------------------------------------------------------------

    @property
    def shape(self):
        return Size(self._shape)

    def size(self, dim=None):
        if dim is None:
            return Size(self._shape)
        from ._errors import wrap_dim

        return self._shape[wrap_dim(dim, len(self._shape))]

    @property
    def dtype(self):
        return self._dtype

    @property
    def device(self):
        return self._device

    @property
    def is_cuda(self):
        return self._device.type == "cuda"

    @property
    def is_cpu(self):
        return self._device.type == "cpu"

    def get_device(self):
        return -1 if self._device.type == "cpu" else self._device.index

    def dim(self):
        return len(self._shape)

    ndimension = dim

    @property
    def ndim(self):
        return len(self._shape)

    def numel(self):
        n = 1
        for s in self._shape:
            n *= s
        return n

    nelement = numel

    def element_size(self):
        return self._dtype.itemsize

    @property
    def itemsize(self):
        return self._dtype.itemsize

    @property
    def nbytes(self):
        return self.numel() * self._dtype.itemsize

    def is_floating_point(self):
        return self._dtype.is_floating_point

    def is_complex(self):
        return self._dtype.is_complex

    def is_signed(self):
        return self._dtype.is_signed

    @property
    def layout(self):
        from . import strided

        return strided

    @property
    def is_sparse(self):
        return False

    @property
    def is_sparse_csr(self):
        return False

    def to_dense(self, dtype=None, *, masked_grad=None):
        """A strided tensor is dense already: this tensor (converted to ``dtype`` if given)."""
        return self if dtype is None else self.to(dtype)

    def to_sparse(self, *args, layout=None, **kwargs):
        """torch.Tensor.to_sparse. Differences from torch: jtorch has no sparse tensors, so
        only ``layout=torch.strided`` (which gives this tensor) is supported."""
        if layout is strided:
            return self
        raise _no_sparse_tensors("torch.Tensor.to_sparse")

    to_sparse_coo = unsupported("torch.Tensor.to_sparse_coo")
    to_sparse_csr = unsupported("torch.Tensor.to_sparse_csr")
    to_sparse_csc = unsupported("torch.Tensor.to_sparse_csc")
    to_sparse_bsr = unsupported("torch.Tensor.to_sparse_bsr")
    to_sparse_bsc = unsupported("torch.Tensor.to_sparse_bsc")

    def share_memory_(self):
        """torch.Tensor.share_memory_. Differences from torch: raises NotImplementedError, as
        jax arrays cannot be shared between processes (Note [no shared memory])."""
        raise NotImplementedError(_NO_SHARED_MEMORY)

    def is_shared(self):
        """Whether the tensor is in memory shared between processes: never, in jtorch."""
        return False

    @property
    def is_quantized(self):
        return False

    @property
    def is_meta(self):
        return False

    def _layout_info(self):
        if self._view is None:
            return 0, contiguous_strides(self._shape)
        return strides_from_index_map(self._view.index_map(self._storage.array.dtype), self._shape)

    def stride(self, dim=None):
        strides = self._layout_info()[1]
        if dim is None:
            return strides
        from ._errors import wrap_dim

        return strides[wrap_dim(dim, len(self._shape))]

    def storage_offset(self):
        return self._layout_info()[0]

    def is_contiguous(self, memory_format=None):
        if self._view is None:
            return True
        offset, strides = self._layout_info()
        expected = contiguous_strides(self._shape)
        return all(s == e for s, e, n in zip(strides, expected, self._shape) if n > 1)

    def data_ptr(self):
        return id(self._storage) * 64 + self._layout_info()[0] * self._dtype.itemsize

    def untyped_storage(self):
        return self._storage

    # ---- conversion to Python and numpy ---------------------------------------------------

    def _host(self):
        """The values as a numpy array (a copy unless host-backed)."""
        return np.asarray(_ready(self._value()))

    def _read_on_host(self):
        """A Python-side read of the values (item, tolist, numpy, printing): a compiled call
        whose first, eager run does one cannot be traced (Note [compiled calls])."""
        if read_hook is not None:
            read_hook.__self__.host_reads += 1

    def item(self):
        self._read_on_host()
        n = self.numel()
        check(n == 1, RuntimeError, lambda: f"a Tensor with {n} elements cannot be converted to Scalar")
        v = self._host().reshape(())
        if self._dtype is _dtype.bfloat16:
            return float(v.astype(np.float32))
        return v.item()

    def tolist(self):
        self._read_on_host()
        h = self._host()
        if self._dtype is _dtype.bfloat16:
            h = h.astype(np.float32)
        return h.tolist()

    def numpy(self, *, force=False):
        self._read_on_host()
        if not force:
            check(
                not self._requires_grad,
                RuntimeError,
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.",
            )
            check(
                self._device.type == "cpu",
                TypeError,
                lambda: f"can't convert {self._device} device type tensor to numpy. Use Tensor.cpu() to "
                "copy the tensor to host memory first.",
            )
        check(self._dtype is not _dtype.bfloat16, TypeError, "Got unsupported ScalarType BFloat16")
        if force and (self._requires_grad or self._device.type != "cpu"):
            return np.array(self._value())
        host = self._storage.make_host_backed()
        if self._view is None:
            return host
        offset, strides = self._layout_info()
        item = self._dtype.itemsize
        # the storage's bytes read as this view's dtype (another than the storage's after
        # view_as_real or view(dtype)), from the view's first element on
        flat = host.reshape(-1).view(np.uint8)[offset * item :]
        flat = flat[: len(flat) // item * item].view(self._dtype._np)
        return np.lib.stride_tricks.as_strided(flat, self._shape, tuple(s * item for s in strides))

    def __array__(self, dtype=None, copy=None):
        self._read_on_host()
        a = np.asarray(self._value())
        return a if dtype is None else a.astype(dtype)

    def __jax_array__(self):
        return self._value()

    def __len__(self):
        check(self._shape, TypeError, "len() of a 0-d tensor")
        return self._shape[0]

    def __iter__(self):
        check(self._shape, TypeError, "iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __bool__(self):
        n = self.numel()
        check(n == 1, RuntimeError, "Boolean value of Tensor with more than one value is ambiguous")
        return bool(self.item())

    def __float__(self):
        return float(self._scalar("float"))

    def __int__(self):
        return int(self._scalar("int"))

    def __complex__(self):
        return complex(self._scalar("complex"))

    def __index__(self):
        check(
            _dtype.is_integral(self._dtype, include_bool=True) and self.numel() == 1,
            TypeError,
            "only integer tensors of a single element can be converted to an index",
        )
        return int(self.item())

    def _scalar(self, kind):
        check(self.numel() == 1, ValueError, "only one element tensors can be converted to Python scalars")
        return self.item()

    __hash__ = object.__hash__

    def __repr__(self, *, tensor_contents=None):
        from . import _tensor_str

        self._read_on_host()
        h = self._host()
        gf = self.grad_fn
        return _tensor_str.format_tensor(
            h,
            self._dtype._name,
            default_dtype_name=_dtype.get_default_dtype()._name,
            device=str(self._device),
            requires_grad=self._requires_grad,
            grad_fn_name=gf.name().rpartition("::")[2] if gf is not None else None,
            is_parameter=getattr(self, "_is_param", False),
        )

    __str__ = __repr__

    def __format__(self, spec):
        if self.dim() == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    def __reduce_ex__(self, proto):
        return (_rebuild, (np.asarray(self._value()), str(self._device), self._requires_grad))

    def __deepcopy__(self, memo):
        check(self.is_leaf, RuntimeError, "Only Tensors created explicitly by the user (graph leaves) support the deepcopy protocol at the moment.  If you were attempting to deepcopy a module, this may be because of a torch.nn.utils.weight_norm usage, see https://github.com/pytorch/pytorch/pull/103001")
        with grad_mode.no_grad():
            t = self.clone()
        t = t._alias(type(self))
        t.__dict__.update(self.__dict__)
        t._requires_grad = self._requires_grad
        memo[id(self)] = t
        return t

    # ---- devices and dtypes ------------------------------------------------------------------

    def to(self, *args, **kwargs):
        from ._ops import conversion

        return conversion.to(self, *args, **kwargs)

    def cpu(self, memory_format=None):
        return self.to("cpu")

    def cuda(self, device=None, non_blocking=False, memory_format=None):
        return self.to(_device.cuda_target(device))

    def is_pinned(self, device=None):
        return False  # jax keeps no page-locked host copies a user could ask about

    def pin_memory(self, device=None):
        """A copy in page-locked memory, for faster transfers to a GPU. Differences from
        torch: jax manages host-to-GPU transfers itself, so this is a plain copy."""
        check(
            bool(_device.gpus()),
            RuntimeError,
            "Cannot access accelerator device when none is available.",
        )
        return self.clone()

    def type(self, dtype=None, non_blocking=False, **kwargs):
        from ._ops import conversion

        return conversion.type_(self, dtype)

    def float(self, memory_format=None):
        return self.to(_dtype.float32)

    def double(self, memory_format=None):
        return self.to(_dtype.float64)

    def half(self, memory_format=None):
        return self.to(_dtype.float16)

    def bfloat16(self, memory_format=None):
        return self.to(_dtype.bfloat16)

    def long(self, memory_format=None):
        return self.to(_dtype.int64)

    def int(self, memory_format=None):
        return self.to(_dtype.int32)

    def short(self, memory_format=None):
        return self.to(_dtype.int16)

    def char(self, memory_format=None):
        return self.to(_dtype.int8)

    def byte(self, memory_format=None):
        return self.to(_dtype.uint8)

    def bool(self, memory_format=None):
        return self.to(_dtype.bool)

    def cfloat(self, memory_format=None):
        return self.to(_dtype.complex64)

    def cdouble(self, memory_format=None):
        return self.to(_dtype.complex128)

    # ---- transposes as properties ----------------------------------------------------------

    @property
    def T(self):
        return self.permute(*reversed(range(self.dim())))

    @property
    def mT(self):
        check(self.dim() >= 2, RuntimeError, "tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor.")
        return self.transpose(-2, -1)

    @property
    def H(self):
        return self.T.conj() if self._dtype.is_complex else self.T

    @property
    def mH(self):
        return self.mT.conj() if self._dtype.is_complex else self.mT


def _rebuild(values, device, requires_grad):
    from ._ops.creation import place

    return place(values, device, requires_grad)


_registry.set_tensor_class(Tensor)
_engine.Tensor = Tensor
