"""Storages and views.

Note [views and versions]: jax arrays are immutable, torch tensors are not. A tensor is a
``Storage`` (the current jax array of the root tensor, a version counter, and, for tensors that
share memory with numpy, the numpy buffer itself) plus an optional ``ViewSpec``: the chain of
view steps that derives this tensor's value from the storage's array. Every step is a pure jax
function of its input (plus traced integers such as a select index, so ``x[i]`` in a loop does
not recompile). Reading a view whose storage changed since it was last read recomputes it
through one jitted reader per chain; writing through a view scatters into the root through the
index map that the same chain computes on an iota of the root's flat indices. No view op has
write-back code of its own. Complex storages are indexed by real slots (element k's real part
is slot 2k, its imaginary part 2k+1; the iota is complex ``2k + (2k+1)j``), so ``real``,
``imag``, ``view_as_real``, ``view_as_complex`` and ``conj`` (a negative slot: written negated)
are view steps like any other. Every in-place write bumps the storage's version (which invalidates
the views' cached values) and the writer's version counter (``t._version``), which views and
``detach()`` share and ``.data`` does not, as in torch.

Note [bitcast views]: ``Tensor.view(dtype)`` reinterprets bytes, so its step (``bitcast``) is
the one step that is not a gather: applied to an index iota it would reinterpret the indices'
bits. Index maps and writers find such steps by walking the chain on values (every traced
``bitcast`` counts itself in ``_bitcasts``). An index map converts its units at a bitcast step
(an element of 4 bytes read as int8 is 4 consecutive indices; read as float64, half an index);
a writer splits the chain there: it writes the value into the bitcast step's output through
the steps after it, reads the result back in the step's input dtype (the inverse bitcast) and
writes that through the steps before it.
"""

import threading

import jax
import jax.numpy as jnp
import numpy as np

from . import _lazy


class Storage:
    __slots__ = ("array", "version", "host")

    def __init__(self, array, host=None):
        self.array = array
        self.version = 0
        # numpy buffer shared with the user (from_numpy / .numpy()); when set it is the truth.
        self.host = host

    def read(self):
        if self.host is None:
            a = self.array
            if type(a) is _lazy.Pending and a.value is not None:  # materialised (Note [lazy mode])
                a = self.array = a.value
            return a
        # a copy: jax on CPU aliases an aligned numpy buffer (or copies it later, asynchronously),
        # and the array read must not change when the buffer is written in place afterwards
        return jax.device_put(np.array(self.host), next(iter(self.array.devices())))

    def write(self, new):
        if self.host is None:
            self.array = new
        else:
            np.copyto(self.host, np.asarray(new), casting="unsafe")
        self.version += 1

    def make_host_backed(self):
        """Turn this storage into one backed by a writable numpy buffer, and return it."""
        if self.host is None:
            self.host = np.array(self.array)
        return self.host


