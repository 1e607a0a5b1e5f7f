"""Lazy mode: an unchanged script's training step runs as one cached XLA program.

Note [lazy mode]: every jax computation of an eager op goes through a jitted function: the
op's (``_registry.pure_fn``), a view's reader or writer (``_storage.ViewSpec``), a node's
backward (``autograd.graph.vjp_fn``), a gradient's accumulation and the optimizer's update
(``optim.optimizer._run_update``). Those call sites call ``call(fn, args)``. Outside lazy mode
that is ``fn(*args)``. In lazy mode it records the call and returns ``Pending`` placeholders
that know their shape, dtype and device (from ``jax.eval_shape``, cached per signature), so
the script's Python (shapes, dtypes, errors, autograd's bookkeeping) goes on as in eager mode.

The recorded calls run at a flush: when a value is needed (``Tensor._value()``, which every
read on the host goes through: ``item()``, printing, ``numpy()``, ``bool()``, a check that
reads an index tensor), at the end of ``optimizer.step()``, before a compiled call, or when
the graph grows past ``MAX_CALLS`` calls or ``MAX_LEAF_BYTES`` of inputs held alive. A flush
computes the placeholders still referenced (a parameter's new value, a gradient, an optimizer
state, the loss); dead ones are never materialised. A value needed before the graph's end runs
only the calls it depends on (Note [partial flushes]). The graph's structure (the calls, which
results feed which, which results are wanted) is the cache key of one ``jax.jit`` of a function
that replays the calls, so XLA sees forward, backward and update as one program; the concrete
inputs (parameters, data, scalars) are its arguments, and a structure that repeats reuses the
compiled program.

A structure is compiled the second time it is seen, or the first time when a step ends
(training steps repeat); until then, and whenever the graph is a single call, spans two
devices or fails to build, the calls replay one by one through their own jitted functions,
exactly as eager mode runs them. Results are those of eager mode: the same jitted functions
on the same values (a fused program may round differently only where XLA contracts a
multiply and an add into an FMA, as under ``torch.compile``; programs are built without XLA's
excess precision, so float16 and bfloat16 intermediates are rounded as in eager mode).
"""

import functools
import math
import os
import threading
import weakref

import jax
import numpy as np

from . import _tracing

MAX_CALLS = 4096  # a longer graph is flushed (a loop that never reads a value or steps)
MIN_CALLS = 2  # a single call runs as itself
MAX_PROGRAMS = 256  # structures remembered (with their compiled programs)
MAX_LEAF_BYTES = 1 << 29  # inputs a graph may hold alive (an eval loop that never reads a value)

_on = False
_paused = 0  # inside ``paused()``: ops run eagerly
_ever = False  # a Pending was ever made: eager calls then unwrap materialised ones
_calls = []  # the recorded calls, in the script's order
_leaves = []  # the concrete arguments of the recorded calls
_leaf_ids = {}  # id(leaf) -> (its index in _leaves, its aval, its device or None)
_host_leaves = []  # the indices in _leaves of Python scalars and numpy values (Note [host inputs])
_device_scalars = {}  # (type, value's key, device) -> the scalar as a jax array on that device
_shapes = {}  # (key, tree, avals) -> (output tree or None for a single array, output avals)
_programs = {}  # structure -> jitted replay, or how often it was seen
_devices = set()
_leaf_bytes = 0
_owner = None  # the thread that records
_lock = threading.RLock()
stats = {"flushes": 0, "compiled_runs": 0, "eager_runs": 0, "builds": 0, "leaks": 0}
stats["deferred_reads"] = 0  # left-out results read later (Note [deferred results])
stats["packed"] = 0  # results that came out of a program packed (Note [packed results])
_defer = True  # results may be left out of a step's program (Note [deferred results])


def enabled():
    return _on


