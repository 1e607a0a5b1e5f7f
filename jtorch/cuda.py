"""torch.cuda on jax's GPU devices: availability, the current device, device properties,
synchronize, memory statistics and the CUDA seeding functions.

jtorch has no CUDA of its own: "cuda:N" is jax's N-th GPU (``jax.devices("gpu")[N]``), when
jaxlib sees one. Without one, every function behaves as in torch's CPU-only build: the
queries that need CUDA raise ``AssertionError("Torch not compiled with CUDA enabled")``, the
memory statistics are zero or empty, and the seeding functions do nothing.

The state (the current device, whether CUDA has been used) lives in jtorch/_device.py, where
``torch.device("cuda")`` is resolved to the current device.
"""

import collections
import warnings

import jax

from . import _device, _random

_NOT_COMPILED = "Torch not compiled with CUDA enabled"


# ---- availability and initialization ---------------------------------------------------------


def is_available():
    """Whether a GPU can be used: jax sees at least one."""
    return len(_device.gpus()) > 0


def device_count():
    """The number of GPUs jax sees."""
    return len(_device.gpus())


def is_initialized():
    """Whether CUDA has been used in this process (a tensor placed on a GPU, ``init()``, a
    query of the current device...)."""
    return _device.cuda_initialized


def init():
    """Initialize CUDA: nothing to do beyond checking that a GPU exists (jax starts its GPU
    backend itself)."""
    _lazy_init()


def _lazy_init():
    if _device.cuda_initialized:
        return
    if not is_available():
        raise AssertionError(_NOT_COMPILED)
    _device.cuda_initialized = True


def _missing_binding(name):
    """What torch's CPU-only build raises where it reaches a CUDA binding it lacks."""
    return AttributeError(f"module 'torch._C' has no attribute '{name}'")


# ---- the current device ----------------------------------------------------------------------


def _device_index(dev, optional=False):
    """The CUDA device index that ``dev`` (an int, a string, a torch.device or a
    torch.cuda.device) names, as torch.cuda._utils._get_device_index: an index-less
    ``"cuda"`` or None means the current device when ``optional`` (None without a GPU)."""
    if isinstance(dev, int):
        return dev
    if isinstance(dev, str):
        dev = _device.device(dev)
    index = None
    if isinstance(dev, _device.device):
        if dev.type != "cuda":
            raise ValueError(f"Expected a cuda device, but got: {dev}")
        index = dev.index
    elif isinstance(dev, device):
        return dev.idx
    if index is not None:
        return index
    if not optional:
        raise ValueError(
            f"Expected a torch.device with a specified index or an integer, but got:{dev}"
        )
    return current_device() if is_available() else None


def _select(index):
    """Make GPU ``index`` the current device (torch's error for a bad ordinal)."""
    _device.canonical(_device.device("cuda", index))
    _device.current_cuda = index


def current_device():
    """The index of the current CUDA device."""
    _lazy_init()
    return _device.current_cuda


def set_device(device):
    """Set the current CUDA device; a negative index does nothing.

    Usage of this function is discouraged in favour of :class:`device`.
    """
    index = _device_index(device)
    if index >= 0:
        if not is_available():
            raise _missing_binding("_cuda_setDevice")
        _select(index)


def _exchange_device(index):
    if index < 0:
        return -1
    if not is_available():
        raise RuntimeError("PyTorch was compiled without CUDA support")
    previous = current_device()
    _select(index)
    return previous


class device:
    """Context manager that makes ``device`` (a torch.device, an int or a string) the current
    CUDA device for its block; a negative index or None does nothing."""

    def __init__(self, device):
        self.idx = _device_index(device, optional=True)
        self.prev_idx = -1

    def __enter__(self):
        self.prev_idx = _exchange_device(self.idx)

    def __exit__(self, type, value, traceback):
        self.idx = _exchange_device(self.prev_idx)
        return False


class device_of(device):
    """Context manager that makes the device of a tensor the current CUDA device; does
    nothing for a CPU tensor."""

    def __init__(self, obj):
        super().__init__(obj.get_device() if obj.is_cuda else -1)