class ViewSpec:
    """The chain of view steps from a storage's root array to a view's value.

    ``keys`` identify the steps statically (op key and static arguments); ``fns`` are the
    matching pure functions ``fn(x, *dyn)``; ``dyn`` holds each step's traced arguments.
    """

    __slots__ = ("root_shape", "keys", "fns", "dyn", "overlapping")

    def __init__(self, root_shape, keys=(), fns=(), dyn=(), overlapping=False):
        self.root_shape = root_shape
        self.keys = keys
        self.fns = fns
        self.dyn = dyn
        self.overlapping = overlapping

    def extend(self, key, fn, dyn, overlapping=False):
        return ViewSpec(
            self.root_shape,
            self.keys + (key,),
            self.fns + (fn,),
            self.dyn + (tuple(dyn),),
            self.overlapping or overlapping,
        )

    def chain_key(self):
        return (self.root_shape, self.keys)

    def read(self, root):
        return _lazy.call(_reader(self), (root, self.dyn))

    def write(self, root, value):
        return _lazy.call(_writer(self), (root, value, self.dyn))

    def index_map(self, root_dtype=None):
        """Flat storage index of every element of the view (numpy int64 array), in units of
        the view's own elements (for a complex root's real views, its real slots)."""
        idx = self.slot_map(root_dtype)
        if idx.dtype.kind == "c":
            return (idx.real // 2).astype(np.int64)
        return np.abs(idx).astype(np.int64)

    def slot_map(self, root_dtype=None):
        """The index map as the chain computes it: a complex view's elements as slot pairs
        ``2k + (2k+1)j``, a slot read negated (conj) as a negative index."""
        n = int(np.prod(self.root_shape))
        if root_dtype is not None and np.dtype(root_dtype).kind == "c":
            iota = _complex_iota(n, np).reshape(self.root_shape)
        else:
            iota = np.arange(n, dtype=np.int64).reshape(self.root_shape)
        if root_dtype is None:  # no values to walk: right for chains without bitcast steps
            return np.asarray(_reader(self)(iota, _lazy.concrete_tree(self.dyn)))
        return np.asarray(_indexer(self, root_dtype)(iota, _lazy.concrete_tree(self.dyn)))


def _compose(fns):
    def apply(x, dyn):
        for fn, d in zip(fns, dyn):
            x = fn(x, *d)
        return x

    return apply


# ---- bitcasts (Note [bitcast views]) ----------------------------------------------------------


class _Count(threading.local):
    """How many ``bitcast`` calls this thread has traced (Note [bitcast views])."""

    traced = 0


_bitcasts = _Count()


def bitcast(x, dtype):
    """The bytes of array ``x`` read as numpy ``dtype`` (torch's ``Tensor.view(dtype)``): the
    last dimension scales by the ratio of the item sizes, which must divide it (a zero-dim
    ``x`` keeps its item size). Exact for every bit pattern: complex numbers go through their
    parts, bool through uint8 (a byte other than 0 or 1 read as bool becomes True)."""
    _bitcasts.traced += 1
    dtype = np.dtype(dtype)
    if x.ndim == 0:
        return bitcast(x[None], dtype)[0]
    *lead, n = x.shape
    if jnp.iscomplexobj(x):
        x = jnp.stack([jnp.real(x), jnp.imag(x)], -1).reshape(*lead, 2 * n)
    elif x.dtype == np.bool_:
        x = x.astype(np.uint8)
    target = np.dtype({"c": f"f{dtype.itemsize // 2}", "b": "u1"}.get(dtype.kind, dtype))
    s, t = x.dtype.itemsize, target.itemsize
    if s < t:
        y = jax.lax.bitcast_convert_type(x.reshape(*lead, x.shape[-1] * s // t, t // s), target)
    else:
        y = jax.lax.bitcast_convert_type(x, target).reshape(*lead, x.shape[-1] * s // t)
    # XLA (jaxlib 0.10) folds two bitcast-converts through a wider dtype (int8 -> float64 ->
    # int16) into one that its verifier then rejects: keep each bitcast apart
    y = jax.lax.optimization_barrier(y)
    if dtype.kind == "c":
        return jax.lax.complex(y[..., 0::2], y[..., 1::2])
    return y != 0 if dtype.kind == "b" else y


def _walk(fns, x, dyn):
    """The values after each step of a chain applied to ``x``, and which steps bitcast."""
    xs, casts = [x], []
    for i, (fn, d) in enumerate(zip(fns, dyn)):
        before = _bitcasts.traced
        xs.append(fn(xs[-1], *d))
        if _bitcasts.traced != before:
            casts.append(i)
    return xs, casts


def _recount(idx, src, dst):
    """Index map ``idx`` of ``src`` elements as the index map of the same bytes read as
    ``dst`` elements (complex: slot pairs, as the iota of a complex storage counts them)."""
    s, t = src.itemsize, dst.itemsize
    if jnp.iscomplexobj(idx):  # a complex element starts at its real slot
        start = idx.real.astype(jnp.int64) * (s // 2)
    else:
        start = idx.astype(jnp.int64) * s
    if s > t:
        start = start[..., None] + jnp.arange(0, s, t)
        start = start.reshape(*start.shape[:-2], start.shape[-2] * (s // t))
    elif s < t:
        start = start[..., :: t // s]
    if dst.kind != "c":
        return start // t
    k = (start // (t // 2)).astype(jnp.float64)
    return jax.lax.complex(k, k + 1)


_readers = {}
_writers = {}
_indexers = {}
_stacked_readers = {}


def _reader(spec):
    key = spec.chain_key()
    r = _readers.get(key)
    if r is None:
        r = _readers[key] = jax.jit(_compose(spec.fns))
    return r


def read_stacked(spec, root, dyns):
    """The values of the views ``spec`` of ``root`` at the step arguments ``dyns`` (one
    ``spec.dyn`` per view, all of ``spec``'s chain), stacked along a new first dimension: one
    call of the chain's reader, vmapped over the views (Note [deferred views] in
    _ops/_registry.py)."""
    key = spec.chain_key()
    r = _stacked_readers.get(key)
    if r is None:
        r = _stacked_readers[key] = jax.jit(jax.vmap(_compose(spec.fns), in_axes=(None, 0)))
    stacked = tuple(
        tuple(_stack_args([d[i][j] for d in dyns]) for j in range(len(step)))
        for i, step in enumerate(spec.dyn)
    )
    return _lazy.call(r, (root, stacked))


def _stack_args(args):
    out = np.array(args)  # 3x np.stack's speed for many small arrays
    if out.dtype == object or out.shape[1:] != np.shape(args[0]):
        raise ValueError("step arguments of different shapes or kinds")
    return out


def _indexer(spec, root_dtype):
    """The jitted ``(iota, dyn) -> index map`` of a chain over a root of ``root_dtype``."""
    key = (spec.chain_key(), np.dtype(root_dtype))
    f = _indexers.get(key)
    if f is None:

        def index(idx, dyn):
            # the values, for the dtypes around each bitcast step (unused: compiled away)
            xs, casts = _walk(spec.fns, jnp.zeros(spec.root_shape, root_dtype), dyn)
            for i, (fn, d) in enumerate(zip(spec.fns, dyn)):
                idx = _recount(idx, xs[i].dtype, xs[i + 1].dtype) if i in casts else fn(idx, *d)
            return idx

        f = _indexers[key] = jax.jit(index)
    return f


def _writer(spec):
    key = spec.chain_key()
    w = _writers.get(key)
    if w is None:
        w = _writers[key] = jax.jit(lambda root, value, dyn: _write(root, spec.fns, dyn, value))
    return w


def _write(root, fns, dyn, value):
    """``root`` with the view that steps ``fns`` make of it replaced by ``value``."""
    if not fns:
        return value.astype(root.dtype).reshape(root.shape)
    xs, casts = _walk(fns, root, dyn)
    if not casts:
        return _scatter(root, _compose(fns), dyn, value)
    c = casts[-1]  # Note [bitcast views]
    inner = _write(xs[c + 1], fns[c + 1 :], dyn[c + 1 :], value)
    return _write(root, fns[:c], dyn[:c], bitcast(inner, xs[c].dtype))


def _scatter(root, apply, dyn, value):
    """Scatter ``value`` into ``root`` through the index map of ``apply`` (no bitcasts)."""
    shape = root.shape
    if not jnp.iscomplexobj(root):
        idx = apply(jnp.arange(root.size, dtype=jnp.int32).reshape(shape), dyn)
        if jnp.issubdtype(idx.dtype, jnp.integer):
            flat = root.reshape(-1).at[idx.reshape(-1)].set(value.reshape(-1).astype(root.dtype))
            return flat.reshape(shape)
        return _scatter_slots(root.reshape(-1), idx, value).reshape(shape)
    slots = jnp.stack([root.real, root.imag], -1).reshape(-1)
    slots = _scatter_slots(slots, apply(_complex_iota(root.size, jnp).reshape(shape), dyn), value)
    return jax.lax.complex(slots[0::2], slots[1::2]).reshape(shape)


def _complex_iota(n, xp):
    """The slot iota of a complex storage of ``n`` elements: ``2k + (2k+1)j``."""
    k = xp.arange(n, dtype=xp.float64) * 2
    return k + (k + 1) * 1j


def _scatter_slots(slots, idx, value):
    """Write ``value`` into the flat real array ``slots`` at slot positions ``idx`` (complex
    idx: real and imaginary parts; a negative slot receives the value negated, for conj)."""
    if jnp.iscomplexobj(idx):
        idx = jnp.concatenate([idx.real.reshape(-1), idx.imag.reshape(-1)])
        value = jnp.concatenate([value.real.reshape(-1), value.imag.reshape(-1)])
    idx, value = idx.reshape(-1), value.reshape(-1).astype(slots.dtype)
    value = jnp.where(idx < 0, -value, value)
    return slots.at[jnp.abs(idx).astype(jnp.int32)].set(value)


def contiguous_strides(shape):
    strides, acc = [], 1
    for n in reversed(shape):
        strides.append(acc)
        acc *= max(n, 1)
    return tuple(reversed(strides))


def strides_from_index_map(idx, shape):
    """(storage_offset, strides) of a view whose elements sit at flat positions ``idx``."""
    if idx.size == 0:
        return 0, contiguous_strides(shape)
    offset = int(idx.reshape(-1)[0])
    strides = []
    for d, n in enumerate(shape):
        if n > 1:
            sel = [0] * len(shape)
            sel[d] = 1
            strides.append(int(idx[tuple(sel)]) - offset)
        else:
            strides.append(contiguous_strides(shape)[d])
    return offset, tuple(strides)
