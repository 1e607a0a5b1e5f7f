"""The autograd graph: Node (a recorded op) and AccumulateGrad (a leaf's sink).

Note [recording]: an op that runs with grad mode on and an input that requires grad records one
Node. The node holds the op as a ``PureFn`` (a hashable key plus a pure jax function of the
op's dynamic inputs, static arguments already bound), the input values it saw (jax arrays are
immutable, so later in-place edits cannot corrupt them), which inputs are differentiated, and
one edge per differentiated input: ``(node, output_nr)`` of the producer, or the leaf's
AccumulateGrad. Its backward is ``jax.vjp`` of the pure function, jit-compiled once per
(key, mask) and cached, so backward never runs un-jitted ``jax.vjp``.

Note [complex gradients]: torch's gradients are the conjugate of jax's cotangents (torch pairs
a gradient g with a change dz through Re(conj(g) dz), jax through Re(g dz)); so a node's torch
backward is ``conj(vjp(conj(g)))``. Applied per node, every gradient a hook, ``retain_grad`` or
``.grad`` sees is torch's; for real dtypes the conjugations are identities that jit removes.
"""

import jax
import jax.numpy as jnp

from .. import _lazy


class PureFn:
    """A pure jax function and a hashable key that identifies it for jit caches."""

    __slots__ = ("key", "fn", "jitted", "linear", "vjps")

    def __init__(self, key, fn, linear=False):
        self.key = key
        self.fn = fn
        self.jitted = None
        self.linear = linear  # backward needs no saved values, so it may run twice
        self.vjps = {}  # (mask, out_mask) -> vjp_fn's result, without hashing the key again


_vjp_cache = {}


def _restrict(fn, mask, out_mask):
    """fn as a function of the masked inputs only, returning only the masked outputs."""

    def restricted(primals, diff):
        it = iter(diff)
        full = [next(it) if m else p for p, m in zip(primals, mask)]
        out = fn(*full)
        if out_mask is None:
            return out
        return tuple(o for o, m in zip(out, out_mask) if m)

    return restricted


def vjp_fn(pf, mask, out_mask):
    """Jitted ``(*primals, *cotangents) -> grads of the masked inputs`` for PureFn ``pf``."""
    f = pf.vjps.get((mask, out_mask))
    if f is None:
        key = (pf.key, mask, out_mask)
        f = _vjp_cache.get(key)
        if f is None:
            f = _vjp_cache[key] = jax.jit(_flat_pullback(pf.fn, mask, out_mask))
        pf.vjps[(mask, out_mask)] = f
    return f


def _make_pullback(fn, mask, out_mask):
    restricted = _restrict(fn, mask, out_mask)

    def pullback(primals, cts):
        diff = [p for p, m in zip(primals, mask) if m]
        _, back = jax.vjp(lambda *d: restricted(primals, d), *diff)
        # Note [complex gradients]: torch's backward is conj . (jax's vjp) . conj; a no-op on reals.
        return tuple(jnp.conj(g) for g in back(jax.tree.map(jnp.conj, cts)))

    return pullback


def _flat_pullback(fn, mask, out_mask):
    """The pullback as a function of (primals..., cotangents...)."""
    pullback = _make_pullback(fn, mask, out_mask)
    n = len(mask)

    def flat(*args):
        return tuple(pullback(args[:n], _pack(args[n:], out_mask)))

    return flat


def double_backward_fn(pf, mask, out_mask):
    """The backward of ``pf`` as a PureFn of (primals..., cotangents...), for create_graph."""
    return PureFn(
        ("backward", pf.key, mask, out_mask),
        _flat_pullback(pf.fn, mask, out_mask),
        linear=pf.linear,
    )


def _pack(cts, out_mask):
    return cts[0] if out_mask is None else tuple(cts)


