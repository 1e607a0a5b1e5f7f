"""torch.cuda and moving tensors and modules between devices (jtorch/cuda.py, jtorch/_device.py).

Without a GPU, jtorch must behave as torch's CPU-only build: ``CUDA_CALLS`` and ``OTHER_CASES``
run in both libraries and compare the result or the exception's type and message (and warnings).
With a GPU (jax sees one), the GPU tests compare jtorch's work on it with torch's results
(torch's own GPU where it has one, else its CPU); they are skipped, with the reason "needs a
GPU", only where jax sees none. Parsing, equality and hashing of torch.device are tested in
test_dtype.py.
"""

import re

import jax
import numpy as np
import pytest
import torch

import jtorch
from conformance._compare import assert_close, same_outcome, to_numpy
from jtorch import _lazy

HAS_GPU = jtorch.cuda.is_available()
NEEDS_GPU = pytest.mark.skipif(not HAS_GPU, reason="needs a GPU")
NEEDS_TWO_GPUS = pytest.mark.skipif(jtorch.cuda.device_count() < 2, reason="needs two GPUs")
NO_GPU = pytest.mark.skipif(
    HAS_GPU or torch.cuda.is_available(),
    reason="compares torch's CPU-only build: this machine has a GPU (the GPU tests cover it)",
)


def _with_block(lib, make):
    with make(lib):
        return "entered"


def _state(lib):
    return lib.zeros(16, dtype=lib.uint8)


def _linear(lib):
    return lib.nn.Linear(2, 2)


def _facts(p):
    """What a move must keep or change of a parameter (values: the RNG streams differ)."""
    return p.device, p.dtype, type(p).__name__, p.requires_grad, tuple(p.shape)


# lib.cuda.<name>(*args) in both libraries: the same repr, or the same exception type and
# message, and the same warnings.
CUDA_CALLS = [
    ("is_available",),
    ("device_count",),
    ("is_initialized",),
    ("init",),
    ("current_device",),
    ("synchronize",),
    ("synchronize", 0),
    ("synchronize", "meta"),
    ("set_device", 0),
    ("set_device", "cuda:1"),
    ("set_device", -1),
    ("set_device", "cpu"),
    ("set_device", "meta"),
    ("set_device", "cuda"),
    ("set_device", None),
    ("set_device", 1.5),
    ("set_device", "gpu"),
    ("device", "meta"),
    ("get_device_name",),
    ("get_device_name", 0),
    ("get_device_name", "cpu"),
    ("get_device_properties",),
    ("get_device_properties", 0),
    ("get_device_capability",),
    ("get_device_capability", 0),
    ("is_bf16_supported",),
    ("is_bf16_supported", False),
    ("memory_allocated",),
    ("memory_allocated", 0),
    ("memory_allocated", "cuda:1"),
    ("memory_allocated", "cpu"),
    ("max_memory_allocated",),
    ("memory_reserved",),
    ("max_memory_reserved",),
    ("memory_cached",),
    ("max_memory_cached",),
    ("memory_stats",),
    ("memory_stats", 1.5),
    ("memory_stats_as_nested_dict",),
    ("reset_peak_memory_stats",),
    ("reset_peak_memory_stats", 0),
    ("reset_peak_memory_stats", "cpu"),
    ("reset_accumulated_memory_stats",),
    ("reset_max_memory_allocated",),
    ("reset_max_memory_cached",),
    ("empty_cache",),
    ("mem_get_info",),
    ("mem_get_info", 0),
    ("mem_get_info", "cuda"),
    ("mem_get_info", "cpu"),
    ("manual_seed", 1),
    ("manual_seed", 1.5),
    ("manual_seed", "x"),
    ("manual_seed_all", 3),
    ("manual_seed_all", "x"),
    ("seed",),
    ("seed_all",),
    ("initial_seed",),
    ("get_rng_state",),
    ("get_rng_state", "cpu"),
    ("get_rng_state_all",),
]


