"""torch.optim.lr_scheduler against real torch: speaks about jtorch/optim/lr_scheduler/.

Each test runs one script with ``lib`` = torch and ``lib`` = jtorch and compares a plain-Python
summary of it: per epoch, every group's lr (and momentum / betas[0]), ``get_last_lr()`` and
``last_epoch`` (floats to 1e-12 relative), the parameters the optimizer updated with them,
state_dicts (keys in order and values), the warnings given, and exception types and texts.
"""

import copy
import inspect
import math
import types
import warnings
from collections.abc import Mapping

import numpy as np
import pytest
import torch

import jtorch

EPOCHS = 100
METRICS = [float(v) for v in np.cumsum(np.random.default_rng(0).normal(size=2 * EPOCHS))]


# ---- comparing ----------------------------------------------------------------------------


def plain(x):
    """``x`` with tensors turned into floats (0-dim) or lists, the rest as it is."""
    if isinstance(x, (torch.Tensor, jtorch.Tensor)):
        return x.item() if x.dim() == 0 else np.asarray(x.detach().tolist()).tolist()
    if isinstance(x, Mapping):
        return {k: plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x)(plain(v) for v in x)
    return x


def close(a, b, rtol=1e-12):
    """Equal structures (mapping keys in the same order), floats to ``rtol`` relative."""
    if isinstance(b, float) and isinstance(a, (float, int)):
        return math.isclose(a, b, rel_tol=rtol, abs_tol=1e-300) or (math.isnan(a) and math.isnan(b))
    if isinstance(b, Mapping):
        return (
            isinstance(a, Mapping)
            and list(a) == list(b)
            and all(close(a[k], b[k], rtol) for k in b)
        )
    if isinstance(b, (list, tuple)):
        return (
            type(a) is type(b) and len(a) == len(b) and all(close(x, y, rtol) for x, y in zip(a, b))
        )
    return type(a) is type(b) and a == b


def outcome(script, lib):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = ("ok", plain(script(lib)))
        except Exception as e:  # noqa: BLE001 - the exception itself is compared
            result = (type(e).__name__, str(e).replace("jtorch", "torch"))
    return (*result, [(w.category.__name__, str(w.message)) for w in caught])


def same(script):
    """``script(lib)`` gives the same summary, warnings, or exception in torch and jtorch."""
    expected, actual = outcome(script, torch), outcome(script, jtorch)
    assert close(actual, expected), f"\ntorch:  {expected}\njtorch: {actual}"
    return expected


# ---- optimizers and schedules -------------------------------------------------------------


def optimizer(lib, kind="SGD", lrs=(0.1,), tensor_lr=False, **kw):
    """``lib.optim.<kind>`` over one parameter per lr in ``lrs`` (a group each), gradients set."""
    groups = []
    for i, lr in enumerate(lrs):
        p = lib.nn.Parameter(lib.full((3,), 1.0 + i))
        p.grad = lib.tensor([0.5, -1.0, 2.0])
        groups.append({"params": [p], "lr": lib.tensor(lr) if tensor_lr else lr})
    return getattr(lib.optim, kind)(groups, **kw)


SGD = {"momentum": 0.9}
SGD2 = {"lrs": (0.1, 0.05), "momentum": 0.9}
SGDT = {"lrs": (0.1, 0.05), "tensor_lr": True, "momentum": 0.9}
ADAM2 = {"kind": "Adam", "lrs": (0.01, 0.002)}


class Decay:
    """A callable object with state, which state_dicts save (functions they do not)."""

    def __init__(self, rate):
        self.rate = rate

    def __call__(self, epoch):
        return self.rate**epoch


def resumed(name, last_epoch, *args, **kw):
    """``name`` resumed at ``last_epoch``: the groups carry ``initial_lr`` as a checkpoint's do."""

    def make(L, opt):
        for group in opt.param_groups:
            group["initial_lr"] = group["lr"] * 2
        return getattr(L, name)(opt, *args, last_epoch=last_epoch, **kw)

    return make


def sched(name, *args, **kw):
    return lambda L, opt: getattr(L, name)(opt, *args, **kw)


