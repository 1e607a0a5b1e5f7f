"""torch.autograd.Function: user-defined forward and backward in Python."""

from .._errors import check
from . import grad_mode
from .graph import Node


class FunctionCtx:
    """The ``ctx`` passed to forward and backward."""

    def __init__(self):
        self.saved_tensors = ()
        self.needs_input_grad = ()
        self.materialize_grads = True
        self._non_differentiable = set()
        self._dirty = ()

    def save_for_backward(self, *tensors):
        self.saved_tensors = tuple(tensors)

    def mark_non_differentiable(self, *tensors):
        self._non_differentiable.update(id(t) for t in tensors)

    def mark_dirty(self, *tensors):
        self._dirty = tensors

    def set_materialize_grads(self, value):
        self.materialize_grads = value


class _PyNode(Node):
    """A graph node whose backward is a user's ``Function.backward``."""

    __slots__ = ("_cls", "_ctx", "_n_inputs")

    def _call_backward(self, cts):
        from ..tensor import Tensor

        if self._freed:
            from ._engine import FREED

            raise RuntimeError(FREED)
        grads = self._cls.backward(self._ctx, *[c if isinstance(c, Tensor) else Tensor._wrap(c) for c in cts])
        grads = grads if isinstance(grads, tuple) else (grads,)
        check(
            len(grads) >= self._n_inputs,
            RuntimeError,
            lambda: f"function {self._name} returned an incorrect number of gradients (expected "
            f"{self._n_inputs}, got {len(grads)})",
        )
        return [g for g, m in zip(grads, self._mask) if m]

    def apply(self, cts):
        return [None if g is None else g._value() for g in self._call_backward(cts)]

    def apply_tensors(self, cts):
        return self._call_backward(cts)


class Function:
    """Subclass with static ``forward(ctx, *args)`` and ``backward(ctx, *grads)``; call ``apply``."""

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your custom autograd.Function to use it with backward mode AD.")

    @classmethod
    def apply(cls, *args, **kwargs):
        from ..tensor import Tensor

        ctx = FunctionCtx()
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a._requires_grad for a in args)
        with grad_mode.no_grad():
            out = cls.forward(ctx, *args, **kwargs)
        # An input returned as is gets an identity of its own, as torch gives it.
        if isinstance(out, tuple):
            out = tuple(o._alias() if any(o is a for a in args) else o for o in out)
        elif any(out is a for a in args):
            out = out._alias()
        outs = out if isinstance(out, tuple) else (out,)
        mask = ctx.needs_input_grad
        if grad_mode.is_grad_enabled() and any(mask):
            _attach(cls, ctx, args, mask, outs)
        return out


def _attach(cls, ctx, args, mask, outs):
    from ..tensor import Tensor

    diff = [
        o
        for o in outs
        if isinstance(o, Tensor) and (o._dtype.is_floating_point or o._dtype.is_complex)
        and id(o) not in ctx._non_differentiable
    ]
    edges = [a._grad_edge() for a, m in zip(args, mask) if m]
    meta = [(o._shape, o._dtype._np) for o in diff]
    node_cls = cls.__dict__.get("_node_cls")
    if node_cls is None:
        node_cls = type(cls.__name__ + "Backward", (_PyNode,), {"__slots__": ()})
        cls._node_cls = node_cls
    node = node_cls(cls.__name__ + "Backward", None, None, mask, None, meta, edges)
    node._cls, node._ctx, node._n_inputs = cls, ctx, len(args)
    for i, o in enumerate(diff):
        o._grad_fn, o._output_nr, o._requires_grad = node, i, True