# (id, fn(lib)): the same comparison for calls that need the library's own objects.
OTHER_CASES = [
    ("is_pinned", lambda lib: lib.ones(2).is_pinned()),
    ("pin_memory", lambda lib: lib.ones(2).pin_memory()),
    # availability and the current device
    ("set_device(device(cuda))", lambda lib: lib.cuda.set_device(lib.device("cuda"))),
    ("device(cuda).idx", lambda lib: lib.cuda.device("cuda").idx),
    ("device(cuda:1).idx", lambda lib: lib.cuda.device("cuda:1").idx),
    ("device(None).idx", lambda lib: lib.cuda.device(None).idx),
    ("device(1.5).idx", lambda lib: lib.cuda.device(1.5).idx),
    ("device(device(cuda,2)).idx", lambda lib: lib.cuda.device(lib.device("cuda", 2)).idx),
    ("device(cuda.device(3)).idx", lambda lib: lib.cuda.device(lib.cuda.device(3)).idx),
    ("device_of(cpu tensor).idx", lambda lib: lib.cuda.device_of(lib.zeros(1)).idx),
    ("with device(0)", lambda lib: _with_block(lib, lambda lib: lib.cuda.device(0))),
    ("with device(-1)", lambda lib: _with_block(lib, lambda lib: lib.cuda.device(-1))),
    ("with device(None)", lambda lib: _with_block(lib, lambda lib: lib.cuda.device(None))),
    ("with device_of", lambda lib: _with_block(lib, lambda lib: lib.cuda.device_of(lib.ones(1)))),
    # random numbers
    ("set_rng_state", lambda lib: lib.cuda.set_rng_state(_state(lib))),
    ("set_rng_state_all", lambda lib: lib.cuda.set_rng_state_all([_state(lib)])),
    # tensors and modules asked onto a GPU
    ("zeros(cuda)", lambda lib: lib.zeros(2, device="cuda")),
    ("zeros(cuda:1)", lambda lib: lib.zeros(2, device="cuda:1")),
    ("zeros(device(cuda))", lambda lib: lib.zeros(2, device=lib.device("cuda"))),
    ("zeros(0)", lambda lib: lib.zeros(2, device=0)),
    ("tensor(cuda)", lambda lib: lib.tensor([1.0], device="cuda")),
    ("randn(cuda)", lambda lib: lib.randn(2, device="cuda")),
    ("torch.device(0)", lambda lib: lib.device(0)),
    ("t.cuda()", lambda lib: lib.zeros(2).cuda()),
    ("t.cuda(1)", lambda lib: lib.zeros(2).cuda(1)),
    ("t.cuda(cpu)", lambda lib: lib.zeros(2).cuda("cpu")),
    ("t.cuda(device(cpu))", lambda lib: lib.zeros(2).cuda(lib.device("cpu"))),
    ("t.cuda(cuda:0)", lambda lib: lib.zeros(2).cuda("cuda:0")),
    ("t.cuda(device(cuda))", lambda lib: lib.zeros(2).cuda(lib.device("cuda"))),
    ("t.cuda(non_blocking)", lambda lib: lib.zeros(2).cuda(non_blocking=True)),
    ("t.to(cuda)", lambda lib: lib.zeros(2).to("cuda")),
    ("t.to(cuda:1)", lambda lib: lib.zeros(2).to("cuda:1")),
    ("t.to(cuda, non_blocking)", lambda lib: lib.zeros(2).to("cuda", non_blocking=True)),
    ("t.to(device=cuda, dtype)", lambda lib: lib.zeros(2).to(device="cuda", dtype=lib.float64)),
    ("t.to(0)", lambda lib: lib.zeros(2).to(0)),
    ("t.to(cpu, non_blocking)", lambda lib: lib.ones(2).to("cpu", non_blocking=True)),
    ("t.cpu()", lambda lib: lib.ones(2).cpu()),
    ("t.get_device()", lambda lib: lib.ones(2).get_device()),
    ("t.is_cuda", lambda lib: lib.ones(2).is_cuda),
    ("module.cuda()", lambda lib: _linear(lib).cuda()),
    ("module.cuda(0)", lambda lib: _linear(lib).cuda(0)),
    ("module.cuda(cpu)", lambda lib: _linear(lib).cuda("cpu")),
    ("module.to(cuda)", lambda lib: _linear(lib).to("cuda")),
    ("module.to(cuda, float64)", lambda lib: _linear(lib).to("cuda", lib.float64)),
    ("module.to(cuda:0, non_blocking)", lambda lib: _linear(lib).to("cuda:0", non_blocking=True)),
    (
        "module.to(cpu, non_blocking)",
        lambda lib: _facts(_linear(lib).to("cpu", non_blocking=True).weight),
    ),
    (
        "module.to(device=cpu, dtype)",
        lambda lib: _facts(_linear(lib).to(device="cpu", dtype=lib.float64).weight),
    ),
    ("module.cpu()", lambda lib: _facts(_linear(lib).cpu().bias)),
]