def sequential(milestones, *parts):
    return lambda L, opt: L.SequentialLR(opt, [part(L, opt) for part in parts], milestones)


def chained(*parts, pass_optimizer=False):
    def make(L, opt):
        schedulers = [part(L, opt) for part in parts]
        return (
            L.ChainedScheduler(schedulers, opt)
            if pass_optimizer
            else L.ChainedScheduler(schedulers)
        )

    return make


PLATEAU = "plateau"  # the configuration steps with METRICS

CONFIGS = {
    "LambdaLR": (SGD, sched("LambdaLR", lambda e: 0.95**e)),
    "LambdaLR-list": (SGD2, sched("LambdaLR", [lambda e: 0.9**e, lambda e: 1 / (1 + e)])),
    "LambdaLR-object": (SGD2, sched("LambdaLR", [Decay(0.97), lambda e: 1.0])),
    "LambdaLR-resume": (SGD, resumed("LambdaLR", 10, lambda e: 0.95**e)),
    "MultiplicativeLR": (SGD, sched("MultiplicativeLR", lambda e: 0.97)),
    "MultiplicativeLR-list": (SGD2, sched("MultiplicativeLR", (Decay(0.99), lambda e: 0.95))),
    "MultiplicativeLR-resume": (SGD, resumed("MultiplicativeLR", 7, lambda e: 0.9)),
    "StepLR": (SGD, sched("StepLR", 7, gamma=0.5)),
    "StepLR-groups": (SGD2, sched("StepLR", step_size=3)),
    "StepLR-tensor-lr": (SGDT, sched("StepLR", 10, 0.7)),
    "StepLR-resume": (SGD, resumed("StepLR", 10, 4, gamma=0.5)),
    "MultiStepLR": (SGD2, sched("MultiStepLR", [10, 30, 30, 60], gamma=0.5)),
    "MultiStepLR-resume": (SGD, resumed("MultiStepLR", 20, [10, 30, 60])),
    "ConstantLR": (SGD, sched("ConstantLR")),
    "ConstantLR-groups": (ADAM2, sched("ConstantLR", factor=0.5, total_iters=10)),
    "ConstantLR-one": (SGD, sched("ConstantLR", factor=1.0)),
    "LinearLR": (SGD, sched("LinearLR")),
    "LinearLR-groups": (SGD2, sched("LinearLR", start_factor=0.1, end_factor=0.5, total_iters=20)),
    "LinearLR-to-zero": (SGD, sched("LinearLR", 1.0, 0.0, 30)),
    "LinearLR-resume": (SGD, resumed("LinearLR", 3, total_iters=10)),
    "ExponentialLR": (SGD2, sched("ExponentialLR", 0.95)),
    "ExponentialLR-tensor-lr": (SGDT, sched("ExponentialLR", 0.9)),
    "ExponentialLR-resume": (SGD, resumed("ExponentialLR", 5, 0.9)),
    "PolynomialLR": (SGD, sched("PolynomialLR")),
    "PolynomialLR-power": (SGD2, sched("PolynomialLR", total_iters=30, power=2.0)),
    "PolynomialLR-resume": (SGD, resumed("PolynomialLR", 4, total_iters=50, power=0.5)),
    "CosineAnnealingLR": (SGD, sched("CosineAnnealingLR", 10)),
    "CosineAnnealingLR-eta-min": (SGD2, sched("CosineAnnealingLR", T_max=25, eta_min=0.001)),
    "CosineAnnealingLR-tensor-lr": (SGDT, sched("CosineAnnealingLR", 30, eta_min=0.01)),
    "CosineAnnealingLR-resume": (SGD, resumed("CosineAnnealingLR", 5, 100, eta_min=0.001)),
    "CosineAnnealingWarmRestarts": (SGD, sched("CosineAnnealingWarmRestarts", 10)),
    "CosineAnnealingWarmRestarts-mult": (
        SGD2,
        sched("CosineAnnealingWarmRestarts", 5, T_mult=2, eta_min=0.001),
    ),
    "CosineAnnealingWarmRestarts-resume": (SGD, resumed("CosineAnnealingWarmRestarts", 12, 10)),
    "CyclicLR-triangular": (SGD, sched("CyclicLR", 0.01, 0.1, step_size_up=10)),
    "CyclicLR-triangular2": (
        SGD2,
        sched("CyclicLR", [0.01, 0.02], [0.1, 0.3], 5, 10, "triangular2", max_momentum=[0.9, 0.95]),
    ),
    "CyclicLR-exp-range": (SGD, sched("CyclicLR", 0.01, 0.1, 8, mode="exp_range", gamma=0.99)),
    "CyclicLR-scale-fn": (
        SGD,
        sched(
            "CyclicLR", 0.01, 0.1, 6, scale_fn=lambda x: 0.5 ** (x / 10), scale_mode="iterations"
        ),
    ),
    "CyclicLR-scale-object": (SGD, sched("CyclicLR", 0.01, 0.1, 4, scale_fn=Decay(0.9))),
    "CyclicLR-adam-betas": (ADAM2, sched("CyclicLR", 0.001, 0.01, 7, base_momentum=0.85)),
    "CyclicLR-no-momentum": ({}, sched("CyclicLR", 0.01, 0.1, 5, cycle_momentum=False)),
    "OneCycleLR": (SGD, sched("OneCycleLR", 0.1, total_steps=EPOCHS)),
    "OneCycleLR-linear": (
        SGD2,
        sched("OneCycleLR", [0.1, 0.2], total_steps=120, anneal_strategy="linear", pct_start=0.25),
    ),
    "OneCycleLR-three-phase": (
        SGD,
        sched("OneCycleLR", 0.1, EPOCHS, three_phase=True, div_factor=10.0),
    ),
    "OneCycleLR-adam-betas": (ADAM2, sched("OneCycleLR", 0.01, epochs=10, steps_per_epoch=11)),
    "OneCycleLR-no-momentum": (
        {},
        sched("OneCycleLR", 0.1, EPOCHS, cycle_momentum=False, final_div_factor=100.0),
    ),
    "ReduceLROnPlateau": (SGD, sched("ReduceLROnPlateau", patience=3), PLATEAU),
    "ReduceLROnPlateau-max-abs": (
        SGD2,
        sched("ReduceLROnPlateau", "max", 0.5, 2, threshold=0.1, threshold_mode="abs", cooldown=2),
        PLATEAU,
    ),
    "ReduceLROnPlateau-min-abs": (
        SGD,
        sched("ReduceLROnPlateau", threshold_mode="abs", patience=1),
        PLATEAU,
    ),
    "ReduceLROnPlateau-max-rel": (
        SGD,
        sched("ReduceLROnPlateau", mode="max", patience=0, threshold=0.2),
        PLATEAU,
    ),
    "ReduceLROnPlateau-min-lr": (
        SGD2,
        sched("ReduceLROnPlateau", factor=0.5, patience=1, min_lr=[0.02, 0.001], eps=1e-3),
        PLATEAU,
    ),
    "ReduceLROnPlateau-tensor-lr": (
        SGDT,
        sched("ReduceLROnPlateau", patience=2, min_lr=0.001),
        PLATEAU,
    ),
    "SequentialLR": (
        SGD,
        sequential([5], sched("ConstantLR", 0.1, 5), sched("ExponentialLR", 0.9)),
    ),
    "SequentialLR-three": (
        SGD2,
        sequential(
            [5, 30],
            sched("LinearLR", 0.1, total_iters=5),
            sched("StepLR", 7, 0.5),
            sched("CosineAnnealingLR", 20, 0.001),
        ),
    ),
    "SequentialLR-chained": (
        SGD,
        sequential(
            [10],
            chained(sched("ConstantLR", 0.5, 4), sched("ExponentialLR", 0.95)),
            sched("PolynomialLR", 40, 2.0),
        ),
    ),
    "ChainedScheduler": (SGD, chained(sched("ConstantLR", 0.1, 3), sched("ExponentialLR", 0.9))),
    "ChainedScheduler-optimizer": (
        SGD2,
        chained(sched("StepLR", 5), sched("MultiplicativeLR", lambda e: 0.99), pass_optimizer=True),
    ),
}


