"""Files for torch.save and torch.load: paths, file objects, and the atomic replace.

Note [atomic save]: torch.save to a path never leaves a half-written file in place of a good
one. The checkpoint is written to a temporary file in the target's directory and moved over
the target with ``os.replace`` only once it is complete; an exception on the way (an object
that cannot be pickled, a full disk) removes the temporary file and leaves the old one as it
was. The new file gets the old file's permission bits (or the umask's, for a new file), as
``open(path, "wb")`` would. A target that exists and is not a regular file (``/dev/null``, a
FIFO) is written in place, since replacing it would be wrong.
"""

import contextlib
import io
import os
import stat
import tempfile


def is_path(f):
    return isinstance(f, (str, os.PathLike))


def check_save_filelike(f):
    if not is_path(f) and not hasattr(f, "write"):
        raise AttributeError(
            "expected 'f' to be string, path, or a file-like object with a 'write' attribute"
        )


@contextlib.contextmanager
def open_for_save(f):
    """A binary file object to write the checkpoint to (see Note [atomic save])."""
    if not is_path(f):
        if not callable(getattr(f, "write", None)):
            raise TypeError(
                f"Buffer of {str(type(f)).strip('<>')} has no callable attribute 'write'"
            )
        yield f
        if callable(getattr(f, "flush", None)):
            f.flush()
        return
    path = os.fspath(f)
    target = os.path.realpath(path)
    parent = os.path.dirname(path)
    if parent and not os.path.isdir(parent):
        raise RuntimeError(f"Parent directory {parent} does not exist.")
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        with open(path, "wb") as out:
            yield out
        return
    fd, tmp = tempfile.mkstemp(
        prefix="." + os.path.basename(target) + ".", suffix=".tmp", dir=os.path.dirname(target)
    )
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
        os.chmod(tmp, stat.S_IMODE(mode) if mode is not None else 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _umask():
    mask = os.umask(0o22)
    os.umask(mask)
    return mask


def check_seekable(f):
    """torch's check that torch.load can seek in ``f``, with its message."""
    try:
        f.seek(f.tell())
    except (io.UnsupportedOperation, AttributeError) as e:
        if "seek" in str(e) or "tell" in str(e):
            raise type(e)(
                str(e)
                + ". You can only torch.load from a file that is seekable. Please pre-load the data "
                "into a buffer like io.BytesIO and try to load from it instead."
            ) from None
        raise


@contextlib.contextmanager
def open_for_load(f):
    if is_path(f):
        with open(f, "rb") as opened:
            yield opened
        return
    check_seekable(f)
    yield f


def should_read_directly(f):
    """Whether ``f`` is backed by a real file descriptor (torch then tries the .tar format)."""
    if getattr(f, "__module__", None) == "gzip":
        return False
    try:
        return f.fileno() >= 0
    except (io.UnsupportedOperation, AttributeError):
        return False
