"""torch.optim against jtorch.optim: PyTorch's optim_db (see conformance/optim.py for what one
check compares), plus what optim_db does not reach: parameter groups, zero_grad, closures,
hooks, state_dict details, custom optimizers, complex parameters and recompilation.

Fast tier (the default run): every optim_db entry, every configuration in float32, 20 steps,
with a state_dict swap between the libraries halfway, and every error input. The full run
(``-m slow``) adds float64.
"""

import sys
import warnings

import numpy as np
import pytest
import torch
import torch.optim.optimizer

import jtorch
from conformance import opinfo, optim
from conformance._compare import assert_close, same_outcome, to_numpy
from conformance.optim import to_torch
from jtorch import _lazy

DEVICE = opinfo.default_device()
ENTRIES = {info.name: info for info in optim.optim_db()}
# entries whose trajectory cannot run, and why (their error inputs still run)
UNTESTED = {"SparseAdam": "needs sparse gradients"}


@pytest.mark.parametrize("name", list(ENTRIES))
def test_optim_db(name):
    result = optim.check_optimizer(ENTRIES[name], dtypes=(torch.float32,), device=DEVICE)
    expected = "untested" if name in UNTESTED else "pass"
    assert result.status == expected, result.reason


@pytest.mark.slow
@pytest.mark.parametrize("name", list(ENTRIES))
def test_optim_db_float64(name):
    result = optim.check_optimizer(
        ENTRIES[name], dtypes=(torch.float64,), errors=False, device=DEVICE
    )
    assert result.status == ("untested" if name in UNTESTED else "pass"), result.reason


# ---- helpers ---------------------------------------------------------------------------------


def _params(lib, seed=0, shapes=((4, 3), (4,), (3,))):
    rng = np.random.default_rng(seed)
    return [lib.nn.Parameter(lib.tensor(rng.standard_normal(s).astype(np.float32))) for s in shapes]


def _set_grads(params, lib, seed):
    rng = np.random.default_rng(seed)
    for p in params:
        p.grad = lib.tensor(rng.standard_normal(tuple(p.shape)).astype(np.float32))


def _trajectory(make, steps=8, shapes=((4, 3), (4,), (3,)), before_step=None):
    """``make(lib, params)`` builds an optimizer; both libraries take ``steps`` steps on the same
    gradients and their parameters must agree after each. ``before_step(k, optimizer)`` runs
    on each library's optimizer before step ``k``."""
    tp, jp = _params(torch, shapes=shapes), _params(jtorch, shapes=shapes)
    t_opt, j_opt = make(torch, tp), make(jtorch, jp)
    for k in range(steps):
        if before_step is not None:
            before_step(k, t_opt)
            before_step(k, j_opt)
        _set_grads(tp, torch, k)
        _set_grads(jp, jtorch, k)
        t_opt.step()
        j_opt.step()
        for a, b in zip(tp, jp):
            assert_close(b.detach(), a.detach(), 1e-5, 1e-6)
    return t_opt, j_opt


# ---- parameter groups --------------------------------------------------------------------------


@pytest.mark.parametrize("cls", ["SGD", "Adam", "RMSprop", "Adagrad"])
def test_param_groups_with_their_own_hyperparameters(cls):
    def make(lib, p):
        groups = [{"params": p[:2]}, {"params": p[2:], "lr": 0.5, "weight_decay": 0.1}]
        return getattr(lib.optim, cls)(groups, lr=0.05)

    t_opt, j_opt = _trajectory(make)
    assert repr(j_opt) == repr(t_opt)


def test_add_param_group_fills_defaults_and_takes_part_in_steps():
    def make(lib, p):
        opt = lib.optim.SGD(p[:1], lr=0.1, momentum=0.9)
        opt.add_param_group({"params": p[1:], "lr": 0.01})
        return opt

    t_opt, j_opt = _trajectory(make)
    assert j_opt.param_groups[1]["momentum"] == 0.9
    assert repr(j_opt) == repr(t_opt)