def build(lib, name):
    spec, make, *metrics = CONFIGS[name]
    opt = optimizer(lib, **spec)
    return opt, make(lib.optim.lr_scheduler, opt), bool(metrics)


def snapshot(opt, scheduler):
    return [
        [{k: v for k, v in group.items() if k != "params"} for group in opt.param_groups],
        list(scheduler.get_last_lr()),
        getattr(scheduler, "last_epoch", None),
    ]


def steps(opt, scheduler, plateau, epochs, start=0):
    """Train ``epochs`` epochs (``optimizer.step()`` then ``scheduler.step()``), a snapshot of
    each."""
    rows = []
    for epoch in range(start, start + epochs):
        opt.step()
        scheduler.step(METRICS[epoch]) if plateau else scheduler.step()
        rows.append(snapshot(opt, scheduler))
    return rows


def parameters(opt):
    return [p.detach().tolist() for g in opt.param_groups for p in g["params"]]


# ---- the schedules ------------------------------------------------------------------------


@pytest.mark.parametrize("name", CONFIGS)
def test_schedule(name):
    def script(lib):
        opt, scheduler, plateau = build(lib, name)
        return [snapshot(opt, scheduler)] + steps(opt, scheduler, plateau, EPOCHS)

    same(script)


@pytest.mark.filterwarnings("ignore:Detected call")  # test_schedule compares the warnings
@pytest.mark.parametrize("name", CONFIGS)
def test_parameters(name):
    """The optimizer really steps with the scheduled lr and momentum (float32 tolerance)."""
    out = {}
    for lib in (torch, jtorch):
        opt, scheduler, plateau = build(lib, name)
        steps(opt, scheduler, plateau, 30)
        out[lib.__name__] = parameters(opt)
    assert close(out["jtorch"], out["torch"], rtol=1e-5), out


