"""The backward engine: walks the graph under the roots and runs each node's cached vjp.

Gradients flow as jax arrays, or, under ``create_graph=True``, as Tensors whose computation is
itself recorded (each node's backward becomes a recorded PureFn, so it can be differentiated
again). Nodes run in a topological order (every consumer before its producer), accumulating
cotangents per (node, output_nr). Tensor hooks, retain_grad, node pre/post hooks and the
capture of gradients for ``autograd.grad`` happen at the node that produced the tensor.
"""

import jax
import jax.numpy as jnp

from .. import _lazy, _tracing
from .._device import jax_device
from . import grad_mode
from .graph import AccumulateGrad, Node, double_backward_fn, has_sequences, vjp_fn

Tensor = None  # jtorch.tensor.Tensor, set by tensor.py (import cycle)

FREED = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward."
)


def _topo(roots):
    """Nodes reachable from ``roots``, consumers first (reverse DFS post-order)."""
    order, seen = [], set()
    for root in roots:
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(getattr(root, "_edges", ())))]
        while stack:
            node, it = stack[-1]
            for child, _ in it:  # the node's edges: (child, its output number)
                if child not in seen:
                    seen.add(child)
                    stack.append((child, iter(getattr(child, "_edges", ()))))
                    break
            else:
                stack.pop()
                order.append(node)
    order.reverse()
    return order


def _children(node):
    return [e[0] for e in getattr(node, "_edges", ())]


def _needed(order, targets):
    """The nodes from which some target node can be reached (including the targets)."""
    need = set(targets)
    for node in reversed(order):
        if any(c in need for c in _children(node)):
            need.add(node)
    return need


class _Grads:
    """Gradient arithmetic for one backward pass: jax arrays, or Tensors under create_graph."""

    def __init__(self, create_graph):
        self.create_graph = create_graph
        self.Tensor = Tensor

    def add(self, a, b):
        if a is None:
            return b
        if self.create_graph:
            return a + b
        return _lazy.call(_add, (a, b))

    def as_tensor(self, g):
        return g if isinstance(g, self.Tensor) else self.Tensor._wrap(g)

    def from_tensor(self, t):
        return t if self.create_graph else t._value()

    def zeros(self, node, i):
        z = node.zero_cotangent(i)
        return self.Tensor._wrap(z) if self.create_graph else z

    def apply(self, node, cts):
        if not self.create_graph:
            return node.apply(cts)
        if hasattr(node, "apply_tensors"):
            return node.apply_tensors(cts)
        return _apply_recorded(node, cts)


# The grad_fn torch's backward formula of an op leaves on the gradient it computes under
# create_graph (the formula's last op); other ops' gradients are named "<Op>Backward".
_DOUBLE_BACKWARD_NAMES = {
    "PowBackward0": "MulBackward0",
    "PowBackward1": "MulBackward0",
    "MulBackward0": "MulBackward0",
    "SinBackward0": "MulBackward0",
    "CosBackward0": "MulBackward0",
    "ExpBackward0": "MulBackward0",
    "AbsBackward0": "MulBackward0",
    "LogBackward0": "DivBackward0",
    "SqrtBackward0": "DivBackward0",
    "DivBackward0": "DivBackward0",
    "TanhBackward0": "TanhBackwardBackward0",
    "SigmoidBackward0": "SigmoidBackwardBackward0",
    "ReluBackward0": "ThresholdBackwardBackward0",
}


def _apply_recorded(node, cts):
    """Run ``node``'s backward as a recorded op, so its result can be differentiated again.

    The backward of a linear op does not depend on its inputs' values, so only the incoming
    gradients are its operands (as in torch, the gradient of ``x.sum()`` has no history)."""
    from .._ops._registry import record_function

    pf = double_backward_fn(node._pf, node._mask, node._out_mask)
    edges = iter(node._edges)
    operands = []
    linear = node._pf.linear
    for arr, m in zip(node._saved, node._mask):
        if m and not linear:
            ghost = Tensor._wrap(arr)
            ghost._grad_fn, ghost._output_nr = next(edges)
            ghost._requires_grad = True
            operands.append(ghost)
        else:
            if m:
                next(edges)
            operands.append(arr)
    operands.extend(cts)
    arrays = [o._value() if isinstance(o, Tensor) else _lazy.concrete(o) for o in operands]
    results = _jitted(pf)(*arrays)
    outs = [Tensor._wrap(r) for r in results]
    name = _DOUBLE_BACKWARD_NAMES.get(node._name, node._name + "Backward")
    with grad_mode.enable_grad():
        record_function(name, pf, operands, arrays, outs, True)
    return outs


_double_cache = {}


