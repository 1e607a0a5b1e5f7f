"""torch.save and torch.load, in torch's checkpoint formats, without torch.

Note [checkpoint format]: jtorch reads and writes torch's files, so checkpoints move between
torch and jtorch in both directions. The default format is a zip archive (_serialization/_zip.py)
holding ``data.pkl``, a protocol-2 pickle of the object in which every tensor is
``torch._utils._rebuild_tensor_v2`` over a storage named by a persistent id, and one record
``data/<key>`` of raw little-endian bytes per storage, plus ``byteorder``, ``version`` and
torch's other small records. Tensors that share a storage share its key, so sharing survives
the round trip (_serialization/_rebuild.py, Note [loaded storages]). jtorch writes torch's
names for its own objects (_serialization/_names.py), so real torch loads jtorch's state dicts
with ``weights_only=True`` and its whole-module pickles where the classes exist in torch.
``torch.load`` is safe by default (``weights_only=True``): a restricted unpickler that never
imports or calls anything outside torch's allowlist (_serialization/_unpickler.py). The
legacy format of torch < 1.6 is read and written too (_serialization/_legacy.py).
"""

import io
import os
import pickle
import secrets
import sys
import warnings

import numpy as np

from . import _device
from ._serialization import _files, _legacy, _pickler, _rebuild, _unpickler, _zip
from ._serialization._rebuild import StorageType, UntypedStorage
from ._serialization._unpickler import UNSAFE_MESSAGE

DEFAULT_PROTOCOL = 2
MAGIC_NUMBER = _legacy.MAGIC_NUMBER
PROTOCOL_VERSION = _legacy.PROTOCOL_VERSION

__all__ = [
    "UNSAFE_MESSAGE",
    "StorageType",
    "UntypedStorage",
    "add_safe_globals",
    "clear_safe_globals",
    "default_restore_location",
    "get_safe_globals",
    "get_unsafe_globals_in_checkpoint",
    "load",
    "safe_globals",
    "save",
]

# ---- safe globals for weights_only loads ------------------------------------------------------


def add_safe_globals(safe_globals):
    """torch.serialization.add_safe_globals: allow these functions and classes (or
    ``(object, "module.name")`` pairs) in ``weights_only`` loads. A jtorch object is also
    accepted under its torch name."""
    _unpickler._safe_globals.update(safe_globals)


def clear_safe_globals():
    """torch.serialization.clear_safe_globals."""
    _unpickler._safe_globals.clear()


def get_safe_globals():
    """torch.serialization.get_safe_globals: the user's safe globals, as a list."""
    return list(_unpickler._safe_globals)


class safe_globals:
    """torch.serialization.safe_globals: a context manager adding safe globals for its body."""

    def __init__(self, safe_globals):
        self.safe_globals = safe_globals

    def __enter__(self):
        add_safe_globals(self.safe_globals)

    def __exit__(self, type, value, tb):
        _unpickler._safe_globals.difference_update(self.safe_globals)


def get_unsafe_globals_in_checkpoint(f):
    """torch.serialization.get_unsafe_globals_in_checkpoint: the ``module.name`` of the globals
    in a zip checkpoint that a ``weights_only`` load would refuse (read statically)."""
    with _files.open_for_load(f) as opened:
        if not _zip.is_zipfile(opened):
            raise ValueError("Expected input to be a checkpoint returned by torch.save")
        reader = _zip.ZipReader(opened)
        if reader.has_record("constants.pkl"):
            raise ValueError(
                "Expected input to be a checkpoint returned by torch.save but got a torchscript checkpoint"
            )
        return _unpickler.unsafe_globals(reader.get_record("data.pkl"))


# ---- save ---------------------------------------------------------------------------------------


