"""torch.utils.hooks: the handle a ``register_*_hook`` call returns."""

from ..nn.modules._hooks import RemovableHandle

__all__ = ["RemovableHandle"]
