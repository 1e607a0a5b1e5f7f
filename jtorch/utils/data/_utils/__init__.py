"""torch.utils.data._utils: the import path torch documents for extending ``default_collate``
(``torch.utils.data._utils.collate.default_collate_fn_map``)."""

from . import collate

__all__ = ["collate"]
