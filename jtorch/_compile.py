"""torch.compile: a module's forward, or a function of tensors, traced into one XLA program.

Note [compiled calls]: a compiled call runs the user's Python under ``jax.jit`` once per
signature, with every tensor it touches standing on a traced value, and then runs the program:
  * what it touches: the call's tensor arguments, the module's parameters and buffers, and the
    tensors it reads or writes from elsewhere (globals, closures, an optimizer's state, the
    parameters' ``.grad``). A new signature's first call runs eagerly and notes those, and the
    tensors it makes that outlive it (an optimizer's lazily made state); the next call traces
    with all of them as arguments (their storages stand on traced values, restored after).
    That first call's ops are recorded as in lazy mode and run at its end as one program,
    which is not kept (Note [lazy mode]): one XLA compilation instead of one per op, so the
    first call is faster and a fresh process peaks lower (LeNet's training step: about 1.25x
    torch's peak resident memory instead of about 1.4x).
    Tensors the code makes while tracing are the program's own; any that outlive the trace (a
    loss appended to a list outside) are given the traced call's values.
  * what comes out: the returned tensors, the new values of every tensor it wrote (written
    back in place, as an optimizer step or BatchNorm's running statistics write them), and
    the new ``.grad`` of every tensor whose gradient it changed. So a whole training step
    (forward, ``backward()``, ``optimizer.step()``) compiles into one program.
  * autograd: grad mode inside is the caller's. A call that does not run backward itself is
    recorded as one node (``CompiledFunctionBackward``) over the tensors it read, and the
    program keeps the vjp's residuals, so ``backward()`` reaches the parameters as in eager mode
    without running the forward again (Note [recording]).
  * the signature: the arguments' structure, non-tensor values, shapes, dtypes and devices, the
    grad mode, the module's plain attributes and hooks (a function's plain globals and closure
    values, and the plain attributes of modules among them), and the hyperparameters of an
    optimizer stepped inside. Other Python values the code reads are baked into the program.
What the trace cannot hold runs eagerly, for that signature, with eager's results (torch's
"graph break", taken for the whole call): reading a value on the host (``item()``, ``bool``,
printing), data-dependent shapes, random draws (a compiled program would replay one mask; eager
draws torch's numbers), writes into the arguments, and any error, which eager mode then raises
as torch would. The Python code runs on the eager first call and when it traces, so its side
effects happen then, not on every call.
"""

import functools
import gc
import itertools
import operator
import sys
import weakref

import jax
import jax.numpy as jnp

from . import _lazy, _random, _tracing
from ._ops._registry import _differentiable, record_function
from .autograd import grad_mode
from .autograd.graph import Node, PureFn
from .nn.modules import _hooks
from .nn.modules import module as module_file
from .nn.modules.module import Module
from .tensor import Tensor

_EAGER = object()  # a cache entry: this signature runs eagerly


class _Discovered:
    """A cache entry: the signature ran eagerly; these tensors from outside become arguments of
    its trace."""

    def __init__(self, tensors, tries):
        self.tensors = tensors
        self.tries = tries


def _one_per_storage(tensors):
    """Tensors sharing no storage, roots preferred (a view stands for its base's storage)."""
    chosen = {}
    for t in tensors:
        if t._view is None or id(t._storage) not in chosen:
            chosen[id(t._storage)] = t
    return list(chosen.values())


tensor_module = sys.modules["jtorch.tensor"]  # not ``jtorch.tensor``, which is torch.tensor()
_PLAIN = (bool, int, float, complex, str, bytes, type(None))


def _flatten(tree, leaves):
    """The tensors of a nest of tuples, lists and dicts (appended to ``leaves``), and a hashable
    description of the rest."""
    if isinstance(tree, Tensor):
        leaves.append(tree)
        return ("T",)
    if isinstance(tree, (tuple, list)):
        return (type(tree).__name__, tuple(_flatten(x, leaves) for x in tree))
    if isinstance(tree, dict):
        return ("dict", tuple((k, _flatten(v, leaves)) for k, v in tree.items()))
    hash(tree)  # an unhashable value cannot key a signature: TypeError, so eager
    return ("v", type(tree), tree)


