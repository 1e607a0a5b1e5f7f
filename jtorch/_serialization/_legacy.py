"""torch's legacy checkpoint format (before torch 1.6, or ``_use_new_zipfile_serialization=False``).

One plain file of consecutive pickles: the magic number, the protocol version 1001, a
sys_info dict, the object (its storages as persistent ids ``("storage", torch.<Type>Storage,
key, location, numel, view_metadata)``), the sorted list of storage keys, and then, for each
key in that order, the storage's element count (int64, little-endian) and its raw bytes.

The storages' bytes come after the object that uses them. Loading therefore rebuilds the
tensors on zero-filled storages of the right size and fills them once the bytes are read;
nothing reads tensor values while a checkpoint is being unpickled.
"""

import struct
import sys
import tarfile

import jax
import numpy as np

from .. import _device
from . import _files, _rebuild

MAGIC_NUMBER = 0x1950A86A20F9469CFC6C
PROTOCOL_VERSION = 1001


def save(obj, f, pickle_module, pickle_protocol, pickle_object):
    """Write ``obj`` to the binary file ``f``; ``pickle_object(obj, table)`` gives its pickle."""
    from ._pickler import StorageTable

    sys_info = {
        "protocol_version": PROTOCOL_VERSION,
        "little_endian": sys.byteorder == "little",
        "type_sizes": {"short": 2, "int": 4, "long": struct.calcsize("=l")},
    }
    for header in (MAGIC_NUMBER, PROTOCOL_VERSION, sys_info):
        pickle_module.dump(header, f, protocol=pickle_protocol)
    table = StorageTable(legacy=True)
    f.write(pickle_object(obj, table))
    keys = sorted(table.records)
    pickle_module.dump(keys, f, protocol=pickle_protocol)
    for key in keys:
        ref = table.records[key]
        f.write(struct.pack("<q", ref.numel))
        f.write(ref.data())


def check_not_tar(f, weights_only, unsafe_message):
    """torch reads pre-0.4 .tar checkpoints from real files at offset 0; jtorch does not."""
    if not (_files.should_read_directly(f) and f.tell() == 0):
        return
    try:
        tarfile.open(fileobj=f, mode="r:", format=tarfile.PAX_FORMAT).close()
    except tarfile.TarError:
        f.seek(0)
        return
    if weights_only:
        raise RuntimeError(
            "Cannot use ``weights_only=True`` with files saved in the legacy .tar format. "
            + unsafe_message
        )
    raise NotImplementedError(
        "torch.load: jtorch does not read the .tar checkpoints of torch before 0.4"
    )


def load(f, restore_location, unpickler, load_one):
    """Read a legacy checkpoint from ``f``. ``unpickler(file, persistent_load)`` makes the
    object's unpickler, ``load_one(file)`` reads one plain pickle."""
    magic = load_one(f)
    if magic != MAGIC_NUMBER:
        raise RuntimeError("Invalid magic number; corrupt file?")
    protocol = load_one(f)
    if protocol != PROTOCOL_VERSION:
        raise RuntimeError(f"Invalid protocol version: {protocol}")
    load_one(f)  # sys_info
    storages = {}

    def persistent_load(saved_id):
        if not isinstance(saved_id, tuple):
            raise AssertionError(f"saved_id must be a tuple, got {type(saved_id).__name__}")  # noqa: TRY004
        typename = _ascii(saved_id[0])
        if typename == "module":
            return saved_id[1]
        if typename != "storage":
            raise RuntimeError(f"Unknown saved id type: {saved_id[0]}")
        storage_type, root_key, location, numel, view_metadata = saved_id[1:]
        dtype = _rebuild.storage_dtype(storage_type)
        if root_key not in storages:
            blank = _rebuild.UntypedStorage(np.zeros(numel * dtype.itemsize, dtype=np.uint8))
            blank._pending = True
            untyped = restore_location(blank, _ascii(location))
            storages[root_key] = _rebuild.TypedStorage(untyped, dtype)
        root = storages[root_key]
        if view_metadata is None:
            return root
        view_key, offset, _ = view_metadata
        return storages.setdefault(view_key, _rebuild.TypedStorage(root.untyped, dtype, offset))

    result = unpickler(f, persistent_load).load()
    for key in load_one(f):
        if key not in storages:
            raise AssertionError(f"storage key {key!r} not found in deserialized_objects")
        typed = storages[key]
        (numel,) = struct.unpack("<q", f.read(8))
        _fill(typed.untyped, f.read(numel * typed.dtype.itemsize))
    return result


def _fill(untyped, data):
    """Give ``untyped`` (and the tensors already rebuilt on it) its bytes."""
    data = np.frombuffer(data, dtype=np.uint8)
    if data.size != untyped.nbytes():
        raise RuntimeError(
            f"storage has wrong byte size: expected {untyped.nbytes()} got {data.size}"
        )
    untyped._data, untyped._pending = data, False
    storage = untyped._tensor_storage
    if storage is not None:
        values = untyped._typed(untyped._dtype).reshape(untyped._root_shape)
        storage.array = jax.device_put(values, _device.jax_device(untyped.device))
        storage.version += 1


def _ascii(value):
    return value.decode("ascii") if isinstance(value, bytes) else value
