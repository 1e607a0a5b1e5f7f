"""torch.compile in jtorch (jtorch/_compile.py, Note [compiled calls]) against real torch.

What the compiled object is (type, repr, state_dict keys, attributes) is compared with
``torch.compile(..., backend="eager")``, which runs here without a C++ compiler. What it
computes is compared with torch eager on the same weights and with jtorch eager: training
steps through compiled models (forward, backward to the parameters, optimizer), BatchNorm's
buffers, train/eval switches, and the calls the trace cannot hold (host reads, data-dependent
branches, random draws, writes into arguments), which must run eagerly with eager's results.
"""

import numpy as np
import pytest
import torch

import jtorch
from conformance._compare import assert_close, same_outcome
from conformance._models import convnet as _convnet
from conformance._models import dropout_net as _dropout_net
from conformance._models import mlp as _mlp
from conformance._models import pair as _pair


class _Branchy:
    """A module whose forward reads a value on the host: the trace cannot hold it."""

    @staticmethod
    def build(lib):
        class Net(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = lib.nn.Linear(10, 3)

            def forward(self, x):
                h = self.fc(x)
                return h if h.sum().item() > 0 else -h

        return Net()


# Adam is kept to the MLP: under Adam the conv bias before BatchNorm (whose true gradient is 0)
# moves by lr along the sign of rounding noise, so any two implementations part ways there.
MODELS = {
    "mlp": (_mlp, (16, 10), "Adam", {"lr": 0.01}),
    "convnet_batchnorm": (_convnet, (8, 1, 8, 8), "SGD", {"lr": 0.05}),  # not Adam: see above
    "host_read_branch": (_Branchy.build, (16, 10), "SGD", {"lr": 0.1, "momentum": 0.9}),
    "dropout": (_dropout_net, (16, 10), "SGD", {"lr": 0.1}),
}


def _train(lib, model, run, x, y, optim, kwargs, steps=4):
    opt = getattr(lib.optim, optim)(model.parameters(), **kwargs)
    losses = []
    lib.manual_seed(3)
    for i in range(steps):
        model.train(i != 2)  # one step in eval mode: BatchNorm and dropout switch
        loss = lib.nn.functional.cross_entropy(run(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


@pytest.mark.parametrize("name", MODELS)
def test_training_matches_eager(name):
    build, shape, optim, kwargs = MODELS[name]
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal(shape).astype(np.float32), rng.integers(0, 3, shape[0])
    t, j = _pair(build)
    _, eager = _pair(build)
    compiled = jtorch.compile(j)
    xt, yt = torch.tensor(x), torch.tensor(y)
    xj, yj = jtorch.tensor(x), jtorch.tensor(y)
    expected = _train(torch, t, t, xt, yt, optim, kwargs)
    by_eager = _train(jtorch, eager, eager, xj, yj, optim, kwargs)
    by_compiled = _train(jtorch, j, compiled, xj, yj, optim, kwargs)
    np.testing.assert_allclose(by_compiled, by_eager, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(by_compiled, expected, rtol=1e-5, atol=1e-6)
    for (k, a), b in zip(t.state_dict().items(), j.state_dict().values()):
        assert_close(b, a, rtol=1e-5, atol=1e-6, what=k)


def test_compiled_forward_records_one_node_and_reaches_the_parameters():
    t, j = _pair(_mlp)
    x = np.random.default_rng(1).standard_normal((4, 10)).astype(np.float32)
    compiled = jtorch.compile(j)
    assert compiled(jtorch.tensor(x)).grad_fn.name() == "AddmmBackward0"  # the first call: eager
    out = compiled(jtorch.tensor(x))
    assert out.grad_fn.name() == "CompiledFunctionBackward"
    out.sum().backward()
    t(torch.tensor(x)).sum().backward()
    for (k, a), b in zip(t.named_parameters(), j.parameters()):
        assert_close(b.grad, a.grad, rtol=1e-5, atol=1e-6, what=k)
    with jtorch.no_grad():
        assert compiled(jtorch.tensor(x)).grad_fn is None


def test_batchnorm_buffers_are_written_back():
    t, j = _pair(lambda lib: lib.nn.BatchNorm1d(5))
    x = np.random.default_rng(2).standard_normal((8, 5)).astype(np.float32)
    compiled = jtorch.compile(j)
    for _ in range(2):
        t(torch.tensor(x))
        compiled(jtorch.tensor(x))
    for k, a in t.state_dict().items():
        assert_close(j.state_dict()[k], a, rtol=1e-6, atol=1e-6, what=k)
    t.eval()
    compiled.eval()
    assert not j.training
    assert_close(compiled(jtorch.tensor(x)), t(torch.tensor(x)), 1e-6, 1e-6)


def test_optimized_module_is_torchs():
    t, j = _pair(_mlp)
    ct, cj = torch.compile(t, backend="eager"), jtorch.compile(j)
    assert type(cj).__name__ == type(ct).__name__ == "OptimizedModule"
    assert repr(cj) == repr(ct)
    assert list(cj.state_dict()) == list(ct.state_dict())
    assert cj._orig_mod is j and cj.training and len(cj) == len(ct) == 3
    same_outcome(lambda lib: lib.compile(lib.nn.Sequential(lib.nn.ReLU()))[0])
    assert [p is q for p, q in zip(cj.parameters(), j.parameters())] == [True] * 4


def test_a_dropout_step_draws_torchs_mask():
    t, j = _pair(_dropout_net)
    x = np.ones((4, 10), np.float32)
    torch.manual_seed(5)
    jtorch.manual_seed(5)
    expected = t(torch.tensor(x))
    actual = jtorch.compile(j)(jtorch.tensor(x))
    assert_close(actual, expected, rtol=1e-5, atol=1e-6)
    assert jtorch.get_rng_state().tolist() == torch.get_rng_state().tolist()


def test_functions_globals_and_decorator_forms():
    w = jtorch.tensor([1.0, -2.0, 3.0], requires_grad=True)
    c = jtorch.tensor([0.5, 0.5, 0.5])

    @jtorch.compile
    def f(x):
        return ((x + c) * w).sum()

    x = jtorch.tensor([1.0, 2.0, 3.0])
    f(x).backward()  # w is read from the enclosing scope: it still gets its gradient
    assert w.grad.tolist() == [1.5, 2.5, 3.5]
    c.add_(1)  # a constant it read changed: the next call sees it
    assert f(x).item() == ((x + c) * w).sum().item()
    assert jtorch.compile(mode="max-autotune")(lambda a: a * 2)(x).tolist() == [2.0, 4.0, 6.0]
    assert jtorch.compile(f.__wrapped__, disable=True) is f.__wrapped__


def test_an_argument_also_read_from_outside():
    # the first calls pass the tensor the function also reads through its closure; the
    # program must still read that tensor, not the argument, once the two differ
    def run(lib):
        g = lib.tensor([1.0, 2.0, 3.0])

        def f(x):
            return x * 2 + g

        compiled = lib.compile(f, backend="eager") if lib is torch else lib.compile(f)
        out = [compiled(g).tolist() for _ in range(3)]
        other = lib.tensor([10.0, 20.0, 30.0])
        out += [compiled(other).tolist() for _ in range(3)]
        g.add_(1)
        out += [compiled(other).tolist(), compiled(g).tolist()]
        return out

    same_outcome(run)


def test_calls_that_cannot_be_traced_run_eagerly():
    @jtorch.compile
    def grow(a):
        a.add_(1)  # a write into an argument
        return a[a > 1.5]  # a data-dependent shape

    a = jtorch.tensor([1.0, 0.0, 2.0])
    assert grow(a).tolist() == [2.0, 3.0]
    assert a.tolist() == [2.0, 1.0, 3.0]


def test_python_runs_once_per_signature():
    calls = []

    @jtorch.compile
    def f(x, scale):
        calls.append(1)
        return x * scale

    x = jtorch.ones(3)
    f(x, 2.0)  # a new signature runs eagerly
    f(x, 2.0)  # then traces
    assert len(calls) == 2
    for _ in range(3):
        assert f(x, 2.0).tolist() == [2.0, 2.0, 2.0]
    assert len(calls) == 2  # the program runs, not the Python
    f(x, 3.0)  # a new non-tensor value: a new signature
    f(jtorch.ones(4), 2.0)  # a new shape
    assert len(calls) == 4
    assert f(x, 3.0).tolist() == [3.0, 3.0, 3.0]


def test_python_values_it_reads_are_guarded():
    scale = 2.0

    @jtorch.compile
    def f(x):
        return x * scale

    x = jtorch.ones(2)
    assert f(x).tolist() == [2.0, 2.0]
    scale = 3.0  # read by f through its closure
    assert f(x).tolist() == [3.0, 3.0]
    t, j = _pair(lambda lib: lib.nn.LeakyReLU(0.1))
    compiled = jtorch.compile(j)
    x = jtorch.tensor([-1.0, 1.0])
    assert compiled(x).tolist() == t(torch.tensor([-1.0, 1.0])).tolist()
    j.negative_slope = t.negative_slope = 0.5
    assert compiled(x).tolist() == t(torch.tensor([-1.0, 1.0])).tolist()
    j.register_forward_hook(lambda m, i, o: o * 10)
    assert compiled(x).tolist() == [-5.0, 10.0]


def test_a_replaced_parameter_is_read():
    t, j = _pair(lambda lib: lib.nn.Linear(3, 2))
    compiled = jtorch.compile(j)
    x = np.random.default_rng(5).standard_normal((4, 3)).astype(np.float32)
    for step in range(4):
        if step == 2:  # a new parameter of the same shape: the program must read it
            t.weight = torch.nn.Parameter(torch.full((2, 3), 2.0))
            j.weight = jtorch.nn.Parameter(jtorch.full((2, 3), 2.0))
        out = compiled(jtorch.tensor(x))
        expected = t(torch.tensor(x))
        assert_close(out, expected, rtol=1e-5, atol=1e-6)
        out.sum().backward()
        expected.sum().backward()
        assert_close(j.weight.grad, t.weight.grad, rtol=1e-5, atol=1e-6)


def test_a_compiled_function_sees_its_modules_mode():
    t, j = _pair(_dropout_net)

    @jtorch.compile
    def f(x):
        return j(x)

    x = jtorch.ones(4, 10)
    j.eval()
    t.eval()
    for _ in range(3):
        assert_close(f(x), t(torch.ones(4, 10)), rtol=1e-5, atol=1e-6)
    j.train()  # now dropout draws: the call runs eagerly, and its draws are torch's
    t.train()
    torch.manual_seed(1)
    jtorch.manual_seed(1)
    assert_close(f(x), t(torch.ones(4, 10)), rtol=1e-5, atol=1e-6)


def test_module_compile_in_place():
    t, j = _pair(_mlp)
    x = np.random.default_rng(4).standard_normal((2, 10)).astype(np.float32)
    j.compile()
    j(jtorch.tensor(x))
    out = j(jtorch.tensor(x))
    assert out.grad_fn.name() == "CompiledFunctionBackward"
    assert_close(out, t(torch.tensor(x)), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("value", [3, "model", (1, 2)])
def test_non_callables_raise_as_torch(value):
    same_outcome(lambda lib: lib.compile(value))


# ---- whole training steps --------------------------------------------------------------------


def _step_losses(lib, model, optim, kwargs, compile_step, x, y, steps=8, scheduler=False):
    opt = getattr(lib.optim, optim)(model.parameters(), **kwargs)
    sched = lib.optim.lr_scheduler.StepLR(opt, 4, 0.5) if scheduler else None
    runs = []

    def step(x, y):
        runs.append(1)
        opt.zero_grad(set_to_none=optim != "SGD")  # both ways of clearing the gradients
        loss = lib.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    run = lib.compile(step) if compile_step else step
    losses = []
    for _ in range(steps):
        losses.append(run(x, y).item())
        if sched is not None:
            sched.step()  # outside the compiled step: the new lr must reach it
    return losses, len(runs)


@pytest.mark.parametrize(
    "optim, kwargs, scheduler",
    [
        ("SGD", {"lr": 0.1, "momentum": 0.9}, False),
        ("Adam", {"lr": 0.01}, False),
        ("AdamW", {"lr": 0.01}, True),
    ],
)
def test_a_compiled_training_step_matches_eager(optim, kwargs, scheduler):
    rng = np.random.default_rng(5)
    x, y = rng.standard_normal((16, 10)).astype(np.float32), rng.integers(0, 3, 16)
    t, j = _pair(_mlp)
    _, eager = _pair(_mlp)
    xt, yt, xj, yj = torch.tensor(x), torch.tensor(y), jtorch.tensor(x), jtorch.tensor(y)
    expected, _ = _step_losses(torch, t, optim, kwargs, False, xt, yt, scheduler=scheduler)
    by_eager, _ = _step_losses(jtorch, eager, optim, kwargs, False, xj, yj, scheduler=scheduler)
    by_compiled, runs = _step_losses(jtorch, j, optim, kwargs, True, xj, yj, scheduler=scheduler)
    # eager once (noting the parameters and optimizer state), one trace that takes them as
    # arguments; then the program only (a new lr: one trace more)
    assert runs == (3 if scheduler else 2)
    np.testing.assert_allclose(by_compiled, by_eager, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(by_compiled, expected, rtol=1e-5, atol=1e-6)
    for (k, a), b, c in zip(t.named_parameters(), j.parameters(), eager.parameters()):
        assert_close(b, a, rtol=1e-5, atol=1e-6, what=k)
        assert_close(b.grad, a.grad, rtol=1e-5, atol=1e-6, what=k + ".grad")
        np.testing.assert_allclose(b.detach().numpy(), c.detach().numpy(), rtol=1e-6, atol=1e-7)


def test_a_compiled_step_checks_its_targets_before_writing():
    t, j = _pair(_mlp)
    opt = jtorch.optim.SGD(j.parameters(), lr=0.1)

    @jtorch.compile
    def step(x, y):
        opt.zero_grad()
        loss = jtorch.nn.functional.cross_entropy(j(x), y)
        loss.backward()
        opt.step()
        return loss

    x = jtorch.ones(4, 10)
    for _ in range(3):
        step(x, jtorch.tensor([0, 1, 2, 0]))
    before = [p.detach().clone() for p in j.parameters()]
    bad = [0, 1, 7, 0]
    with pytest.raises(IndexError, match="^Target 7 is out of bounds.$"):
        step(x, jtorch.tensor(bad))
    with pytest.raises(IndexError, match="^Target 7 is out of bounds.$"):
        torch.nn.functional.cross_entropy(t(torch.ones(4, 10)), torch.tensor(bad))
    assert all(bool((p == q).all()) for p, q in zip(j.parameters(), before))


def _lstm_net(lib):
    class Net(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = lib.nn.Embedding(20, 8)
            self.rnn = lib.nn.LSTM(8, 16, batch_first=True)
            self.fc = lib.nn.Linear(16, 3)

        def forward(self, x):
            h, _ = self.rnn(self.emb(x))
            return self.fc(h[:, -1])

    return Net()


def _transformer_net(lib):
    class Net(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = lib.nn.Embedding(20, 16)
            layer = lib.nn.TransformerEncoderLayer(16, 2, 32, dropout=0.0, batch_first=True)
            self.enc = lib.nn.TransformerEncoder(layer, 1)
            self.fc = lib.nn.Linear(16, 3)

        def forward(self, x):
            return self.fc(self.enc(self.emb(x)).mean(1))

    return Net()


STEP_MODELS = {
    "convnet_batchnorm": (_convnet, lambda rng: rng.standard_normal((8, 1, 8, 8)), np.float32),
    "embedding_lstm": (_lstm_net, lambda rng: rng.integers(0, 20, (8, 5)), np.int64),
    "embedding_transformer": (_transformer_net, lambda rng: rng.integers(0, 20, (8, 5)), np.int64),
}


def _accumulating_steps(lib, compiled, build, x, y):
    t, j = _pair(build)
    model = t if lib is torch else j
    opt = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    runs = []

    def step(x, y):
        runs.append(1)
        opt.zero_grad()
        for _ in range(2):
            loss = lib.nn.functional.cross_entropy(model(x), y)
            loss.backward()
        opt.step()
        return loss

    run = lib.compile(step) if compiled else step
    xs, ys = lib.tensor(x), lib.tensor(y)
    losses = [run(xs, ys).item() for _ in range(5)]
    assert len(runs) == (2 if compiled else 5)  # compiled: eager once, a trace, programs
    return losses


@pytest.mark.parametrize("name", STEP_MODELS)
def test_compiled_steps_with_accumulated_gradients(name):
    """Two backward passes per step (gradients accumulate), BatchNorm buffers, embeddings."""
    build, data, dtype = STEP_MODELS[name]
    rng = np.random.default_rng(0)
    x, y = data(rng).astype(dtype), rng.integers(0, 3, 8)
    results = {
        (lib.__name__, compiled): _accumulating_steps(lib, compiled, build, x, y)
        for lib, compiled in ((torch, False), (jtorch, False), (jtorch, True))
    }
    np.testing.assert_allclose(results["jtorch", True], results["jtorch", False], 1e-6, 1e-7)
    np.testing.assert_allclose(results["jtorch", True], results["torch", False], 1e-5, 1e-6)


def test_tensors_a_compiled_step_keeps_hold_values():
    m = jtorch.nn.Linear(4, 3)
    opt = jtorch.optim.Adam(m.parameters(), lr=0.1)
    kept = []

    @jtorch.compile
    def step(x):
        opt.zero_grad()
        loss = m(x).sum()
        loss.backward()
        opt.step()
        kept.append(loss)  # runs when the code runs: eagerly, then when it traces
        return loss

    x = jtorch.ones(2, 4)
    losses = [step(x).item() for _ in range(4)]
    assert [k.item() for k in kept] == losses[:2]


def test_a_call_that_reads_values_in_python_stays_eager():
    m = jtorch.nn.Linear(4, 3)
    opt = jtorch.optim.SGD(m.parameters(), lr=0.1)
    kept, printed = [], []

    @jtorch.compile
    def step(x):
        opt.zero_grad()
        loss = m(x).sum()
        kept.append(loss)
        loss.backward()
        opt.step()
        printed.append(f"{loss.item():.4f}")  # a host read: the call is never traced
        return loss

    x = jtorch.ones(2, 4)
    losses = [step(x).item() for _ in range(3)]
    assert len(printed) == 3 and [k.item() for k in kept] == losses
    assert [k.grad_fn.name() for k in kept] == ["SumBackward0"] * 3
