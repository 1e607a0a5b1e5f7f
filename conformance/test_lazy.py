"""Lazy mode (jtorch/_lazy.py, Note [lazy mode]): unchanged training code against real torch.

In lazy mode ops record instead of running, and the recorded graph runs at a flush (a value
read on the host, the end of ``optimizer.step()``), as one cached XLA program once its
structure repeats. These tests run the same code in torch and in jtorch's lazy mode and
compare losses, parameters and gradients; they also check what makes the mode worth having
(one flush per training step, the step's program built once and reused) and what must not
change (errors raised at the op that causes them, host reads mid-step, views and in-place
writes, random draws, saving a model mid-step).
"""

import io

import numpy as np
import pytest
import torch

import jtorch
from conformance._compare import assert_close
from conformance._models import convnet as _convnet
from conformance._models import dropout_net as _dropout_net
from conformance._models import mlp as _mlp
from conformance._models import pair as _pair
from jtorch import _lazy


@pytest.fixture
def lazy():
    _lazy._defer = True  # a test that read a left-out gradient turned it off for the process
    with _lazy.lazy(True):
        yield _lazy


MODELS = {
    "mlp_adam": (_mlp, (16, 10), "Adam", {"lr": 0.01}),
    "mlp_sgd_momentum": (_mlp, (16, 10), "SGD", {"lr": 0.1, "momentum": 0.9}),
    "convnet_batchnorm": (_convnet, (8, 1, 8, 8), "SGD", {"lr": 0.05}),
    "dropout": (_dropout_net, (16, 10), "SGD", {"lr": 0.1}),
}

# where the script reads the loss on the host: after the step (one flush per step), before
# backward (the step splits in two programs), or never until the end
READS = ("after_step", "before_backward", "at_end")


def _train(lib, model, x, y, optim, kwargs, read, steps=6):
    opt = getattr(lib.optim, optim)(model.parameters(), **kwargs)
    loss_fn = lib.nn.CrossEntropyLoss()
    lib.manual_seed(3)
    losses, kept = [], []
    for i in range(steps):
        model.train(i != 3)  # one step in eval mode: BatchNorm and dropout switch
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        if read == "before_backward":
            losses.append(loss.item())
        loss.backward()
        opt.step()
        if read == "after_step":
            losses.append(loss.item())
        kept.append(loss)
    if read == "at_end":
        losses = [k.item() for k in kept]
    return losses


@pytest.mark.parametrize("read", READS)
@pytest.mark.parametrize("name", list(MODELS))
def test_training_matches_torch(name, read, lazy):
    build, shape, optim, kwargs = MODELS[name]
    t_model, j_model = _pair(build)
    rng = np.random.default_rng(1)
    x = rng.standard_normal(shape).astype(np.float32)
    y = rng.integers(0, 3, shape[0])
    before = dict(lazy.stats)
    t_losses = _train(torch, t_model, torch.tensor(x), torch.tensor(y), optim, kwargs, read)
    j_losses = _train(jtorch, j_model, jtorch.tensor(x), jtorch.tensor(y), optim, kwargs, read)
    np.testing.assert_allclose(j_losses, t_losses, rtol=2e-5, atol=1e-6)
    for (k, tp), jp in zip(t_model.state_dict().items(), j_model.state_dict().values()):
        assert_close(jp, tp, rtol=1e-4, atol=1e-5)
    for tp, jp in zip(t_model.parameters(), j_model.parameters()):
        assert_close(jp.grad, tp.grad, rtol=1e-4, atol=1e-5)
    assert lazy.stats["compiled_runs"] > before["compiled_runs"]  # it did run fused programs


def _mlp_step_counts(lazy, read_after_step=True, steps=8):
    _, model = _pair(_mlp)
    opt = jtorch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    x = jtorch.randn(16, 10)
    y = jtorch.randint(0, 3, (16,))
    loss_fn = jtorch.nn.CrossEntropyLoss()
    counts = []
    for _ in range(steps):
        before = dict(lazy.stats)
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        if read_after_step:
            loss.item()
        counts.append({k: lazy.stats[k] - before[k] for k in before})
    return counts