@pytest.mark.parametrize("name", CONFIGS)
def test_state_dict(name):
    def script(lib):
        opt, scheduler, plateau = build(lib, name)
        steps(opt, scheduler, plateau, 7)
        return scheduler.state_dict()

    same(script)


def to_jtorch(x):
    """torch's state (tensors included) as jtorch's."""
    if isinstance(x, torch.Tensor):
        return jtorch.tensor(x.detach().numpy())
    if isinstance(x, dict):
        return type(x)({k: to_jtorch(v) for k, v in x.items()})
    if isinstance(x, (list, tuple)):
        return type(x)(to_jtorch(v) for v in x)
    return x


@pytest.mark.filterwarnings("ignore:Detected call")
@pytest.mark.parametrize("name", CONFIGS)
def test_load_torch_state_dict(name):
    """torch's optimizer and scheduler state_dicts, loaded into a fresh jtorch pair, continue
    torch's schedule."""
    t_opt, t_sched, plateau = build(torch, name)
    steps(t_opt, t_sched, plateau, 9)
    j_opt, j_sched, _ = build(jtorch, name)
    j_opt.load_state_dict(to_jtorch(t_opt.state_dict()))
    j_sched.load_state_dict(to_jtorch(copy.deepcopy(t_sched.state_dict())))
    expected = plain(steps(t_opt, t_sched, plateau, 25, start=9))
    actual = plain(steps(j_opt, j_sched, plateau, 25, start=9))
    assert close(actual, expected), f"\ntorch:  {expected}\njtorch: {actual}"


def test_tensor_lr_in_place():
    """A tensor ``group["lr"]`` is filled in place; the lists handed out hold copies."""

    def script(lib):
        opt = optimizer(lib, **SGDT)
        lr = opt.param_groups[0]["lr"]
        scheduler = lib.optim.lr_scheduler.CosineAnnealingLR(opt, 10)
        steps(opt, scheduler, False, 3)
        last = scheduler.get_last_lr()[0]
        return [
            lr is opt.param_groups[0]["lr"],
            last is not lr,
            scheduler.base_lrs[0] is not lr,
            lr,
        ]

    same(script)


