"""Random number generation: torch.Generator, the default CPU generator, and the default
generators of other devices.

Note [RNG interface]: every random op draws through a generator's stream (``Generator.stream``)
and its sampling methods (uniform, normal, integers, permutation, bernoulli, exponential,
geometric, cauchy, log_normal, multinomial), never from a PRNG directly. A method returns a
flat host (numpy) array of values in the order torch writes them, the output's memory order;
the ops place them on the tensor's elements and device. A CPU generator's stream is torch's own
(``_rng/cpu.py``: MT19937 and torch's CPU kernels, bit for bit), so after ``manual_seed`` a
script draws exactly torch's numbers. Generators of other devices use jax's threefry
(``_rng/threefry.py``): torch's CUDA numbers differ from its CPU numbers too, and jtorch does not
reproduce them. ``torch.manual_seed`` seeds the default generators of every device, as torch's
does.
"""

import os

import numpy as np

from . import _tracing
from ._errors import check
from ._rng import cpu, engine, threefry

DEFAULT_SEED = 67280421310721  # the seed of every new torch.Generator
STATE_SIZE = engine.STATE_SIZE  # torch's CPUGeneratorImplState


# False while a compiled call traces (Note [compiled calls]): a draw there would be baked into
# the program as a constant, so it stops the trace instead and the call runs eagerly.
drawing_allowed = [True]


class Generator:
    """torch.Generator: manual_seed, seed, initial_seed, get_state, set_state, and ``device``."""

    def __init__(self, device="cpu"):
        from . import _device

        self.device = _device.canonical(device)
        cls = cpu.TorchCPU if self.device.type == "cpu" else threefry.Threefry
        self._stream = cls(DEFAULT_SEED)

    @property
    def stream(self):
        """The sampling interface (Note [RNG interface])."""
        if not drawing_allowed[0]:
            raise RuntimeError("random draws cannot be part of a compiled program")
        if _tracing.Tracing.active is not None:  # a compiled call's first, eager run
            _tracing.Tracing.active.draws += 1
        return self._stream

    def __repr__(self):
        return f"<torch._C.Generator object at {id(self):#x}>"

    def manual_seed(self, seed):
        check(
            isinstance(seed, int) or hasattr(seed, "__index__"),
            RuntimeError,
            lambda: f"manual_seed expected a long, but got {type(seed).__name__}",
        )
        seed = int(seed.__index__())
        check(-(2**63) <= seed < 2**64, ValueError, "Overflow when unpacking long long")
        self._seed_stream(seed)
        return self

    def _seed_stream(self, seed):
        if isinstance(self._stream, cpu.TorchCPU):
            self._stream.engine.seed(seed)
        else:
            self._stream.seed(seed)

    def seed(self):
        """Seed from the operating system's entropy; returns the seed."""
        self._seed_stream(int.from_bytes(os.urandom(8), "little") & (2**63 - 1))
        return self.initial_seed()

    def initial_seed(self):
        return self._state_keeper().initial_seed

    def _state_keeper(self):
        return self._stream.engine if isinstance(self._stream, cpu.TorchCPU) else self._stream

    def get_state(self):
        """The state as a ByteTensor: torch's 5056-byte layout on the CPU, seed and offset
        (16 bytes) on other devices."""
        from ._ops.creation import place

        return place(np.frombuffer(self._state_keeper().state_bytes(), np.uint8).copy())

    def set_state(self, new_state):
        from . import _dtype
        from .tensor import Tensor

        check(
            isinstance(new_state, Tensor) and new_state.dtype is _dtype.uint8,
            TypeError,
            "RNG state must be a torch.ByteTensor",
        )
        raw = np.asarray(new_state._host(), dtype=np.uint8).reshape(-1)
        keeper = self._state_keeper()
        if isinstance(self._stream, cpu.TorchCPU):
            check(
                raw.size == STATE_SIZE,
                RuntimeError,
                lambda: (
                    f"Expected a CPUGeneratorImplState of size {STATE_SIZE} but found the input "
                    f"RNG state size to be {raw.size}"
                ),
            )
        else:
            check(
                raw.size == threefry.STATE_SIZE,
                RuntimeError,
                lambda: f"RNG state is wrong size: expected {threefry.STATE_SIZE}, got {raw.size}",
            )
        check(keeper.load_bytes(raw), RuntimeError, "Invalid mt19937 state")
        return self


default_generator = Generator()
default_generator.seed()  # as in torch, a fresh process draws differently until seeded

_device_generators = {}  # (device type, index) -> the default generator of that device


def device_generator(device):
    """The default generator of ``device`` (a torch.device): the CPU's, or one per accelerator,
    made on first use with torch's CPU seed (as torch seeds them lazily from the default)."""
    if device.type == "cpu":
        return default_generator
    key = (device.type, device.index or 0)
    if key not in _device_generators:
        from . import _device

        g = Generator(_device.device(device.type, key[1]))
        g._seed_stream(default_generator.initial_seed())
        _device_generators[key] = g
    return _device_generators[key]


def manual_seed(seed):
    """Seed the default generator of every device; returns the CPU's."""
    default_generator.manual_seed(seed)
    for g in _device_generators.values():
        g.manual_seed(seed)
    return default_generator


def seed():
    s = default_generator.seed()
    for g in _device_generators.values():
        g._seed_stream(s)
    return s


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state):
    default_generator.set_state(new_state)
