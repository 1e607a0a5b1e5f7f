"""The names checkpoints give objects, in both directions.

A checkpoint refers to classes and functions by torch's names (``torch._utils
_rebuild_tensor_v2``, ``torch FloatStorage``, ``torch.nn.modules.linear Linear``). jtorch
writes those names for its own objects, so that real torch can read jtorch's files, and maps
them back to jtorch objects when it reads. ``allowed_globals()`` is the weights-only
allowlist: torch's ``_get_allowed_globals``, with jtorch's objects in place of torch's.
"""

import codecs
import collections
import functools
import importlib

from .. import _dtype, _legacy
from . import _rebuild

# dtypes torch has and jtorch has not: a checkpoint naming one cannot be loaded
_MISSING_DTYPES = [
    "uint16",
    "uint32",
    "uint64",
    "complex32",
    "float8_e4m3fn",
    "float8_e4m3fnuz",
    "float8_e5m2",
    "float8_e5m2fnuz",
    "float8_e8m0fnu",
    "float4_e2m1fn_x2",
    "bits1x8",
    "bits2x4",
    "bits4x2",
    "bits8",
    "bits16",
    "qint8",
    "qint32",
    "quint8",
    "quint4x2",
    "quint2x4",
    "int1",
    "int2",
    "int3",
    "int4",
    "int5",
    "int6",
    "int7",
    "uint1",
    "uint2",
    "uint3",
    "uint4",
    "uint5",
    "uint6",
    "uint7",
]
_QSCHEMES = [
    "per_tensor_affine",
    "per_tensor_symmetric",
    "per_channel_affine",
    "per_channel_symmetric",
    "per_channel_affine_float_qparams",
]


class Missing:
    """A torch object jtorch does not have; using it raises NotImplementedError."""

    def __init__(self, full_name):
        self.full_name = full_name

    def __call__(self, *args, **kwargs):
        raise NotImplementedError(f"torch.load: jtorch does not support {self.full_name}")

    def __repr__(self):
        return self.full_name


@functools.lru_cache(maxsize=1)
def allowed_globals():
    """``"module.name"`` -> object, for every global a weights-only load accepts."""
    from .. import _device, _size
    from ..nn import Parameter
    from ..tensor import Tensor

    rc = {
        "collections.OrderedDict": collections.OrderedDict,
        "collections.Counter": collections.Counter,
        "torch.nn.parameter.Parameter": Parameter,
        "torch.serialization._get_layout": _rebuild._get_layout,
        "torch.Size": _size.Size,
        "torch.Tensor": Tensor,
        "torch.device": _device.device,
        "_codecs.encode": codecs.encode,
        "builtins.bytearray": bytearray,
        "builtins.set": set,
        "builtins.complex": complex,
        "torch.storage.UntypedStorage": _rebuild.UntypedStorage,
        "torch.storage.TypedStorage": _rebuild.TypedStorage,
        "torch._tensor._rebuild_from_type_v2": _rebuild._rebuild_from_type_v2,
    }
    rc.update({f"torch.{d._name}": d for d in _dtype.ALL})
    rc.update({f"torch.{name}": Missing(f"torch.{name}") for name in _MISSING_DTYPES + _QSCHEMES})
    for name in list(_rebuild.STORAGE_DTYPES) + list(_rebuild.QUANTIZED_STORAGES):
        storage_type = _rebuild.STORAGE_TYPES.get(name) or Missing(f"torch.{name}")
        rc[f"torch.{name}"] = storage_type
        if name in _rebuild.STORAGE_DTYPES:
            rc[f"torch.cuda.{name}"] = storage_type
    for name, cls in vars(_legacy).items():
        if isinstance(cls, _legacy._LegacyMeta):
            rc[f"torch.{name}"] = cls
            rc[f"torch.cuda.{name}"] = Missing(f"torch.cuda.{name}")
            rc[f"torch.sparse.{name}"] = Missing(f"torch.sparse.{name}")
    rc.update({f"torch._utils.{f.__name__}": f for f in _rebuild.REBUILD_FUNCTIONS})
    return rc


@functools.lru_cache(maxsize=1)
def allowed_ids():
    return frozenset(id(obj) for obj in allowed_globals().values())


@functools.lru_cache(maxsize=1)
def _torch_names():
    """id(jtorch object) -> (module, name) that torch knows it by."""
    names = {}
    for full, obj in allowed_globals().items():
        if full.startswith("torch.") and not isinstance(obj, Missing):
            module, _, name = full.rpartition(".")
            names.setdefault(id(obj), (module, name))
    # aliases (torch.float, torch.long) must not win over the canonical names
    names.update({id(d): ("torch", d._name) for d in _dtype.ALL})
    return names


def torch_name(obj):
    """(module, name) torch gives jtorch object ``obj``, or None when it is not jtorch's.

    Objects of jtorch's public modules keep their path with ``torch`` for ``jtorch``; objects
    defined in a private module are named after the nearest public module that exports them
    (``jtorch.optim.lr_scheduler._schedules.StepLR`` is ``torch.optim.lr_scheduler.StepLR``)."""
    found = _torch_names().get(id(obj))
    if found is not None:
        return found
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None)
    if not isinstance(module, str) or not isinstance(qualname, str):
        return None
    if module != "jtorch" and not module.startswith("jtorch."):
        return None
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        if any(p.startswith("_") for p in parts[:end]):
            continue
        if _lookup(".".join(parts[:end]), qualname) is obj:
            return ".".join(["torch"] + parts[1:end]), qualname
    return "torch" + module[len("jtorch") :], qualname


def _lookup(module, qualname):
    try:
        obj = importlib.import_module(module)
        for part in qualname.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError):
        return None
    return obj


def jtorch_global(module, name):
    """The jtorch object a checkpoint names as torch's ``module.name``, or None if the name is
    not torch's."""
    module = {"torch.tensor": "torch._tensor"}.get(module, module)
    if "Storage" in name and name in _rebuild.STORAGE_TYPES:
        return _rebuild.STORAGE_TYPES[name]
    found = allowed_globals().get(f"{module}.{name}")
    if found is not None:
        return found
    if module != "torch" and not module.startswith("torch."):
        return None
    obj = _lookup("jtorch" + module[len("torch") :], name)
    if obj is None:
        raise NotImplementedError(
            f"torch.load: the checkpoint refers to {module}.{name}, which jtorch does not have"
        )
    return obj