def test_one_cycle_past_total_steps():
    def script(lib):
        opt = optimizer(lib, **SGD)
        scheduler = lib.optim.lr_scheduler.OneCycleLR(opt, 0.1, total_steps=10)
        steps(opt, scheduler, False, 11)

    same(script)


def test_step_epoch_closed_forms():
    """The deprecated ``step(epoch)``: closed forms where torch has them, with its warning."""

    def script(lib):
        L = lib.optim.lr_scheduler
        rows = []
        for make in (
            lambda o: L.StepLR(o, 3, 0.5),
            lambda o: L.MultiStepLR(o, [2, 5, 5], 0.5),
            lambda o: L.ConstantLR(o, 0.5, 4),
            lambda o: L.LinearLR(o, 0.2, 0.8, 6),
            lambda o: L.ExponentialLR(o, 0.9),
            lambda o: L.PolynomialLR(o, 8, 2.0),
            lambda o: L.CosineAnnealingLR(o, 10, 0.001),
            lambda o: L.LambdaLR(o, lambda e: 1 / (1 + e)),
            lambda o: L.MultiplicativeLR(o, lambda e: 0.9),
            lambda o: L.CosineAnnealingWarmRestarts(o, 4, 2, 0.01),
        ):
            opt = optimizer(lib, **SGD2)
            scheduler = make(opt)
            for epoch in (3, 7, 1, 12, 0, 5):
                opt.step()
                scheduler.step(epoch)
                rows.append(snapshot(opt, scheduler))
        return rows

    same(script)


def test_warm_restarts_fractional_epochs():
    def script(lib):
        opt = optimizer(lib, **SGD)
        scheduler = lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, 3, 2)
        rows = []
        for epoch in np.arange(0, 20, 0.3):
            opt.step()
            scheduler.step(float(epoch))
            rows.append(snapshot(opt, scheduler) + [scheduler.T_cur, scheduler.T_i])
        return rows

    same(script)


def test_plateau_new_param_group():
    """A group added after ReduceLROnPlateau: a scalar min_lr follows, a list min_lr raises."""

    def script(lib, min_lr):
        opt = optimizer(lib, **SGD)
        scheduler = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=0, min_lr=min_lr)
        opt.add_param_group({"params": [lib.nn.Parameter(lib.zeros(2))], "lr": 0.5})
        for metric in (1.0, 2.0, 3.0):
            scheduler.step(metric)
        return snapshot(opt, scheduler) + [scheduler.min_lrs]

    same(lambda lib: script(lib, 0.001))
    same(lambda lib: script(lib, [0.001]))


def test_lambda_state_dict_keeps_caller_dict():
    """load_state_dict leaves the caller's dict with its keys (pytorch#32756)."""

    def script(lib):
        opt = optimizer(lib, **SGD2)
        L = lib.optim.lr_scheduler
        scheduler = L.LambdaLR(opt, [Decay(0.5), Decay(0.7)])
        state = scheduler.state_dict()
        state["lr_lambdas"] = [{"rate": 0.25}, None]
        L.LambdaLR(opt, [Decay(0.9), Decay(0.8)]).load_state_dict(state)
        cyclic = L.CyclicLR(opt, 0.01, 0.1, scale_fn=Decay(0.9))
        cyclic_state = cyclic.state_dict()
        cyclic.load_state_dict(cyclic_state)
        return [list(state), state["lr_lambdas"], list(cyclic_state), cyclic._scale_fn_custom.rate]

    same(script)


# ---- warnings -----------------------------------------------------------------------------


def _overridden(lib):
    opt = optimizer(lib, **SGD)
    scheduler = lib.optim.lr_scheduler.StepLR(opt, 2)
    opt.step = types.MethodType(lambda self: None, opt)
    opt.step()
    scheduler.step()
    return snapshot(opt, scheduler)


def _two_schedulers(lib):
    opt = optimizer(lib, **SGD)
    L = lib.optim.lr_scheduler
    first, second = L.ExponentialLR(opt, 0.9), L.StepLR(opt, 2)
    wrapped = hasattr(opt.step, "_wrapped_by_lr_sched")
    opt.step()
    first.step()
    second.step()
    return snapshot(opt, second) + [wrapped]