def _jitted(pf):
    f = _double_cache.get(pf.key)
    if f is None:
        f = _double_cache[pf.key] = jax.jit(pf.fn)
    return f


def run_backward(roots, root_grads, retain_graph, create_graph, capture=None, accumulate=True):
    """Backpropagate ``root_grads`` from ``roots`` (a list of (node, output_nr)).

    ``capture``: optional list of (node, output_nr) whose incoming gradient is returned
    (autograd.grad), in which case leaves accumulate only if ``accumulate``.
    Returns the captured gradients (None where nothing flowed).
    """
    tracing = _tracing.Tracing.active
    if tracing is not None:  # a compiled call that runs backward is not differentiated itself
        tracing.ran_backward = True
    order = _topo([n for n, _ in roots])
    plain = capture is None and not create_graph and tracing is None
    if plain and _lazy.records() and _fused_backward(order, roots, root_grads, retain_graph):
        return None
    G = _Grads(create_graph)
    buffers = {}
    for (node, nr), g in zip(roots, root_grads):
        buf = buffers.setdefault(node, {})
        buf[nr] = G.add(buf.get(nr), g)
    targets = None if capture is None else {n for n, _ in capture}
    capture = None if capture is None else list(capture)
    need = set(order) if targets is None or accumulate else _needed(order, targets)
    captured = {}
    with grad_mode.set_grad_enabled(create_graph):
        for node in order:
            buf = buffers.pop(node, None)
            if buf is None or node not in need:
                continue
            if isinstance(node, AccumulateGrad):
                _accumulate(node, buf.get(0), G, capture, captured, accumulate)
                continue
            _run_node(node, buf, G, capture, captured, retain_graph, buffers, need, targets)
    return [captured.get(c) for c in capture] if capture is not None else None


# Note [fused backward]: in lazy mode, a plain ``backward()`` (no create_graph, inputs or
# autograd.grad; no hook, retain_grad or custom Node in the graph; the leaves on the roots'
# device) records as ONE call instead of one per node and per accumulation: a function of
# every node's saved values, the root gradients and the leaves' current ``.grad`` that runs
# the engine's own walk (the same order, the same cached vjp functions, the same additions in
# the same order) and returns the leaves' new gradients. The graph's structure (each node's
# vjp function, its saved count, its edges) is the call's key, so a training step's backward
# costs one recording, and the program it joins is the one the node-by-node recording would
# have built. Anything else takes the engine below.
_NODE_APPLY = Node.apply
_fused = {}  # structure -> the backward as a function of flat arguments
MAX_FUSED = 256


def _fused_backward(order, roots, root_grads, retain_graph):
    """Record the backward of ``order`` as one lazy call (Note [fused backward]); False where
    the graph needs the engine."""
    device = None
    index = {node: i for i, node in enumerate(order)}
    steps, args, leaves = [], [], []
    for node in order:
        if type(node) is AccumulateGrad:
            var = node.variable
            if (
                var._hooks
                or node._hooks
                or node._prehooks
                or (device is not None and var._device != device)
            ):
                return False
            device = var._device
            old = var._grad
            steps.append(old is not None)
            if old is not None:
                args.append(old._lazy_value())
            leaves.append(var)
            continue
        saved = node._saved
        if (
            type(node).apply is not _NODE_APPLY
            or node._freed
            or node._tensor_hooks
            or node._retained
            or node._hooks
            or node._prehooks
            or has_sequences(saved)
        ):
            return False
        n_out = len(node._out_meta)
        edges = tuple([(index[child], nr) for child, nr in node._edges])
        meta = n_out if n_out == 1 else tuple(node._out_meta)
        steps.append((vjp_fn(node._pf, node._mask, node._out_mask), len(saved), meta, edges))
        args.extend(saved)
    # a gradient would change device
    if device is not None and jax_device(device) != _lazy.device_of(root_grads[0]):
        return False
    args.extend(root_grads)
    spec = (tuple(steps), tuple([(index[node], nr) for node, nr in roots]))
    fn = _fused.get(spec)
    if fn is None:
        if len(_fused) >= MAX_FUSED:
            _fused.clear()
        fn = _fused[spec] = _fused_fn(spec)
    for var, g in zip(leaves, _lazy.call(fn, args, tree=False)):
        if var._grad is None:
            var._grad = Tensor._wrap(g, var._device)
        else:
            var._grad._write_value(g)
    if not retain_graph:
        for node in order:
            if type(node) is not AccumulateGrad and not node._pf.linear:
                node._saved = None
                node._freed = True
    return True