@NO_GPU
@pytest.mark.parametrize("call", CUDA_CALLS, ids=lambda c: f"{c[0]}{c[1:]}")
def test_cuda_call_without_gpu(call):
    name, *args = call
    same_outcome(lambda lib: getattr(lib.cuda, name)(*args), with_warnings=True)


@NO_GPU
@pytest.mark.parametrize("fn", [c[1] for c in OTHER_CASES], ids=[c[0] for c in OTHER_CASES])
def test_without_gpu(fn):
    same_outcome(fn, with_warnings=True)


@NO_GPU
def test_cuda_seeds_leave_cpu_draws_alone():
    def f(lib):
        lib.manual_seed(0)
        expected = lib.rand(3)
        lib.manual_seed(0)
        lib.cuda.manual_seed(5)
        lib.cuda.manual_seed_all(6)
        lib.cuda.seed_all()
        return bool((lib.rand(3) == expected).all())

    same_outcome(f)


def test_unsupported_names_say_so():
    for name in ("Stream", "Event", "current_stream", "amp", "CUDAGraph", "memory_summary"):
        assert hasattr(torch.cuda, name), name
        with pytest.raises(NotImplementedError, match=f"torch.cuda.{name}$"):
            getattr(jtorch.cuda, name)
    with pytest.raises(AttributeError):
        jtorch.cuda.no_such_function  # noqa: B018


@pytest.mark.parametrize("where", ["meta", "mps", "xla"])
def test_other_device_types_are_unsupported(where):
    with pytest.raises(NotImplementedError, match=re.escape(f"torch.device('{where}')")):
        jtorch.zeros(2, device=where)
    with pytest.raises(NotImplementedError, match=re.escape(f"torch.device('{where}')")):
        jtorch.ones(2).to(where)


# ---- with a GPU ------------------------------------------------------------------------------
#
# torch's GPU where it has one, else its CPU: the results to compare jtorch's on the GPU with.
TORCH_DEVICE = "cuda" if torch.cuda.is_available() else "cpu"


def _data(*shape):
    return np.random.default_rng(0).standard_normal(shape).astype(np.float32)


@NEEDS_GPU
def test_gpu_queries():
    gpus = jax.devices("gpu")
    assert jtorch.cuda.device_count() == len(gpus)
    jtorch.cuda.init()
    assert jtorch.cuda.is_initialized()
    assert jtorch.cuda.current_device() == 0
    props = jtorch.cuda.get_device_properties(0)
    assert re.fullmatch(
        r"_CudaDeviceProperties\(name='.+', major=\d+, minor=\d+, total_memory=\d+MB, "
        r"multi_processor_count=\d+\)",
        repr(props),
    ), repr(props)
    assert jtorch.cuda.get_device_name() == props.name == gpus[0].device_kind
    assert jtorch.cuda.get_device_capability(0) == (props.major, props.minor)
    assert 0 < props.total_memory and 0 < props.multi_processor_count
    assert jtorch.cuda.is_bf16_supported()
    with pytest.raises(AssertionError, match="Invalid device id"):
        jtorch.cuda.get_device_properties(len(gpus))
    if torch.cuda.is_available():
        t_props = torch.cuda.get_device_properties(0)
        assert (props.name, props.major, props.minor) == (
            t_props.name,
            t_props.major,
            t_props.minor,
        )
        assert props.multi_processor_count == t_props.multi_processor_count
        assert props.total_memory <= t_props.total_memory
        assert jtorch.cuda.device_count() == torch.cuda.device_count()