def test_a_training_step_is_one_cached_program(lazy):
    counts = _mlp_step_counts(lazy)
    # every step: one flush (at step()), fused; item() after it finds the loss computed
    assert all(c["flushes"] == 1 and c["compiled_runs"] == 1 for c in counts), counts
    # SGD with momentum: the first step (which creates the momentum buffer) and the others
    # differ; from the second step on the program is reused
    assert all(c["builds"] == 0 for c in counts[2:]), counts
    assert all(c["leaks"] == 0 for c in counts), counts


def test_a_placeholder_read_as_a_jax_array_is_computed_and_counted(lazy):
    """Code that treats a pending value as a jax array (an attribute of jax's arrays that a
    placeholder lacks) gets the computed array's, and the read is counted as a leak; a name
    that jax's arrays lack either is an AttributeError, computing nothing."""
    t = jtorch.arange(6.0).reshape(2, 3) * 2
    v = t._lazy_value()
    assert type(v) is _lazy.Pending and v.value is None
    with pytest.raises(AttributeError):
        v.not_an_array_attribute  # noqa: B018
    assert v.value is None
    before = lazy.stats["leaks"]
    np.testing.assert_array_equal(
        np.asarray(v.astype(np.float64)), torch.arange(6.0).reshape(2, 3).numpy() * 2
    )
    assert v.tolist() == (torch.arange(6.0).reshape(2, 3) * 2).tolist()
    assert lazy.stats["leaks"] == before + 2


def _sgd_steps(lib, model, x, y, steps, zero_every=1):
    opt = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    losses = []
    for i in range(steps):
        if i % zero_every == 0:
            opt.zero_grad()
        loss = lib.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def test_gradients_read_after_the_step_are_computed_then(lazy):
    # Note [deferred results]: the step's program leaves the gradients out; reading one
    # afterwards computes them, with torch's values, and from then on none is left out
    t_model, j_model = _pair(_mlp)
    rng = np.random.default_rng(2)
    x, y = rng.standard_normal((16, 10)).astype(np.float32), rng.integers(0, 3, 16)
    t_losses = _sgd_steps(torch, t_model, torch.tensor(x), torch.tensor(y), 5)
    before = dict(lazy.stats)
    j_losses = _sgd_steps(jtorch, j_model, jtorch.tensor(x), jtorch.tensor(y), 5)
    np.testing.assert_allclose(j_losses, t_losses, rtol=2e-5, atol=1e-6)
    params = list(j_model.parameters())
    for p in params:  # the parameters were computed, their gradients are still pending
        value, grad = p._storage.array, p.grad._storage.array
        assert not isinstance(value, _lazy.Pending) or value.value is not None or _packed(value)
        assert isinstance(grad, _lazy.Pending) and grad.value is None
    assert lazy.stats["deferred_reads"] == before["deferred_reads"]
    for tp, jp in zip(t_model.parameters(), params):
        assert_close(jp.grad, tp.grad, rtol=1e-4, atol=1e-5)
    assert lazy.stats["deferred_reads"] == before["deferred_reads"] + 1  # all at once
    assert not lazy._defer
    _sgd_steps(jtorch, j_model, jtorch.tensor(x), jtorch.tensor(y), 2)
    for p in params:  # computed by the step's program this time (read() gives its value)
        assert type(p.grad._storage.read()) is not _lazy.Pending


def _packed(p):
    """Whether placeholder ``p`` is pending on a call slicing it out of a step's packed
    results (Note [packed results])."""
    return p.value is None and p.call.key[0] is _lazy._unpack


def _adam_steps(lib, model, x, y, steps):
    opt = lib.optim.Adam(model.parameters(), lr=0.01)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = lib.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return opt, losses


