"""torch.cuda on jax's GPU devices: availability, counts, the current device, synchronize.

jtorch has no CUDA of its own: "cuda:N" is jax's N-th GPU, when jaxlib sees one.
"""

from . import _device


def is_available():
    return len(_device.gpus()) > 0


def device_count():
    return len(_device.gpus())


def is_initialized():
    return is_available()


_current = [0]


def current_device():
    _require()
    return _current[0]


def set_device(device):
    idx = device if isinstance(device, int) else _device.canonical(device).index
    _device.canonical(_device.device("cuda", idx))
    _current[0] = idx


def get_device_name(device=None):
    _require()
    idx = _current[0] if device is None else (device if isinstance(device, int) else _device.canonical(device).index)
    return _device.gpus()[idx].device_kind


def get_device_capability(device=None):
    _require()
    cap = getattr(_device.gpus()[0], "compute_capability", "0.0")
    major, _, minor = str(cap).partition(".")
    return int(major), int(minor or 0)


def synchronize(device=None):
    """Wait for all work queued on the GPUs (jax dispatches asynchronously)."""
    import jax

    for d in _device.gpus():
        jax.device_put(0, d).block_until_ready()


def manual_seed(seed):
    from ._random import manual_seed as seed_all

    seed_all(seed)


manual_seed_all = manual_seed


def empty_cache():
    """Nothing to do: jax's allocator manages GPU memory."""


def memory_allocated(device=None):
    stats = _stats(device)
    return int(stats.get("bytes_in_use", 0))


def max_memory_allocated(device=None):
    stats = _stats(device)
    return int(stats.get("peak_bytes_in_use", 0))


def _stats(device):
    if not is_available():
        return {}
    return _device.gpus()[0 if device is None else _device.canonical(device).index].memory_stats() or {}


def _require():
    if not is_available():
        raise AssertionError("Torch not compiled with CUDA enabled")


class device:
    """Context manager that changes the current CUDA device."""

    def __init__(self, device):
        self.idx = device if isinstance(device, int) else _device.canonical(device).index

    def __enter__(self):
        self.prev = _current[0]
        _current[0] = self.idx

    def __exit__(self, *exc):
        _current[0] = self.prev
