"""torch.multiprocessing, torch.sparse and the layouts against real torch: speaks about
jtorch/multiprocessing/, jtorch/sparse.py, jtorch/_layout.py, the ``layout=`` argument of the
factories (jtorch/_ops/{creation,ranges,random}.py) and the sparse and shared-memory methods of
jtorch/tensor.py.

jtorch has strided tensors only and shares no memory between processes: what would make a
sparse tensor or share memory raises NotImplementedError naming the torch call, and those
cases are checked against jtorch's own promise (torch would succeed). Everything else is
compared with torch. Starting processes costs seconds, so few tests do: the children here run
builtins (nothing to import), except one script run under ``python`` and ``python -m jtorch``.
"""

import multiprocessing
import operator
import os
import pickle
import signal
import subprocess
import sys
import textwrap
from multiprocessing.reduction import ForkingPickler
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.multiprocessing

import jtorch
from conformance._compare import same, same_outcome
from jtorch.multiprocessing import _context

REPO = Path(__file__).resolve().parent.parent

# torch's Pool forks this process (its children never touch jax); jax warns about the fork.
pytestmark = pytest.mark.filterwarnings("ignore:os.fork\\(\\) was called:RuntimeWarning")


# ---- layouts ------------------------------------------------------------------------------------


def _layout_names(lib):
    return sorted(n for n in dir(lib) if isinstance(getattr(lib, n), lib.layout))


def test_the_layouts_are_torch_s():
    assert _layout_names(jtorch) == _layout_names(torch)
    for name in _layout_names(torch):
        ours, theirs = getattr(jtorch, name), getattr(torch, name)
        assert (repr(ours), str(ours)) == (repr(theirs), str(theirs))
        assert pickle.loads(pickle.dumps(ours)) is ours
        assert (ours == jtorch.strided) == (theirs == torch.strided)


TENSORS = {
    "tensor": lambda lib: lib.arange(6.0).view(2, 3),
    "view": lambda lib: lib.arange(6.0).view(2, 3).t(),
    "parameter": lambda lib: lib.nn.Parameter(lib.ones(2)),
}


@pytest.mark.parametrize("kind", TENSORS)
def test_tensor_layout_and_sparsity(kind):
    same_outcome(
        lambda lib: (
            (t := TENSORS[kind](lib)).layout,
            t.is_sparse,
            t.is_sparse_csr,
            t.is_shared(),
            t.to_dense() is t,
            t.to_dense(lib.float64),
            t.to_sparse(layout=lib.strided) is t,
        )
    )


# ---- factories and layout= ----------------------------------------------------------------------

FACTORIES = {
    "zeros": lambda lib, **kw: lib.zeros(2, 3, **kw),
    "ones": lambda lib, **kw: lib.ones((2, 3), **kw),
    "empty": lambda lib, **kw: lib.empty(2, 3, **kw).shape,
    "full": lambda lib, **kw: lib.full((2,), 1.5, **kw),
    "eye": lambda lib, **kw: lib.eye(3, **kw),
    "empty_strided": lambda lib, **kw: lib.empty_strided((2, 3), (3, 1), **kw).shape,
    "zeros_like": lambda lib, **kw: lib.zeros_like(lib.ones(2), **kw),
    "ones_like": lambda lib, **kw: lib.ones_like(lib.ones(2), **kw),
    "empty_like": lambda lib, **kw: lib.empty_like(lib.ones(2), **kw).shape,
    "full_like": lambda lib, **kw: lib.full_like(lib.ones(2), 7, **kw),
    "new_zeros": lambda lib, **kw: lib.ones(2).new_zeros(3, **kw),
    "arange": lambda lib, **kw: lib.arange(5, **kw),
    "linspace": lambda lib, **kw: lib.linspace(0, 1, 5, **kw),
    "logspace": lambda lib, **kw: lib.logspace(0, 1, 3, **kw),
    "rand": lambda lib, **kw: lib.rand(3, generator=lib.Generator().manual_seed(0), **kw),
    "randn": lambda lib, **kw: lib.randn(3, generator=lib.Generator().manual_seed(0), **kw),
    "randint": lambda lib, **kw: lib.randint(
        9, (3,), generator=lib.Generator().manual_seed(0), **kw
    ),
    "randperm": lambda lib, **kw: lib.randperm(4, generator=lib.Generator().manual_seed(0), **kw),
    "rand_like": lambda lib, **kw: lib.rand_like(lib.ones(2), **kw).shape,
    "normal": lambda lib, **kw: lib.normal(0.0, 1.0, (2,), **kw).shape,
}


