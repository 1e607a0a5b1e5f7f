"""torch.nn: the functional interface now; Module, Parameter and the layers come with issue 4."""

from . import functional  # noqa: F401
from . import modules, parameter  # noqa: F401
from .modules import Module, ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential  # noqa: F401
from .parameter import Parameter  # noqa: F401
