"""``python -m jtorch``: run a PyTorch program on jtorch, unchanged.

    python -m jtorch script.py [arg] ...     like ``python script.py [arg] ...``
    python -m jtorch -c command [arg] ...    like ``python -c command [arg] ...``
    python -m jtorch -m module [arg] ...     like ``python -m module [arg] ...``
    python -m jtorch - [arg] ...             like ``python - [arg] ...`` (program from stdin)

The program runs in lazy mode (Note [lazy mode] in ``jtorch/_lazy.py``: a training step runs as
one cached XLA program; ``JTORCH_LAZY=0`` runs every op eagerly instead).

The program runs as plain ``python`` would run it (``sys.argv``, ``sys.path[0]``, a fresh
``__main__`` module, tracebacks, exit status), except that ``import torch`` and every
``torch.X`` resolve to jtorch (see Note [torch alias] in ``jtorch/_import_hook.py``).

Differences from python: no interactive mode (no arguments prints usage) and no interpreter
options; give those to python itself, e.g. ``python -X dev -m jtorch script.py``.
"""

import builtins
import importlib.machinery
import importlib.util
import io
import marshal
import os
import runpy
import sys
import types
import zipfile

from jtorch import _import_hook, _lazy

USAGE = "usage: python -m jtorch [-c cmd | -m mod | file | -] [arg] ..."

# The module python started us in; it must outlive its replacement in sys.modules,
# since our own functions still run in its namespace.
_LAUNCHER_MAIN = sys.modules.get("__main__")


def main(args=None):
    """Run the program named by ``args`` (default ``sys.argv[1:]``) with torch aliased."""
    args = sys.argv[1:] if args is None else list(args)
    run, target, rest = _parse(args)
    _import_hook.install()
    # Note [lazy mode]: the script's training steps run as cached XLA programs (JTORCH_LAZY=0: eager)
    _lazy.enable(os.environ.get("JTORCH_LAZY", "1").strip() != "0")
    try:
        run(target, rest)
    except SystemExit:
        raise
    except BaseException:
        # Let python report it, so that exit status and KeyboardInterrupt's signal
        # behave as for a plain run, but without our frames on top of the user's.
        sys.excepthook = _hide_launcher_frames(sys.excepthook)
        raise


def _parse(args):
    if not args:
        _usage_error("no program given")
    first, rest = args[0], args[1:]
    if first in ("-h", "--help"):
        print(f"{USAGE}\nRuns the program as python would, with `import torch` giving jtorch.")
        raise SystemExit(0)
    for option, run in (("-c", _run_command), ("-m", _run_module)):
        if first == option:
            if not rest:
                _usage_error(f"Argument expected for the {option} option")
            return run, rest[0], rest[1:]
        if first.startswith(option):
            return run, first[len(option) :], rest
    if first == "-":
        return _run_stdin, first, rest
    if first.startswith("-"):
        _usage_error(f"Unknown option: {first}")
    return _run_path, first, rest


def _usage_error(message):
    print(f"{message}\n{USAGE}", file=sys.stderr)
    raise SystemExit(2)


def _run_path(path, rest):
    sys.argv[:] = [path, *rest]
    if os.path.isdir(path) or zipfile.is_zipfile(path):
        return _run_main_of(path)
    abs_path = os.path.abspath(path)
    try:
        with io.open_code(abs_path) as file:
            source = file.read()
    except OSError as exc:
        program = sys.orig_argv[0] if sys.orig_argv else "python"
        print(
            f"{program}: can't open file {abs_path!r}: [Errno {exc.errno}] {exc.strerror}",
            file=sys.stderr,
        )
        raise SystemExit(2) from None
    _set_path0(os.path.dirname(os.path.realpath(abs_path)))
    if source[:4] == importlib.util.MAGIC_NUMBER:
        code = marshal.loads(source[16:])
        loader = importlib.machinery.SourcelessFileLoader("__main__", abs_path)
    else:
        code = compile(source, abs_path, "exec", dont_inherit=True)
        loader = importlib.machinery.SourceFileLoader("__main__", abs_path)
    _exec_as_main(code, __file__=abs_path, __cached__=None, __loader__=loader)


def _run_main_of(path):
    """A directory or zip file with a ``__main__.py``, as python runs it."""
    path0 = os.path.abspath(path)
    if getattr(sys.flags, "safe_path", False):
        sys.path.insert(0, path0)  # python adds this one even under -P
    else:
        sys.path[0] = path0
    # runpy's private helpers are what python's own `-m` and pdb use.
    try:
        _, spec, code = runpy._get_main_module_details(runpy._Error)
    except runpy._Error as exc:
        raise SystemExit(f"{sys.executable}: {exc}") from None
    _exec_as_main(code, **_spec_attrs(spec))


def _run_module(name, rest):
    sys.argv[:] = ["-m", *rest]
    try:
        _, spec, code = runpy._get_module_details(name, runpy._Error)
    except runpy._Error as exc:
        raise SystemExit(f"{sys.executable}: {exc}") from None
    sys.argv[0] = spec.origin
    _exec_as_main(code, **_spec_attrs(spec))


def _run_command(command, rest):
    sys.argv[:] = ["-c", *rest]
    _set_path0("")
    code = compile(command, "<string>", "exec", dont_inherit=True)
    _exec_as_main(code, __loader__=importlib.machinery.BuiltinImporter)


def _run_stdin(_, rest):
    sys.argv[:] = ["-", *rest]
    _set_path0("")
    code = compile(sys.stdin.buffer.read(), "<stdin>", "exec", dont_inherit=True)
    _exec_as_main(
        code,
        __file__="<stdin>",
        __cached__=None,
        __loader__=importlib.machinery.BuiltinImporter,
    )


def _spec_attrs(spec):
    return {
        "__file__": spec.origin,
        "__cached__": spec.cached,
        "__loader__": spec.loader,
        "__package__": spec.parent,
        "__spec__": spec,
    }


def _set_path0(path0):
    """Put in sys.path[0] what python would have put there for this program."""
    if not getattr(sys.flags, "safe_path", False):
        sys.path[0] = path0


def _exec_as_main(code, **attrs):
    module = types.ModuleType("__main__")
    module.__dict__.update(__builtins__=builtins, **attrs)
    sys.modules["__main__"] = module
    exec(code, module.__dict__)


def _hide_launcher_frames(hook):
    def excepthook(exc_type, exc, tb):
        while tb is not None and _is_launcher_frame(tb.tb_frame):
            tb = tb.tb_next
        hook(exc_type, exc.with_traceback(tb), tb)

    return excepthook


def _is_launcher_frame(frame):
    return frame.f_globals is runpy.__dict__ or frame.f_code.co_filename == __file__


if __name__ == "__main__":
    main()
