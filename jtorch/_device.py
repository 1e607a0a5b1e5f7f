"""torch.device and the mapping of torch devices onto jax devices.

Tensors live on the CPU unless told otherwise, even when jax sees a GPU (jax's own default
would be the GPU), so every array jtorch makes is placed explicitly with ``jax_device``.
"""

import functools
import re

import jax

# Every device type torch's parser knows; jtorch can place tensors on cpu and cuda only.
_TYPES = (
    "cpu",
    "cuda",
    "ipu",
    "xpu",
    "mkldnn",
    "opengl",
    "opencl",
    "ideep",
    "hip",
    "ve",
    "fpga",
    "maia",
    "xla",
    "lazy",
    "vulkan",
    "mps",
    "meta",
    "hpu",
    "mtia",
    "privateuseone",
)
_DEVICE_STRING = re.compile(r"([a-zA-Z_]+)(?::([1-9]\d*|0))?")


def _parse(string):
    """(type, index) of a device string, with torch's errors."""
    if not string:
        raise RuntimeError("Device string must not be empty")
    m = _DEVICE_STRING.fullmatch(string)
    if m is None:
        raise RuntimeError(f"Invalid device string: '{string}'")
    if m.group(1) not in _TYPES:
        raise RuntimeError(
            f"Expected one of {', '.join(_TYPES)} device type at start of device string: {m.group(1)}"
        )
    return m.group(1), None if m.group(2) is None else int(m.group(2))


_made = {}  # (type, index) -> its device: one object each


class device:
    """torch.device("cpu"), torch.device("cuda:0"), torch.device("cuda", 1), torch.device(0).

    One object per (type, index): equal devices are the same object, so a device hashes by
    identity (quick, and tensors' devices key dispatch's caches)."""

    __slots__ = ("index", "type")

    def __new__(cls, type, index=None):
        if isinstance(type, device):
            return type
        if isinstance(type, int) and not isinstance(type, bool):
            # A bare index names the current accelerator, which for jtorch is cuda.
            if not gpus():
                raise RuntimeError("Cannot access accelerator device when none is available.")
            type, index = "cuda", type
        elif not isinstance(type, str):
            raise TypeError(
                f"device() received an invalid combination of arguments - got ({_typename(type)})"
            )
        else:
            type, parsed = _parse(type)
            if parsed is not None and index is not None:
                raise RuntimeError(
                    "type (string) must not include an index because index was passed explicitly: "
                    f"{type}:{parsed}"
                )
            index = parsed if parsed is not None else index
        if index is not None:
            if not isinstance(index, int) or isinstance(index, bool):
                raise TypeError(
                    f"device(): argument 'index' (position 2) must be int, not {_typename(index)}"
                )
            if index < 0:
                raise RuntimeError("Device index must not be negative")
        made = _made.get((type, index))
        if made is None:
            made = _made[(type, index)] = object.__new__(cls)
            made.type, made.index = type, index
        return made

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        # As in torch, a device never equals a string: device("cpu") == "cpu" is False.
        if not isinstance(other, device):
            return NotImplemented
        return self is other  # one object per (type, index)

    __hash__ = object.__hash__

    def __reduce__(self):
        return (device, (self.type, self.index))


def _typename(x):
    return "NoneType" if x is None else type(x).__name__


CPU = device("cpu")


# The current CUDA device (torch.cuda.set_device) and whether CUDA has been used yet
# (torch.cuda.is_initialized): the state behind jtorch.cuda, kept here so that canonical()
# can resolve "cuda" without importing jtorch.cuda.
current_cuda = 0
cuda_initialized = False


@functools.cache
def gpus():
    try:
        return tuple(jax.devices("gpu"))
    except RuntimeError:
        return ()


def canonical(d):
    """A torch.device with an explicit index for cuda (``cuda`` means the current one)."""
    global cuda_initialized
    if d is None:
        return CPU
    if not isinstance(d, device):
        d = device(d)  # an int names the accelerator, with torch's error when there is none
    if d.type == "cuda":
        idx = current_cuda if d.index is None else d.index
        if not gpus():
            raise AssertionError("Torch not compiled with CUDA enabled")
        if idx >= len(gpus()):
            raise RuntimeError(
                "CUDA error: invalid device ordinal\nCUDA kernel errors might be asynchronously "
                "reported at some other API call, so the stacktrace below might be incorrect."
            )
        cuda_initialized = True
        return device("cuda", idx)
    if d.type == "cpu":
        return CPU
    raise NotImplementedError(f"jtorch does not support torch.device('{d}')")


def cuda_target(d):
    """Where Tensor.cuda(d) / Module.cuda(d) go: the current CUDA device for None, else ``d``,
    which must name a CUDA device (torch's errors)."""
    if d is None:
        return "cuda"
    d = device(d)
    if d.type != "cuda":
        raise RuntimeError("Invalid device, must be cuda device")
    return d


@functools.cache
def jax_device(d):
    if d.type == "cuda":
        return gpus()[d.index]
    return jax.devices("cpu")[0]


def of_array(a):
    """The torch.device that holds jax array ``a``."""
    dev = next(iter(a.devices()))
    if dev.platform == "cpu":
        return CPU
    return device("cuda", gpus().index(dev))