@pytest.mark.parametrize("name", FACTORIES)
def test_factory_with_strided_layout(name):
    same_outcome(lambda lib: FACTORIES[name](lib, layout=lib.strided))


@pytest.mark.parametrize("name", ["zeros", "ones", "arange", "full_like", "randn"])
def test_factory_layout_must_be_a_layout(name):
    _, error = same(lambda lib: FACTORIES[name](lib, layout="strided"))
    assert f"{name}(): argument 'layout' must be torch.layout, not str" in str(error)


@pytest.mark.parametrize("layout", ["sparse_coo", "sparse_csr"])
@pytest.mark.parametrize("name", FACTORIES)
def test_factory_with_sparse_layout_is_not_supported(name, layout):
    with pytest.raises(NotImplementedError) as info:
        FACTORIES[name](jtorch, layout=getattr(jtorch, layout))
    factory = "zeros" if name == "new_zeros" else name
    assert f"torch.{factory}(..., layout=torch.{layout}) is not supported by jtorch" in str(
        info.value
    )
    assert "no sparse tensors" in str(info.value)


# ---- sparse tensors: none in jtorch -------------------------------------------------------------

NO_SPARSE = {
    "torch.sparse_coo_tensor": lambda: jtorch.sparse_coo_tensor([[0], [1]], [1.0], (2, 2)),
    "torch.sparse_csr_tensor": lambda: jtorch.sparse_csr_tensor([0, 1, 1], [1], [1.0], (2, 2)),
    "torch.sparse_csc_tensor": lambda: jtorch.sparse_csc_tensor([0, 1, 1], [1], [1.0]),
    "torch.sparse_bsr_tensor": lambda: jtorch.sparse_bsr_tensor([0, 1], [0], jtorch.ones(1, 1, 1)),
    "torch.sparse_bsc_tensor": lambda: jtorch.sparse_bsc_tensor([0, 1], [0], jtorch.ones(1, 1, 1)),
    "torch.sparse_compressed_tensor": lambda: jtorch.sparse_compressed_tensor(
        [0, 1], [0], [1.0], (1, 1), layout=jtorch.sparse_csr
    ),
    "torch.Tensor.to_sparse": lambda: jtorch.ones(2, 2).to_sparse(),
    "torch.Tensor.to_sparse_coo": lambda: jtorch.ones(2, 2).to_sparse_coo(),
    "torch.Tensor.to_sparse_csr": lambda: jtorch.ones(2, 2).to_sparse_csr(),
    "torch.Tensor.to_sparse_csc": lambda: jtorch.ones(2, 2).to_sparse_csc(),
    "torch.Tensor.to_sparse_bsr": lambda: jtorch.ones(2, 2).to_sparse_bsr((1, 1)),
    "torch.Tensor.to_sparse_bsc": lambda: jtorch.ones(2, 2).to_sparse_bsc((1, 1)),
    "torch.sparse.spdiags": lambda: jtorch.sparse.spdiags(
        jtorch.ones(1, 2), jtorch.tensor([0]), (2, 2)
    ),
    "torch.sparse.to_sparse_semi_structured": lambda: jtorch.sparse.to_sparse_semi_structured(
        jtorch.ones(32, 64)
    ),
}


@pytest.mark.parametrize("api", NO_SPARSE)
def test_making_a_sparse_tensor_is_not_supported(api):
    with pytest.raises(NotImplementedError, match="no sparse tensors") as info:
        NO_SPARSE[api]()
    assert str(info.value).startswith(f"{api} is not supported by jtorch")


def test_sparse_mm_and_addmm_of_strided_tensors():
    rng = np.random.default_rng(0)
    a, b, c = rng.random((2, 3)), rng.random((3, 4)), rng.random((2, 4))
    same(lambda lib, a, b: lib.sparse.mm(a, b), a, b)
    same(lambda lib, c, a, b: lib.sparse.addmm(c, a, b, beta=0.5, alpha=2.0), c, a, b)