def test_small_results_of_a_step_come_out_packed(lazy):
    # Note [packed results]: Adam's small results (the parameters of the MLP, all below
    # PACK_MAX_SIZE elements, their two moments, the step counts) leave the step's program in
    # one array and stay pending on a call that slices them out; the next step's program takes
    # that array. Losses, parameters and optimizer states are torch's.
    t_model, j_model = _pair(_mlp)
    rng = np.random.default_rng(4)
    x, y = rng.standard_normal((16, 10)).astype(np.float32), rng.integers(0, 3, 16)
    t_opt, t_losses = _adam_steps(torch, t_model, torch.tensor(x), torch.tensor(y), 6)
    before = dict(lazy.stats)
    j_opt, j_losses = _adam_steps(jtorch, j_model, jtorch.tensor(x), jtorch.tensor(y), 6)
    # 4 parameters, 2 moments of each, 4 step counts (float32, as the moments): 16 per step
    assert lazy.stats["packed"] - before["packed"] == 16 * 6
    assert lazy.stats["eager_runs"] == before["eager_runs"]  # no slicing outside the programs
    np.testing.assert_allclose(j_losses, t_losses, rtol=2e-5, atol=1e-6)
    params = list(j_model.parameters())
    assert all(_packed(p._storage.array) for p in params)
    assert lazy.computed([params[0]._storage.array])[0] is lazy._leaves[0]  # the packed array
    assert all(_packed(p._storage.array) for p in params)  # not sliced out by computed()
    for (k, tp), jp in zip(t_model.state_dict().items(), j_model.state_dict().values()):
        assert_close(jp, tp, rtol=1e-4, atol=1e-5)
    t_state = t_opt.state_dict()["state"]
    for i, state in j_opt.state_dict()["state"].items():
        for key, value in state.items():
            assert_close(value, t_state[i][key], rtol=1e-4, atol=1e-5)
    assert not any(isinstance(p._storage.array, _lazy.Pending) for p in params)


def test_packed_results_are_eager_modes_values(lazy):
    # the same steps with packing off, and in eager mode: bit for bit the same parameters and
    # states (the packed program concatenates and slices the same arrays)
    rng = np.random.default_rng(5)
    x, y = rng.standard_normal((16, 10)).astype(np.float32), rng.integers(0, 3, 16)
    results = []
    for mode in ("packed", "apart", "eager"):
        _, model = _pair(_mlp)
        lazy._pack = mode == "packed"
        try:
            with _lazy.lazy(mode != "eager"):
                opt, losses = _adam_steps(jtorch, model, jtorch.tensor(x), jtorch.tensor(y), 4)
        finally:
            lazy._pack = True
        arrays = [p.detach().numpy() for p in model.parameters()]
        arrays += [v.numpy() for s in opt.state.values() for v in s.values()]
        results.append((losses, arrays))
    for losses, arrays in results[1:]:
        assert losses == results[0][0]
        for a, b in zip(arrays, results[0][1]):
            np.testing.assert_array_equal(a, b)


def test_packed_results_read_between_steps(lazy):
    # a script that prints a bias and saves the optimizer's state between steps: the read
    # slices the packed values out (one call), and training goes on with torch's values
    def run(lib, model):
        opt = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        x, y = lib.tensor(xs), lib.tensor(ys)
        seen = []
        for i in range(6):
            opt.zero_grad()
            lib.nn.functional.cross_entropy(model(x), y).backward()
            opt.step()
            if i % 2:
                seen.append(model[2].bias.tolist())
                buffer = io.BytesIO()
                lib.save(opt.state_dict(), buffer)
        return seen

    rng = np.random.default_rng(7)
    xs, ys = rng.standard_normal((16, 10)).astype(np.float32), rng.integers(0, 3, 16)
    t_model, j_model = _pair(_mlp)
    t_seen = run(torch, t_model)
    before = lazy.stats["packed"]
    j_seen = run(jtorch, j_model)
    assert lazy.stats["packed"] > before
    np.testing.assert_allclose(j_seen, t_seen, rtol=1e-5, atol=1e-6)
    for (k, tp), jp in zip(t_model.state_dict().items(), j_model.state_dict().values()):
        assert_close(jp, tp, rtol=1e-4, atol=1e-5)


def test_mixed_dtypes_pack_apart(lazy):
    # a float64 layer beside float32 ones: one packed array per dtype
    def build(lib):
        return lib.nn.Sequential(lib.nn.Linear(10, 8), lib.nn.Linear(8, 3).double())

    def steps(lib, model, x, y):
        opt = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        losses = []
        for _ in range(4):
            opt.zero_grad()
            h = model[0](x)
            loss = lib.nn.functional.cross_entropy(model[1](h.double()), y)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        return losses

    t_model, j_model = _pair(build)
    rng = np.random.default_rng(6)
    x, y = rng.standard_normal((16, 10)).astype(np.float32), rng.integers(0, 3, 16)
    t_losses = steps(torch, t_model, torch.tensor(x), torch.tensor(y))
    j_losses = steps(jtorch, j_model, jtorch.tensor(x), jtorch.tensor(y))
    calls = {p._storage.array.call for p in j_model.parameters()}
    assert len(calls) == 2 and all(c.key[0] is _lazy._unpack for c in calls)
    np.testing.assert_allclose(j_losses, t_losses, rtol=2e-5, atol=1e-6)
    for (k, tp), jp in zip(t_model.state_dict().items(), j_model.state_dict().values()):
        assert_close(jp, tp, rtol=1e-4, atol=1e-5)


