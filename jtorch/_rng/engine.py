"""torch's CPU random engine: MT19937 words, drawn with numpy's bit generator.

torch's ``mt19937`` is the reference Mersenne Twister (``init_genrand`` seeding, 32-bit
outputs); numpy's ``MT19937`` runs the same recurrence, so seeding it the legacy way and reading
``random_raw`` gives torch's ``random()`` stream word for word. What torch keeps besides the
624 words (the seed, ``left``/``next`` and the cached Box-Muller samples) lives here too, in
torch's 5056-byte state layout (``CPUGeneratorImplState``, x86-64).
"""

import numpy as np

STATE_SIZE = 5056
_N = 624
_LAYOUT = np.dtype(
    [
        ("seed", "<u8"),
        ("left", "<i4"),
        ("seeded", "<i4"),
        ("next", "<u8"),
        ("words", "<u8", (_N,)),
        ("normal_x", "<f8"),
        ("normal_y", "<f8"),
        ("normal_rho", "<f8"),
        ("normal_is_valid", "<i4"),
        ("pad0", "<i4"),
        ("float_normal", "<f4"),
        ("float_normal_valid", "u1"),
        ("pad1", "u1", (3,)),
    ]
)
assert _LAYOUT.itemsize == STATE_SIZE


class MT19937:
    """One engine: the numpy bit generator, the 64-bit seed, and torch's cached normals
    (``double_normal``: the second Box-Muller sample kept for the next scalar draw; the float
    cache is carried in the state but no CPU kernel reads it)."""

    def __init__(self, seed):
        self.bits = np.random.MT19937()
        self.seed(seed)

    def seed(self, seed):
        self.initial_seed = seed % 2**64
        self.bits._legacy_seeding(self.initial_seed & 0xFFFFFFFF)
        self.double_normal = None
        self.float_normal = None
        self._fresh = True  # torch writes next=0 (not 624) until the first draw

    # ---- words ----------------------------------------------------------------------------

    def u32(self, n):
        """The next ``n`` 32-bit words, as uint64."""
        self._fresh = self._fresh and not n
        return self.bits.random_raw(n)

    def u64(self, n):
        """The next ``n`` 64-bit draws: two words each, the first the high half."""
        w = self.u32(2 * n).reshape(n, 2)
        return (w[:, 0] << np.uint64(32)) | w[:, 1]

    def u24(self, n):
        """float32 uniforms in [0, 1): the low 24 bits of a word, times 2**-24."""
        return (self.u32(n) & np.uint64(0xFFFFFF)).astype(np.float32) * np.float32(2.0**-24)

    def u53(self, n):
        """float64 uniforms in [0, 1): the low 53 bits of a 64-bit draw, times 2**-53."""
        return (self.u64(n) & np.uint64(2**53 - 1)).astype(np.float64) * 2.0**-53

    # ---- torch's state bytes ----------------------------------------------------------------

    def state_bytes(self):
        st = self.bits.state["state"]
        s = np.zeros((), _LAYOUT)
        s["seed"] = self.initial_seed
        s["left"] = 625 - st["pos"]
        s["seeded"] = 1
        s["next"] = 0 if self._fresh else st["pos"]
        s["words"] = np.asarray(st["key"], np.uint64)
        if self.double_normal is not None:
            s["normal_y"] = self.double_normal
            s["normal_is_valid"] = 1
        if self.float_normal is not None:
            s["float_normal"] = self.float_normal
            s["float_normal_valid"] = 1
        return s.tobytes()

    def load_bytes(self, raw):
        """Adopt a state written by ``state_bytes`` or by torch; False when torch would reject
        it (not seeded, or ``left``/``next`` out of range)."""
        s = np.frombuffer(bytes(raw), _LAYOUT)[0]
        left, nxt = int(s["left"]), int(s["next"])
        if not (s["seeded"] and 0 < left <= _N and nxt <= _N):
            return False
        key = (s["words"] & 0xFFFFFFFF).astype(np.uint32)
        self.bits.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": 625 - left}}
        self.initial_seed = int(s["seed"])
        self.double_normal = float(s["normal_y"]) if s["normal_is_valid"] else None
        self.float_normal = float(s["float_normal"]) if s["float_normal_valid"] else None
        self._fresh = left == 1 and nxt == 0
        return True