# Note [CPU dispatch]: jax hands each CPU program to a thread of its own and returns at once;
# torch runs a CPU op before it returns. In eager mode the hand-off pays: Python dispatches the
# next op while XLA's thread computes this one, on a second core (an eager ``a + b`` took 18-19
# µs dispatched, 26-27 µs inline; eager LeNet about 20% longer inline). In lazy mode a step is
# one program whose result the script reads at once (``loss.item()``), so the hand-off is a
# wake-up of XLA's thread and a wait for it to report back: the 10-50-1 MLP's lazy step took a
# median 363 µs inline against 423 µs dispatched (8 pairs of fresh processes, taking turns;
# the 784-256-128-10 MLP's within noise either way), and a second core no longer spins. So
# turning lazy mode on before jax has made its CPU client (``python -m jtorch`` does, at
# startup; so does ``JTORCH_LAZY=1``) makes CPU programs run inline, unless the user chose
# (``JAX_CPU_ENABLE_ASYNC_DISPATCH``, which jtorch applies itself: jax 0.10 defines the option
# as a flag that reads no environment variable, so the variable alone changed nothing). jax
# reads the setting once, when it makes the client: a process that has already computed on the
# CPU keeps its dispatch. GPU programs are dispatched asynchronously either way.
def apply_cpu_dispatch(default):
    """Set jax's CPU dispatch (asynchronous or inline) from JAX_CPU_ENABLE_ASYNC_DISPATCH, or
    to ``default`` (asynchronous: True) where the variable is unset or not a boolean."""
    choice = _env_bool("JAX_CPU_ENABLE_ASYNC_DISPATCH")
    jax.config.update("jax_cpu_enable_async_dispatch", default if choice is None else choice)


def _env_bool(name):
    """Environment variable ``name`` read as jax reads its boolean options (``1``, ``true``,
    ``yes``, ``on``... or ``0``, ``false``, ``no``, ``off``...); None where it is unset or
    neither."""
    value = os.environ.get(name, "").strip().lower()
    if value in ("y", "yes", "t", "true", "on", "1"):
        return True
    if value in ("n", "no", "f", "false", "off", "0"):
        return False
    return None


def enable(on=True):
    """Turn lazy mode on or off (off flushes what is pending). Ops record in the thread that
    turned it on; other threads run eagerly (a value they need is computed first)."""
    global _on, _ever, _owner
    if not on:
        flush()
    elif not _ever:
        apply_cpu_dispatch(default=False)  # inline: Note [CPU dispatch]
    _on = bool(on)
    _ever = _ever or _on
    _owner = threading.get_ident() if _on else None


class paused:
    """Context manager: ops run eagerly inside, without flushing what is pending (a value they
    read that is pending is computed first)."""

    def __enter__(self):
        global _paused
        _paused += 1
        return self

    def __exit__(self, *exc):
        global _paused
        _paused -= 1


class lazy:
    """Context manager: lazy mode inside, the previous mode after (flushing on the way out)."""

    def __init__(self, on=True):
        self.on = on

    def __enter__(self):
        self.prev = _on
        enable(self.on)
        return self

    def __exit__(self, *exc):
        enable(self.prev)


class Pending:
    """A jax array the pending graph will compute: shape, dtype and device now, the value at
    the next flush (``force()``)."""

    __slots__ = (
        "__weakref__",
        "aval",
        "call",
        "device",
        "dtype",
        "index",
        "shape",
        "value",
        "weak_type",
    )

    def __init__(self, aval, device, call, index):
        self.aval = aval  # (shape, dtype, weak_type)
        self.shape, self.dtype, self.weak_type = aval
        self.device = device
        self.call = call
        self.index = index
        self.value = None

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def size(self):
        return math.prod(self.shape)

    def devices(self):
        return {self.device}

    def force(self):
        if self.value is None:
            with _lock:
                _flush_for(self)
            if self.value is None:  # its graph raised while running: the error was reported then
                raise RuntimeError("this value's computation failed in an earlier lazy-mode flush")
        return self.value

    def __array__(self, dtype=None, copy=None):
        a = np.asarray(self.force(), dtype=dtype)
        return a.copy() if copy else a

    def __jax_array__(self):
        return self.force()

    def __repr__(self):
        state = "pending" if self.value is None else "done"
        return f"Pending({self.shape}, {self.dtype}, {state})"


# Code that treats a placeholder as a jax array, outside the calls above (``x.astype(...)``,
# ``x.block_until_ready()``), gets the computed array's attribute: a property per name of jax's
# arrays, counted (so tests can tell that a training step does not go this way). Not a
# ``__getattr__``: a class that has one makes every attribute read of its instances take
# Python's slower lookup (no specialised read of a slot), hits included, and placeholders are
# read everywhere in lazy mode (the 10-50-1 MLP's step: 4.5% of its main-thread instructions).
def _forward(name):
    def get(self):
        stats["leaks"] += 1
        return getattr(self.force(), name)

    get.__name__ = name
    return property(get)


def _array_attributes():
    names = {n for n in dir(jax.Array) if not n.startswith("__")}
    try:  # the concrete class's own (block_until_ready, is_ready, tolist...)
        from jax._src.array import ArrayImpl

        names.update(n for n in dir(ArrayImpl) if not n.startswith("_"))
    except ImportError:
        pass
    return sorted(names)