def test_gradients_accumulated_across_steps(lazy):
    # zero_grad() every other step: the next backward reads the last step's gradients
    t_model, j_model = _pair(_mlp)
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((16, 10)).astype(np.float32), rng.integers(0, 3, 16)
    t_losses = _sgd_steps(torch, t_model, torch.tensor(x), torch.tensor(y), 6, zero_every=2)
    before = lazy.stats["deferred_reads"]
    j_losses = _sgd_steps(jtorch, j_model, jtorch.tensor(x), jtorch.tensor(y), 6, zero_every=2)
    assert lazy.stats["deferred_reads"] == before + 1  # the second step's backward; then none
    np.testing.assert_allclose(j_losses, t_losses, rtol=2e-5, atol=1e-6)
    for (k, tp), jp in zip(t_model.state_dict().items(), j_model.state_dict().values()):
        assert_close(jp, tp, rtol=1e-4, atol=1e-5)
    for tp, jp in zip(t_model.parameters(), j_model.parameters()):
        assert_close(jp.grad, tp.grad, rtol=1e-4, atol=1e-5)


def test_eager_mode_records_nothing():
    with _lazy.lazy(False):
        x = jtorch.ones(3)
        y = x * 2
        assert not isinstance(y._storage.array, _lazy.Pending)
        assert _lazy._calls == []


def test_values_are_pending_until_read(lazy):
    x = jtorch.ones(2, 3)
    y = (x * 2).sum(0)
    assert isinstance(y._storage.array, _lazy.Pending)
    assert y.shape == (3,) and y.dtype == jtorch.float32  # metadata without running
    assert y.tolist() == [4.0, 4.0, 4.0]
    assert not isinstance(y._storage.array, _lazy.Pending)


def test_views_and_inplace_writes(lazy):
    def run(lib):
        a = lib.arange(12.0).reshape(3, 4)
        b = a * 1  # pending in jtorch
        v = b[:, 1::2]
        v.mul_(10)
        b[0] += 100
        t = b.t()
        t[1, 2] = -1
        c = b.sum(1) + v.sum()
        return [
            a.tolist(),
            b.tolist(),
            v.tolist(),
            c.tolist(),
            b._version if lib is jtorch else None,
        ]

    got, want = run(jtorch), run(torch)
    assert got[:4] == want[:4]


def test_autograd_through_views_and_hooks(lazy):
    def run(lib):
        w = lib.linspace(-1, 1, 6, requires_grad=True)
        seen = []
        h = (w * 3).reshape(2, 3)
        h.register_hook(lambda g: seen.append(g.sum().item()))
        loss = (h[:, 1:].exp() * h[0, 0]).sum()
        loss.backward()
        return w.grad.tolist(), seen, loss.item()

    got, want = run(jtorch), run(torch)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-6)
    np.testing.assert_allclose(got[1], want[1], rtol=1e-6)
    np.testing.assert_allclose(got[2], want[2], rtol=1e-6)


def _backwards(lib, fused_calls=None):
    """Plain backward calls over a graph with a shared operand, a two-output op with one output
    unused, gradients accumulating into ``.grad`` and retain_graph; the gradients after each, and
    the error of a backward through a freed graph."""
    w = lib.linspace(-1, 1, 6, requires_grad=True)
    b = lib.tensor([0.5, -2.0], requires_grad=True)
    h = w.reshape(2, 3) * b[:, None]
    s, _ = lib.std_mean(h, dim=1)  # the mean is not used: its cotangent is zeros
    loss = (s * b).sum() + (h.sin() * h).sum()  # h and b are each used twice
    seen = []
    for retain in (True, True, False):  # the second and third accumulate into .grad
        before = len(_lazy._calls)
        loss.backward(retain_graph=retain)
        if fused_calls is not None and lib is jtorch:
            fused_calls.append(len(_lazy._calls) - before)
        seen.append((w.grad.tolist(), b.grad.tolist()))  # not numpy(): it would share the buffer
    with pytest.raises(RuntimeError) as freed:
        loss.backward()
    return seen, str(freed.value)


