"""The zip container of torch.save's default format: a writer laid out as torch's (miniz) and
a reader on Python's zipfile.

Every record is stored (not compressed) under one top-level folder, the archive name. The
writer pads each local header with an ``FB`` extra field of ``Z`` bytes so that every record's
data starts at a multiple of 64, writes the sizes and CRC in a data descriptor after the data
(flags 0x0808, as miniz does), and always ends with a zip64 end-of-central-directory record.
Because the layout is miniz's, the offsets torch computes from ``.format_version`` hold too.
"""

import os
import struct
import zipfile
import zlib

ALIGNMENT = 64
_U32 = 0xFFFFFFFF
_MAX_VERSION = 10  # the newest file format version torch 2.13 reads


_LOCAL = struct.Struct("<IHHHHHIIIHH")
_DESCRIPTOR = struct.Struct("<IIII")
_DESCRIPTOR64 = struct.Struct("<IIQQ")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END64 = struct.Struct("<IQHHIIQQQQ")
_LOCATOR64 = struct.Struct("<IIQI")
_END = struct.Struct("<IHHHHIIH")
_FLAGS = 0x0808  # sizes and CRC in a data descriptor after the data; UTF-8 names


class ZipWriter:
    """Writes records to a binary file object, streaming (no seeks)."""

    def __init__(self, f, archive_name):
        self._f = f
        self._prefix = archive_name + "/"
        self._offset = 0
        self._entries = []  # (name, crc, size, header offset)

    def _write(self, data):
        self._f.write(data)
        self._offset += len(data)

    def write_record(self, name, data):
        """Add record ``name`` holding the bytes of ``data`` (bytes or a buffer)."""
        data = memoryview(data).cast("B")
        full = (self._prefix + name).encode("utf-8")
        header_at = self._offset
        pad = -(header_at + _LOCAL.size + len(full) + 4) % ALIGNMENT
        extra = b"FB" + struct.pack("<H", pad) + b"Z" * pad
        # signature, version needed, flags, method, time, date, crc, sizes (in the descriptor)
        self._write(_LOCAL.pack(0x04034B50, 0, _FLAGS, 0, 0, 0, 0, 0, 0, len(full), len(extra)))
        self._write(full + extra)
        self._write(data)
        crc, size = zlib.crc32(data), len(data)
        descriptor = _DESCRIPTOR64 if size >= _U32 or header_at >= _U32 else _DESCRIPTOR
        self._write(descriptor.pack(0x08074B50, crc, size, size))
        self._entries.append((full, crc, size, header_at))

    def finish(self):
        """Write the central directory and the (zip64) end records."""
        cd_at = self._offset
        for full, crc, size, header_at in self._entries:
            zip64 = [size, size] if size >= _U32 else []
            if header_at >= _U32:
                zip64.append(header_at)
            extra = struct.pack(f"<HH{len(zip64)}Q", 1, 8 * len(zip64), *zip64) if zip64 else b""
            # signature, made by, needed, flags, method, time, date
            head = (0x02014B50, 0, 0, _FLAGS, 0, 0, 0)
            sizes = (crc, min(size, _U32), min(size, _U32), len(full), len(extra))
            # comment length, disk, internal and external attributes, local header offset
            tail = (0, 0, 0, 0, min(header_at, _U32))
            self._write(_CENTRAL.pack(*head, *sizes, *tail) + full + extra)
        n, cd_size, end_at = len(self._entries), self._offset - cd_at, self._offset
        self._write(_END64.pack(0x06064B50, 44, 0x031E, 0x2D, 0, 0, n, n, cd_size, cd_at))
        self._write(_LOCATOR64.pack(0x07064B50, 0, end_at, 1))
        counts = (min(n, 0xFFFF), min(n, 0xFFFF))
        self._write(_END.pack(0x06054B50, 0, 0, *counts, min(cd_size, _U32), min(cd_at, _U32), 0))


def archive_name(f):
    """The folder torch puts the records in: the file's name without its last extension, or
    ``archive`` for a file object."""
    if isinstance(f, str):
        base = os.path.basename(f)
        stem, dot, _ = base.rpartition(".")
        return stem if dot and stem else base
    return "archive"


def is_zipfile(f):
    """Whether ``f`` (at its current position) starts with a zip local header, as torch checks."""
    start = f.tell()
    magic = f.read(4)
    f.seek(start)
    return magic == b"PK\x03\x04"


class ZipReader:
    """The records of a torch zip checkpoint, by name relative to the archive folder."""

    def __init__(self, f):
        self._zip = zipfile.ZipFile(f)
        names = self._zip.namelist()
        first = names[0] if names else ""
        if "/" not in first:
            raise RuntimeError(
                f"[enforce fail at inline_container.cc:180] . file in archive is not in a subdirectory: {first}"
            )
        self._prefix = first[: first.index("/") + 1]
        self._records = {}
        for name in names:
            if not name.startswith(self._prefix):
                raise RuntimeError(
                    "[enforce fail at inline_container.cc:340] . file in archive is not in a "
                    f"subdirectory {self._prefix}: {name}"
                )
            self._records[name[len(self._prefix) :]] = name
        self._check_version()

    def _check_version(self):
        if "version" not in self._records:
            raise RuntimeError(
                'Expected hasRecord("version") to be true, but got false.  (Could this error message '
                "be improved?  If so, please report an enhancement request to PyTorch.)"
            )
        text = self.get_record("version").decode("utf-8", "replace")
        try:
            version = int(text.strip())
        except ValueError:
            raise RuntimeError(
                f"[enforce fail at inline_container.cc:215] . Couldn't parse the version {text} as Long Long."
            ) from None
        if version < 1:
            raise RuntimeError(
                "[enforce fail at inline_container.cc:219] . Attempted to read a PyTorch file with version "
                f"{version}, but the minimum supported version for reading is 1. Your PyTorch script module "
                "file is too old. Please regenerate it with latest version of PyTorch to mitigate this issue."
            )
        if version > _MAX_VERSION:
            raise RuntimeError(
                "[enforce fail at inline_container.cc:230] . Attempted to read a PyTorch file with version "
                f"{version}, but the maximum supported version for reading is {_MAX_VERSION}. The version of "
                "your PyTorch installation may be too old, please upgrade PyTorch to latest version to "
                "mitigate this issue."
            )

    def has_record(self, name):
        return name in self._records

    def get_record(self, name):
        if name not in self._records:
            raise RuntimeError(
                f"PytorchStreamReader failed locating file {name}: file not found. This is an internal "
                "miniz error. If you are seeing this error, there is a high likelihood that your "
                "checkpoint file is corrupted. This can happen if the checkpoint was not saved properly, "
                "was transferred incorrectly, or the file was modified after saving."
            )
        return self._zip.read(self._records[name])

    def close(self):
        self._zip.close()
