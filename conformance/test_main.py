"""``python -m jtorch``: runs a program exactly as ``python`` does, with torch aliased to jtorch.

Speaks about jtorch/__main__.py and jtorch/_import_hook.py. Where python's own behaviour is
the yardstick (argv, sys.path[0], the __main__ module, exit status, tracebacks), each case
runs under plain ``python`` and under ``python -m jtorch`` in subprocesses and the two must
agree; the alias itself is checked inside a ``python -m jtorch`` run.
"""

import os
import signal
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# What a program can see of how it was started; printed identically by python and jtorch.
PROBE = textwrap.dedent(
    """\
    import pickle, sys
    main = sys.modules["__main__"]
    spec = main.__spec__
    loader = main.__loader__
    print("argv", sys.argv)
    print("path0", repr(sys.path[0]))
    print("name", __name__, "main is this module", main.__dict__ is globals())
    g = globals()
    print("file", g.get("__file__", "<unset>"), "cached", g.get("__cached__", "<unset>"))
    print("package", repr(__package__), "spec", spec and (spec.name, spec.origin))
    print("loader", getattr(loader, "__name__", type(loader).__name__))
    print("builtins", type(__builtins__).__name__)

    class Point:
        pass

    print("pickles", type(pickle.loads(pickle.dumps(Point()))))
    """
)


def python(args, *, jtorch, cwd, input=None, options=()):
    """Run ``python [options] [-m jtorch] args`` in ``cwd``; jtorch comes from this checkout."""
    launcher = ["-m", "jtorch"] if jtorch else []
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        JAX_PLATFORMS="cpu",
    )
    return subprocess.run(
        [sys.executable, *options, *launcher, *args],
        check=False,
        cwd=cwd,
        env=env,
        input=input,
        capture_output=True,
        text=True,
        timeout=300,
    )


def assert_same_as_python(args, cwd, input=None, options=()):
    expected = python(args, jtorch=False, cwd=cwd, input=input, options=options)
    actual = python(args, jtorch=True, cwd=cwd, input=input, options=options)
    assert (actual.returncode, actual.stdout, actual.stderr) == (
        expected.returncode,
        expected.stdout,
        expected.stderr,
    )
    return actual


@pytest.fixture
def programs(tmp_path):
    """A folder with the probe as script, symlink, package module, directory and zip app."""
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "probe.py").write_text(PROBE)
    (tmp_path / "probe.py").write_text(PROBE)
    (tmp_path / "link.py").symlink_to(tmp_path / "sub" / "probe.py")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "probe.py").write_text(PROBE)
    (tmp_path / "pkg" / "__main__.py").write_text(PROBE)
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__main__.py").write_text(PROBE)
    (tmp_path / "empty").mkdir()
    with zipfile.ZipFile(tmp_path / "app.zip", "w") as archive:
        archive.writestr("__main__.py", PROBE)
    return tmp_path


@pytest.mark.parametrize(
    "args",
    [
        ["probe.py", "a", "--b", "-m", "x"],
        ["sub/probe.py"],
        ["link.py", "arg"],
        ["-c", PROBE, "x", "-c"],
        ["-m", "pkg.probe", "y"],
        ["-m", "pkg"],
        ["app", "z"],
        ["app.zip"],
    ],
    ids=["script", "script-in-subdir", "symlink", "-c", "-m", "-m-package", "dir", "zip"],
)
def test_program_sees_what_python_shows_it(programs, args):
    result = assert_same_as_python(args, programs)
    assert "name __main__ main is this module True" in result.stdout


def test_absolute_script_path(programs):
    assert_same_as_python([str(programs / "sub" / "probe.py"), "q"], programs)


def test_program_from_stdin(programs):
    assert_same_as_python(["-", "r"], programs, input=PROBE)


def test_attached_option_argument(programs):
    assert_same_as_python(["-cimport sys; print(sys.argv, __name__)", "s"], programs)


@pytest.mark.skipif(sys.version_info < (3, 11), reason="python -P is new in 3.11")
def test_safe_path_option(programs):
    assert_same_as_python(["sub/probe.py"], programs, options=["-P"])
    assert_same_as_python(["-c", PROBE], programs, options=["-P"])


