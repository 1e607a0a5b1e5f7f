"""How DataLoader worker processes are started; see Note [DataLoader workers].

Note [DataLoader workers]
-------------------------
jax does not survive ``fork``: a process forked after jax has started its runtime inherits the
locks of jax's threads but not the threads, and hangs in its first jax computation (every
forked child did, measured here). torch forks its workers on Linux; jtorch starts them with
multiprocessing's ``forkserver`` method instead. A server process that has imported jtorch, but
started no jax runtime, forks each worker; the dataset, ``collate_fn`` and ``worker_init_fn``
reach the worker pickled (jtorch tensors pickle as numpy arrays), and each batch comes back
pickled and becomes tensors in the main process. A worker runs any jtorch code: datasets that
return tensors, ``default_collate``, a user's ``collate_fn``.

For a script this is what torch itself asks on macOS and Windows (``spawn``) and on Python
3.14+ (``forkserver``): the objects sent to workers must be picklable (no lambdas, no classes
local to a function), and the main script is run again in each worker as ``__mp_main__``, so
its top-level work belongs under ``if __name__ == "__main__":``.

The server is set up by importing this module with ``_SERVER_ENV`` set (it is the server's only
preloaded module; the main script is not preloaded, so an unguarded script fails in a worker,
where the DataLoader reports it, rather than in the server): workers run jax on the CPU only
(as torch's forked workers cannot use CUDA, and so that no worker takes a GPU's memory), and,
when the main process runs under ``python -m jtorch``, ``import torch`` gives jtorch in the
workers too. The server is multiprocessing's one forkserver per process, shared with any other
user of the ``forkserver`` method; if it was started before jtorch's first DataLoader needed it,
it keeps its own preload and the workers import jtorch themselves.

``multiprocessing_context``: ``None``, ``"forkserver"`` and ``"spawn"`` all start workers from
the server (a spawned interpreter would differ only in being slower to start, in not knowing
the torch alias, and in starting every jax backend, GPUs included); ``"fork"`` is honoured only
while jax has not started in this process, and otherwise raises NotImplementedError rather
than hang. Where there is no forkserver (Windows), workers are spawned.
"""

import contextlib
import os
import sys

_SERVER_ENV = "JTORCH_DATALOADER_FORKSERVER"  # "torch" also installs the torch alias
_server_started = False


def _jtorch_root():
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__))))


def _setup_server(mode):
    """Runs once, in the server process, before anything starts jax; gives PYTHONPATH back
    the value it had in the main process (see _server_environment)."""
    import jax

    paths = os.environ.get("PYTHONPATH", "").split(os.pathsep)
    if paths[0] == _jtorch_root():
        if paths[1:]:
            os.environ["PYTHONPATH"] = os.pathsep.join(paths[1:])
        else:
            del os.environ["PYTHONPATH"]

    jax.config.update("jax_platforms", "cpu")
    if mode == "torch":
        from ... import _import_hook

        _import_hook.install()


def _alias_active():
    from ... import _import_hook

    return _import_hook._FINDER in sys.meta_path


def _jax_started():
    try:
        from jax._src import xla_bridge

        return bool(xla_bridge._backends)
    except (ImportError, AttributeError):
        return True


@contextlib.contextmanager
def _server_environment():
    """The environment the server starts with: the setup flag, and jtorch's folder on the path
    (python 3.11's forkserver does not pass ``sys.path`` on to the server)."""
    saved = {key: os.environ.get(key) for key in (_SERVER_ENV, "PYTHONPATH")}
    os.environ[_SERVER_ENV] = "torch" if _alias_active() else "jtorch"
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [_jtorch_root(), saved["PYTHONPATH"]]))
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _forkserver_context():
    global _server_started
    import multiprocessing
    from multiprocessing import forkserver

    ctx = multiprocessing.get_context("forkserver")
    if not _server_started:
        ctx.set_forkserver_preload([__name__])
        with _server_environment():
            forkserver.ensure_running()
        _server_started = True
    return ctx


def refuse_fork_after_jax(api, what, instead):
    """NotImplementedError, where ``api`` would fork ``what`` from this process, once jax has
    started here (Note [DataLoader workers]); ``instead``: the start methods to use."""
    if _jax_started():
        raise NotImplementedError(
            f"{api}: jtorch cannot fork {what} once jax has started in this process (a forked "
            f"jax deadlocks); use {instead}"
        )


def worker_context(requested):
    """The multiprocessing context that starts a DataLoader's workers, for the loader's
    ``multiprocessing_context`` (None, or a context object). See Note [DataLoader workers]."""
    import multiprocessing

    method = None if requested is None else requested.get_start_method()
    if method == "fork":
        refuse_fork_after_jax(
            "DataLoader(multiprocessing_context='fork')",
            "workers",
            "'forkserver' (the default) or 'spawn'",
        )
        return requested
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return requested or multiprocessing.get_context("spawn")  # Windows
    return _forkserver_context()


def _main_module_alias():
    """Keep multiprocessing's ``__mp_main__`` alias on the running script's ``__main__`` (a
    launcher such as ``python -m jtorch`` replaces ``__main__`` after multiprocessing may have
    made the alias), so that objects of classes defined in the script unpickle here."""
    main = sys.modules.get("__main__")
    if main is not None and getattr(main, "__file__", None) is not None:
        sys.modules["__mp_main__"] = main


_mode = os.environ.pop(_SERVER_ENV, None)
if _mode is not None:
    _setup_server(_mode)