def synchronize(device=None):
    """Wait for all work queued on a GPU (the current one by default) to finish.

    jax dispatches asynchronously and has no global barrier: this waits for every live array
    on the GPU, for a tiny computation queued after all earlier ones, and for jax's effects.
    """
    _lazy_init()
    index = _device_index(device, optional=True)
    gpu = _device.gpus()[current_device() if index < 0 else _gpu_index(index)]
    jax.block_until_ready([a for a in jax.live_arrays(gpu.platform) if gpu in a.devices()])
    _tick(jax.device_put(0, gpu)).block_until_ready()
    jax.effects_barrier()


_tick = jax.jit(lambda x: x + 1)


def _gpu_index(index):
    """``index`` checked against the GPUs jax sees, with torch's error for a bad ordinal."""
    return _device.canonical(_device.device("cuda", index)).index


# ---- device properties -----------------------------------------------------------------------


class _CudaDeviceProperties:
    """torch.cuda.get_device_properties' result: the fields jax reports for a GPU.

    Differences from torch: ``total_memory`` is the memory jax's allocator may use (its
    ``bytes_limit``: by default 75% of the GPU's memory, see XLA_PYTHON_CLIENT_MEM_FRACTION),
    0 where jax reports none; ``major``/``minor`` are None where jax reports no CUDA compute
    capability; there is no ``uuid``, ``L2_cache_size`` or PCI information.
    """

    def __init__(self, gpu):
        self.name = self.gcnArchName = gpu.device_kind
        self.major, self.minor = _capability(gpu)
        self.total_memory = int((gpu.memory_stats() or {}).get("bytes_limit", 0))
        self.multi_processor_count = int(getattr(gpu, "core_count", 0))

    def __repr__(self):
        return (
            f"_CudaDeviceProperties(name='{self.name}', major={self.major}, minor={self.minor}, "
            f"total_memory={self.total_memory // (1024 * 1024)}MB, "
            f"multi_processor_count={self.multi_processor_count})"
        )


def _capability(gpu):
    major, _, minor = str(getattr(gpu, "compute_capability", "")).partition(".")
    if not (major.isdigit() and minor.isdigit()):
        return None, None
    return int(major), int(minor)


def get_device_properties(device=None):
    """The properties of a GPU (the current one by default)."""
    _lazy_init()
    index = _device_index(device, optional=True)
    if index < 0 or index >= device_count():
        raise AssertionError("Invalid device id")
    return _CudaDeviceProperties(_device.gpus()[index])


def get_device_name(device=None):
    """The name of a GPU (the current one by default)."""
    return get_device_properties(device).name


def get_device_capability(device=None):
    """The (major, minor) CUDA compute capability of a GPU (the current one by default)."""
    prop = get_device_properties(device)
    return prop.major, prop.minor


def is_bf16_supported(including_emulation=True):
    """Whether the current GPU supports bfloat16 (natively from compute capability 8.0; jax
    emulates it below, which counts unless ``including_emulation`` is False)."""
    if not is_available():
        return False
    major = get_device_properties(current_device()).major
    return (major is not None and major >= 8) or including_emulation


# ---- memory ----------------------------------------------------------------------------------
#
# torch's caching allocator statistics, from jax's allocator (``Device.memory_stats()``):
# allocated bytes are jax's bytes_in_use, reserved bytes its pool_bytes. jax cannot reset its
# peaks, so reset_peak_memory_stats records the peak at that moment: a later peak above it is
# jax's, a lower one the highest use seen by the statistics calls since the reset.

_peak_resets = {}  # gpu index -> {stat: [jax's peak at the reset, highest use seen since]}
_alloc_counts_at_reset = {}  # gpu index -> jax's num_allocs at reset_accumulated_memory_stats


def _jax_stats(index):
    stats = _device.gpus()[_gpu_index(index)].memory_stats() or {}
    allocated = int(stats.get("bytes_in_use", 0))
    reserved = int(stats.get("pool_bytes", allocated))
    return {
        "allocated_bytes": (allocated, int(stats.get("peak_bytes_in_use", allocated))),
        "reserved_bytes": (reserved, int(stats.get("peak_pool_bytes", reserved))),
    }, int(stats.get("num_allocs", 0))


def _peak(index, name, current, jax_peak):
    reset = _peak_resets.get(index, {}).get(name)
    if reset is None or jax_peak > reset[0]:
        return jax_peak
    reset[1] = max(reset[1], current)
    return reset[1]