def _warn_script(order, make=lambda L, o: L.StepLR(o, 2), epochs=3):
    def script(lib):
        opt = optimizer(lib, **SGD)
        scheduler = make(lib.optim.lr_scheduler, opt)
        for _ in range(epochs):
            for action in order:
                opt.step() if action == "opt" else action(scheduler)
        return snapshot(opt, scheduler)

    return script


WARNING_CASES = {
    "right-order": _warn_script(["opt", lambda s: s.step()]),
    "scheduler-first": _warn_script([lambda s: s.step(), "opt"]),
    "scheduler-only": _warn_script([lambda s: s.step()]),
    "overridden": _overridden,
    "two-schedulers": _two_schedulers,
    "step-epoch": _warn_script(["opt", lambda s: s.step(4)]),
    "get-lr-outside-step": _warn_script(["opt", lambda s: s.get_lr()]),
    "plateau-epoch": _warn_script(
        ["opt", lambda s: s.step(1.0, epoch=3)], lambda L, o: L.ReduceLROnPlateau(o)
    ),
    "plateau-first": _warn_script(
        [lambda s: s.step(1.0), "opt"], lambda L, o: L.ReduceLROnPlateau(o)
    ),
    "warm-restarts-epoch": _warn_script(
        [lambda s: s.step(2.5), "opt"], lambda L, o: L.CosineAnnealingWarmRestarts(o, 2)
    ),
    "sequential-first": _warn_script(
        [lambda s: s.step(), "opt"],
        lambda L, o: L.SequentialLR(o, [L.ConstantLR(o), L.ExponentialLR(o, 0.9)], [2]),
    ),
    "chained-first": _warn_script(
        [lambda s: s.step(), "opt"],
        lambda L, o: L.ChainedScheduler([L.ConstantLR(o), L.ExponentialLR(o, 0.9)]),
    ),
}


@pytest.mark.parametrize("name", WARNING_CASES)
def test_warnings(name):
    same(WARNING_CASES[name])


# ---- constructor and step errors ----------------------------------------------------------


def _resume_without_initial_lr(L, o):
    return L.StepLR(o, 3, last_epoch=4)


def _other_optimizer(L, o):
    return L.SequentialLR(
        o, [L.ConstantLR(o), L.ExponentialLR(type(o)(o.param_groups[0]["params"]), 0.9)], [2]
    )


