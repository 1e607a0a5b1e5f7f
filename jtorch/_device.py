"""torch.device and the mapping of torch devices onto jax devices.

Tensors live on the CPU unless told otherwise, even when jax sees a GPU (jax's own default
would be the GPU), so every array jtorch makes is placed explicitly with ``jax_device``.
"""

import functools

import jax


class device:
    """torch.device("cpu"), torch.device("cuda:0"), torch.device("cuda", 1)."""

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        if not isinstance(type, str):
            raise TypeError(f"device() received an invalid combination of arguments - got ({type!r})")
        name, _, idx = type.partition(":")
        if name not in ("cpu", "cuda", "meta"):
            raise RuntimeError(
                "Expected one of cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, fpga, "
                f"maia, xla, lazy, vulkan, mps, meta, hpu, mtia, privateuseone device type at start "
                f"of device string: {type}"
            )
        if idx:
            if index is not None or not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}'")
            index = int(idx)
        self.type, self.index = name, index

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (str(self),))


CPU = device("cpu")


@functools.lru_cache(maxsize=None)
def gpus():
    try:
        return tuple(jax.devices("gpu"))
    except RuntimeError:
        return ()


def canonical(d):
    """A torch.device with an explicit index for cuda (``cuda`` means the current one, 0)."""
    if d is None:
        return CPU
    if not isinstance(d, device):
        if isinstance(d, int):
            d = device("cuda", d)
        else:
            d = device(d)
    if d.type == "cuda":
        idx = 0 if d.index is None else d.index
        if not gpus():
            raise AssertionError("Torch not compiled with CUDA enabled")
        if idx >= len(gpus()):
            raise RuntimeError(
                "CUDA error: invalid device ordinal\nCUDA kernel errors might be asynchronously "
                "reported at some other API call, so the stacktrace below might be incorrect."
            )
        return device("cuda", idx)
    if d.type == "cpu":
        return CPU
    raise NotImplementedError(f"jtorch does not support torch.device('{d}')")


@functools.lru_cache(maxsize=None)
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
