"""torch.autograd: backward, grad, Function and the grad modes."""

import jax
import jax.numpy as jnp
import numpy as np

from .._errors import check
from . import _engine, graph
from ._engine import run_backward
from .function import Function, FunctionCtx
from .grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)

__all__ = [
    "Function",
    "FunctionCtx",
    "Variable",
    "backward",
    "enable_grad",
    "grad",
    "graph",
    "inference_mode",
    "is_grad_enabled",
    "is_inference_mode_enabled",
    "no_grad",
    "set_grad_enabled",
]


def _as_tuple(x):
    if x is None:
        return None
    return tuple(x) if isinstance(x, (list, tuple)) else (x,)


_ones_cache = {}


def _ones(shape, dtype, device):
    """The implicit gradient of a scalar output (jax arrays are immutable: one per signature)."""
    key = (shape, dtype, device)
    a = _ones_cache.get(key)
    if a is None:
        from .._device import jax_device

        a = _ones_cache[key] = jax.device_put(np.ones(shape, dtype), jax_device(device))
    return a


def _root_grads(outputs, grad_outputs, create_graph):
    """Validated initial gradients for ``outputs`` (torch's errors and implicit ones)."""
    Tensor = _engine.Tensor
    if not grad_outputs and not create_graph and len(outputs) == 1:  # ``loss.backward()``
        out = outputs[0]
        if type(out) is Tensor and out._requires_grad and not out._shape:
            if out._dtype.is_floating_point:
                return [_ones(out._shape, out._dtype._np, out._device)]
    grads = []
    grad_outputs = grad_outputs or (None,) * len(outputs)
    check(
        len(grad_outputs) == len(outputs),
        RuntimeError,
        lambda: "grad can be implicitly created only for scalar outputs",
    )
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        check(isinstance(out, Tensor), TypeError, "backward() expected Tensors as outputs")
        check(
            out._requires_grad,
            RuntimeError,
            lambda: f"element {i} of tensors does not require grad and does not have a grad_fn",
        )
        if g is None:
            check(out.numel() == 1, RuntimeError, "grad can be implicitly created only for scalar outputs")
            check(
                out._dtype.is_floating_point,
                RuntimeError,
                lambda: f"grad can be implicitly created only for real scalar outputs but got {out._dtype}",
            )
            value = _ones(out._shape, out._dtype._np, out._device)
            grads.append(Tensor._wrap(value, out._device) if create_graph else value)
            continue
        check(isinstance(g, Tensor), TypeError, "gradients can be either Tensors or None")
        check(
            g._shape == out._shape,
            RuntimeError,
            lambda: f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and output[{i}] has a "
            f"shape of {out.shape}.",
        )
        if g._dtype is not out._dtype:
            g = g.to(out._dtype)
        grads.append(g if create_graph else g._value())
    return grads


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None, inputs=None):
    """Accumulate d(tensors)/d(leaves) into the leaves' ``.grad``."""
    tensors = _as_tuple(tensors)
    grad_tensors = _as_tuple(grad_tensors if grad_tensors is not None else grad_variables)
    if retain_graph is None:
        retain_graph = create_graph
    grads = _root_grads(tensors, grad_tensors, create_graph)
    roots = [t._grad_edge() for t in tensors]
    if inputs is None:
        run_backward(roots, grads, retain_graph, create_graph)
        return
    inputs = _as_tuple(inputs)
    check(len(inputs) > 0, RuntimeError, "'inputs' argument to backward() cannot be empty.")
    edges = [_input_edge(t) for t in inputs]
    captured = run_backward(roots, grads, retain_graph, create_graph, capture=edges, accumulate=False)
    from ._engine import _Grads, _store_grad

    G = _Grads(create_graph)
    for t, g in zip(inputs, captured):
        if g is not None:
            _store_grad(t, g, G)


def _input_edge(t):
    check(t._requires_grad, RuntimeError, "One of the differentiated Tensors does not require grad")
    return t._grad_edge()


def grad(
    outputs,
    inputs,
    grad_outputs=None,
    retain_graph=None,
    create_graph=False,
    only_inputs=True,
    allow_unused=None,
    is_grads_batched=False,
    materialize_grads=False,
):
    """Gradients of ``outputs`` with respect to ``inputs``, without touching ``.grad``."""
    from ..tensor import Tensor

    if is_grads_batched:
        raise NotImplementedError("torch.autograd.grad(is_grads_batched=True) is not supported by jtorch")
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    if retain_graph is None:
        retain_graph = create_graph
    grads = _root_grads(outputs, _as_tuple(grad_outputs), create_graph)
    edges = [_input_edge(t) for t in inputs]
    roots = [t._grad_edge() for t in outputs]
    captured = run_backward(roots, grads, retain_graph, create_graph, capture=edges, accumulate=False)
    result = []
    for t, g in zip(inputs, captured):
        if g is None:
            check(
                allow_unused,
                RuntimeError,
                "One of the differentiated Tensors appears to not have been used in the graph. "
                "Set allow_unused=True if this is the desired behavior.",
            )
            result.append(Tensor._wrap(jnp.zeros(t._shape, t._dtype._np), t._device) if materialize_grads else None)
        else:
            result.append(g if isinstance(g, Tensor) else Tensor._wrap(g, t._device))
    return tuple(result)


def Variable(data, requires_grad=False):
    """The deprecated ``torch.autograd.Variable``: returns the tensor itself."""
    if requires_grad:
        data.requires_grad_(True)
    return data

