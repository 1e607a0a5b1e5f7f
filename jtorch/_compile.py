"""torch.compile: a module's forward, or a function of tensors, traced into one XLA program.

Note [compiled calls]: a compiled call runs the user's Python once per signature under
``jax.jit``, with every tensor it reads standing on a traced value: the call's tensor
arguments, the module's parameters and buffers (swapped in for the trace and restored after),
and tensors that require grad which the code reads from elsewhere (globals, closures; found on
a first trace and made arguments on a second). Grad mode is off inside, so the ops record
nothing; instead the whole call is recorded as one autograd node whose backward is the
jitted vjp of the traced function (Note [recording]), so ``backward()`` reaches the parameters'
``.grad`` as in eager mode. Buffers the forward writes (BatchNorm's running statistics) come
out of the program and are written back in place. The signature is what the Python code may
branch on: the arguments' structure, non-tensor values, tensor shapes, dtypes and devices, the
module's ``training`` flag, the grad mode, and the other tensors' shapes and dtypes; a new
signature traces again.

What the trace cannot hold runs eagerly, for that signature, with identical results (torch's
"graph break", taken for the whole call): reading a value on the host (``item()``, ``bool``,
printing), data-dependent shapes, random draws (a compiled program would replay one mask; the
draws stay torch's in eager mode), writes into the arguments, and any error, which eager mode
then raises as torch would.
"""

import functools
import sys
import weakref

import jax
import jax.numpy as jnp

from . import _random
from .autograd import grad_mode
from .autograd.graph import Node, PureFn

_EAGER = object()  # a cache entry: this signature runs eagerly
tensor_module = sys.modules["jtorch.tensor"]  # not ``jtorch.tensor``, which is torch.tensor()


class _Tracing:
    """What the trace in progress has seen: the tensors standing on traced values (by id) and
    the others it read (``foreign``)."""

    active = None

    def __init__(self, traced):
        self.traced = {id(t) for t in traced}
        self.foreign = {}

    def note_read(self, tensor):
        """Called by ``Tensor._value`` while this trace is active."""
        if id(tensor) not in self.traced and not isinstance(tensor._storage.array, jax.core.Tracer):
            self.foreign[id(tensor)] = tensor


def _flatten(tree, leaves):
    """The tensors of a nest of tuples, lists and dicts (appended to ``leaves``), and a hashable
    description of the rest."""
    from .tensor import Tensor

    if isinstance(tree, Tensor):
        leaves.append(tree)
        return ("T",)
    if isinstance(tree, (tuple, list)):
        return (type(tree).__name__, tuple(_flatten(x, leaves) for x in tree))
    if isinstance(tree, dict):
        return ("dict", tuple((k, _flatten(v, leaves)) for k, v in tree.items()))
    hash(tree)  # an unhashable value cannot key a signature: TypeError, so eager
    return ("v", type(tree), tree)


def _unflatten(desc, leaves):
    kind = desc[0]
    if kind == "T":
        return next(leaves)
    if kind in ("tuple", "list"):
        items = [_unflatten(d, leaves) for d in desc[1]]
        return tuple(items) if kind == "tuple" else items
    if kind == "dict":
        return {k: _unflatten(d, leaves) for k, d in desc[1]}
    return desc[2]


_PLAIN = (bool, int, float, complex, str, bytes, type(None))


def _plain_values_of_module(m):
    plain = tuple((k, v) for k, v in m.__dict__.items() if isinstance(v, _PLAIN))
    return plain, tuple(m._forward_pre_hooks), tuple(m._forward_hooks)


def _plain_values_of_function(fn):
    fn = getattr(fn, "__func__", fn)
    code = getattr(fn, "__code__", None)
    if code is None:
        return ()
    names = fn.__globals__
    found = [(n, names[n]) for n in code.co_names if isinstance(names.get(n, ()), _PLAIN)]
    for cell in fn.__closure__ or ():
        try:
            value = cell.cell_contents
        except ValueError:  # an empty cell
            continue
        if isinstance(value, _PLAIN):
            found.append(value)
    return tuple(found)


def _meta(t):
    return (t._shape, t._dtype, t._device)


class _Swap:
    """Tensors temporarily standing on other values (no version bump, restored on exit)."""

    def __init__(self, tensors, values):
        self.pairs = list(zip(tensors, values))

    def __enter__(self):
        self.saved = [
            (t._storage.array, t._storage.host, t._storage.version) for t, _ in self.pairs
        ]
        for t, v in self.pairs:
            t._storage.array, t._storage.host = v, None
        return self

    def current(self):
        return [t._storage.array for t, _ in self.pairs]

    def __exit__(self, *exc):
        for (t, _), (array, host, version) in zip(self.pairs, self.saved):
            t._storage.array, t._storage.host, t._storage.version = array, host, version