def memory_stats_as_nested_dict(device=None):
    """memory_stats as a nested dictionary."""
    if not is_initialized():
        return {}
    index = _device_index(device, optional=True)
    byte_stats, num_allocs = _jax_stats(index)
    nested = {
        name: {"all": {"current": current, "peak": _peak(index, name, current, jax_peak)}}
        for name, (current, jax_peak) in byte_stats.items()
    }
    num_allocs -= _alloc_counts_at_reset.get(index, 0)
    nested["allocation"] = {"all": {"allocated": num_allocs}}
    return nested


def memory_stats(device=None):
    """Memory statistics of a GPU (the current one by default), keyed as torch's caching
    allocator's (``"allocated_bytes.all.current"``...); empty before CUDA is used.

    Differences from torch: only the statistics jax's allocator keeps are present:
    ``allocated_bytes`` and ``reserved_bytes`` (``all.current``, ``all.peak``) and
    ``allocation.all.allocated``; no per-pool breakdown.
    """
    flat = []

    def walk(prefix, value):
        if isinstance(value, dict):
            for key, item in value.items():
                walk(f"{prefix}.{key}" if prefix else key, item)
        else:
            flat.append((prefix, value))

    walk("", memory_stats_as_nested_dict(device))
    return collections.OrderedDict(sorted(flat))


def memory_allocated(device=None):
    """Bytes of GPU memory held by arrays."""
    return memory_stats(device).get("allocated_bytes.all.current", 0)


def max_memory_allocated(device=None):
    """The peak of memory_allocated since the start or the last reset_peak_memory_stats."""
    return memory_stats(device).get("allocated_bytes.all.peak", 0)


def memory_reserved(device=None):
    """Bytes of GPU memory held by jax's allocator."""
    return memory_stats(device).get("reserved_bytes.all.current", 0)


def max_memory_reserved(device=None):
    """The peak of memory_reserved since the start or the last reset_peak_memory_stats."""
    return memory_stats(device).get("reserved_bytes.all.peak", 0)


def _renamed(name, new_name):
    warnings.warn(
        f"`torch.cuda.{name}` has been renamed to `torch.cuda.{new_name}`",
        FutureWarning,
        stacklevel=3,
    )


def memory_cached(device=None):
    """Deprecated: memory_reserved."""
    _renamed("memory_cached", "memory_reserved")
    return memory_reserved(device)


def max_memory_cached(device=None):
    """Deprecated: max_memory_reserved."""
    _renamed("max_memory_cached", "max_memory_reserved")
    return max_memory_reserved(device)


def reset_peak_memory_stats(device=None):
    """Start the peaks of the memory statistics afresh (see the note above ``_jax_stats``).

    Differences from torch: jax keeps its own peaks, which cannot be reset; until use rises
    above the peak before the reset, the peak reported is the highest use the statistics
    functions saw, which can miss a short-lived high between two calls.
    """
    index = _device_index(device, optional=True)
    if not is_available():
        raise _missing_binding("_cuda_resetPeakMemoryStats")
    byte_stats, _ = _jax_stats(index)
    _peak_resets[index] = {
        name: [jax_peak, current] for name, (current, jax_peak) in byte_stats.items()
    }


def reset_accumulated_memory_stats(device=None):
    """Start the accumulated statistics (``allocation.all.allocated``) afresh."""
    index = _device_index(device, optional=True)
    if not is_available():
        raise _missing_binding("_cuda_resetAccumulatedMemoryStats")
    _alloc_counts_at_reset[index] = 0
    _alloc_counts_at_reset[index] = _jax_stats(index)[1]


def _deprecated_reset(name):
    warnings.warn(
        f"torch.cuda.{name} now calls torch.cuda.reset_peak_memory_stats, "
        "which resets /all/ peak memory stats.",
        FutureWarning,
        stacklevel=3,
    )


def reset_max_memory_allocated(device=None):
    """Deprecated: reset_peak_memory_stats."""
    _deprecated_reset("reset_max_memory_allocated")
    return reset_peak_memory_stats(device)


def reset_max_memory_cached(device=None):
    """Deprecated: reset_peak_memory_stats."""
    _deprecated_reset("reset_max_memory_cached")
    return reset_peak_memory_stats(device)