def test_named_parameters_give_param_names():
    def make(lib, p):
        return lib.optim.Adam([("a", p[0]), ("b", p[1]), ("c", p[2])])

    t_opt, j_opt = _trajectory(make, steps=2)
    assert j_opt.state_dict()["param_groups"][0]["param_names"] == ["a", "b", "c"]
    assert repr(j_opt) == repr(t_opt)


@pytest.mark.parametrize(
    "build",
    [
        lambda lib, p: lib.optim.SGD({"params": p}),  # a dict is not a list of groups
        lambda lib, p: lib.optim.SGD([{"params": p[:1]}, {"params": p[:1]}]),
        lambda lib, p: lib.optim.SGD(set(p)),
        lambda lib, p: lib.optim.SGD([p[0] * 2]),
        lambda lib, p: lib.optim.SGD([1.0]),
        lambda lib, p: lib.optim.SGD([]),
        lambda lib, p: lib.optim.SGD(p, lr=-1),
        lambda lib, p: lib.optim.SGD(p, momentum=0.9, dampening=0.1, nesterov=True),
        lambda lib, p: lib.optim.Adam(p, betas=(0.9, 1.0)),
        lambda lib, p: lib.optim.Adam(p, eps=-1.0),
        lambda lib, p: lib.optim.SGD(p).add_param_group(p[0]),
        lambda lib, p: lib.optim.SGD(p[:1]).add_param_group({"params": p[1:], "foo": 1}).__class__,
    ],
)
def test_construction_errors(build):
    same_outcome(lambda lib: build(lib, _params(lib)), with_warnings=True)


def test_duplicate_parameters_warn():
    same_outcome(
        lambda lib: len(lib.optim.SGD([_params(lib)[0]] * 2).param_groups), with_warnings=True
    )


# ---- zero_grad, step, closure ------------------------------------------------------------------


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad(set_to_none):
    def fn(lib):
        p = _params(lib)
        _set_grads(p, lib, 0)
        grads = [q.grad for q in p]
        lib.optim.SGD(p).zero_grad(set_to_none=set_to_none)
        return [q.grad for q in p], grads  # zeroed in place when kept

    same_outcome(fn)


def test_step_with_closure_returns_the_loss_and_records_gradients():
    def fn(lib):
        p = _params(lib)
        opt = lib.optim.Adam(p, lr=0.1)

        def closure():
            opt.zero_grad()
            loss = sum((q**2).sum() for q in p)
            loss.backward()
            return loss

        losses = [opt.step(closure) for _ in range(3)]
        return losses, p

    same_outcome(fn)


def test_parameters_without_gradient_are_skipped_and_get_no_state():
    def fn(lib):
        p = _params(lib)
        opt = lib.optim.Adam(p)
        _set_grads(p[:1], lib, 0)
        opt.step()
        return [sorted(opt.state[q]) for q in p], p

    same_outcome(fn)


def test_base_step_is_not_implemented():
    class Plain(jtorch.optim.Optimizer):
        pass

    with pytest.raises(NotImplementedError):
        Plain(_params(jtorch), {}).step()


def test_a_user_optimizer_with_its_own_step():
    """A learner's hand-written optimizer on the base class (param_groups, state, defaults)."""

    def fn(lib):
        class Momentum(lib.optim.Optimizer):
            def __init__(self, params, lr=0.1, beta=0.9):
                super().__init__(params, {"lr": lr, "beta": beta})

            @lib.no_grad()
            def step(self, closure=None):
                for group in self.param_groups:
                    for p in group["params"]:
                        if p.grad is None:
                            continue
                        state = self.state[p]
                        if "v" not in state:
                            state["v"] = lib.zeros_like(p)
                        state["v"].mul_(group["beta"]).add_(p.grad)
                        p.add_(state["v"], alpha=-group["lr"])

        p = _params(lib)
        opt = Momentum(p)
        for k in range(3):
            _set_grads(p, lib, k)
            opt.step()
        return p, opt.state_dict(), repr(opt)

    same_outcome(fn)


def test_updates_are_in_place():
    """Parameters and state tensors keep their identity; their versions move as torch's do."""

    def fn(lib):
        p = _params(lib)
        opt = lib.optim.Adam(p)
        _set_grads(p, lib, 0)
        opt.step()
        held = opt.state[p[0]]["exp_avg"]
        version = p[0]._version
        _set_grads(p, lib, 1)
        opt.step()
        return held is opt.state[p[0]]["exp_avg"], p[0]._version > version, held

    same_outcome(fn)