def _flatten_call(args, kwargs, leaves):
    """``_flatten((args, kwargs), leaves)``, without its walk for the usual call (tensors only,
    passed by position)."""
    if not kwargs and all(isinstance(a, Tensor) for a in args):
        leaves.extend(args)
        return _positional_tensors(len(args))
    return _flatten((args, kwargs), leaves)


@functools.cache
def _positional_tensors(n):
    """``_flatten``'s description of ``n`` tensors passed by position: one object for each ``n``,
    so that comparing a key with the last call's is quick."""
    return ("tuple", (("tuple", (("T",),) * n), ("dict", ())))


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


_GLOBAL_HOOKS = (
    "_global_forward_pre_hooks",
    "_global_forward_hooks",
    "_global_backward_pre_hooks",
    "_global_backward_hooks",
)
_plain_attributes = weakref.WeakKeyDictionary()  # module -> (attribute writes, plain values)
_HOOKS = ("_forward_pre_hooks", "_forward_hooks", "_backward_pre_hooks", "_backward_hooks")
_hooks_of = operator.attrgetter(*_HOOKS)
_submodules_of = operator.attrgetter("_modules")
_tables_of = operator.attrgetter("_modules", "_parameters", "_buffers")
_MISSING = object()  # among a function's sources: a global it names that is unbound, an empty cell


def _plain_values_of_module(m):
    """A module's plain attributes (read again only after some module attribute was set) and
    its hooks."""
    writes = module_file.attribute_writes[0]
    known = _plain_attributes.get(m)
    if known is None or known[0] != writes:
        plain = tuple((k, v) for k, v in m.__dict__.items() if isinstance(v, _PLAIN))
        known = _plain_attributes[m] = (writes, plain)
    return known[1], tuple(map(tuple, _hooks_of(m)))


def _function_reads(fn):
    """What function ``fn`` may read without taking it as an argument: its code, the
    ``(name, value)`` of each global its code names and the value of each closure cell
    (``_MISSING`` for an unbound global or an empty cell), and the dict of the object it is
    bound to (or None). A callable without code reads nothing that is known."""
    owner = getattr(fn, "__self__", None)
    fn = getattr(fn, "__func__", fn)
    code = getattr(fn, "__code__", None)
    if code is None:
        return None, (), (), None
    names = fn.__globals__
    globals_ = [(n, names.get(n, _MISSING)) for n in code.co_names]
    cells = []
    for cell in fn.__closure__ or ():
        try:
            cells.append(cell.cell_contents)
        except ValueError:  # an empty cell
            cells.append(_MISSING)
    return code, globals_, cells, getattr(owner, "__dict__", None)


def _plain_values_of_function(fn, modules):
    """The plain values a function may read without taking them as arguments: its globals and
    closure values, the plain attributes of the object it is bound to, and those of every
    module among them (a module's ``training`` flag, say), whose modules are appended to
    ``modules``."""
    _, globals_, cells, table = _function_reads(fn)
    values = [(n, v) for n, v in globals_ if v is not _MISSING]
    values += [("", v) for v in cells if v is not _MISSING]
    if table is not None:
        values += table.items()
    found = []
    for name, value in values:
        if isinstance(value, _PLAIN):
            found.append((name, value))
        elif isinstance(value, Module):
            walked = list(value.modules())
            modules += walked
            found.append((name, tuple(map(_plain_values_of_module, walked))))
    return tuple(found)


def _function_sources(fn, objects, tables):
    """What ``_plain_values_of_function(fn)`` reads outside the modules it walks: its code and
    the values of the globals it names and of its closure cells (appended to ``objects``), and
    the dict of the object it is bound to (appended to ``tables``)."""
    code, globals_, cells, table = _function_reads(fn)
    objects.append(code)
    objects += [v for _, v in globals_]
    objects += cells
    if table is not None:
        tables.append(table)


# a tensor's part of a signature: (shape, dtype, device)
_meta = operator.attrgetter("_shape", "_dtype", "_device")