class Node:
    """A recorded op in the graph (torch's ``grad_fn``)."""

    __slots__ = (
        "_pf",
        "_saved",
        "_mask",
        "_out_mask",
        "_out_meta",
        "_edges",
        "_name",
        "_freed",
        "_tensor_hooks",
        "_retained",
        "_hooks",
        "_prehooks",
        "_visible",
        "_metadata",
        "__weakref__",
    )

    def __init__(self, name, pf, saved, mask, out_mask, out_meta, edges):
        self._name = name
        self._pf = pf
        self._saved = saved
        self._mask = mask
        self._out_mask = out_mask
        self._out_meta = out_meta  # (shape, jax dtype) per differentiable output
        self._edges = edges  # one (node, output_nr) per masked input
        self._freed = False
        self._tensor_hooks = None  # output_nr -> [hook]
        self._retained = None  # output_nr -> weakref to the tensor that retains grad
        self._hooks = ()  # a list once a hook is registered (most nodes never have one)
        self._prehooks = ()
        self._visible = None  # which operands torch lists in next_functions (None: all)
        self._metadata = None

    @property
    def metadata(self):
        if self._metadata is None:
            self._metadata = {}
        return self._metadata

    def name(self):
        return self._name

    @property
    def next_functions(self):
        """One (node, output_nr) per tensor operand; (None, 0) where it does not require grad."""
        edges = iter(self._edges)
        out = [next(edges) if m else (None, 0) for m in self._mask]
        if self._visible is None:
            return tuple(out)
        return tuple(e for e, v in zip(out, self._visible) if v)

    def register_hook(self, fn):
        if not self._hooks:
            self._hooks = []
        self._hooks.append(fn)
        return _Handle(self._hooks, fn)

    def register_prehook(self, fn):
        if not self._prehooks:
            self._prehooks = []
        self._prehooks.append(fn)
        return _Handle(self._prehooks, fn)

    def __repr__(self):
        return f"<{self._name.rpartition('::')[2]} object at {hex(id(self))}>"

    def __call__(self, *grads):
        out = self.apply(list(grads))
        return out[0] if len(out) == 1 else tuple(out)

    def apply(self, cts):
        """Input gradients (jax arrays) for output cotangents ``cts`` (jax arrays)."""
        f = vjp_fn(self._pf, self._mask, self._out_mask)
        args = (*self._saved, *cts)
        return list(_lazy.call(f, args, tree=has_sequences(self._saved)))

    def zero_cotangent(self, i):
        shape, dt = self._out_meta[i]
        return jnp.zeros(shape, dt)


def has_sequences(saved):
    """Whether a node's saved operands include a sequence (a view's index arrays, for
    CopySlices), so that they are not a flat list of arrays."""
    for a in saved:
        t = type(a)
        if t is list or t is tuple:
            return True
    return False


_node_classes = {}


def node_class(name):
    """The Node subclass for grad_fn name ``name`` (torch gives each backward its own class,
    so ``type(y.grad_fn).__name__`` is e.g. ``AddBackward0``)."""
    cls = _node_classes.get(name)
    if cls is None:
        cls = _node_classes[name] = type(name.rpartition("::")[2], (Node,), {"__slots__": ()})
    return cls


class AccumulateGrad:
    """The sink of a leaf tensor's gradient (``x.grad_fn`` of ops on a leaf points here)."""

    __slots__ = ("variable", "_hooks", "_prehooks", "metadata", "__weakref__")

    def __init__(self, variable):
        self.variable = variable
        self._hooks = []
        self._prehooks = []
        self.metadata = {}

    def name(self):
        return "torch::autograd::AccumulateGrad"

    @property
    def next_functions(self):
        return ()

    def register_hook(self, fn):
        self._hooks.append(fn)
        return _Handle(self._hooks, fn)

    def register_prehook(self, fn):
        self._prehooks.append(fn)
        return _Handle(self._prehooks, fn)

    def __repr__(self):
        return f"<AccumulateGrad object at {hex(id(self))}>"


class _Handle:
    """RemovableHandle for hooks."""

    def __init__(self, hooks, fn):
        self._hooks = hooks
        self._fn = fn

    def remove(self):
        if self._fn in self._hooks:
            self._hooks.remove(self._fn)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()