def test_a_plain_backward_is_one_recorded_call(lazy, monkeypatch):
    # Note [fused backward]: one call, with the engine's values bit for bit, and torch's. Flushes
    # run call by call here, as eager mode runs (a compiled program may contract an FMA where
    # another program, cut elsewhere, does not)
    monkeypatch.setattr(_lazy, "MIN_CALLS", 1 << 30)
    calls = []
    fused, fused_error = _backwards(jtorch, calls)
    assert calls == [1, 1, 1], calls
    monkeypatch.setattr(jtorch.autograd._engine, "_fused_backward", lambda *a: False)
    by_node, node_error = _backwards(jtorch)
    want, want_error = _backwards(torch)
    for got, engine, ref in zip(fused, by_node, want):
        for g, e, r in zip(got, engine, ref):
            np.testing.assert_array_equal(g, e)
            np.testing.assert_allclose(g, r, rtol=1e-5, atol=1e-6)
    assert fused_error == node_error == want_error


def test_backward_through_writes_into_views(lazy):
    def run(lib):
        w = lib.linspace(-1, 1, 6, requires_grad=True)
        h = (w * 2).reshape(2, 3)
        h[:, 1] = w[:2] ** 2  # CopySlices: its backward takes the view's index arrays
        h.t()[2].mul_(w[3:5])
        loss = (h * lib.arange(6.0).reshape(2, 3)).sum()
        loss.backward()
        return w.grad.tolist(), loss.item()

    got, want = run(jtorch), run(torch)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-6)
    assert got[1] == pytest.approx(want[1], rel=1e-6)


def test_errors_are_raised_at_the_op(lazy):
    a = jtorch.ones(2, 3) * 1  # pending
    with pytest.raises(RuntimeError) as got:
        a + jtorch.ones(4)
    with pytest.raises(RuntimeError) as want:
        torch.ones(2, 3) + torch.ones(4)
    assert str(got.value) == str(want.value)


def test_value_checks_read_pending_indices(lazy):
    # cross_entropy checks its class indices on the host: a pending target is computed first
    logits = jtorch.zeros(2, 3, requires_grad=True)
    target = jtorch.tensor([0, 1]) * 3  # pending, and 3 is out of range
    with pytest.raises(IndexError, match="Target 3 is out of bounds."):
        jtorch.nn.functional.cross_entropy(logits, target)


def test_random_draws_match_torch(lazy):
    torch.manual_seed(5)
    jtorch.manual_seed(5)
    t = (torch.rand(4) * 2 + torch.randn(4)).tolist()
    j = (jtorch.rand(4) * 2 + jtorch.randn(4)).tolist()
    np.testing.assert_allclose(j, t, rtol=1e-6)


def test_save_mid_step_writes_the_values(lazy):
    _, model = _pair(_mlp)
    opt = jtorch.optim.SGD(model.parameters(), lr=0.1)
    x, y = jtorch.randn(4, 10), jtorch.randint(0, 3, (4,))
    jtorch.nn.functional.cross_entropy(model(x), y).backward()
    with jtorch.no_grad():
        for p in model.parameters():
            p.sub_(p.grad * 0.1)  # pending parameters
    buf = io.BytesIO()
    jtorch.save(model.state_dict(), buf)
    buf.seek(0)
    loaded = torch.load(buf)
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(loaded[k].numpy(), v.numpy())
    opt.zero_grad()


def test_switching_the_mode_off_computes_what_is_pending():
    with _lazy.lazy(True):
        y = jtorch.ones(3) * 5
        assert isinstance(y._storage.array, _lazy.Pending)
        with _lazy.lazy(False):
            assert not _lazy.enabled()
            assert y._storage.array.value is not None  # computed on the way in
            z = y * 2
            assert not isinstance(z._storage.array, _lazy.Pending)
        assert _lazy.enabled()
    assert y.tolist() == [5.0, 5.0, 5.0] and z.tolist() == [10.0] * 3


def test_compiled_call_inside_lazy_mode(lazy):
    t_model, j_model = _pair(_mlp)
    compiled = jtorch.compile(j_model)
    x = np.random.default_rng(0).standard_normal((5, 10)).astype(np.float32)
    xj = jtorch.tensor(x) * 1  # pending input to a compiled call
    for _ in range(3):
        out = compiled(xj)
    assert_close(out, t_model(torch.tensor(x)), rtol=1e-5, atol=1e-6)