ERROR_CASES = {
    "not-an-optimizer": lambda L, o: L.StepLR(object(), 3),
    "resume-without-initial-lr": _resume_without_initial_lr,
    "lambda-count": lambda L, o: L.LambdaLR(o, [lambda e: 1.0] * 2),
    "multiplicative-not-callable": lambda L, o: L.MultiplicativeLR(o, 0.9),
    "constant-factor": lambda L, o: L.ConstantLR(o, factor=1.5),
    "linear-start": lambda L, o: L.LinearLR(o, start_factor=0.0),
    "linear-end": lambda L, o: L.LinearLR(o, end_factor=1.5),
    "warm-T_0": lambda L, o: L.CosineAnnealingWarmRestarts(o, 0),
    "warm-T_0-float": lambda L, o: L.CosineAnnealingWarmRestarts(o, 2.0),
    "warm-T_mult": lambda L, o: L.CosineAnnealingWarmRestarts(o, 3, T_mult=0),
    "warm-eta-min": lambda L, o: L.CosineAnnealingWarmRestarts(o, 3, eta_min="0"),
    "warm-negative-epoch": lambda L, o: L.CosineAnnealingWarmRestarts(o, 3).step(-1),
    "sequential-empty": lambda L, o: L.SequentialLR(o, [], []),
    "sequential-milestones": lambda L, o: L.SequentialLR(o, [L.ConstantLR(o)], [3]),
    "sequential-plateau": lambda L, o: L.SequentialLR(
        o, [L.ConstantLR(o), L.ReduceLROnPlateau(o)], [2]
    ),
    "sequential-no-optimizer": lambda L, o: L.SequentialLR(o, [L.ConstantLR(o), object()], [2]),
    "sequential-other-optimizer": _other_optimizer,
    "chained-empty": lambda L, o: L.ChainedScheduler([]),
    "chained-plateau": lambda L, o: L.ChainedScheduler([L.ReduceLROnPlateau(o)]),
    "plateau-factor": lambda L, o: L.ReduceLROnPlateau(o, factor=1.0),
    "plateau-mode": lambda L, o: L.ReduceLROnPlateau(o, mode="avg"),
    "plateau-threshold-mode": lambda L, o: L.ReduceLROnPlateau(o, threshold_mode="pct"),
    "plateau-min-lrs": lambda L, o: L.ReduceLROnPlateau(o, min_lr=[0.1, 0.2]),
    "plateau-not-optimizer": lambda L, o: L.ReduceLROnPlateau(None),
    "cyclic-mode": lambda L, o: L.CyclicLR(o, 0.01, 0.1, mode="square"),
    "cyclic-base-lrs": lambda L, o: L.CyclicLR(o, [0.01, 0.02], 0.1),
    "cyclic-max-lrs": lambda L, o: L.CyclicLR(o, 0.01, [0.1, 0.2]),
    "cyclic-momentums": lambda L, o: L.CyclicLR(o, 0.01, 0.1, base_momentum=[0.8, 0.7]),
    "one-cycle-total-steps": lambda L, o: L.OneCycleLR(o, 0.1, total_steps=0),
    "one-cycle-epochs": lambda L, o: L.OneCycleLR(o, 0.1, epochs=-1, steps_per_epoch=3),
    "one-cycle-steps-per-epoch": lambda L, o: L.OneCycleLR(o, 0.1, epochs=2, steps_per_epoch=1.5),
    "one-cycle-no-steps": lambda L, o: L.OneCycleLR(o, 0.1, epochs=2),
    "one-cycle-pct-start": lambda L, o: L.OneCycleLR(o, 0.1, 10, pct_start=1.5),
    "one-cycle-pct-start-int": lambda L, o: L.OneCycleLR(o, 0.1, 10, pct_start=1),
    "one-cycle-anneal": lambda L, o: L.OneCycleLR(o, 0.1, 10, anneal_strategy="exp"),
    "one-cycle-max-lrs": lambda L, o: L.OneCycleLR(o, [0.1, 0.2], 10),
}

NO_MOMENTUM_CASES = {
    "cyclic-no-momentum": lambda L, o: L.CyclicLR(o, 0.01, 0.1),
    "one-cycle-no-momentum": lambda L, o: L.OneCycleLR(o, 0.1, 10),
    "cyclic-no-momentum-off": lambda L, o: L.CyclicLR(
        o, 0.01, 0.1, cycle_momentum=False
    ).get_last_lr(),
}


@pytest.mark.parametrize("name", ERROR_CASES)
def test_errors(name):
    same(lambda lib: ERROR_CASES[name](lib.optim.lr_scheduler, optimizer(lib, **SGD)))


@pytest.mark.parametrize("name", NO_MOMENTUM_CASES)
def test_errors_without_momentum(name):
    same(lambda lib: NO_MOMENTUM_CASES[name](lib.optim.lr_scheduler, optimizer(lib, "Adagrad")))


def test_public_names():
    L, T = jtorch.optim.lr_scheduler, torch.optim.lr_scheduler
    assert sorted(L.__all__) == sorted(T.__all__)
    assert L._LRScheduler.__name__ == "_LRScheduler" and issubclass(L._LRScheduler, L.LRScheduler)
    assert L.EPOCH_DEPRECATION_WARNING == T.EPOCH_DEPRECATION_WARNING
    for name in T.__all__:
        t_params = list(inspect.signature(getattr(T, name)).parameters.values())
        j_params = list(inspect.signature(getattr(L, name)).parameters.values())
        assert [(p.name, p.default, p.kind) for p in j_params] == [
            (p.name, p.default, p.kind) for p in t_params
        ], name