def test_complex_parameters():
    shapes = ((3, 2),)

    def make_params(lib):
        rng = np.random.default_rng(0)
        z = (rng.standard_normal((3, 2)) + 1j * rng.standard_normal((3, 2))).astype(np.complex64)
        return [lib.nn.Parameter(lib.tensor(z))]

    for cls, kw in [("SGD", {"momentum": 0.9}), ("Adam", {"amsgrad": True}), ("AdamW", {})]:
        tp, jp = make_params(torch), make_params(jtorch)
        t_opt, j_opt = getattr(torch.optim, cls)(tp, **kw), getattr(jtorch.optim, cls)(jp, **kw)
        for k in range(5):
            rng = np.random.default_rng(k)
            g = (rng.standard_normal(shapes[0]) + 1j * rng.standard_normal(shapes[0])).astype(
                np.complex64
            )
            tp[0].grad, jp[0].grad = torch.tensor(g), jtorch.tensor(g)
            t_opt.step()
            j_opt.step()
            assert_close(jp[0].detach(), tp[0].detach(), 1e-5, 1e-6)
            for key, value in t_opt.state[tp[0]].items():
                assert_close(j_opt.state[jp[0]][key], value, 1e-5, 1e-6, what=key)


# ---- hooks -------------------------------------------------------------------------------------


def test_step_hooks_run_in_torch_order():
    def fn(lib):
        calls = []
        p = _params(lib)
        opt = lib.optim.SGD(p)
        h1 = opt.register_step_pre_hook(lambda o, a, k: calls.append(("pre", type(o).__name__)))
        opt.register_step_post_hook(lambda o, a, k: calls.append(("post", len(a))))
        base = sys.modules[f"{lib.__name__}.optim.optimizer"]
        g = base.register_optimizer_step_pre_hook(lambda o, a, k: calls.append("global"))
        _set_grads(p, lib, 0)
        opt.step()
        h1.remove()
        g.remove()
        opt.step()
        return calls

    same_outcome(fn)


def test_state_dict_hooks():
    def fn(lib):
        calls = []
        p = _params(lib)
        opt = lib.optim.SGD(p, momentum=0.9)
        opt.register_state_dict_pre_hook(lambda o: calls.append("sd pre"))
        opt.register_state_dict_post_hook(lambda o, sd: {**sd, "extra": 1})
        opt.register_load_state_dict_pre_hook(lambda o, sd: calls.append(sorted(sd)))
        opt.register_load_state_dict_post_hook(lambda o: calls.append("load post"))
        _set_grads(p, lib, 0)
        opt.step()
        sd = opt.state_dict()
        opt.load_state_dict(sd)
        return calls, sorted(sd)

    same_outcome(fn)


# ---- state_dict ----------------------------------------------------------------------------------


def test_state_dict_format():
    def fn(lib):
        p = _params(lib)
        opt = lib.optim.SGD([{"params": p[:1]}, {"params": p[1:], "lr": 0.5}], momentum=0.9)
        before = opt.state_dict()
        _set_grads(p, lib, 0)
        opt.step()
        return before, opt.state_dict()

    same_outcome(fn)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda sd: {**sd, "param_groups": sd["param_groups"] * 2},
        lambda sd: {**sd, "param_groups": [{**sd["param_groups"][0], "params": [0]}]},
    ],
)
def test_load_state_dict_errors(mutate):
    def fn(lib):
        p = _params(lib)
        opt = lib.optim.SGD(p)
        opt.load_state_dict(mutate(opt.state_dict()))

    same_outcome(fn)


def test_loaded_state_takes_the_parameter_dtype_but_step_keeps_its_own():
    def fn(lib):
        p = _params(lib)
        opt = lib.optim.Adam(p)
        _set_grads(p, lib, 0)
        opt.step()
        sd = opt.state_dict()
        sd["state"][0] = {k: v.double() for k, v in sd["state"][0].items()}
        q = [x.detach().double().requires_grad_() for x in p]
        other = lib.optim.Adam(q)
        other.load_state_dict(sd)
        return {k: v.dtype for k, v in other.state[q[0]].items()}

    same_outcome(fn)