def test_python_m_jtorch_runs_scripts_lazily(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    script = tmp_path / "s.py"
    script.write_text(
        "import torch\n"
        "from jtorch import _lazy\n"
        "x = torch.ones(3) * 2\n"
        "print(_lazy.enabled(), type(x._storage.array).__name__, x.sum().item())\n"
    )
    repo = Path(__file__).resolve().parents[1]

    def run(**env):
        env.update(PYTHONPATH=str(repo), PATH="/usr/bin:/bin", JAX_PLATFORMS="cpu")
        cmd = [sys.executable, "-m", "jtorch", str(script)]
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        assert done.returncode == 0, done.stderr
        return done.stdout.split()

    assert run() == ["True", "Pending", "6.0"]
    assert run(JTORCH_LAZY="0")[:2] == ["False", "ArrayImpl"]


def test_a_loop_that_never_reads_is_cut_into_graphs(lazy, monkeypatch):
    monkeypatch.setattr(lazy, "MAX_CALLS", 40)

    def run(lib):
        x = lib.linspace(0, 1, 5)
        acc = lib.zeros(5)
        with lib.no_grad():
            for i in range(100):
                acc = acc + x * (i % 7) - x.sum()  # no value read until the end
        return acc.tolist()

    before = lazy.stats["flushes"]
    np.testing.assert_allclose(run(jtorch), run(torch), rtol=1e-5)
    assert lazy.stats["flushes"] - before >= 100 * 3 // 40


def test_repeated_operands_and_chains_first_seen(lazy):
    def run(lib):
        a = lib.arange(1.0, 5.0)
        y = a * 1.5
        z = y * y  # one pending value twice in one call
        w = (z + y) / y
        return w.tolist(), z.tolist()

    got, want = run(jtorch), run(torch)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-6)
    np.testing.assert_allclose(got[1], want[1], rtol=1e-6)


def test_other_threads_run_eagerly(lazy):
    import threading

    y = jtorch.arange(4.0) * 3  # pending, made by this thread
    out = {}

    def work():
        z = y + 1  # another thread: computes y first, then runs eagerly
        out["pending"] = isinstance(z._storage.array, lazy.Pending)
        out["value"] = z.tolist()

    t = threading.Thread(target=work)
    t.start()
    t.join()
    assert out == {"pending": False, "value": [1.0, 4.0, 7.0, 10.0]}
    assert isinstance((y * 2)._storage.array, lazy.Pending)  # this thread still records


def test_scalar_inputs_of_a_compiled_graph(lazy):
    # Note [host inputs]: a compiled graph gets its Python scalars as device arrays made once
    # per value, so values that compare equal but compute differently must stay apart
    import jax
    import jax.numpy as jnp

    a = jnp.arange(1.0, 4.0, dtype=jnp.float32)
    f = jax.jit(lambda a, s: jnp.copysign(a, s * 1.0) * (s + 1))
    g = jax.jit(lambda x: x * 2)
    for s in (0.0, -0.0, 2.5, 1, True, 2**40, -3, 0.0):
        before = lazy.stats["compiled_runs"]
        out = lazy.call(g, (lazy.call(f, (a, s)),))
        lazy.flush(step_end=True)
        assert lazy.stats["compiled_runs"] == before + 1
        got, want = np.asarray(out.force()), np.asarray(g(f(a, s)))
        assert got.dtype == want.dtype and got.tobytes() == want.tobytes(), (s, got, want)