def empty_cache():
    """Release cached, unused GPU memory.

    Differences from torch: does nothing; jax's allocator keeps its pool (see
    XLA_PYTHON_CLIENT_PREALLOCATE and XLA_PYTHON_CLIENT_ALLOCATOR to change how it holds memory).
    """


def mem_get_info(device=None):
    """(free, total) bytes of a GPU's memory (the current one by default).

    Differences from torch: ``total`` is the memory jax's allocator may use (its
    ``bytes_limit``), and ``free`` what of it arrays do not hold.
    """
    if device is None:
        device = current_device()
    index = _device_index(device, optional=True)
    _lazy_init()
    stats = _device.gpus()[_gpu_index(index)].memory_stats() or {}
    total = int(stats.get("bytes_limit", 0))
    return total - int(stats.get("bytes_in_use", 0)), total


# ---- random numbers --------------------------------------------------------------------------
#
# Each GPU has its own default generator (jtorch/_random.py ``device_generator``; jax's threefry,
# not torch's Philox), which ``torch.manual_seed`` seeds too. Without a GPU the seeding functions
# do nothing, as in torch, where the seed waits for a CUDA initialization that never comes.


def _generator(index=None):
    return _random.device_generator(
        _device.device("cuda", current_device() if index is None else index)
    )


def manual_seed(seed):
    """Seed the random numbers of the current GPU; does nothing without a GPU."""
    seed = int(seed)
    if is_available():
        _generator().manual_seed(seed)


def manual_seed_all(seed):
    """Seed the random numbers of every GPU; does nothing without a GPU."""
    seed = int(seed)
    for i in range(device_count() if is_available() else 0):
        _generator(i).manual_seed(seed)


def seed():
    """Seed the random numbers of the current GPU from the OS; does nothing without a GPU."""
    if is_available():
        _generator().seed()


def seed_all():
    """Seed the random numbers of every GPU from the OS; does nothing without a GPU."""
    if is_available():
        s = _generator(0).seed()
        for i in range(1, device_count()):
            _generator(i).manual_seed(s)


def initial_seed():
    """The seed of the current GPU's random numbers."""
    _lazy_init()
    return _generator().initial_seed()


def _rng_index(device):
    if isinstance(device, str):
        device = _device.device(device)
    index = device if isinstance(device, int) else device.index
    return current_device() if index is None else index


def get_rng_state(device="cuda"):
    """The random number state of a GPU as a ByteTensor: seed and offset, 16 bytes."""
    _lazy_init()
    index = _rng_index(device)
    if index >= device_count():
        raise IndexError("tuple index out of range")
    return _generator(index).get_state()


def set_rng_state(new_state, device="cuda"):
    """Set the random number state of a GPU; does nothing without a GPU."""
    if not is_initialized():
        new_state = new_state.clone()
    index = _rng_index(device) if is_available() else None
    if index is not None:
        _generator(index).set_state(new_state)


def get_rng_state_all():
    """The random number states of all GPUs."""
    return [get_rng_state(i) for i in range(device_count())]


def set_rng_state_all(new_states):
    """Set the random number states of all GPUs."""
    for i, state in enumerate(new_states):
        set_rng_state(state, i)


# ---- what jtorch does not provide ------------------------------------------------------------

_UNSUPPORTED = frozenset(
    [
        "Stream",
        "ExternalStream",
        "Event",
        "StreamContext",
        "stream",
        "set_stream",
        "current_stream",
        "default_stream",
        "synchronize_stream",
        "CUDAGraph",
        "graph",
        "graph_pool_handle",
        "make_graphed_callables",
        "amp",
        "nvtx",
        "jiterator",
        "memory_summary",
        "memory_snapshot",
        "caching_allocator_alloc",
        "caching_allocator_delete",
        "set_per_process_memory_fraction",
        "get_per_process_memory_fraction",
        "ipc_collect",
        "utilization",
        "temperature",
        "power_draw",
        "clock_rate",
        "list_gpu_processes",
        "get_arch_list",
        "get_gencode_flags",
        "can_device_access_peer",
        "cudart",
        "MemPool",
        "use_mem_pool",
    ]
)


def __getattr__(name):
    if name in _UNSUPPORTED:
        raise NotImplementedError(f"jtorch does not support torch.cuda.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