def _fused_fn(spec):
    """The engine's walk over graph ``spec`` as a function of the arguments ``_fused_backward``
    gathers (in the walk's order, each node's saved values and each leaf's current gradient
    where it has one; then the root gradients), returning the leaves' new gradients."""
    steps, roots = spec

    def backward(*args):
        buffers = {}
        for (i, nr), g in zip(roots, args[len(args) - len(roots) :]):
            _collect(buffers.setdefault(i, {}), nr, g)
        new, pos = [], 0
        for i, s in enumerate(steps):
            buf = buffers.pop(i)
            if type(s) is bool:  # a leaf's AccumulateGrad: True where it has a .grad already
                new.append(_add(args[pos], buf[0]) if s else buf[0])
                pos += s
                continue
            f, n_saved, meta, edges = s
            saved = args[pos : pos + n_saved]
            pos += n_saved
            if type(meta) is int:
                cts = [buf[0]]
            else:
                cts = [buf[j] if j in buf else jnp.zeros(*meta[j]) for j in range(len(meta))]
            for (child, cnr), g in zip(edges, f(*saved, *cts)):
                _collect(buffers.setdefault(child, {}), cnr, g)
        return new

    return backward


def _collect(buf, nr, g):
    """Add gradient ``g`` into ``buf[nr]`` as the engine's ``_Grads.add`` does."""
    buf[nr] = _add(buf[nr], g) if nr in buf else g


def _run_node(node, buf, G, capture, captured, retain_graph, buffers, need, targets):
    _tensor_hooks(node, buf, G)
    if capture is not None:
        for nr, g in buf.items():
            if (node, nr) in capture:
                captured[(node, nr)] = g
    if targets is not None and not any(c in need for c in _children(node)):
        return
    n_out = len(node._out_meta)
    cts = [buf.get(i) for i in range(n_out)]
    for hook in node._prehooks:
        r = hook(tuple(_maybe_tensor(G, c) for c in cts))
        if r is not None:
            cts = [G.from_tensor(x) if x is not None else None for x in r]
    if node._freed:
        raise RuntimeError(FREED)
    cts = [c if c is not None else G.zeros(node, i) for i, c in enumerate(cts)]
    grads = G.apply(node, cts)
    for hook in node._hooks:
        r = hook(tuple(_maybe_tensor(G, g) for g in grads), tuple(_maybe_tensor(G, c) for c in cts))
        if r is not None:
            grads = [G.from_tensor(x) if x is not None else None for x in r]
    if not retain_graph and node._pf is not None and not node._pf.linear:
        node._saved = None
        node._freed = True
    for (child, cnr), g in zip(node._edges, grads):
        if g is None:
            continue
        cbuf = buffers.setdefault(child, {})
        cbuf[cnr] = G.add(cbuf.get(cnr), g)


def _maybe_tensor(G, g):
    return None if g is None else G.as_tensor(g)


def _tensor_hooks(node, buf, G):
    """Hooks registered on the node's output tensors, then retain_grad."""
    if node._tensor_hooks:
        for nr, hooks in node._tensor_hooks.items():
            if nr in buf:
                for hook in list(hooks):
                    r = hook(G.as_tensor(buf[nr]))
                    if r is not None:
                        buf[nr] = G.from_tensor(r)
    if node._retained:
        for nr, ref in node._retained.items():
            t = ref()
            if t is not None and nr in buf:
                _store_grad(t, buf[nr], G)


def _accumulate(acc, g, G, capture, captured, accumulate):
    var = acc.variable
    if g is None:
        return
    if var._hooks:
        for hook in list(var._hooks):
            r = hook(G.as_tensor(g))
            if r is not None:
                g = G.from_tensor(r)
    for hook in acc._prehooks:
        r = hook((G.as_tensor(g),))
        if r is not None:
            g = G.from_tensor(r[0])
    if capture is not None and (acc, 0) in capture:
        captured[(acc, 0)] = g
    if accumulate:
        _store_grad(var, g, G)
        for hook in acc._hooks:
            hook(var)


def _store_grad(var, g, G):
    """``var.grad += g`` as torch's AccumulateGrad does (in place unless create_graph)."""
    if G.create_graph:
        g = G.as_tensor(g)
        var._grad = g if var._grad is None else var._grad + g
        return
    dev = jax_device(var._device)
    if type(g) is _lazy.Pending:
        if g.device != dev:
            g = jax.device_put(g.force(), dev)
    elif not isinstance(g, jax.core.Tracer) and next(iter(g.devices())) != dev:  # traced: compiled
        g = jax.device_put(g, dev)
    if var._grad is None:
        var._grad = G.Tensor._wrap(g, var._device)
    else:
        var._grad._write_value(_lazy.call(_add, (var._grad._lazy_value(), g)))


@jax.jit
def _add(a, b):
    return a + b