class _Entry:
    """One signature's program: the traced function and what it needs at call time."""

    def __init__(self, compiled, desc, state, captured, inputs_meta):
        self.desc = desc
        self.state = state  # the module's parameters and buffers
        self.captured = captured  # other tensors the code touches (one per storage)
        self.held = state + captured  # the program's first arguments
        self.inputs_meta = inputs_meta
        self.out_desc = None
        self.out_devices = ()
        self.n_out = 0
        self.written = ()  # the tensors of ``held`` whose storages it writes
        self.grad_targets = ()  # the tensors whose .grad it sets (after: None or a value)
        self.grad_none = ()
        self.ran_backward = False
        self.kept = ()
        self.foreign = []
        self.guards = []
        self.checks = []
        fn = functools.partial(_traced, self, compiled.fn)
        self.jitted = jax.jit(fn)
        self.forward = PureFn(("compiled", id(self)), lambda *a: fn(*a)[: self.n_out])
        self.with_pullback = jax.jit(functools.partial(_with_pullback, self, fn), static_argnums=0)
        self.pullbacks = {}  # operand mask -> the static part of the vjp's pullback

    def operands(self, inputs):
        return [*self.held, *inputs]

    def arrays(self, inputs):
        return [t._storage.read() for t in self.held] + [t._value() for t in inputs]

    def differentiable(self):
        """Whether every output can carry a gradient (else backward recomputes the forward)."""
        return all(map(_differentiable, self.out_dtypes))


def _traced(entry, fn, *arrays):
    """The pure function of a signature: the user's code on traced values."""
    held = entry.held
    given = zip(arrays[len(held) :], entry.inputs_meta)
    inputs = [Tensor._wrap(a, device) for a, (_, _, device) in given]
    tracing = _tracing.Tracing([*held, *inputs])
    previous, _tracing.Tracing.active = _tracing.Tracing.active, tracing
    tensor_module.read_hook = tracing.note
    drawing, _random.drawing_allowed[0] = _random.drawing_allowed[0], False
    try:
        for t, value in zip(held, arrays):  # the storages stand on the traced values
            t._storage.array, t._storage.host = value, None
        args, kwargs = _unflatten(entry.desc, iter(inputs))
        out = fn(*args, **kwargs)
        after = [t._storage.array for t in held]
        changed = [(t, g) for t, g, _ in tracing.grads.values() if t._grad is not g]
        if any(i._vc[0] for i in inputs):
            raise _Unsupported("a compiled call wrote into one of its arguments")
        leaves = []
        entry.out_desc = _flatten(out, leaves)
        outs = [t._value() for t in leaves]
        out_devices = [t._device for t in leaves]
        grads_after = [t._grad for t, _ in changed]
        new_grads = [g._value() for g in grads_after if g is not None]
        grad_none = tuple(g is None for g in grads_after)
        checks = [x for any_bad, first, _, _ in tracing.checks for x in (any_bad, first)]
        del out, leaves, args, kwargs, grads_after  # so that only kept tensors outlive the trace
    finally:
        tracing.restore()
        _tracing.Tracing.active = previous
        tensor_module.read_hook = previous.note if previous is not None else None
        _random.drawing_allowed[0] = drawing
    entry.foreign = [t for t, _ in tracing.seen.values()]
    kept = _kept(tracing)
    entry.kept = [st for st, _ in kept]
    entry.guards = tracing.guards
    entry.checks = [(exc, message) for _, _, exc, message in tracing.checks]
    written = [(t, a) for t, a, b in zip(held, after, arrays) if a is not b]
    entry.written = tuple(t for t, _ in written)
    entry.grad_targets = tuple(t for t, _ in changed)
    entry.ran_backward = tracing.ran_backward
    entry.grad_none = grad_none
    entry.n_out = len(outs)
    entry.out_devices = out_devices
    entry.out_dtypes = [a.dtype for a in outs]
    written = [_strong(a) for _, a in written]  # as the next call's arguments
    return (*outs, *checks, *written, *map(_strong, new_grads), *(a for _, a in kept))