SPARSE_ERRORS = {
    "mm_1d": lambda lib: lib.sparse.mm(lib.ones(2), lib.ones(2, 2)),
    "mm_shapes": lambda lib: lib.sparse.mm(lib.ones(2, 3), lib.ones(2, 2)),
    "spdiags_strided": lambda lib: lib.sparse.spdiags(
        lib.ones(1, 2), lib.tensor([0]), (2, 2), layout=lib.strided
    ),
}


@pytest.mark.parametrize("name", SPARSE_ERRORS)
def test_sparse_errors_on_strided_tensors(name):
    same_outcome(SPARSE_ERRORS[name])


def test_sparse_mm_of_two_dtypes_raises_torch_s_type():
    same(lambda lib: lib.sparse.mm(lib.ones(2, 2, dtype=lib.int32), lib.ones(2, 2)))


def test_sparse_mm_result_is_torch_s_transposed_product():
    same_outcome(
        lambda lib: (
            (out := lib.sparse.mm(lib.ones(2, 3, requires_grad=True), lib.ones(3, 2))),
            out.is_contiguous(),
        )
    )


# torch raises these for a strided input (the only kind jtorch has) with dispatcher messages;
# jtorch raises the same type and names the function.
NEEDS_SPARSE = {
    "mm": lambda lib, x: lib.sparse.mm(x, x, "sum"),
    "sum": lambda lib, x: lib.sparse.sum(x),
    "sum_dim": lambda lib, x: lib.sparse.sum(x, 0),
    "softmax": lambda lib, x: lib.sparse.softmax(x, 0),
    "log_softmax": lambda lib, x: lib.sparse.log_softmax(x, 1, dtype=lib.float64),
    "spsolve": lambda lib, x: lib.sparse.spsolve(x, lib.ones(2)),
    "sampled_addmm": lambda lib, x: lib.sparse.sampled_addmm(x, x, x),
}


@pytest.mark.parametrize("name", NEEDS_SPARSE)
def test_sparse_functions_need_a_sparse_input(name):
    rng = np.random.default_rng(0)
    _, error = same(NEEDS_SPARSE[name], rng.random((2, 2)), grad=False)
    function = name.removesuffix("_dim")
    assert f"torch.sparse.{function}" in str(error) and "strided" in str(error)


def test_check_sparse_tensor_invariants():
    def run(lib):
        flag = lib.sparse.check_sparse_tensor_invariants
        seen = [flag.is_enabled()]
        with flag():
            seen.append(flag.is_enabled())
            with flag(enable=False):
                seen.append(flag.is_enabled())
            seen.append(flag.is_enabled())
        seen.append(flag.is_enabled())
        seen.append(flag()(flag.is_enabled)())
        flag.enable()
        seen.append(flag.is_enabled())
        flag.disable()
        manager = flag()
        with manager, manager:
            seen.append("nested")
        return seen

    same_outcome(run)


# ---- shared memory: none in jtorch (Note [no shared memory]) ------------------------------------


@pytest.mark.parametrize("kind", ["tensor", "parameter"])
def test_share_memory_is_not_supported(kind):
    t = TENSORS[kind](jtorch)
    with pytest.raises(NotImplementedError, match="torch.Tensor.share_memory_ is not supported"):
        t.share_memory_()
    assert not t.is_shared()


def test_module_share_memory():
    # torch shares a module's tensors in place; jtorch raises for a module that has any, and
    # a module without tensors returns itself, as torch's does
    with pytest.raises(NotImplementedError, match="torch.Tensor.share_memory_ is not supported"):
        jtorch.nn.Linear(2, 2).share_memory()
    same_outcome(lambda lib: repr(lib.nn.ReLU().share_memory()))


def test_uninitialized_parameter_share_memory_raises_torch_s_error():
    same_outcome(lambda lib: lib.nn.UninitializedParameter().share_memory_())


def test_tensors_sent_to_a_process_are_copies():
    x = jtorch.arange(3.0, requires_grad=True)
    copy = ForkingPickler.loads(ForkingPickler.dumps(x))
    assert copy is not x and repr(copy) == repr(x)
    with jtorch.no_grad():
        copy.add_(1)
    assert x.tolist() == [0.0, 1.0, 2.0]


