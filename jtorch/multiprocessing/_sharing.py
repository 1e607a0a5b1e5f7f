"""How tensors travel between processes (Note [no shared memory] in _context.py), and torch's
sharing-strategy settings, kept for the programs that set them.

torch registers its tensor types with multiprocessing's ForkingPickler, the pickler behind
queues, pipes and process arguments; jtorch does too. A tensor goes as a copy of its values
(with ``requires_grad``), through the same pickling as ``pickle.dumps``, after torch's checks.
"""

import pickle
import sys
from multiprocessing import reduction

from .._errors import check

if sys.platform in ("darwin", "win32"):
    _sharing_strategy = "file_system"
    _all_sharing_strategies = {"file_system"}
else:
    _sharing_strategy = "file_descriptor"
    _all_sharing_strategies = {"file_descriptor", "file_system"}


def set_sharing_strategy(new_strategy):
    """Set the strategy for sharing CPU tensors. Differences from torch: jtorch shares no
    memory between processes, so the strategy is recorded and changes nothing."""
    global _sharing_strategy
    check(
        new_strategy in _all_sharing_strategies,
        AssertionError,
        lambda: (
            f"invalid sharing strategy {new_strategy!r}, expected one of {_all_sharing_strategies}"
        ),
    )
    _sharing_strategy = new_strategy


def get_sharing_strategy():
    """Return the current strategy for sharing CPU tensors."""
    return _sharing_strategy


def get_all_sharing_strategies():
    """Return a set of sharing strategies supported on a current system."""
    return _all_sharing_strategies


def _reduce_tensor(tensor):
    check(
        not (tensor.requires_grad and not tensor.is_leaf),
        RuntimeError,
        "Cowardly refusing to serialize non-leaf tensor which requires_grad, since autograd "
        "does not support crossing process boundaries.  If you just want to transfer the data, "
        "call detach() on the tensor before serializing (e.g., putting it on the queue).",
    )
    check(
        tensor.device.type == "cpu",
        NotImplementedError,
        lambda: (
            f"torch.multiprocessing: jtorch cannot send a tensor on {tensor.device} to another "
            "process (its child processes run on the CPU only); send tensor.cpu() instead"
        ),
    )
    return tensor.__reduce_ex__(pickle.HIGHEST_PROTOCOL)


def init_reductions():
    """Register jtorch's tensor types with multiprocessing's ForkingPickler, as torch does."""
    from ..nn.parameter import Parameter
    from ..tensor import Tensor

    for cls in (Tensor, Parameter):
        reduction.register(cls, _reduce_tensor)