class _Entry:
    """One signature's program: the traced function and what it needs at call time."""

    def __init__(self, compiled, desc, state, implicit):
        self.desc = desc
        self.state = state  # the module's parameters and buffers, in order
        self.implicit = implicit  # other tensors that require grad, read by the code
        self.out_desc = None
        self.n_out = 0
        self.written = ()  # which state tensors the code writes
        self.foreign = {}
        self.guards = ()
        fn = functools.partial(_traced, self, compiled.fn)
        self.jitted = jax.jit(fn)
        self.forward = PureFn(("compiled", id(self)), lambda *a: fn(*a)[: self.n_out])
        self.with_pullback = jax.jit(functools.partial(_with_pullback, self, fn), static_argnums=0)
        self.pullbacks = {}  # operand mask -> the static part of the vjp's pullback

    def differentiable(self):
        """Whether every output can carry a gradient (else backward recomputes the forward)."""
        from ._ops._registry import _differentiable

        return all(map(_differentiable, self.out_dtypes))


def _with_pullback(entry, fn, mask, *arrays):
    """The outputs, the written state, and the vjp of the outputs with respect to the operands
    in ``mask`` (its residuals are the program's outputs too, so backward does not recompute
    the forward)."""

    def outputs(*diff):
        it = iter(diff)
        full = [next(it) if m else a for a, m in zip(arrays, mask)]
        results = fn(*full)
        return tuple(results[: entry.n_out]), tuple(results[entry.n_out :])

    diff = [a for a, m in zip(arrays, mask) if m]
    outs, pullback, written = jax.vjp(outputs, *diff, has_aux=True)
    residuals, entry.pullbacks[mask] = jax.tree.flatten(pullback)  # arrays out, the rest static
    return outs, written, residuals


@functools.partial(jax.jit, static_argnums=0)
def _pull(tree, residuals, cts):
    pullback = jax.tree.unflatten(tree, residuals)
    # Note [complex gradients]: torch's backward is conj . (jax's vjp) . conj
    return tuple(jnp.conj(g) for g in pullback(tuple(jnp.conj(c) for c in cts)))


class CompiledFunctionBackward(Node):
    """The node of a compiled call: its backward applies the pullback the forward kept (under
    create_graph, or for integer outputs, the recorded forward is differentiated again)."""

    __slots__ = ("_pullback",)

    def apply(self, cts):
        if self._pullback is None:
            return super().apply(cts)
        return list(_pull(*self._pullback, tuple(cts)))


def _traced(entry, fn, *arrays):
    """The pure function of a signature: the user's code on traced values."""
    from .tensor import Tensor

    n_state, n_implicit = len(entry.state), len(entry.implicit)
    state_vals = arrays[:n_state]
    implicit_vals = arrays[n_state : n_state + n_implicit]
    given = zip(arrays[n_state + n_implicit :], entry.inputs_meta)
    inputs = [Tensor._wrap(a, device) for a, (_, _, device) in given]
    tracing = _Tracing([*entry.state, *entry.implicit, *inputs])
    previous, _Tracing.active = _Tracing.active, tracing
    tensor_module.read_hook = tracing.note_read
    drawing, _random.drawing_allowed[0] = _random.drawing_allowed[0], False
    try:
        with _Swap(entry.state, state_vals) as swap, _Swap(entry.implicit, implicit_vals):
            with grad_mode.no_grad():
                args, kwargs = _unflatten(entry.desc, iter(inputs))
                out = fn(*args, **kwargs)
            written = swap.current()
        if any(i._vc[0] for i in inputs):
            raise _Unsupported("a compiled call wrote into one of its arguments")
    finally:
        _Tracing.active = previous
        tensor_module.read_hook = previous.note_read if previous is not None else None
        _random.drawing_allowed[0] = drawing
    entry.foreign = tracing.foreign
    entry.written = tuple(
        i for i, (new, old) in enumerate(zip(written, state_vals)) if new is not old
    )
    leaves = []
    entry.out_desc = _flatten(out, leaves)
    entry.n_out = len(leaves)
    entry.out_dtypes = [t._value().dtype for t in leaves]
    return (*(t._value() for t in leaves), *(written[i] for i in entry.written))


class _Unsupported(Exception):
    pass


