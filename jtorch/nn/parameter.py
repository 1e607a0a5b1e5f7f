"""torch.nn.Parameter: a Tensor that a Module registers as one of its parameters."""

from .._errors import check
from ..tensor import Tensor, _rebuild
from ..autograd import grad_mode


class Parameter(Tensor):
    """torch.nn.Parameter(data=None, requires_grad=True): shares ``data``'s storage (and version
    counter), has no autograd history, and prints as ``Parameter containing:``."""

    __slots__ = ()
    _is_param = True

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            from .. import empty

            data = empty(0)
        check(
            not requires_grad or data.is_floating_point() or data.is_complex(),
            RuntimeError,
            "Only Tensors of floating point and complex dtype can require gradients",
        )
        t = data._alias(cls)
        t.__dict__.update(data.__dict__)
        t._requires_grad = bool(requires_grad)
        return t

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        with grad_mode.no_grad():
            result = type(self)(self.data.clone(), self._requires_grad)
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, proto):
        return (_rebuild_parameter, (Tensor.__reduce_ex__(self, proto)[1], self._requires_grad))


def _rebuild_parameter(tensor_args, requires_grad):
    return Parameter(_rebuild(*tensor_args), requires_grad)