def _kept(tracing):
    """The storages of tensors the trace made that outlive it (appended to a list outside,
    say), with their traced values: the program outputs them too, so that those tensors hold
    the values of the call that traced (Note [compiled calls])."""
    gc.collect()
    storages = {}
    for t in list(tracing.born):
        t._cache_ver = -1  # a view's cached value may be traced: read it afresh
        t._grad_fn = None  # its history is the trace's
        st = t._storage
        if isinstance(st.array, jax.core.Tracer) and id(st) not in storages:
            storages[id(st)] = (st, st.array)
    return list(storages.values())


def _strong(array):
    """``array`` without jax's weak type, so that passing it back does not trace again."""
    return jax.lax.convert_element_type(array, array.dtype)


def _with_pullback(entry, fn, mask, *arrays):
    """The outputs, the rest of the program's results, and the vjp of the outputs with respect
    to the operands in ``mask``, its residuals flat among the results (so backward does not run
    the forward again)."""

    def outputs(*diff):
        it = iter(diff)
        full = [next(it) if m else a for a, m in zip(arrays, mask)]
        results = fn(*full)
        return tuple(results[: entry.n_out]), tuple(results[entry.n_out :])

    diff = [a for a, m in zip(arrays, mask) if m]
    outs, pullback, rest = jax.vjp(outputs, *diff, has_aux=True)
    residuals, entry.pullbacks[mask] = jax.tree.flatten(pullback)  # arrays out, the rest static
    return outs, rest, residuals


@functools.partial(jax.jit, static_argnums=0)
def _pull(tree, residuals, cts):
    pullback = jax.tree.unflatten(tree, residuals)
    # Note [complex gradients]: torch's backward is conj . (jax's vjp) . conj
    return tuple(jnp.conj(g) for g in pullback(tuple(jnp.conj(c) for c in cts)))


class CompiledFunctionBackward(Node):
    """The node of a compiled call: its backward applies the pullback the forward kept (under
    create_graph, or on a call that kept none, the recorded forward is differentiated again)."""

    __slots__ = ("_pullback",)

    def apply(self, cts):
        if self._pullback is None:
            return super().apply(cts)
        tree, residuals = self._pullback
        pull = functools.partial(_pull, tree)
        return list(_lazy.call(pull, (residuals, tuple(cts)), key=(_pull, tree)))


class _Unsupported(Exception):
    pass


