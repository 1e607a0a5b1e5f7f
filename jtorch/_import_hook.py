"""The import alias behind ``python -m jtorch``: ``torch`` and ``torch.X`` resolve to jtorch.

Note [torch alias]
------------------
``install()`` puts one finder at the front of ``sys.meta_path``. It claims the name ``torch``
and every ``torch.X...`` name, and its loader hands back the module ``jtorch.X...`` itself,
so ``sys.modules["torch.nn"] is jtorch.nn`` and there is exactly one copy of every module
(isinstance checks, registries and module state stay shared). The finder must claim every
``torch.*`` name, found or not: left to the default path finder, ``torch.nn`` would be found
on ``jtorch.__path__`` and executed a second time as a different module.

The import system stamps the alias spec onto the module it loads (``module.__spec__`` is
always overwritten); the loader puts jtorch's own spec back, so ``jtorch.nn.__spec__.name``
stays ``"jtorch.nn"`` and relative imports inside jtorch keep working.

Only ``jtorch.__main__`` installs the finder. Importing jtorch never touches ``torch``, so
real torch and jtorch can live side by side in one process (the conformance suite does).
``torchvision``, ``torchaudio`` and other ``torch*`` distributions are different top-level
names and are left alone.
"""

import importlib
import importlib.abc
import importlib.machinery
import sys

_ALIAS = "torch"
_TARGET = "jtorch"


def _aliased(name, source, target):
    """``name`` with its leading package ``source`` replaced by ``target``."""
    return target + name[len(source) :]


class _TorchAliasLoader(importlib.abc.Loader):
    """Loads ``torch.X`` by importing ``jtorch.X`` and returning that very module."""

    def __init__(self, target):
        self._target = target
        self._target_spec = None

    def create_module(self, spec):
        try:
            module = importlib.import_module(self._target)
        except ModuleNotFoundError as exc:
            missing = exc.name or ""
            if not (self._target == missing or self._target.startswith(missing + ".")):
                raise  # something jtorch itself imports is missing: report it as it is
            if missing == _TARGET:
                raise
            torch_name = _aliased(missing, _TARGET, _ALIAS)
            raise ModuleNotFoundError(
                f"No module named {torch_name!r} (jtorch does not provide it yet)",
                name=torch_name,
            ) from None
        self._target_spec = module.__spec__
        return module

    def exec_module(self, module):
        # The module is already executed (as jtorch.X); undo the import system's
        # __spec__ overwrite, see Note [torch alias].
        module.__spec__ = self._target_spec


class _TorchAliasFinder(importlib.abc.MetaPathFinder):
    """Claims ``torch`` and ``torch.*`` for jtorch; see Note [torch alias]."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != _ALIAS and not fullname.startswith(_ALIAS + "."):
            return None
        loader = _TorchAliasLoader(_aliased(fullname, _ALIAS, _TARGET))
        return importlib.machinery.ModuleSpec(fullname, loader)


_FINDER = _TorchAliasFinder()


def install():
    """Make ``import torch`` (and ``torch.X``) import jtorch in this process.

    Raises RuntimeError if real torch is already imported: mixing the two would hand a
    script torch tensors from one import and jtorch tensors from another.
    """
    if _FINDER in sys.meta_path:
        return
    loaded = sorted(n for n in sys.modules if n == _ALIAS or n.startswith(_ALIAS + "."))
    if loaded:
        raise RuntimeError(
            f"cannot alias torch to jtorch: {', '.join(loaded[:3])} is already imported"
        )
    sys.meta_path.insert(0, _FINDER)
