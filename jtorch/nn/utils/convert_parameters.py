"""torch.nn.utils: parameters_to_vector, vector_to_parameters."""

from ..._functions import typename
from ..._ops.rearrange import cat as _cat
from ...tensor import Tensor


def _check_same_device(param, first_device):
    """The device index torch tracks (-1 for the CPU), checked against the first one's."""
    index = param.get_device() if param.device.type == "cuda" else -1
    if first_device is not None and index != first_device:
        raise TypeError(
            "Found two parameters on different devices, this is currently not supported."
        )
    return index


def parameters_to_vector(parameters):
    """One 1-D tensor holding every element of ``parameters``, in order."""
    device = None
    flat = []
    for param in parameters:
        device = _check_same_device(param, device)
        flat.append(param.view(-1))
    return _cat(flat)


def vector_to_parameters(vec, parameters):
    """Point each of ``parameters`` at its slice of ``vec``: after the call their ``.data``
    are views of ``vec``, as in torch."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {typename(vec)}")
    device = None
    start = 0
    for param in parameters:
        device = _check_same_device(param, device)
        n = param.numel()
        param.data = vec[start : start + n].view_as(param).data
        start += n