def save(
    obj,
    f,
    pickle_module=pickle,
    pickle_protocol=DEFAULT_PROTOCOL,
    _use_new_zipfile_serialization=True,
    _disable_byteorder_record=False,
):
    """torch.save(obj, f, pickle_module=pickle, pickle_protocol=2, _use_new_zipfile_serialization=True):
    save ``obj`` to a path or a binary file object, in torch's zip format (or the legacy format
    with ``_use_new_zipfile_serialization=False``). See Note [checkpoint format].

    Saving to a path replaces the file only once the checkpoint is complete (Note [atomic
    save] in _serialization/_files.py).

    Differences from torch: with a ``pickle_module`` other than ``pickle``, jtorch's classes and
    functions keep their jtorch names (torch cannot load such a file, jtorch can)."""
    _files.check_save_filelike(f)
    if _use_new_zipfile_serialization:
        table = _pickler.StorageTable()
        data = _pickle(obj, table, pickle_module, pickle_protocol)
        name = _zip.archive_name(os.fspath(f) if _files.is_path(f) else None)
        with _files.open_for_save(f) as out:
            _write_zip(out, name, data, table, _disable_byteorder_record)
        return
    with _files.open_for_save(f) as out:
        _legacy.save(
            obj,
            out,
            pickle_module,
            pickle_protocol,
            lambda o, table: _pickle(o, table, pickle_module, pickle_protocol),
        )


def _pickle(obj, table, pickle_module, protocol):
    buffer = io.BytesIO()
    if pickle_module is pickle:
        _pickler.Pickler(buffer, protocol, table).dump(obj)
        return buffer.getvalue()

    class ModulePickler(pickle_module.Pickler):
        def persistent_id(self, o):
            return table.persistent_id(o) if isinstance(o, _pickler._StorageRef) else None

        def reducer_override(self, o):
            from .tensor import Tensor

            return _pickler.reduce_tensor(o) if isinstance(o, Tensor) else NotImplemented

    ModulePickler(buffer, protocol=protocol).dump(obj)
    return buffer.getvalue()


def _write_zip(out, name, data, table, disable_byteorder_record):
    writer = _zip.ZipWriter(out, name)
    writer.write_record("data.pkl", data)
    writer.write_record(".format_version", b"1")
    writer.write_record(".storage_alignment", str(_zip.ALIGNMENT).encode())
    if not disable_byteorder_record:
        writer.write_record("byteorder", sys.byteorder.encode())
    for key, ref in table.records.items():
        writer.write_record(f"data/{key}", ref.data())
    writer.write_record("version", b"3\n")
    serialization_id = "".join(str(secrets.randbelow(10)) for _ in range(40))
    writer.write_record(".data/serialization_id", serialization_id.encode())
    writer.finish()


# ---- load ---------------------------------------------------------------------------------------


def load(
    f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, **pickle_load_args
):
    """torch.load(f, map_location=None, pickle_module=pickle, *, weights_only=True, mmap=None,
    **pickle_load_args): load an object saved with torch.save (by torch or jtorch) from a path
    or a seekable binary file object. ``weights_only=True`` (the default) loads only tensors,
    containers and the allowlisted types, and never runs code from the file.

    Differences from torch: ``mmap=True`` reads the storages instead of mapping the file (the
    same values); a ``map_location`` callable receives jtorch's minimal ``UntypedStorage``;
    checkpoints of TorchScript, safetensors, pre-0.4 .tar files, quantized, sparse, nested and
    meta tensors raise NotImplementedError."""
    weights_only, pickle_module = _weights_only_choice(weights_only, pickle_module)
    if pickle_load_args and weights_only:
        warnings.warn("pickle_load_args only works if `weights_only=False`.", stacklevel=2)
    pickle_load_args.setdefault("encoding", "utf-8")
    if _files.is_path(f) and os.fspath(f).endswith(".safetensors"):
        raise NotImplementedError("torch.load: jtorch does not read safetensors files")
    with _files.open_for_load(f) as opened:
        try:
            if _zip.is_zipfile(opened):
                return _load_zip(
                    f, opened, map_location, weights_only, pickle_module, mmap, pickle_load_args
                )
            if mmap:
                name = "" if not isinstance(f, str) else f"{f}, "
                raise RuntimeError(
                    "mmap can only be used with files saved with "
                    f"`torch.save({name}_use_new_zipfile_serialization=True), "
                    "please torch.save your checkpoint with this option in order to use mmap."
                )
            return _load_legacy(opened, map_location, weights_only, pickle_module, pickle_load_args)
        except pickle.UnpicklingError as e:
            if not weights_only:
                raise
            raise pickle.UnpicklingError(_unpickler.weights_only_message(str(e))) from None