for _name in _array_attributes():
    if not hasattr(Pending, _name):
        setattr(Pending, _name, _forward(_name))


class _Call:
    __slots__ = ("fn", "graph", "key", "outs", "pack", "pos", "refs", "tree")

    def __init__(self, fn, key, tree, refs, graph):
        self.fn = fn
        self.key = key  # with tree and refs: the call's part of the graph's structure
        self.tree = tree
        self.refs = refs
        self.graph = graph  # the list of calls it belongs to, until its flush
        self.pos = len(graph)
        self.outs = ()
        self.pack = False  # its small results may come out of a step's program packed


def concrete(a):
    """``a`` with a materialised or pending placeholder replaced by its value."""
    return a.force() if type(a) is Pending else a


def concrete_tree(args):
    return jax.tree.map(concrete, args)


def records():
    """Whether ``call`` would record in this thread now (outside a compiled call's trace)."""
    return _on and not _paused and threading.get_ident() == _owner


def call(fn, args, key=None, tree=True, pack=False):
    """``fn(*args)`` for a jitted ``fn``: now, or in lazy mode a pytree of ``Pending`` computed
    at the next flush. ``key`` identifies ``fn``'s behaviour in the program cache (default:
    ``fn`` itself); ``tree=False`` says ``args`` is a flat sequence of arrays and scalars;
    ``pack``: the results are a step's new state, which the next step reads (Note [packed
    results])."""
    tracing = _tracing.Tracing.active
    if not records() or (tracing is not None and not tracing.discovering):
        if _ever:
            args = concrete_tree(args) if tree else [concrete(a) for a in args]
        return fn(*args)
    with _lock:
        return _record(fn, args, key, tree, pack)


def _record(fn, args, key, tree, pack=False):
    if tree:
        flat, treedef = jax.tree.flatten(args)
    else:
        flat, treedef = args, None
    calls, leaf_ids = _calls, _leaf_ids
    refs, avals, device, leaf_device = [], [], None, None
    for a in flat:
        if type(a) is Pending:
            c = a.call
            if a.value is None and c.graph is calls:
                refs.append((c.pos, a.index))
                avals.append(a.aval)
                if device is None:
                    device = a.device
                continue
            a = a.force()  # computed, or its graph failed: force() raises
        hit = leaf_ids.get(id(a))
        if hit is None:
            hit = _new_leaf(a)
        refs.append(hit[0])
        avals.append(hit[1])
        if leaf_device is None:
            leaf_device = hit[2]
    if device is None:
        device = leaf_device if leaf_device is not None else _default_device()
    key = fn if key is None else key
    avals = tuple(avals)
    shapes = _shapes.get((key, treedef, avals))
    if shapes is None:
        shapes = _shapes[(key, treedef, avals)] = _eval_shape(fn, treedef, avals)
    out_tree, out_avals = shapes
    c = _Call(fn, key, treedef, tuple(refs), calls)
    c.pack = pack
    if out_tree is None:  # one array
        result = Pending(out_avals[0], device, c, 0)
        c.outs = (weakref.ref(result),)
    else:
        outs = [Pending(aval, device, c, j) for j, aval in enumerate(out_avals)]
        c.outs = [weakref.ref(p) for p in outs]
        result = jax.tree.unflatten(out_tree, outs)
    calls.append(c)
    _devices.add(device)
    if len(calls) >= MAX_CALLS or _leaf_bytes > MAX_LEAF_BYTES:
        flush()
    return result


_array_types = set()  # the types of jax arrays met so far (quicker to test than jax.Array)


def _new_leaf(a, known=None):
    """(index, aval, device or None) of a new input ``a`` of the graph, now appended to it;
    ``known``: its (aval, device), where the caller has them (a packed array)."""
    global _leaf_bytes
    t = type(a)
    if t not in _array_types and isinstance(a, jax.Array):
        _array_types.add(t)
    if known is not None:
        hit = (len(_leaves), *known)
    elif t in _array_types:
        v = a.aval
        hit = (len(_leaves), (v.shape, v.dtype, v.weak_type), device_of(a))
    else:
        hit = (len(_leaves), _host_aval(a), None)
        _host_leaves.append(hit[0])
    _leaves.append(a)
    _leaf_ids[id(a)] = hit
    _leaf_bytes += math.prod(hit[1][0]) * hit[1][1].itemsize
    return hit


