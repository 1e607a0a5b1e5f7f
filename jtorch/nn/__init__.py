"""torch.nn: the functional interface now; Module, Parameter and the layers come with issue 4."""

from . import functional  # noqa: F401