@pytest.mark.parametrize("requires_grad", [False, True])
def test_tensor_through_forking_pickler(requires_grad):
    same_outcome(
        lambda lib: ForkingPickler.loads(
            ForkingPickler.dumps(lib.arange(3.0, requires_grad=requires_grad))
        )
    )


def test_non_leaf_tensor_is_refused_as_in_torch():
    same_outcome(lambda lib: ForkingPickler.dumps(lib.ones(2, requires_grad=True) * 2))


# ---- torch.multiprocessing: the API -------------------------------------------------------------


def test_api_is_torch_s():
    tmp, jmp = torch.multiprocessing, jtorch.multiprocessing
    assert sorted(jmp.__all__) == sorted(tmp.__all__)
    extra = ["spawn", "start_processes", "ProcessContext", "SpawnContext"]
    extra += ["ProcessRaisedException", "ProcessExitedException"]
    for name in tmp.__all__ + extra:
        assert hasattr(jmp, name), name
    assert issubclass(jmp.Process, multiprocessing.process.BaseProcess)
    assert jmp.cpu_count() == tmp.cpu_count()


def test_sharing_strategies():
    def run(lib):
        mp = lib.multiprocessing
        before = mp.get_sharing_strategy()
        seen = [before, sorted(mp.get_all_sharing_strategies())]
        mp.set_sharing_strategy("file_system")
        seen.append(mp.get_sharing_strategy())
        mp.set_sharing_strategy(before)
        try:
            mp.set_sharing_strategy("bogus")
        except AssertionError as e:
            seen.append(("AssertionError", str(e)))
        return seen

    same_outcome(run)


def test_exceptions_pickle_as_torch_s():
    def run(lib):
        spawn = sys.modules[f"{lib.__name__}.multiprocessing.spawn"]
        raised = spawn.ProcessRaisedException("boom", 1, 123)
        exited = spawn.ProcessExitedException("gone", 0, 7, -9, "SIGKILL")
        back = [pickle.loads(pickle.dumps(e)) for e in (raised, exited)]
        return [
            (type(e).__name__, type(e).__mro__[1].__name__, e.msg, e.error_index, e.error_pid)
            for e in back
        ] + [(back[1].exit_code, back[1].signal_name)]

    same_outcome(run)


# ---- start methods: jtorch's own choices (Note [child processes]) ------------------------------


def test_default_start_method_never_forks():
    mp = jtorch.multiprocessing
    fresh = _context.DefaultContext()
    assert fresh.get_start_method(allow_none=True) is None
    assert fresh.get_start_method() == "forkserver"
    assert mp.get_all_start_methods()[0] == "forkserver"
    assert mp.get_context("spawn").get_start_method() == "spawn"
    assert mp.get_context("spawn").get_context("fork") is mp.get_context("fork")


def test_start_method_errors_are_python_s():
    def run(ctx):
        seen = []
        for call in (lambda: ctx.get_context("bogus"), lambda: ctx.set_start_method("fork")):
            try:
                call()
            except (ValueError, RuntimeError) as e:
                seen.append((type(e).__name__, str(e)))
        ctx.set_start_method("fork", force=True)
        seen.append(ctx.get_start_method())
        return seen

    fresh = _context.DefaultContext()
    fresh.set_start_method("spawn")
    python_s = multiprocessing.context.DefaultContext(multiprocessing.get_context("fork"))
    python_s.set_start_method("spawn")
    assert run(fresh) == run(python_s)


def test_fork_after_jax_started_is_refused():
    jtorch.ones(1).sum().item()  # jax has started in this process
    process = jtorch.multiprocessing.get_context("fork").Process(target=os._exit, args=(0,))
    with pytest.raises(NotImplementedError, match="cannot fork a process once jax has started"):
        process.start()


# ---- child processes ----------------------------------------------------------------------------