@NEEDS_GPU
def test_gpu_tensors_and_moves():
    x = _data(3, 4)
    j = jtorch.tensor(x).cuda()
    assert j.device == jtorch.device("cuda", 0) and j.is_cuda and j.get_device() == 0
    assert "device='cuda:0'" in repr(j)
    assert jtorch.zeros(2, device="cuda").device == jtorch.device("cuda:0")
    assert jtorch.zeros(2, device=0).device == jtorch.device("cuda:0")
    assert jtorch.device(0) == jtorch.device("cuda", 0)
    assert jtorch.tensor(x).to("cuda", non_blocking=True).device.type == "cuda"
    assert jtorch.tensor(x).cuda(jtorch.device("cuda")).device.index == 0
    with pytest.raises(RuntimeError, match="Invalid device, must be cuda device"):
        jtorch.tensor(x).cuda("cpu")
    back = (j * 2 + 1).exp().sum(0).cpu()
    assert back.device == jtorch.device("cpu")
    t = torch.tensor(x).to(TORCH_DEVICE)
    assert_close(back, (t * 2 + 1).exp().sum(0))
    assert_close(j.to(jtorch.float64).cpu(), t.double())


@NEEDS_GPU
def test_gpu_device_mixing():
    jc, jg = jtorch.ones(2), jtorch.ones(2, device="cuda")
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device"):
        jc + jg
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device"):
        jg + jc
    # a zero-dim CPU tensor may join a GPU one, as in torch
    assert (jg + jtorch.tensor(1.0)).device == jg.device
    with _lazy.lazy():  # one pending graph on two devices runs call by call
        g = jtorch.ones(3, device="cuda") * 2 + jtorch.tensor(1.0)
        c = jtorch.ones(3) * 3
        assert (g.sum() + c.sum().cuda()).item() == 18.0
        assert g.device == jtorch.device("cuda", 0) and c.device == jtorch.device("cpu")
    if torch.cuda.is_available():
        same_outcome(lambda lib: lib.ones(2, device="cuda") + lib.ones(2))
        same_outcome(lambda lib: lib.ones(2) + lib.ones(2, device="cuda"))
        same_outcome(lambda lib: lib.ones(2, device="cuda") + lib.tensor(1.0))


@NEEDS_GPU
@pytest.mark.parametrize("lazy", [False, True], ids=["eager", "lazy"])
def test_gpu_module_training_step(lazy):
    """In eager and in lazy mode (Note [lazy mode]: each step one program on the GPU)."""
    x, y = _data(8, 4), _data(8, 1)

    def step(lib, device):
        lib.manual_seed(0)
        model = lib.nn.Sequential(lib.nn.Linear(4, 16), lib.nn.ReLU(), lib.nn.Linear(16, 1))
        return model, model.to(device)

    t_model, _ = step(torch, TORCH_DEVICE)
    j_model, j_moved = step(jtorch, "cuda")
    assert j_moved is j_model
    assert {p.device for p in j_model.parameters()} == {jtorch.device("cuda", 0)}
    for tp, jp in zip(t_model.parameters(), j_model.parameters()):
        jp.data.copy_(jtorch.tensor(to_numpy(tp)).cuda())
    losses = {}
    for lib, model, dev in ((torch, t_model, TORCH_DEVICE), (jtorch, j_model, "cuda")):
        opt = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        with _lazy.lazy(lazy and lib is jtorch):
            for _ in range(4):
                opt.zero_grad()
                loss = lib.nn.functional.mse_loss(
                    model(lib.tensor(x, device=dev)), lib.tensor(y, device=dev)
                )
                loss.backward()
                opt.step()
                losses.setdefault(lib.__name__, []).append(loss.item())
    np.testing.assert_allclose(losses["jtorch"], losses["torch"], rtol=1e-5)
    for tp, jp in zip(t_model.parameters(), j_model.parameters()):
        assert jp.device.type == "cuda"
        assert_close(jp.detach().cpu(), tp.detach(), rtol=1e-5, atol=1e-6)
    assert {p.device for p in j_model.cpu().parameters()} == {jtorch.device("cpu")}


