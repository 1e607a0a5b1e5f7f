"""Autograd through writes into views (torch's CopySlices) and regenerated view histories.

When an in-place op writes a view whose base takes part in autograd, the base's history
becomes "scatter the new values into the old base" (one recorded PureFn per view chain), and
every view of that base re-derives its own history from the base's new one the next time it is
used (``_hist_ver`` tells it the base moved on). See Note [views and versions] in _storage.py.
"""

import jax.numpy as jnp

from .._storage import ViewSpec, _reader, _writer
from . import grad_mode
from .graph import PureFn

_fns = {}


def _suffix(view, base):
    """The view chain from ``base`` (not from the storage root) to ``view``."""
    spec, chain = view._view, base._view
    depth = len(chain.keys) if chain is not None else 0
    if chain is None or all(a is b for a, b in zip(spec.dyn[:depth], chain.dyn)) and spec.keys[:depth] == chain.keys:
        return ViewSpec(base._shape, spec.keys[depth:], spec.fns[depth:], spec.dyn[depth:], spec.overlapping)
    # ``view`` was made before an in-place view op (t_, squeeze_) gave ``base`` a chain of its
    # own: step back from ``base`` to the root (those ops move every element once), then forward.
    key = ("unview", chain.root_shape)
    return ViewSpec(base._shape, (key, *spec.keys), (_unview(chain.root_shape), *spec.fns), ((chain.index_map(),), *spec.dyn), spec.overlapping)


def _unview(root_shape):
    def unview(x, index_map):
        flat = jnp.zeros(index_map.size, x.dtype).at[index_map.reshape(-1)].set(x.reshape(-1))
        return flat.reshape(root_shape)

    return unview


def _pure(kind, spec, make):
    key = (kind, spec.chain_key())
    pf = _fns.get(key)
    if pf is None:
        pf = _fns[key] = PureFn(key, make(spec))
    return pf


def copy_slices(view, base, new):
    """Record that ``view`` (of ``base``) was overwritten in place with tensor ``new``."""
    from .._ops._registry import record_function
    from ..tensor import Tensor

    spec = _suffix(view, base)
    pf = _pure("CopySlices", spec, _writer)
    nb = Tensor._wrap(base._value(), base._device)
    record_function("torch::autograd::CopySlices", pf, [base, new, spec.dyn], [base._value(), new._value(), spec.dyn], [nb], False)
    base._grad_fn, base._output_nr, base._requires_grad = nb._grad_fn, nb._output_nr, nb._requires_grad
    base._hist_ver += 1
    view._view_hist = base._hist_ver
    regenerate(view)


def regenerate(view):
    """Re-derive ``view``'s history from its base's current history."""
    from .._ops._registry import record_function
    from ..tensor import Tensor

    base = view._base
    view._view_hist = base._hist_ver
    if not base._requires_grad:
        return
    spec = _suffix(view, base)
    pf = _pure("AsStrided", spec, _reader)
    out = Tensor._wrap(view._value(), view._device)
    with grad_mode.enable_grad():
        record_function("AsStridedBackward0", pf, [base, spec.dyn], [base._value(), spec.dyn], [out], False)
    view._grad_fn, view._output_nr, view._requires_grad = out._grad_fn, out._output_nr, out._requires_grad