@pytest.mark.parametrize("namespace", ["", "nn.functional"])
def test_public_functions_pickle_by_reference(namespace):
    # what a Pool sends when it maps ``torch.neg``, or pickles a module holding ``torch.tanh``:
    # every public function of torch's that pickles to itself does in jtorch too
    def module(lib):
        return operator.attrgetter(namespace)(lib) if namespace else lib

    names = [n for n in dir(module(torch)) if not n.startswith("_") and hasattr(module(jtorch), n)]
    failed = []
    for name in names:
        theirs, ours = getattr(module(torch), name), getattr(module(jtorch), name)
        if not callable(ours) or isinstance(ours, type):
            continue
        try:
            if pickle.loads(pickle.dumps(theirs)) is not theirs:
                continue
        except Exception:  # noqa: BLE001, S112  (torch's does not pickle: nothing to match)
            continue
        try:
            if pickle.loads(pickle.dumps(ours)) is not ours:
                failed.append(name)
        except Exception:  # noqa: BLE001
            failed.append(name)
    assert len(names) > 100
    assert failed == []


def test_pool_map_sends_and_returns_tensors():
    def run(lib):
        with lib.multiprocessing.Pool(2) as pool:
            return pool.map(operator.neg, [lib.tensor([1.5, -2.0]), lib.arange(3)])

    same_outcome(run)


# How each child ends: a builtin target, so the child imports nothing to run it.
ENDINGS = {
    "exit_code": (os._exit, (3,)),
    "signal": (signal.raise_signal, (signal.SIGKILL,)),
    "raised": (os._exit, (1,)),  # with a traceback in its error file, as spawn's _wrap leaves
}


def _failure(lib, ending, tmp_path):
    """The exception ``lib``'s ProcessContext.join raises for child 0 ending well and child 1
    ending as ``ending`` says."""
    ctx = jtorch.multiprocessing.get_context("spawn")
    target, args = ENDINGS[ending]
    processes = [ctx.Process(target=os._exit, args=(0,)), ctx.Process(target=target, args=args)]
    error_files = [str(tmp_path / f"{lib.__name__}-{i}.pickle") for i in range(2)]
    if ending == "raised":
        trace = 'Traceback (most recent call last):\n  File "x.py"\nValueError: bad\n'
        with open(error_files[1], "wb") as fh:
            pickle.dump(trace, fh)
    for process in processes:
        process.start()
    context = lib.multiprocessing.ProcessContext(processes, error_files)
    spawn = sys.modules[f"{lib.__name__}.multiprocessing.spawn"]
    with pytest.raises(spawn.ProcessException) as info:
        while not context.join():
            pass
    e = info.value
    return type(e).__name__, e.msg, e.error_index, getattr(e, "exit_code", None)


@pytest.mark.parametrize("ending", ENDINGS)
def test_join_reports_a_failed_process_as_torch_does(ending, tmp_path):
    assert _failure(jtorch, ending, tmp_path) == _failure(torch, ending, tmp_path)


SCRIPT = textwrap.dedent(
    """\
    import torch
    import torch.multiprocessing as mp


    def work(rank, x, queue, done):
        if rank == 1:
            raise ValueError(f"bad rank {rank}")
        queue.put((rank, torch.__name__, (x * 2).tolist(), x.dtype, torch.ones(2) + x[1]))
        done.wait()  # torch: a tensor's sender lives until the tensor is received


    if __name__ == "__main__":
        ctx = mp.get_context("spawn")
        queue, done = ctx.SimpleQueue(), ctx.Event()
        context = mp.spawn(work, args=(torch.arange(3.0), queue, done), nprocs=2, join=False)
        print(len(context.pids()), queue.get())
        done.set()
        try:
            while not context.join():
                pass
        except mp.ProcessRaisedException as e:
            lines = e.msg.strip().splitlines()
            print(type(e).__name__, e.error_index, lines[0])
            print([line.strip() for line in lines if "script.py" in line or "Error" in line])
    """
)


def _run(script, launcher):
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        JAX_PLATFORMS="cpu",
    )
    result = subprocess.run(
        [sys.executable, *launcher, str(script)],
        capture_output=True,
        text=True,
        env=env,
        cwd=script.parent,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_spawn_under_python_m_jtorch_matches_torch(tmp_path):
    script = tmp_path / "script.py"
    script.write_text(SCRIPT)
    expected = _run(script, [])
    actual = _run(script, ["-m", "jtorch"])
    assert "'jtorch'" in actual.splitlines()[0]  # the child ran jtorch, as ``torch``
    assert actual.replace("'jtorch'", "'torch'") == expected
