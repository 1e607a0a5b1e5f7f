"""torch.layout and torch.memory_format constants, and the check factories make of ``layout=``.

jtorch has strided tensors only. The other layouts exist so that code naming them (a
``layout`` comparison, a checkpoint holding ``torch.sparse_coo``) runs; asking for a tensor in
one of them raises NotImplementedError naming the call.
"""

from ._errors import check


class layout:
    """torch.layout: how a tensor's elements are laid out (jtorch has ``torch.strided`` only)."""

    def __init__(self, name):
        self._name = name

    def __repr__(self):
        return "torch." + self._name

    def __reduce__(self):
        return self._name  # the module attribute of that name: one object per layout


class memory_format:
    """torch.memory_format: the order of a strided tensor's elements in memory."""

    def __init__(self, name):
        self._name = name

    def __repr__(self):
        return "torch." + self._name

    def __reduce__(self):
        return self._name


strided = layout("strided")
sparse_coo = layout("sparse_coo")
sparse_csr = layout("sparse_csr")
sparse_csc = layout("sparse_csc")
sparse_bsr = layout("sparse_bsr")
sparse_bsc = layout("sparse_bsc")
_mkldnn = layout("_mkldnn")
jagged = layout("jagged")
contiguous_format = memory_format("contiguous_format")
preserve_format = memory_format("preserve_format")
channels_last = memory_format("channels_last")


def check_strided(name, value):
    """A factory's ``layout=`` argument: None or ``torch.strided`` pass; any other layout raises
    NotImplementedError naming ``torch.<name>`` and the layout, anything else torch's TypeError."""
    if value is None or value is strided:
        return
    check(
        isinstance(value, layout),
        TypeError,
        lambda: f"{name}(): argument 'layout' must be torch.layout, not {type(value).__name__}",
    )
    kind = "sparse tensors" if value._name.startswith("sparse") else f"{value} tensors"
    raise NotImplementedError(
        f"torch.{name}(..., layout={value}) is not supported by jtorch: it has no {kind} "
        "(only torch.strided)"
    )