def _weights_only_choice(weights_only, pickle_module):
    truthy = ("1", "y", "yes", "true")
    forced = os.getenv("TORCH_FORCE_WEIGHTS_ONLY_LOAD", "0").lower() in truthy
    forced_off = os.getenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "0").lower() in truthy
    unset = weights_only is None
    if unset:
        weights_only = pickle_module is None
    if forced and forced_off:
        raise RuntimeError(
            "Only one of `TORCH_FORCE_WEIGHTS_ONLY_LOAD` or `TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD` "
            "should be set, but both were set."
        )
    if forced:
        weights_only = True
    elif forced_off and unset:
        warnings.warn(
            "Environment variable TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD detected, since the"
            "`weights_only` argument was not explicitly passed to `torch.load`, forcing weights_only=False.",
            UserWarning,
            stacklevel=3,
        )
        weights_only = False
    if weights_only and pickle_module is not None:
        raise RuntimeError("Can not safely load weights when explicit pickle_module is specified")
    return weights_only, pickle_module if pickle_module is not None else pickle


def _unpickler_for(weights_only, pickle_module, pickle_load_args):
    """``make(file, persistent_load)`` for the chosen unpickler."""

    def make(file, persistent_load):
        if weights_only:
            unpickler = _unpickler.Unpickler(file, **pickle_load_args)
            unpickler.persistent_load = persistent_load
            return unpickler
        return _unpickler.full_unpickler(pickle_module, file, persistent_load, **pickle_load_args)

    return make


def _load_zip(f, opened, map_location, weights_only, pickle_module, mmap, pickle_load_args):
    reader = _zip.ZipReader(opened)
    if reader.has_record("constants.pkl"):
        warnings.warn(
            "'torch.load' received a zip file that looks like a TorchScript archive dispatching to "
            "'torch.jit.load' (call 'torch.jit.load' directly to silence this warning)",
            UserWarning,
            stacklevel=3,
        )
        if weights_only:
            raise RuntimeError(
                "Cannot use ``weights_only=True`` with TorchScript archives passed to ``torch.load``. "
                + UNSAFE_MESSAGE
            )
        raise NotImplementedError("torch.jit.load is not supported by jtorch")
    if mmap and not _files.is_path(f):
        raise ValueError("f must be a file path in order to use the mmap argument")
    swap = _byteswap_needed(reader)
    restore_location = _restore_location(map_location)
    storages = {}

    def persistent_load(saved_id):
        if not isinstance(saved_id, tuple):
            raise AssertionError(f"saved_id must be a tuple, got {type(saved_id).__name__}")  # noqa: TRY004
        typename = _ascii(saved_id[0])
        if typename != "storage":
            raise AssertionError(
                f"Unknown typename for persistent_load, expected 'storage' but got '{typename}'"
            )
        storage_type, key, location, numel = saved_id[1:]
        dtype = _rebuild.storage_dtype(storage_type)
        if key not in storages:
            data = _record_bytes(reader, key, numel * dtype.itemsize, dtype if swap else None)
            storages[key] = _rebuild.TypedStorage(
                restore_location(UntypedStorage(data), _ascii(location)), dtype
            )
        return _rebuild.TypedStorage(storages[key].untyped, dtype)

    make = _unpickler_for(weights_only, pickle_module, pickle_load_args)
    return make(io.BytesIO(reader.get_record("data.pkl")), persistent_load).load()


