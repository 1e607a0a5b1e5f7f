"""torch.nn: Flatten, Unflatten."""

from .module import Module


class Flatten(Module):
    """torch.nn.Flatten: flattens dims ``start_dim`` to ``end_dim`` into one.

    Shape: input ``(*, S_start, ..., S_end, *)``, output ``(*, prod(S_start..S_end), *)``.

    Examples::

        >>> nn.Flatten()(torch.randn(32, 1, 5, 5)).size()
        torch.Size([32, 25])
    """

    __constants__ = ["start_dim", "end_dim"]

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input):
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """torch.nn.Unflatten: expands dim ``dim`` into the shape ``unflattened_size`` (a tuple or
    list of ints, one of which may be -1).

    Shape: input ``(*, S_dim, *)``, output ``(*, U_1, ..., U_n, *)``.

    Examples::

        >>> nn.Unflatten(1, (2, 5, 5))(torch.randn(2, 50)).size()
        torch.Size([2, 2, 5, 5])
    """

    __constants__ = ["dim", "unflattened_size"]

    def __init__(self, dim, unflattened_size):
        super().__init__()
        _require_tuple_int(unflattened_size)
        self.dim = dim
        self.unflattened_size = unflattened_size

    def forward(self, input):
        return input.unflatten(self.dim, self.unflattened_size)

    def extra_repr(self):
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"


def _require_tuple_int(size):
    if not isinstance(size, (tuple, list)):
        raise TypeError(
            f"unflattened_size must be a tuple of ints, but found type {type(size).__name__}"
        )
    for i, elem in enumerate(size):
        if not isinstance(elem, int):
            raise TypeError(
                f"unflattened_size must be tuple of ints, but found element of type {type(elem).__name__} at pos {i}"
            )