def device_of(a):
    """The device of jax array or placeholder ``a`` (one of them, for an array sharded over
    several)."""
    if type(a) is Pending:
        return a.device
    sharding = a.sharding
    device = getattr(sharding, "_device", None)  # a single device's sharding (the fast way)
    return device if device is not None else next(iter(sharding.device_set))


# a Python scalar's aval: jax's weakly typed int64, float64 or complex128 (bool is strong)
_SCALAR_AVALS = {
    bool: ((), np.dtype(bool), False),
    int: ((), np.dtype(np.int64), True),
    float: ((), np.dtype(np.float64), True),
    complex: ((), np.dtype(np.complex128), True),
}


def _host_aval(a):
    aval = _SCALAR_AVALS.get(type(a))
    if aval is not None:
        return aval
    if isinstance(a, (np.ndarray, np.generic)):
        return (a.shape, a.dtype, False)
    for t, aval in _SCALAR_AVALS.items():  # a subclass (an IntEnum): bool before int
        if isinstance(a, t):
            return aval
    a = np.asarray(a)
    return (a.shape, a.dtype, False)


# Note [host inputs]: each input of a program that is not a jax array (a Python scalar, a
# numpy value) is copied to the device at every call, one transfer per input, and that lengthens
# both the dispatch and the run: SGD's four hyperparameters cost a 10-50-1 MLP's lazy step
# 20-50 µs of its ~350 on this project's CPU machine, and a batch loaded sample by sample
# (``x[i]`` 128 times, each with its index as a numpy input) about 230 µs. So a flush that runs a
# compiled program passes
#   * each Python scalar (an optimizer's lr, momentum, ...) as a jax array made once per (type,
#     value, device): the same value and aval (``jax.device_put`` keeps a Python scalar's weak
#     type). Floats are keyed by ``float.hex()``: 0.0 and -0.0 are one key as floats, and a NaN
#     is no key at all (it is not equal to itself);
#   * the numpy values (never weakly typed) packed into one flat array per dtype, which the
#     program slices back into its inputs: one transfer per dtype.
# The program computes on the same values with the same avals, so its results do not change.
_SCALAR_KEY = {float: float.hex, int: int, bool: bool}
MAX_DEVICE_SCALARS = 4096


def _program_inputs(leaves, hosts, devices):
    """(leaves, packed, layout): ``leaves`` with the Python scalars among ``hosts`` replaced by
    cached device arrays and the numpy values by None, ``packed`` one flat array per dtype of
    those values, and ``layout`` where each comes from: (leaf index, index of its packed array,
    offset, shape)."""
    device = next(iter(devices)) if devices else _default_device()
    leaves = list(leaves)
    groups = {}
    for i in hosts:
        v = leaves[i]
        keyed = _SCALAR_KEY.get(type(v))
        if keyed is None:
            if isinstance(v, (np.ndarray, np.generic)) and v.dtype.kind in "biufcV":
                groups.setdefault(v.dtype, []).append(i)
            continue
        key = (type(v), keyed(v), device)
        a = _device_scalars.get(key)
        if a is None:
            if len(_device_scalars) >= MAX_DEVICE_SCALARS:
                _device_scalars.clear()
            try:
                a = _device_scalars[key] = jax.device_put(v, device)
            except OverflowError:  # an int outside int64: jax reports it when the program runs
                continue
        leaves[i] = a
    packed, layout = [], []
    for g, members in enumerate(groups.values()):
        offset, flat = 0, []
        for i in members:
            v = np.asarray(leaves[i])
            layout.append((i, g, offset, v.shape))
            offset += v.size
            flat.append(v.reshape(-1))
            leaves[i] = None
        packed.append(flat[0] if len(flat) == 1 else np.concatenate(flat))
    return leaves, packed, tuple(layout)


def _eval_shape(fn, treedef, avals):
    structs = [jax.ShapeDtypeStruct(s, d, weak_type=w) for s, d, w in avals]
    args = structs if treedef is None else jax.tree.unflatten(treedef, structs)
    out = jax.eval_shape(fn, *args)
    out_flat, out_tree = jax.tree.flatten(out)
    avals = tuple((o.shape, o.dtype, o.weak_type) for o in out_flat)
    return (None if out_tree == _LEAF else out_tree), avals  # None: a single array


_default = []
_LEAF = jax.tree.structure(0)


def _default_device():
    if not _default:
        _default.append(jax.devices()[0])
    return _default[0]