def _byteswap_needed(reader):
    if not reader.has_record("byteorder"):
        return sys.byteorder != "little"
    order = reader.get_record("byteorder")
    if order not in (b"little", b"big"):
        raise ValueError("Unknown endianness type: " + order.decode())
    return order.decode() != sys.byteorder


def _record_bytes(reader, key, nbytes, swap_dtype):
    data = np.frombuffer(reader.get_record(f"data/{key}"), dtype=np.uint8)[:nbytes]
    if swap_dtype is not None and swap_dtype.itemsize > 1:
        data = data.view(swap_dtype._np).byteswap().view(np.uint8)
    return data


def _load_legacy(opened, map_location, weights_only, pickle_module, pickle_load_args):
    _files.check_seekable(opened)
    _legacy.check_not_tar(opened, weights_only, UNSAFE_MESSAGE)
    make = _unpickler_for(weights_only, pickle_module, pickle_load_args)
    if weights_only:
        load_one = lambda file: _unpickler.Unpickler(file, **pickle_load_args).load()
    else:
        load_one = lambda file: pickle_module.load(file, **pickle_load_args)
    return _legacy.load(opened, _restore_location(map_location), make, load_one)


# ---- map_location ----------------------------------------------------------------------------


def default_restore_location(storage, location):
    """torch.serialization.default_restore_location: ``storage`` moved to the device tagged
    ``location`` ("cpu", "cuda", "cuda:1"), with torch's errors when that device is missing."""
    if location == "cpu":
        return storage.cpu()
    import re

    if location == "cuda" or re.match("cuda(:|[0-9]+)", location):
        return storage._moved(_cuda_device(location))
    backend = re.match("(mps|meta|xpu|hpu|mtia|privateuseone)", location)
    if backend:
        raise NotImplementedError(
            f"torch.load: jtorch cannot map storages to the '{backend.group(1)}' device"
        )
    raise RuntimeError(
        f"don't know how to restore data location of torch.storage.UntypedStorage (tagged with {location})"
    )


def _cuda_device(location):
    dev = _device.device(location)
    if not _device.gpus():
        raise RuntimeError(
            "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is False. "
            "If you are running on a CPU-only machine, please use torch.load with "
            "map_location=torch.device('cpu') to map your storages to the CPU."
        )
    index = dev.index if dev.index is not None else _device.canonical("cuda").index
    count = len(_device.gpus())
    if index >= count:
        raise RuntimeError(
            f"Attempting to deserialize object on CUDA device {index} but torch.cuda.device_count() is "
            f"{count}. Please use torch.load with map_location to map your storages to an existing device."
        )
    return _device.device("cuda", index)


def _restore_location(map_location):
    if map_location is None:
        return default_restore_location
    if isinstance(map_location, dict):
        return lambda storage, location: default_restore_location(
            storage, map_location.get(location, location)
        )
    if isinstance(map_location, (str, bytes)):
        return lambda storage, location: default_restore_location(storage, map_location)
    if isinstance(map_location, _device.device):
        return lambda storage, location: default_restore_location(storage, str(map_location))

    def restore(storage, location):
        result = map_location(storage, location)
        if result is None:
            result = default_restore_location(storage, location)
        if not isinstance(result, UntypedStorage):
            raise TypeError(
                "TypedStorage.__init__ received an invalid combination of arguments. Expected one of:\n"
                " * (*, torch.device device, torch.dtype dtype)\n"
                " * (int size, *, torch.device device, torch.dtype dtype)\n"
                " * (Sequence data, *, torch.device device, torch.dtype dtype)\n"
                " * (*, UntypedStorage wrap_storage, torch.dtype dtype)\n"
                f"Argument 'wrap_storage' must be UntypedStorage, but got {type(result)}"
            )
        return result

    return restore


def _ascii(value):
    return value.decode("ascii") if isinstance(value, bytes) else value