def test_numpy_inputs_of_a_compiled_graph(lazy):
    # Note [host inputs]: numpy inputs reach a compiled graph packed into one array per dtype;
    # each call must still see its own values, shapes and dtypes
    import jax
    import jax.numpy as jnp
    import ml_dtypes

    f = jax.jit(lambda a, u, v: (a * u.sum(), v))
    g = jax.jit(lambda x: x * 2)
    inputs = [
        np.arange(6, dtype=np.float32).reshape(2, 3),
        np.float32(2.5),
        np.zeros((0, 2), np.float32),
        np.array([[1, -2], [3, 4]], np.int64),
        np.array(7, np.int64),
        np.array([True, False]),
        np.arange(3, dtype=np.float16) / 3,
        np.arange(3).astype(ml_dtypes.bfloat16),
        np.array([1 + 2j], np.complex64),
    ]
    a = jnp.float32(3.0)
    for _ in range(2):  # the second time through, the program exists: the layout is reused
        outs = []
        before = lazy.stats["compiled_runs"]
        for u in inputs:
            for v in inputs[::-1][:3]:
                y, w = lazy.call(f, (a, u, v))
                outs.append((lazy.call(g, (y,)), w, u, v))
        lazy.flush(step_end=True)
        assert lazy.stats["compiled_runs"] == before + 1
        for y, w, u, v in outs:
            want_y, want_w = f(a, u, v)
            want_y = g(want_y)
            for got, want in ((y.force(), want_y), (w.force(), want_w)):
                got, want = np.asarray(got), np.asarray(want)
                assert got.dtype == want.dtype and got.shape == want.shape
                assert got.tobytes() == want.tobytes(), (u, v, got, want)


def test_a_read_runs_only_the_calls_it_needs(lazy):
    # Note [partial flushes]: reading b runs b's calls; a and c stay pending, and a call whose
    # result nobody holds is dropped
    def run(lib, check=None):
        x = lib.arange(6.0).reshape(2, 3)
        a = x * 2
        b = x.sum(1)
        c = a + 1
        d = x.exp()  # dropped before the read
        del d
        first = b.tolist()
        if check:
            check(a, b, c)
        e = (c * b[:, None]).sum()
        return first, e.item(), a.tolist(), c.tolist()

    def uncomputed(t):
        v = t._storage.array
        return isinstance(v, lazy.Pending) and v.value is None

    def check(a, b, c):
        assert not uncomputed(b)
        assert uncomputed(a) and uncomputed(c)

    assert run(jtorch, check) == run(torch)


def test_a_loss_check_does_not_cut_the_step(lazy):
    # cross_entropy reads its class indices on the host: that must not compute the forward
    # (Note [partial flushes]); a DataLoader batch is fetched eagerly (Note [eager batches]),
    # so the indices are there already and nothing but the step is flushed
    rng = np.random.default_rng(0)
    xs = rng.standard_normal((12, 3)).astype(np.float32)
    ys = rng.integers(0, 4, 12)
    w = rng.standard_normal((4, 3)).astype(np.float32)

    def run(lib, pending=None):
        data = lib.utils.data
        loader = data.DataLoader(data.TensorDataset(lib.tensor(xs), lib.tensor(ys)), batch_size=4)
        model = lib.nn.Linear(3, 4, bias=False)
        with lib.no_grad():
            model.weight.copy_(lib.tensor(w))
        opt = lib.optim.SGD(model.parameters(), lr=0.5)
        losses = []
        for _ in range(3):
            for xb, yb in loader:
                out = model(xb)
                loss = lib.nn.functional.cross_entropy(out, yb)
                if pending is not None:
                    v = out._storage.array
                    pending.append(isinstance(v, lazy.Pending) and v.value is None)
                    pending.append(not isinstance(yb._storage.array, lazy.Pending))
                opt.zero_grad()
                loss.backward()
                opt.step()
                losses.append(loss.item())
        return losses, model.weight.detach().numpy()

    pending = []
    before = dict(lazy.stats)
    got = run(jtorch, pending)
    counts = {k: lazy.stats[k] - before[k] for k in before}
    want = run(torch)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-5)
    np.testing.assert_allclose(got[1], want[1], rtol=1e-5)
    assert all(pending), pending
    # per step: the step as one program
    assert counts["flushes"] == 9 and counts["compiled_runs"] >= 7, counts


def test_half_precision_intermediates_round_as_in_eager(lazy):
    # a compiled graph must round a bfloat16/float16 result before reading it again, as the
    # eager calls do (XLA's excess precision would keep it in float32)
    def run(lib):
        out = []
        for dtype in (lib.bfloat16, lib.float16):
            g = lib.tensor([[-0.08544922, 0.1, 0.3333, 7.1]], dtype=dtype)
            h = lib.tensor([0.9977, 1.01, -0.37, 0.33], dtype=dtype)
            for _ in range(3):  # call by call, then compiled
                out.append(((g * h).float() * 3).tolist())
        return out

    before = lazy.stats["compiled_runs"]
    got = run(jtorch)
    assert lazy.stats["compiled_runs"] > before
    assert got == run(torch)