class Compiled:
    """A function (or a module's ``__call__``) compiled per signature (Note [compiled calls])."""

    def __init__(self, fn, module=None):
        self.fn = fn
        self.module = weakref.ref(module) if module is not None else None
        self.cache = {}
        self.last = (None, None)  # the key and entry of the last call that ran a program
        self.memo = None  # what ``_state`` last read: (tables, hooks, counts, objects, result)
        functools.update_wrapper(self, fn, updated=())

    def _state(self):
        """The module's parameters and buffers, and the Python values the code may read: the
        plain attributes and hooks of every submodule, or a function's plain globals and
        closure values (a change traces again, as torch's guards do).

        Walking the modules and the function's names on every call would cost more than the
        rest of a call's Python, so the last result is kept while what it was read from is
        unchanged: the same objects (by identity) in the same places (``_sources``), and no
        module attribute set since (which covers the plain attributes, as in
        ``_plain_values_of_module``)."""
        memo = self.memo
        if memo is not None:
            counts, objects = self._sources(memo[0], memo[1])
            if counts == memo[2] and all(map(operator.is_, objects, memo[3])):
                return memo[4]
        modules = []
        result, tables = self._read_state(modules)
        hooks = list(itertools.chain.from_iterable(map(_hooks_of, modules)))
        self.memo = (tables, hooks, *self._sources(tables, hooks), result)
        return result

    def _read_state(self, modules):
        """``_state``, read afresh, and the tables of the modules it walks (which are appended
        to ``modules``): their submodules for a function, their submodules, parameters and
        buffers for a compiled module. Those tables, like the modules' hooks, are the same
        dicts until a module attribute is set (which ``_sources`` counts), so the memo keeps
        them instead of looking them up at every call."""
        hooks = tuple(tuple(getattr(_hooks, name)) for name in _GLOBAL_HOOKS)
        module = self.module() if self.module is not None else None
        if module is None:
            plain = _plain_values_of_function(self.fn, modules)
            return ([], (hooks, plain)), list(map(_submodules_of, modules))
        modules += module.modules()
        tensors = [p for _, p in module.named_parameters(remove_duplicate=True)]
        tensors += [b for _, b in module.named_buffers(remove_duplicate=True) if b is not None]
        plain = tuple(map(_plain_values_of_module, modules))
        tables = list(itertools.chain.from_iterable(map(_tables_of, modules)))
        return (tensors, (hooks, plain)), tables

    def _sources(self, module_tables, module_hooks):
        """What ``_read_state`` reads, given the tables and hooks of the modules it walked, in
        two parts that the next call compares with the memo's:
          * counts, by equality: the module attribute writes so far, how many objects, the
            lengths of the tables, and the keys of the hooks (the global ones and the modules');
          * objects, by identity: the module, or the function's code, globals and closure
            values; then the keys and values of the tables: the modules' submodules (which
            decide what the walk finds), a compiled module's parameters and buffers, and the
            dict of the object the function is bound to."""
        module = self.module() if self.module is not None else None
        objects = [module]
        tables = []
        if module is None:
            _function_sources(self.fn, objects, tables)
        tables += module_tables
        objects += itertools.chain.from_iterable(tables)
        objects += [v for table in tables for v in table.values()]
        hooks = [getattr(_hooks, name) for name in _GLOBAL_HOOKS]
        hooks += module_hooks
        hook_keys = tuple(map(tuple, hooks)) if any(hooks) else ()  # usually there are none
        lengths = tuple(map(len, tables))
        return (module_file.attribute_writes[0], len(objects), lengths, hook_keys), objects

    def __call__(self, *args, **kwargs):
        if _tracing.Tracing.active is not None:  # inside another compiled call: part of its trace
            return self.fn(*args, **kwargs)
        _lazy.flush()  # the program's arguments are values (Note [lazy mode])
        inputs = []
        try:
            desc = _flatten_call(args, kwargs, inputs)
        except TypeError:
            return self.fn(*args, **kwargs)
        state, plain = self._state()
        grad = grad_mode._state["enabled"]
        key = (desc, tuple(map(_meta, inputs)), tuple(map(_meta, state)), plain, grad)
        # a repeated call's key holds the last one's objects: comparing is quicker than hashing
        last_key, entry = self.last
        if key != last_key:
            entry = self.cache.get(key)
        if isinstance(entry, _Entry):
            same = entry.state is state or all(map(operator.is_, entry.state, state))
            if same and not any(f() != v for f, v in entry.guards):
                self.last = (key, entry)
                return self._run(entry, inputs, grad)
            # a parameter or buffer was replaced by another of its shape, or a Python value it
            # read changed: trace again
            entry = _Discovered(entry.captured, 0)
        self.last = (None, None)  # what follows may change this key's entry
        if entry is _EAGER:
            return self.fn(*args, **kwargs)
        if entry is None:
            return self._discover(key, args, kwargs)
        return self._build(key, entry, desc, state, inputs, grad, args, kwargs)

    def _discover(self, key, args, kwargs):
        """A new signature's first call: eager, noting the tensors from outside that it touches
        and the ones it makes that outlive it (an optimizer's new state, say)."""
        tracing = _tracing.Tracing([], discovering=True)
        _tracing.Tracing.active, tensor_module.read_hook = tracing, tracing.note
        try:
            with _lazy.lazy(True):  # recorded, and run as one program: Note [compiled calls]
                result = self.fn(*args, **kwargs)
                _lazy.flush(once=True)
        finally:
            _tracing.Tracing.active, tensor_module.read_hook = None, None
        if tracing.host_reads or tracing.draws:  # a trace would stop there: stay eager
            self.cache[key] = _EAGER
            return result
        returned = []
        try:
            _flatten(result, returned)
        except TypeError:
            pass
        gc.collect()
        returned = {id(t) for t in returned}
        made = [t for t in tracing.born if id(t) not in returned]
        touched = [t for t, _ in tracing.seen.values()]
        self.cache[key] = _Discovered(_one_per_storage(touched + made), 0)
        return result

    def _build(self, key, found, desc, state, inputs, grad, args, kwargs):
        """Trace with the tensors found as arguments, and run the program; eager (and found
        again) if the trace touches others."""
        held = {id(t._storage) for t in state}
        if not found.tries:
            # the arguments come as arguments: not again as tensors from outside (code that
            # also reads one from outside finds it foreign, and the next trace holds it)
            held.update(id(t._storage) for t in inputs)
        captured = [t for t in found.tensors if id(t._storage) not in held]
        if any(t._view is not None and t._requires_grad for t in captured):
            self.cache[key] = _EAGER  # a gradient would have to reach a view's base
            return self.fn(*args, **kwargs)
        entry = _Entry(self, desc, state, captured, [_meta(t) for t in inputs])
        arrays = entry.arrays(inputs)
        try:
            results = entry.jitted(*arrays)
        except Exception:  # noqa: BLE001  (whatever stops the trace runs eagerly)
            self.cache[key] = _EAGER
            return self.fn(*args, **kwargs)
        finally:
            _lazy.release_memory()  # Note [memory after compiling]
        if entry.foreign:  # the code took another path: what it wrote there is not in results
            more = _Discovered(_one_per_storage(captured + entry.foreign), found.tries + 1)
            self.cache[key] = more if more.tries < 2 else _EAGER
            return self.fn(*args, **kwargs)
        self.cache[key] = entry
        return self._finish(entry, inputs, grad, arrays, results, None)

    def _run(self, entry, inputs, grad):
        arrays = entry.arrays(inputs)
        if grad and not entry.ran_backward:
            mask = tuple(t._requires_grad for t in entry.operands(inputs))
            if any(mask) and entry.differentiable():
                new = mask not in entry.pullbacks  # compiled at this call
                outs, rest, residuals = entry.with_pullback(mask, *arrays)
                if new:
                    _lazy.release_memory()  # Note [memory after compiling]
                pullback = (entry.pullbacks[mask], residuals)
                return self._finish(entry, inputs, grad, arrays, (*outs, *rest), pullback)
        return self._finish(entry, inputs, grad, arrays, entry.jitted(*arrays), None)

    def _finish(self, entry, inputs, grad, arrays, results, pullback):
        """Write back what the program wrote, set the gradients it made, record the node."""
        n_out, n_checks, n_written = entry.n_out, 2 * len(entry.checks), len(entry.written)
        found = results[n_out : n_out + n_checks]
        for (exc, message), any_bad, first in zip(entry.checks, found[::2], found[1::2]):
            if bool(any_bad):
                raise exc(message(first.item()))
        outs = list(map(Tensor._wrap, results[:n_out], entry.out_devices))
        n_out += n_checks
        for t, new in zip(entry.written, results[n_out : n_out + n_written]):
            t._storage.write(new)
            t._vc[0] += 1
        rest = iter(results[n_out + n_written :])
        for t, none in zip(entry.grad_targets, entry.grad_none):
            t._grad = None if none else Tensor._wrap(next(rest), t._device)
        for st, value in zip(entry.kept, rest):  # only the call that traced makes them
            st.array, st.host = value, None
        entry.kept = ()
        if grad and not entry.ran_backward:
            node = record_function(
                "CompiledFunctionBackward",
                entry.forward,
                entry.operands(inputs),
                arrays,
                outs,
                True,
                cls=CompiledFunctionBackward,
            )
            if node is not None:
                node._pullback = pullback
        return _unflatten(entry.out_desc, iter(outs))


class OptimizedModule(Module):
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
    if isinstance(model, Module):
        return OptimizedModule(model)
    if not callable(model):
        raise AssertionError(f"A callable function is expected, but {type(model)} is provided.")  # noqa: TRY004  (torch)
    return Compiled(model)