@NEEDS_GPU
def test_gpu_current_device():
    n = jtorch.cuda.device_count()
    with jtorch.cuda.device(0):
        assert jtorch.cuda.current_device() == 0
    jtorch.cuda.set_device(0)
    jtorch.cuda.set_device(-1)  # no-op, as in torch
    assert jtorch.cuda.current_device() == 0
    with pytest.raises(RuntimeError, match="invalid device ordinal"):
        jtorch.cuda.set_device(n)
    with pytest.raises(RuntimeError, match="invalid device ordinal"):
        jtorch.zeros(1, device=f"cuda:{n}")
    with pytest.raises(ValueError, match="Expected a cuda device, but got: cpu"):
        jtorch.cuda.set_device("cpu")
    assert jtorch.cuda.current_device() == 0


@NEEDS_GPU
@NEEDS_TWO_GPUS
def test_gpu_second_device():
    with jtorch.cuda.device(1):
        assert jtorch.cuda.current_device() == 1
        assert jtorch.zeros(1, device="cuda").device == jtorch.device("cuda", 1)
        assert jtorch.ones(1).cuda().device == jtorch.device("cuda", 1)
    assert jtorch.cuda.current_device() == 0
    a, b = jtorch.ones(2, device="cuda:0"), jtorch.ones(2, device="cuda:1")
    with pytest.raises(RuntimeError, match="cuda:0 and cuda:1"):
        a + b
    assert_close((a.to("cuda:1") + b).cpu(), torch.full((2,), 2.0))
    assert a.to(1).device == jtorch.device("cuda", 1)


@NEEDS_GPU
def test_gpu_memory_statistics():
    mib = 1 << 20
    jtorch.cuda.synchronize()
    before = jtorch.cuda.memory_allocated()
    big = jtorch.zeros(16 * mib // 4, device="cuda")  # 16 MiB
    jtorch.cuda.synchronize()
    assert jtorch.cuda.memory_allocated() >= before + 16 * mib
    assert jtorch.cuda.max_memory_allocated() >= jtorch.cuda.memory_allocated()
    assert jtorch.cuda.memory_reserved() >= jtorch.cuda.memory_allocated()
    assert jtorch.cuda.max_memory_reserved() >= jtorch.cuda.memory_reserved()
    stats = jtorch.cuda.memory_stats()
    assert stats["allocated_bytes.all.current"] == jtorch.cuda.memory_allocated()
    assert list(stats) == sorted(stats)
    nested = jtorch.cuda.memory_stats_as_nested_dict()
    assert nested["allocated_bytes"]["all"]["current"] == stats["allocated_bytes.all.current"]
    free, total = jtorch.cuda.mem_get_info()
    assert 0 <= free <= total == jtorch.cuda.get_device_properties().total_memory
    peak = jtorch.cuda.max_memory_allocated()
    del big
    jtorch.cuda.synchronize()
    jtorch.cuda.reset_peak_memory_stats()
    assert jtorch.cuda.max_memory_allocated() < peak
    assert jtorch.cuda.max_memory_allocated() >= jtorch.cuda.memory_allocated()
    jtorch.cuda.reset_accumulated_memory_stats()
    assert jtorch.cuda.memory_stats()["allocation.all.allocated"] == 0
    jtorch.cuda.empty_cache()


@NEEDS_GPU
def test_gpu_seeds():
    jtorch.cuda.manual_seed(3)
    a = jtorch.randn(5, device="cuda")
    assert jtorch.cuda.initial_seed() == 3
    state = jtorch.cuda.get_rng_state()
    assert state.dtype == jtorch.uint8 and not state.is_cuda
    b = jtorch.randn(5, device="cuda")
    jtorch.cuda.set_rng_state(state)
    assert bool((jtorch.randn(5, device="cuda") == b).all())
    jtorch.cuda.manual_seed_all(3)
    assert bool((jtorch.randn(5, device="cuda") == a).all())
    assert len(jtorch.cuda.get_rng_state_all()) == jtorch.cuda.device_count()
    jtorch.cuda.synchronize()