def flush(step_end=False, once=False, optional=None):
    """Run what is pending: one compiled program for a structure seen before (or at the end
    of a step), else call by call. ``step_end``: called by ``optimizer.step()``; ``once``: the
    graph is one that will not repeat (a compiled call's first run), compiled as one program
    and not kept; ``optional``: the ids of placeholders that a compiled program may leave
    out (Note [deferred results])."""
    with _lock:
        _flush(step_end, once, optional)


# Note [deferred results]: at the end of a step the placeholders still referenced include the
# gradients the optimizer has just read, which a usual loop drops unread (``zero_grad()`` sets
# them to None). Each result of a CPU program costs time: a jitted 10-50-1 MLP step ran in
# 27-35 µs without its four gradients among its results against 45-51 µs with them, and the
# lazy step took 6% less time with them left out (each pair interleaved in one process),
# though the main thread executes about as many instructions either way (benchmarks/
# RESULTS.md, seventh session). So ``optimizer.step()`` names the gradients as optional: a step
# that runs as a compiled program leaves them out, and they stay pending, holding the graph's
# calls and inputs (the parameters' values before the update: as much memory as the
# gradients). Reading one later (printing a gradient after the step, accumulating into it)
# computes those gradients call by call from the graph, as eager mode would, and from then on
# no result is left out. A graph that runs call by call computes them anyway, and a compiled
# call's first run leaves nothing out (the call goes on to read the gradients it carries).


class _Deferred:
    """The calls and inputs of a flushed graph whose program left results out."""

    __slots__ = ("calls", "leaves", "pending")

    def __init__(self, calls, leaves, pending):
        self.calls = calls
        self.leaves = leaves
        self.pending = pending  # weak references to the placeholders left out

    def compute(self):
        global _defer
        _defer = False
        stats["deferred_reads"] += 1
        alive = [(p.call.pos, p.index, p) for ref in self.pending if (p := ref()) is not None]
        values = _run_eager(self.calls, self.leaves, [(pos, j) for pos, j, _ in alive])
        for (_, _, p), v in zip(alive, values):
            p.value, p.call = v, None
        self.calls = self.leaves = self.pending = None


def _flush(step_end, once=False, optional=None):
    global _calls, _leaves, _leaf_ids, _host_leaves, _devices, _leaf_bytes
    if not _calls:
        return
    calls, leaves, hosts, devices = _calls, _leaves, _host_leaves, _devices
    _calls, _leaves, _leaf_ids, _host_leaves, _devices, _leaf_bytes = [], [], {}, [], set(), 0
    # a step's end leaves gradients out and packs results (Notes [deferred results], [packed
    # results]); not in a compiled call's first run, which goes on to read the gradients it
    # carries, nor in its trace
    special = step_end and not once and _tracing.Tracing.active is None
    optional = optional if special and _defer else None
    live, later, packs = _gather(calls, optional, special and _pack)
    stats["flushes"] += 1
    if live or later:
        wanted = [r for r, _ in live]
        also = [r for r, _ in later]
        values, bufs = _execute(calls, leaves, hosts, devices, wanted, step_end, once, also, packs)
        for (_, p), v in zip(live, values):
            if v is not None:  # None: it came out packed, and stays pending
                p.value, p.call = v, None
        if bufs:
            _unpack(bufs, packs, live)
        if later and len(values) > len(live):  # ran call by call: computed too
            for (_, p), v in zip(later, values[len(live) :]):
                p.value, p.call = v, None
        elif later:
            _defer_results(calls, leaves, later)
            return
    calls.clear()  # each call refers to this list: freed now, without waiting for the cycle collector


# Note [packed results]: each array a CPU program takes or gives costs its call about as much as
# a small kernel: a jitted function passing n arrays through took 13 µs for one and 47 µs for
# eight, and a jitted 10-50-1 MLP step that packed its four parameters into one array (sliced
# inside, concatenated on the way out) ran in 48 µs against 62 µs (each pair interleaved in one
# process). A step's program gives the parameters and the optimizer's states it updated, which
# the next step's program takes again; the small ones (biases, a momentum of a few elements,
# Adam's step counts) cost far more as arrays of their own than their bytes. So at the end of a
# step (``optimizer.step()``'s flush, running a compiled program), the results of calls made
# with ``pack=True`` (the optimizer's update) of at most PACK_MAX_SIZE elements, strongly typed,
# come out concatenated into one flat array per dtype. Their placeholders stay pending, now on
# one call of the next graph that slices that array into them: the next step's program takes
# the one array and slices it (an XLA slice, no kernel of its own where it feeds a fusion), and
# a value read before (printing a parameter) runs that call alone. Large arrays stay apart,
# where the copy into the packed array would cost more than the call saves (the 784-256-128-10
# MLP's step took 1.19x as long with its first weight packed too). The values are the same
# arrays, concatenated and sliced.
PACK_MAX_SIZE = 4096
_pack = True