class Compiled:
    """A function (or a module's ``__call__``) compiled per signature (Note [compiled calls])."""

    def __init__(self, fn, module=None):
        self.fn = fn
        self.module = weakref.ref(module) if module is not None else None
        self.cache = {}
        functools.update_wrapper(self, fn, updated=())

    def _state(self):
        """The module's parameters and buffers, and the Python values the code may read: the
        plain attributes and hooks of every submodule, or a function's plain globals and
        closure values (a change traces again, as torch's guards do)."""
        module = self.module() if self.module is not None else None
        if module is None:
            return [], _plain_values_of_function(self.fn)
        tensors = [p for _, p in module.named_parameters(remove_duplicate=True)]
        tensors += [b for _, b in module.named_buffers(remove_duplicate=True) if b is not None]
        return tensors, tuple(_plain_values_of_module(m) for m in module.modules())

    def __call__(self, *args, **kwargs):
        if _Tracing.active is not None:  # inside another compiled call: part of its trace
            return self.fn(*args, **kwargs)
        inputs = []
        try:
            desc = _flatten((args, kwargs), inputs)
        except TypeError:
            return self.fn(*args, **kwargs)
        state, plain = self._state()
        grad = grad_mode._state["enabled"]
        key = (desc, tuple(map(_meta, inputs)), tuple(map(_meta, state)), plain, grad)
        entry = self.cache.get(key)
        if entry is None:
            entry = self.cache[key] = _Entry(self, desc, state, [])
            entry.inputs_meta = [_meta(t) for t in inputs]
        if entry is _EAGER:
            return self.fn(*args, **kwargs)
        return self._run(key, entry, inputs, grad)

    def _run(self, key, entry, inputs, grad):
        from ._ops._registry import record_function
        from .tensor import Tensor

        if any(t._vc[0] != v for t, v in entry.guards):  # a constant it read has changed
            entry = self.cache[key] = _Entry(self, entry.desc, entry.state, entry.implicit)
            entry.inputs_meta = [_meta(t) for t in inputs]
        operands = [*entry.state, *entry.implicit, *inputs]
        arrays = [t._value() for t in operands]
        mask = tuple(t._requires_grad for t in operands) if grad else ()
        if entry.out_desc is not None:
            results = self._call(entry, mask, arrays)
        else:  # the first call traces
            try:
                results = self._call(entry, mask, arrays)
            except Exception:  # noqa: BLE001  (whatever stops the trace runs eagerly)
                self.cache[key] = _EAGER
                args, kwargs = _unflatten(entry.desc, iter(inputs))
                return self.fn(*args, **kwargs)
            found = [t for t in entry.foreign.values() if t._requires_grad]
            if found:  # make them arguments, so that gradients reach them: trace again
                if entry.implicit:
                    self.cache[key] = _EAGER
                else:
                    self.cache[key] = _Entry(self, entry.desc, entry.state, found)
                    self.cache[key].inputs_meta = entry.inputs_meta
                args, kwargs = _unflatten(entry.desc, iter(inputs))
                return self(*args, **kwargs)
            entry.guards = [(t, t._vc[0]) for t in entry.foreign.values()]
        outs, written, pullback = results
        outs = [Tensor._wrap(a) for a in outs]
        with grad_mode.no_grad():
            for i, new in zip(entry.written, written):
                entry.state[i]._write_value(new)
        if grad:
            node = record_function(
                "CompiledFunctionBackward",
                entry.forward,
                operands,
                arrays,
                outs,
                True,
                cls=CompiledFunctionBackward,
            )
            if node is not None:
                node._pullback = pullback
        return _unflatten(entry.out_desc, iter(outs))

    @staticmethod
    def _call(entry, mask, arrays):
        """(outputs, written state, pullback or None) of one call."""
        if any(mask) and (entry.out_desc is None or entry.differentiable()):
            outs, written, residuals = entry.with_pullback(mask, *arrays)
            return outs, written, (entry.pullbacks[mask], residuals)
        results = entry.jitted(*arrays)
        return results[: entry.n_out], results[entry.n_out :], None


def _module_class():
    from .nn.modules.module import Module

    return Module


class OptimizedModule(_module_class()):
    """What ``torch.compile(module)`` returns: a Module holding the original as ``_orig_mod``
    (so its parameters, ``state_dict`` keys ``_orig_mod.*``, ``train()``/``eval()`` and repr
    are torch's) whose forward is the original's call, compiled; other attributes are the
    original's."""

    def __init__(self, mod):
        super().__init__()
        self._orig_mod = mod
        self.__dict__["_compiled_call"] = Compiled(mod.__call__, module=mod)

    def forward(self, *args, **kwargs):
        return self._compiled_call(*args, **kwargs)

    def __len__(self):
        return len(self._orig_mod)

    def __getattr__(self, name):
        try:
            return super().__getattr__(name)
        except AttributeError:
            return getattr(self.__dict__["_modules"]["_orig_mod"], name)


def compile(
    model=None,
    *,
    fullgraph=False,
    dynamic=None,
    backend="inductor",
    mode=None,
    options=None,
    disable=False,
):
    """torch.compile: ``model`` (a Module or a function of tensors) traced into one XLA program
    per signature (Note [compiled calls]); as a decorator with or without arguments.

    Differences from torch: ``backend``, ``mode``, ``options`` and ``dynamic`` are accepted and
    ignored (XLA compiles every signature); ``fullgraph=True`` does not raise where the trace
    cannot hold, the call runs eagerly as without it."""
    if model is None:

        def fn(model):
            return compile(model, disable=disable)

        return fn
    if disable:
        return model
    if isinstance(model, _module_class()):
        return OptimizedModule(model)
    if not callable(model):
        raise AssertionError(f"A callable function is expected, but {type(model)} is provided.")  # noqa: TRY004  (torch)
    return Compiled(model)