ERRORS = {
    "nested": "def inner():\n    return 1 / 0\n\ndef outer():\n    inner()\n\nouter()\n",
    "chained": "try:\n    {}['k']\nexcept KeyError as e:\n    raise ValueError('bad') from e\n",
    "syntax": "x = 1\ndef (:\n",
    "excepthook": (
        "import sys\n"
        "sys.excepthook = lambda t, v, tb: print('hooked', t.__name__, v, tb.tb_lineno)\n"
        "raise RuntimeError('boom')\n"
    ),
    "after-import-torch": "import torch\nimport torch.autograd\nraise ValueError('after import')\n",
}


@pytest.mark.parametrize("name", ERRORS)
def test_uncaught_exception_is_reported_as_python_does(tmp_path, name):
    (tmp_path / "prog.py").write_text(ERRORS[name])
    result = assert_same_as_python(["prog.py"], tmp_path)
    assert result.returncode == 1
    assert "jtorch" not in result.stderr and "runpy" not in result.stderr


def test_traceback_shows_the_users_file_and_line(tmp_path):
    (tmp_path / "prog.py").write_text(ERRORS["nested"])
    result = python(["prog.py"], jtorch=True, cwd=tmp_path)
    frames = [line for line in result.stderr.splitlines() if line.startswith("  File ")]
    prog = str(tmp_path / "prog.py")
    assert frames == [
        f'  File "{prog}", line 7, in <module>',
        f'  File "{prog}", line 5, in outer',
        f'  File "{prog}", line 2, in inner',
    ]
    assert result.stderr.splitlines()[-1] == "ZeroDivisionError: division by zero"


@pytest.mark.parametrize(
    "code",
    [
        "import sys; sys.exit(3)",
        "raise SystemExit('bye')",
        "raise SystemExit",
        "import sys; print('out'); sys.exit(0)",
        "raise KeyError('k')",
        "def f():\n    raise KeyboardInterrupt\nf()",
    ],
)
def test_exit_status_and_output(tmp_path, code):
    assert_same_as_python(["-c", code], tmp_path)


def test_keyboard_interrupt_ends_the_process_by_sigint(tmp_path):
    result = python(["-c", "raise KeyboardInterrupt"], jtorch=True, cwd=tmp_path)
    assert result.returncode == -signal.SIGINT


@pytest.mark.parametrize(
    "args",
    [
        ["missing.py"],
        ["-m", "no_such_module_anywhere"],
        ["-m", "pkg"],
        ["empty"],
        ["-m", "pkg.nope"],
    ],
)
def test_program_not_found(programs, args):
    (programs / "pkg" / "__main__.py").unlink()
    result = assert_same_as_python(args, programs)
    assert result.returncode in (1, 2)


@pytest.mark.parametrize(
    "args, status",
    [([], 2), (["-x", "prog.py"], 2), (["-c"], 2), (["-m"], 2), (["-h"], 0), (["--help"], 0)],
)
def test_usage(tmp_path, args, status):
    result = python(args, jtorch=True, cwd=tmp_path)
    assert result.returncode == status
    stream = result.stdout if status == 0 else result.stderr
    assert "usage: python -m jtorch" in stream


ALIAS = textwrap.dedent(
    """\
    import sys
    import torch
    import jtorch
    import torch.autograd
    from torch.autograd import graph as G
    import torch.autograd.grad_mode
    from torch.autograd.grad_mode import no_grad
    import torch.cuda as cuda
    checks = {
        "torch is jtorch": torch is jtorch,
        "torch.autograd is jtorch.autograd": torch.autograd is jtorch.autograd,
        "sys.modules": sys.modules["torch.autograd"] is jtorch.autograd,
        "from-import": G is jtorch.autograd.graph,
        "torch.autograd.grad_mode": sys.modules["torch.autograd.grad_mode"] is jtorch.autograd.grad_mode,
        "no_grad": no_grad is jtorch.no_grad,
        "cuda": cuda is jtorch.cuda,
        "own spec kept": jtorch.autograd.__spec__.name == "jtorch.autograd",
        "one copy of each module": all(
            module.__name__ == "j" + name
            for name, module in sys.modules.items()
            if name == "torch" or name.startswith("torch.")
        ),
    }
    failed = [name for name, ok in checks.items() if not ok]
    print("failed:", failed)
    """
)