@functools.cache
def _slicer(shapes):
    """(a jitted function slicing one flat array into arrays of ``shapes``, its length)."""
    sizes = [math.prod(shape) for shape in shapes]

    def unpack(flat):
        out, offset = [], 0
        for shape, n in zip(shapes, sizes):
            out.append(flat[offset : offset + n].reshape(shape))
            offset += n
        return tuple(out)

    return jax.jit(unpack), sum(sizes)


def computed(values):
    """The jax arrays that hold ``values`` (arrays or placeholders), for waiting on a step's
    work: a placeholder packed at the end of a step stands for the array it was packed into
    (Note [packed results]), without slicing it out; one still to compute is computed."""
    out = []
    for v in values:
        if type(v) is Pending and v.value is None:
            c = v.call
            if c is not None and type(c.key) is tuple and c.key[0] is _unpack and c.graph is _calls:
                out.append(_leaves[c.refs[0]])
                continue
            v = v.force()
        elif type(v) is Pending:
            v = v.value
        out.append(v)
    return out


def _unpack(bufs, packs, live):
    """Make the placeholders packed into ``bufs`` pending on calls of the new graph that slice
    them out (Note [packed results])."""
    for buf, group in zip(bufs, packs):
        members = [live[i][1] for i in group]
        shapes = tuple([p.shape for p in members])
        device, dtype = members[0].device, members[0].dtype
        fn, n = _slicer(shapes)
        hit = _new_leaf(buf, (((n,), dtype, False), device))  # not read from buf: quicker
        c = _Call(fn, (_unpack, shapes), None, (hit[0],), _calls)
        c.outs = [p.call.outs[p.index] for p in members]  # their weak references
        for j, p in enumerate(members):
            p.call, p.index = c, j
        _calls.append(c)
        _devices.add(device)
        stats["packed"] += len(members)


def _defer_results(calls, leaves, later):
    """Leave placeholders ``later`` pending on the graph ``calls`` has run (Note [deferred
    results]). The graph's calls refer to it no longer (no cycle to wait for the collector),
    each placeholder gets a call of its own that refers to the graph."""
    graph = _Deferred(calls, leaves, [weakref.ref(p) for _, p in later])
    for c in calls:
        c.graph = None
    for (pos, _), p in later:
        c = p.call = _Call.__new__(_Call)
        c.graph, c.pos, c.pack = graph, pos, False


def _live(calls):
    """((position, output), placeholder) of the results of ``calls`` still referenced."""
    return _gather(calls, None, False)[0]


def _gather(calls, optional, pack):
    """(live, later, packs): ``_live(calls)`` without the placeholders whose ids are in
    ``optional``, which come second (Note [deferred results]); with ``pack``, the positions in
    ``live`` to pack: one tuple per dtype where at least two results of that dtype qualify
    (Note [packed results])."""
    live, later, groups = [], [], {}
    for c in calls:
        for j, ref in enumerate(c.outs):
            p = ref()
            if p is None or p.value is not None:
                continue
            if optional is not None and id(p) in optional:
                later.append(((c.pos, j), p))
                continue
            if pack and c.pack and not p.weak_type and math.prod(p.shape) <= PACK_MAX_SIZE:
                groups.setdefault(p.dtype, []).append(len(live))
            live.append(((c.pos, j), p))
    packs = tuple([tuple(g) for g in groups.values() if len(g) > 1]) if groups else ()
    return live, later, packs


