"""torch.nn: Module, Parameter, the layers (modules/), functional, init and utils."""

from . import functional, init, modules, parameter, utils  # noqa: F401
from .modules import *  # noqa: F401,F403  (modules/__init__.py is the explicit list)
from .parameter import Buffer, Parameter, UninitializedBuffer, UninitializedParameter  # noqa: F401
