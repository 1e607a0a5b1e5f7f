"""torch.utils: data loading (``torch.utils.data``) and hook handles (``torch.utils.hooks``)."""

from . import data, hooks

__all__ = ["data", "hooks"]