def test_torch_checkpoint_loads_into_jtorch_and_continues():
    tp, jp = _params(torch), _params(jtorch)
    t_opt = torch.optim.AdamW(tp, lr=0.01, amsgrad=True)
    for k in range(3):
        _set_grads(tp, torch, k)
        t_opt.step()
    for a, b in zip(tp, jp):
        b.data = jtorch.tensor(to_numpy(a.detach()))
    j_opt = jtorch.optim.AdamW(jp)
    j_opt.load_state_dict(opinfo.to_jtorch(t_opt.state_dict()))
    assert j_opt.param_groups[0]["lr"] == 0.01 and j_opt.param_groups[0]["amsgrad"] is True
    for k in range(3, 6):
        _set_grads(tp, torch, k)
        _set_grads(jp, jtorch, k)
        t_opt.step()
        j_opt.step()
    for a, b in zip(tp, jp):
        assert_close(b.detach(), a.detach(), 1e-5, 1e-6)
    back = torch.optim.AdamW(tp)
    back.load_state_dict(to_torch(j_opt.state_dict()))
    for key, value in back.state[tp[0]].items():
        assert_close(j_opt.state[jp[0]][key], value, 1e-5, 1e-6, what=key)
        assert_close(j_opt.state[jp[0]][key], t_opt.state[tp[0]][key], 1e-5, 1e-6, what=key)


# ---- compilation -------------------------------------------------------------------------------


def test_changing_lr_does_not_recompile():
    from jtorch.optim.optimizer import _run_update

    p = _params(jtorch)
    opt = jtorch.optim.Adam(p, lr=0.1)
    _set_grads(p, jtorch, 0)
    opt.step()
    opt.step()
    size = _run_update._cache_size()
    for lr in (0.05, 0.01, 1e-3):
        opt.param_groups[0]["lr"] = lr
        opt.param_groups[0]["betas"] = (0.8, 0.99)
        opt.step()
    assert _run_update._cache_size() == size


def test_sgd_dampening_unread_without_momentum_then_read_with_it():
    """Without momentum SGD's update does not read dampening, which then is part of the
    program's key instead of an input (``_read_if_nonzero``); momentum turned on later in the
    group must read it again, as torch does."""

    def change(k, opt):
        if k == 3:
            opt.param_groups[0]["momentum"] = 0.9
        if k == 5:
            opt.param_groups[0]["dampening"] = 0.25

    t_opt, j_opt = _trajectory(
        lambda lib, p: lib.optim.SGD(p, lr=0.1, dampening=0.5), steps=6, before_step=change
    )
    for a, b in zip(t_opt.param_groups[0]["params"], j_opt.param_groups[0]["params"]):
        assert_close(
            j_opt.state[b]["momentum_buffer"], t_opt.state[a]["momentum_buffer"], 1e-5, 1e-6
        )


def test_one_compiled_call_per_group(monkeypatch):
    from jtorch.optim import optimizer as base

    calls = []
    real = base._run_update
    monkeypatch.setattr(base, "_run_update", lambda *a: calls.append(len(a[3])) or real(*a))
    p = _params(jtorch, shapes=[(2,)] * 10)
    opt = jtorch.optim.Adam([{"params": p[:7]}, {"params": p[7:]}])
    _set_grads(p, jtorch, 0)
    with _lazy.lazy(False):  # lazy mode calls it once more, to know the results' shapes
        opt.step()
    assert calls == [7, 3]


def test_differentiable_is_not_supported():
    with pytest.raises(NotImplementedError, match="differentiable"):
        jtorch.optim.SGD(_params(jtorch), differentiable=True)