def test_import_torch_gives_jtorch(tmp_path):
    (tmp_path / "prog.py").write_text(ALIAS)
    result = python(["prog.py"], jtorch=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "failed: []\n"


def test_missing_submodule_names_torch(tmp_path):
    code = textwrap.dedent(
        """\
        try:
            import torch.no_such_submodule
        except ModuleNotFoundError as error:
            print(error.name)
        from torch import no_such_submodule
        """
    )
    result = python(["-c", code], jtorch=True, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == "torch.no_such_submodule\n"
    assert result.stderr.splitlines()[-1].startswith(
        "ImportError: cannot import name 'no_such_submodule'"
    )
    result = python(["-c", "import torch.no_such_submodule.deeper"], jtorch=True, cwd=tmp_path)
    assert result.stderr.splitlines()[-1] == (
        "ModuleNotFoundError: No module named 'torch.no_such_submodule'"
        " (jtorch does not provide it yet)"
    )


def test_torchvision_is_left_alone(tmp_path):
    code = "import importlib.util; print(importlib.util.find_spec('torchvision') is None)"
    assert_same_as_python(["-c", code], tmp_path)


def test_finder_claims_only_torch():
    from jtorch import _import_hook

    finder = _import_hook._TorchAliasFinder()
    for name in ["torch", "torch.nn", "torch.utils.data"]:
        assert finder.find_spec(name) is not None, name
    for name in ["torchvision", "torchvision.models", "torchaudio", "torch_geometric", "jtorch"]:
        assert finder.find_spec(name) is None, name


def test_real_torch_stays_real_in_this_process():
    import torch
    import torch.autograd.graph

    import jtorch
    import jtorch.__main__  # importing the launcher must not install the alias
    import jtorch.autograd.graph
    from jtorch import _import_hook

    assert torch.__name__ == "torch" and sys.modules["torch"] is torch
    assert torch is not jtorch and torch.autograd is not jtorch.autograd
    assert sys.modules["torch.autograd.graph"].__name__ == "torch.autograd.graph"
    assert not any(isinstance(f, _import_hook._TorchAliasFinder) for f in sys.meta_path)


def test_alias_refuses_when_real_torch_is_loaded(tmp_path):
    code = "import torch\nfrom jtorch import _import_hook\n_import_hook.install()"
    result = python(["-c", code], jtorch=False, cwd=tmp_path)
    assert result.returncode == 1
    assert "RuntimeError: cannot alias torch to jtorch" in result.stderr


# Note [CPU dispatch] in jtorch/_lazy.py: lazy mode from the start runs CPU programs inline, and a
# user's own choice of jax's dispatch stands.
DISPATCH = "import torch, jax\nprint(jax.config.values['jax_cpu_enable_async_dispatch'])\n"


@pytest.mark.parametrize(
    "env, expected",
    [
        ({}, "False"),
        ({"JTORCH_LAZY": "0"}, "True"),
        ({"JAX_CPU_ENABLE_ASYNC_DISPATCH": "true"}, "True"),
        # jax 0.10 itself reads no such variable: jtorch applies it
        ({"JAX_CPU_ENABLE_ASYNC_DISPATCH": "false"}, "False"),
        ({"JAX_CPU_ENABLE_ASYNC_DISPATCH": "True", "JTORCH_LAZY": "1"}, "True"),
    ],
)
def test_cpu_dispatch_in_lazy_mode(tmp_path, monkeypatch, env, expected):
    (tmp_path / "probe.py").write_text(DISPATCH)
    for name in ("JTORCH_LAZY", "JAX_CPU_ENABLE_ASYNC_DISPATCH"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    done = python(["probe.py"], jtorch=True, cwd=tmp_path)
    assert (done.returncode, done.stdout.strip()) == (0, expected), done.stderr