def _execute(calls, leaves, hosts, devices, wanted, step_end=False, once=False, also=(), packs=()):
    """(values, packed): the values of the results ``wanted`` ((position, output) pairs) of
    graph ``calls``: one compiled program for a structure seen before (or at the end of a step,
    or ``once``), else call by call, which also computes the results ``also`` that a program
    leaves out (Note [deferred results]) and appends their values. A program gives the results
    at the positions in ``wanted`` of each group of ``packs`` in one flat array, in ``packed``,
    and None as their values (Note [packed results]); ``packed`` is empty where it ran call by
    call."""
    if len(calls) < MIN_CALLS or len(devices) > 1:
        return _run_eager(calls, leaves, [*wanted, *also]), ()
    key = (tuple([(c.key, c.tree, c.refs) for c in calls]), tuple(wanted), packs)
    entry = _build(calls, wanted, packs) if once else _programs.get(key, 0)
    built = once
    if once:
        stats["builds"] += 1
    elif type(entry) is int:
        if entry == -1 or (entry == 0 and not step_end):
            if entry == 0:
                _programs[key] = 1
            return _run_eager(calls, leaves, [*wanted, *also]), ()
        if len(_programs) >= MAX_PROGRAMS:  # a script whose structures never repeat
            _programs.clear()
        entry = _programs[key] = _build(calls, wanted, packs)
        stats["builds"] += 1
        built = True
    try:
        values = entry(*_program_inputs(leaves, hosts, devices)) if hosts else entry(leaves, [], ())
    except Exception:  # noqa: BLE001 - any failure to build or run: the calls one by one
        # a structure that cannot run as one program (it ran fine call by call) stays eager
        if not once:
            _programs[key] = -1
        return _run_eager(calls, leaves, [*wanted, *also]), ()
    finally:
        if built:  # compiled just now (jax.jit compiles at the first call)
            release_memory()
    stats["compiled_runs"] += 1
    if not packs:
        return values, ()
    apart = _apart(packs, len(wanted))
    spread = [None] * len(wanted)
    for i, v in zip(apart, values):
        spread[i] = v
    return spread, values[len(apart) :]


@functools.cache
def _apart(packs, n):
    """The positions among ``n`` results of those that ``packs`` leaves apart."""
    packed = {i for group in packs for i in group}
    return tuple(i for i in range(n) if i not in packed)


# Note [memory after compiling]: XLA's compilation of a training step's program allocates and
# frees on the heap about as much as the model's whole working set (LeNet's step: 100-140 MB on
# the CPU). glibc's malloc keeps freed memory for reuse instead of returning it to the system,
# fragmented, so each later compilation (the second step's program, which holds the momentum
# buffers the first made) stacked its own peak on the last one's leftovers: LeNet's lazy
# process peaked at 1.27-1.32x torch's resident memory, and stayed there. After a step's program
# (or a compiled call's) is compiled, ``malloc_trim`` returns the free heap to the system (a
# millisecond or two, once per compilation; nothing where the C library has no malloc_trim).
def release_memory():
    """Return the C heap's free memory to the system (Note [memory after compiling])."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim():
    """The C library's ``malloc_trim``, or None (not glibc)."""
    try:
        import ctypes

        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None


def _run_eager(calls, leaves, wanted):
    """The calls one by one, each result dropped after its last use unless it is wanted: the
    values of ``wanted``."""
    want = {r: i for i, r in enumerate(wanted)}
    values = [None] * len(wanted)
    last = {}
    for c in calls:
        for r in c.refs:
            if type(r) is not int:
                last[r] = c.pos
    env = {}
    for c in calls:
        for j, o in enumerate(_apply(c.fn, c.tree, c.refs, leaves, env)):
            r = (c.pos, j)
            i = want.get(r)
            if i is not None:
                values[i] = o
            if r in last:
                env[r] = o
        for r in c.refs:
            if type(r) is not int and last[r] == c.pos:
                env.pop(r, None)
    stats["eager_runs"] += 1
    return values


# Note [partial flushes]: a value read in the middle of a step (a loss function's check of its
# class indices, which the DataLoader's batch leaves pending; a print) needs only the calls it
# depends on. Flushing the whole graph there would cut the step into two programs, each with
# its own dispatch, and keep XLA from fusing across the cut. So ``force()`` runs only the
# value's ancestors, as a graph of their own (cached like any other), and leaves the other
# calls pending: they read the results they need from the ancestors as new inputs. Where the
# ancestors are the whole graph, this is a plain flush.


def _flush_for(p):
    """Compute pending value ``p`` and what it depends on (Note [partial flushes])."""
    calls, c = _calls, p.call
    if c is not None and type(c.graph) is _Deferred:  # Note [deferred results]
        return c.graph.compute()
    if c is None or c.graph is not calls:  # made by a graph that failed: flush reports it
        return _flush(False)
    needed = {c.pos}
    for d in reversed(calls[: c.pos + 1]):
        if d.pos in needed:
            needed.update(r[0] for r in d.refs if type(r) is not int)
    if len(needed) == len(calls):
        return _flush(False)
    _cut(calls, needed)