def test_warnings_do_not_leak():
    """Steps of a built-in optimizer give no warnings (torch gives none either)."""
    p = _params(jtorch)
    opt = jtorch.optim.Adam(p)
    _set_grads(p, jtorch, 0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.step()


@pytest.mark.parametrize("cls", ["SGD", "Adam", "AdamW", "Adagrad", "ASGD", "NAdam", "RMSprop"])
def test_an_old_state_with_number_steps_and_missing_group_keys_loads_as_torch(cls):
    """torch's ``__setstate__`` fills group keys older versions lacked and turns scalar state
    saved as Python numbers (step, mu_product, eta, mu) into tensors."""

    def fn(lib):
        p = _params(lib)
        opt = getattr(lib.optim, cls)(p, momentum=0.9) if cls == "SGD" else getattr(lib.optim, cls)(p)
        _set_grads(p, lib, 0)
        opt.step()
        sd = opt.state_dict()
        for st in sd["state"].values():
            for key in ("step", "mu_product", "eta", "mu"):
                if key in st:
                    st[key] = float(st[key])
        for group in sd["param_groups"]:
            group.pop("maximize")
            group.pop("foreach")
        other = getattr(lib.optim, cls)(p)
        other.load_state_dict(sd)
        _set_grads(p, lib, 1)
        other.step()
        return other.state_dict(), repr(other)

    same_outcome(fn)


def test_pickle_round_trip():
    import pickle

    def fn(lib):
        p = _params(lib)
        opt = lib.optim.Adam(p, lr=0.01)
        _set_grads(p, lib, 0)
        opt.step()
        again = pickle.loads(pickle.dumps(opt))
        again.step()  # its own copies of the parameters, with their gradients
        return repr(again), [sorted(s) for s in again.state.values()], again.param_groups[0]["params"]

    same_outcome(fn)


@pytest.mark.parametrize("cls", ["SGD", "Adam", "Rprop"])
def test_param_groups_may_carry_entries_of_their_own(cls):
    """Users (and schedulers: initial_lr, max_lr...) put their own entries in a group; the
    update ignores them, as torch's does."""

    def make(lib, p):
        groups = [{"params": p[:2], "name": "body", "tags": ["a", "b"], "meta": {"k": 1}}]
        opt = getattr(lib.optim, cls)(groups + [{"params": p[2:], "frozen_lr": None}], lr=0.01)
        opt.param_groups[0]["initial_lr"] = 0.5
        return opt

    t_opt, j_opt = _trajectory(make, steps=3)
    assert repr(j_opt) == repr(t_opt)


@pytest.mark.parametrize("lazy", [False, True], ids=["eager", "lazy"])
def test_hyperparameters_changed_between_steps(lazy):
    """A group's hyperparameters changed between steps, as scripts change them (a new float, a
    new tuple, a list or a tensor changed in place, a flag flipped), take effect at the next
    step, as in torch: the optimizer reuses the last split of a group only while the group
    holds the same immutable objects (``_split_hyper``)."""

    def in_place(g):
        if isinstance(g["betas"], list):
            g["betas"][0] = 0.7
        if not isinstance(g["lr"], float):
            g["lr"].fill_(0.02)

    changes = [
        lambda g: None,
        in_place,
        lambda g: g.__setitem__("betas", (0.8, 0.99)),
        lambda g: g.__setitem__("weight_decay", 0.1),
        lambda g: g.__setitem__("maximize", True),
        lambda g: g.__setitem__("lr", 0.05),
        lambda g: g.__setitem__("lr", -0.0),
        lambda g: None,
    ]
    for kind in ("floats", "in place"):
        results = {}
        for lib in (torch, jtorch):
            p = _params(lib)
            if kind == "floats":
                opt = lib.optim.Adam(p, lr=0.1, betas=(0.9, 0.999))
            else:
                opt = lib.optim.Adam(p, lr=lib.tensor(0.1), betas=[0.9, 0.999])
            with _lazy.lazy(lazy) if lib is jtorch else warnings.catch_warnings():
                for k, change in enumerate(changes):
                    change(opt.param_groups[0])
                    _set_grads(p, lib, k)
                    opt.step()
                    results.setdefault(lib, []).append([to_numpy(x.detach()).copy() for x in p])
        for k, (tstep, jstep) in enumerate(zip(results[torch], results[jtorch])):
            for t, j in zip(tstep, jstep):
                np.testing.assert_allclose(j, t, 1e-5, 1e-6, err_msg=f"{kind}, step {k}")