def _cut(calls, needed):
    """Run the calls at positions ``needed`` (closed under their inputs) as a graph of their
    own; the other calls stay pending, renumbered, reading what they need of those results as
    new inputs."""
    global _calls, _leaves, _leaf_ids, _host_leaves, _leaf_bytes
    leaves = _leaves
    kept = set()  # the other calls whose results are still referenced, directly or through others
    for d in reversed(calls):
        if d.pos not in needed and (d.pos in kept or any(ref() is not None for ref in d.outs)):
            kept.add(d.pos)
            kept.update(r[0] for r in d.refs if type(r) is not int and r[0] not in needed)
    fed = {
        r for d in calls if d.pos in kept for r in d.refs if type(r) is not int and r[0] in needed
    }
    live = _live([d for d in calls if d.pos in needed])
    wanted = list(dict.fromkeys([r for r, _ in live] + sorted(fed)))
    # the needed calls, numbered from 0, with the inputs they read
    sub, sub_leaves, sub_hosts, inputs, where = [], [], [], {}, {}
    for d in calls:
        if d.pos in needed:
            refs = []
            for r in d.refs:
                if type(r) is not int:
                    refs.append((where[r[0]], r[1]))
                    continue
                if r not in inputs:
                    inputs[r] = len(sub_leaves)
                    if not isinstance(leaves[r], jax.Array):
                        sub_hosts.append(len(sub_leaves))
                    sub_leaves.append(leaves[r])
                refs.append(inputs[r])
            where[d.pos] = len(sub)
            sub.append(_Call(d.fn, d.key, d.tree, tuple(refs), sub))
    try:
        values, _ = _execute(
            sub, sub_leaves, sub_hosts, _devices, [(where[r[0]], r[1]) for r in wanted]
        )
    except Exception:  # noqa: BLE001 - the whole graph then, which reports the error as a flush does
        return _flush(False)
    stats["flushes"] += 1
    sub.clear()  # as _flush does
    got = dict(zip(wanted, values))
    for r, q in live:
        q.value, q.call = got[r], None
    # the other calls: the pending graph, renumbered, its inputs interned anew as by _record
    _calls, _leaves, _leaf_ids, _host_leaves, _leaf_bytes = [], [], {}, [], 0
    moved = {}
    for d in calls:
        if d.pos not in kept:
            d.graph = None  # not run: its results are referenced nowhere
            continue
        refs = []
        for r in d.refs:
            if type(r) is not int and r[0] not in needed:
                refs.append((moved[r[0]], r[1]))
            else:
                a = leaves[r] if type(r) is int else got[r]
                refs.append((_leaf_ids.get(id(a)) or _new_leaf(a))[0])
        moved[d.pos] = len(_calls)
        d.refs, d.pos, d.graph = tuple(refs), len(_calls), _calls
        _calls.append(d)
    calls.clear()


def _apply(fn, tree, refs, leaves, env):
    """One recorded call on its arguments (inputs by index, earlier results from ``env``):
    its results, flat."""
    args = [leaves[r] if type(r) is int else env[r] for r in refs]
    return jax.tree.leaves(fn(*args) if tree is None else fn(*jax.tree.unflatten(tree, args)))


def _build(calls, live_refs, packs=()):
    specs = [(c.fn, c.tree, c.refs, c.pos) for c in calls]
    apart = [live_refs[i] for i in _apart(packs, len(live_refs))]
    packed_refs = [[live_refs[i] for i in group] for group in packs]

    def replay(leaves, packed, layout):
        if layout:  # the numpy inputs, from their packed arrays (Note [host inputs])
            leaves = list(leaves)
            for i, g, offset, shape in layout:
                leaves[i] = packed[g][offset : offset + math.prod(shape)].reshape(shape)
        env = {}
        for fn, tree, refs, pos in specs:
            for j, o in enumerate(_apply(fn, tree, refs, leaves, env)):
                env[(pos, j)] = o
        out = [env[r] for r in apart]
        for group in packed_refs:  # Note [packed results]
            out.append(jax.lax.concatenate([env[r].reshape(-1) for r in group], 0))
        return out

    # no excess precision: a float16/bfloat16 result that the graph reads again is rounded
    # first, as the eager calls round it (XLA otherwise keeps it in float32 inside a program)
    return jax.jit(replay, static_argnums=2, compiler_options=_EXACT)


_EXACT = {"xla_allow_excess_precision": False}


if os.environ.get("JTORCH_LAZY", "").strip() not in ("", "0"):
    enable(True)
