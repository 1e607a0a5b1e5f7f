"""torch.utils.data.DistributedSampler and torch.optim.swa_utils against real torch: speaks about
jtorch/utils/data/distributed.py and jtorch/optim/swa_utils.py.

Each test runs one script with ``lib`` = torch and ``lib`` = jtorch on the same inputs (numpy
data loaded into both) and compares a plain-Python summary of it: index lists and lengths,
averaged weights and buffers (with their dtypes) after each update, learning rates per epoch,
BatchNorm statistics, state_dicts (keys in order and values), warnings, and exception types
and texts.
"""

import math
from collections.abc import Mapping

import numpy as np
import pytest
import torch

import jtorch
from conformance._compare import same_outcome
from conformance.test_lr_scheduler import optimizer, outcome

# Learning rates and averaged weights are torch's own expressions, operand for operand, and are
# compared to the last bits; model outputs (matmuls, BatchNorm's batch statistics) to
# torch.testing's float32 tolerances.
F32 = {"rtol": 1.3e-6, "atol": 1e-5}


def close(a, b, rtol=1e-12, atol=0.0):
    """Equal structures (mapping keys in the same order), floats within the tolerances."""
    if isinstance(b, float) and isinstance(a, (float, int)):
        return math.isclose(a, b, rel_tol=rtol, abs_tol=atol) or (math.isnan(a) and math.isnan(b))
    if isinstance(b, Mapping):
        same_keys = isinstance(a, Mapping) and list(a) == list(b)
        return same_keys and all(close(a[k], b[k], rtol, atol) for k in b)
    if isinstance(b, (list, tuple)):
        same_len = type(a) is type(b) and len(a) == len(b)
        return same_len and all(close(x, y, rtol, atol) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def same(script, rtol=1e-12, atol=0.0):
    """``script(lib)`` gives the same summary, warnings, or exception in torch and jtorch."""
    expected, actual = outcome(script, torch), outcome(script, jtorch)
    assert close(actual, expected, rtol, atol), f"\ntorch:  {expected}\njtorch: {actual}"
    return expected


# ---- DistributedSampler -------------------------------------------------------------------

LENGTHS = (0, 1, 2, 5, 7, 10, 13, 100, 1000)
REPLICAS = (1, 2, 3, 4, 8)


def shares(lib, length, num_replicas):
    """Every rank's indices and sampler figures, over shuffle, drop_last, seed and epoch."""
    out = []
    dataset = list(range(length))
    for rank in range(num_replicas):
        for shuffle in (True, False):
            for drop_last in (True, False):
                for seed in (0, 7):
                    sampler = lib.utils.data.DistributedSampler(
                        dataset, num_replicas, rank, shuffle=shuffle, seed=seed, drop_last=drop_last
                    )
                    figures = (len(sampler), sampler.num_samples, sampler.total_size)
                    for epoch in (0, 3):
                        sampler.set_epoch(epoch)
                        out.append((rank, shuffle, drop_last, seed, epoch, figures, list(sampler)))
    return out


@pytest.mark.parametrize("num_replicas", REPLICAS)
@pytest.mark.parametrize("length", LENGTHS)
def test_distributed_sampler_indices(length, num_replicas):
    same(lambda lib: shares(lib, length, num_replicas))


def test_distributed_sampler_default_arguments():
    """shuffle=True, seed=0, drop_last=False, epoch 0; the attributes torch sets."""

    def script(lib):
        sampler = lib.utils.data.DistributedSampler(range(11), num_replicas=3, rank=2)
        attrs = ("num_replicas", "rank", "epoch", "drop_last", "num_samples", "total_size")
        return [getattr(sampler, a) for a in (*attrs, "shuffle", "seed")], list(sampler)

    same(script)


def test_distributed_sampler_data_loader():
    """As a DataLoader's sampler, reshuffled by set_epoch."""

    def script(lib):
        data = lib.utils.data.TensorDataset(lib.arange(11) * 10, lib.arange(11).float())
        sampler = lib.utils.data.DistributedSampler(data, num_replicas=2, rank=1, seed=5)
        loader = lib.utils.data.DataLoader(data, batch_size=3, sampler=sampler)
        epochs = []
        for epoch in range(3):
            sampler.set_epoch(epoch)
            epochs.append([[t.tolist() for t in batch] for batch in loader])
        return len(loader), epochs

    same(script)


def test_distributed_sampler_public_names():
    def script(lib):
        data = lib.utils.data
        return (
            data.distributed.DistributedSampler is data.DistributedSampler,
            "DistributedSampler" in data.__all__,
            data.distributed.__all__,
            issubclass(data.DistributedSampler, data.Sampler),
        )

    same(script)


SAMPLER_ERRORS = {
    "no_process_group": lambda lib: lib.utils.data.DistributedSampler(range(5)),
    "no_rank": lambda lib: lib.utils.data.DistributedSampler(range(5), num_replicas=2),
    "no_num_replicas": lambda lib: lib.utils.data.DistributedSampler(range(5), rank=0),
    "rank_too_big": lambda lib: lib.utils.data.DistributedSampler(range(5), 2, 2),
    "negative_rank": lambda lib: lib.utils.data.DistributedSampler(range(5), 2, -1),
    "no_replicas": lambda lib: lib.utils.data.DistributedSampler(range(5), 0, 0),
    "with_shuffle": lambda lib: lib.utils.data.DataLoader(
        range(5), sampler=lib.utils.data.DistributedSampler(range(5), 2, 0), shuffle=True
    ),
}


@pytest.mark.parametrize("name", list(SAMPLER_ERRORS))
def test_distributed_sampler_errors(name):
    same_outcome(SAMPLER_ERRORS[name])


# ---- models with numpy weights ------------------------------------------------------------


def net(lib):
    nn = lib.nn
    return nn.Sequential(
        nn.Linear(3, 4), nn.BatchNorm1d(4, momentum=0.3), nn.ReLU(), nn.Linear(4, 2)
    )


def load_numbers(lib, module, seed):
    """Load seeded numbers into every parameter and buffer of ``module`` (the same in both
    libraries): normal floats, positive variances, small batch counts."""
    rng = np.random.default_rng(seed)
    state = {}
    for key, value in module.state_dict().items():
        shape = tuple(value.shape)
        if key.endswith("num_batches_tracked"):
            state[key] = lib.tensor(int(rng.integers(0, 50)))
        elif key.endswith("running_var"):
            state[key] = lib.tensor(rng.uniform(0.5, 2.0, shape).astype(np.float32))
        else:
            state[key] = lib.tensor(rng.standard_normal(shape).astype(np.float32))
    module.load_state_dict(state)


def summary(state_dict):
    """A state_dict as ``{key: (dtype, values)}``, keys in order."""
    return {k: (str(v.dtype).replace("jtorch", "torch"), v.tolist()) for k, v in state_dict.items()}


def inputs(lib, seed=100, n=6):
    return lib.tensor(np.random.default_rng(seed).standard_normal((n, 3)).astype(np.float32))


# ---- AveragedModel ------------------------------------------------------------------------


def _recording_avg_fn(calls):
    def avg_fn(averaged, current, num_averaged):
        calls.append((str(num_averaged.dtype).replace("jtorch", "torch"), num_averaged.tolist()))
        return 0.25 * averaged + 0.75 * current

    return avg_fn


AVERAGING = {
    "swa": lambda swa, calls: {},
    "swa_avg_fn": lambda swa, calls: {"avg_fn": swa.get_swa_avg_fn()},
    "ema_avg_fn": lambda swa, calls: {"avg_fn": swa.get_ema_avg_fn(0.9)},
    "ema_multi": lambda swa, calls: {"multi_avg_fn": swa.get_ema_multi_avg_fn(0.9)},
    "swa_multi": lambda swa, calls: {"multi_avg_fn": swa.get_swa_multi_avg_fn()},
    "ema_multi_default": lambda swa, calls: {"multi_avg_fn": swa.get_ema_multi_avg_fn()},
    "custom_avg_fn": lambda swa, calls: {"avg_fn": _recording_avg_fn(calls)},
}


def averaging(kind, use_buffers, updates=4, forward=False):
    """Average ``updates`` sets of weights; the state after each update and the calls a custom
    avg_fn saw, or with ``forward`` the averaged model's outputs in eval and train mode."""

    def script(lib):
        model = net(lib)
        load_numbers(lib, model, 0)
        calls = []
        swa_model = lib.optim.swa_utils.AveragedModel(
            model, use_buffers=use_buffers, **AVERAGING[kind](lib.optim.swa_utils, calls)
        )
        states = [summary(swa_model.state_dict())]
        for k in range(updates):
            load_numbers(lib, model, k + 1)
            swa_model.update_parameters(model)
            states.append(summary(swa_model.state_dict()))
        if not forward:
            return states, calls
        swa_model.eval()
        eval_out = swa_model(inputs(lib)).tolist()
        swa_model.train()
        train_out = swa_model(inputs(lib)).tolist()
        return eval_out, train_out, summary(swa_model.state_dict())

    return script


# swa_multi averages the integer batch counts (use_buffers) with addcdiv_, which raises
@pytest.mark.parametrize(
    ("kind", "use_buffers"),
    [(k, b) for k in AVERAGING for b in (False, True)],
)
def test_averaged_model(kind, use_buffers):
    same(averaging(kind, use_buffers))


@pytest.mark.parametrize("use_buffers", [False, True])
@pytest.mark.parametrize("kind", ["swa", "ema_multi"])
def test_averaged_model_forward(kind, use_buffers):
    """Calling the averaged model calls its copy (a train-mode call updates its statistics)."""
    same(averaging(kind, use_buffers, forward=True), **F32)


def test_averaged_model_copies_and_keeps_model():
    """The copy is a deep copy on the given device; the source model is left alone; the
    averaged parameters still require grad; n_averaged is an int64 buffer; repr."""

    def script(lib):
        model = net(lib)
        load_numbers(lib, model, 0)
        swa_model = lib.optim.swa_utils.AveragedModel(model, device="cpu")
        shared = any(p is q for p, q in zip(model.parameters(), swa_model.parameters()))
        load_numbers(lib, model, 1)
        before = summary(model.state_dict())
        swa_model.update_parameters(model)
        return (
            shared,
            before == summary(model.state_dict()),
            [p.requires_grad for p in swa_model.parameters()],
            str(swa_model.n_averaged.dtype).replace("jtorch", "torch"),
            swa_model.n_averaged.device.type,
            [name for name, _ in swa_model.named_buffers()],
            repr(swa_model),
            summary(swa_model.state_dict()),
        )

    same(script, **F32)


def test_averaged_model_state_dict_round_trip():
    """A torch AveragedModel's state_dict loads into jtorch's (and the other way round)."""

    def averaged(lib):
        model = net(lib)
        load_numbers(lib, model, 0)
        swa_model = lib.optim.swa_utils.AveragedModel(model)
        for k in range(3):
            load_numbers(lib, model, k + 1)
            swa_model.update_parameters(model)
        return swa_model

    def convert(state, lib):
        return {
            k: lib.tensor(v.tolist(), dtype=getattr(lib, str(v.dtype)[6:]))
            for k, v in state.items()
        }

    t_avg, j_avg = averaged(torch), averaged(jtorch)
    t_fresh = torch.optim.swa_utils.AveragedModel(net(torch))
    j_fresh = jtorch.optim.swa_utils.AveragedModel(net(jtorch))
    j_fresh.load_state_dict(convert(t_avg.state_dict(), jtorch))
    t_fresh.load_state_dict(convert(j_avg.state_dict(), torch))
    assert close(summary(j_fresh.state_dict()), summary(t_avg.state_dict()), **F32)
    assert close(summary(t_fresh.state_dict()), summary(j_avg.state_dict()), **F32)


def test_averaged_model_gradients():
    """The averaged model is a Module like any other: its outputs differentiate."""

    def script(lib):
        model = net(lib)
        load_numbers(lib, model, 0)
        swa_model = lib.optim.swa_utils.AveragedModel(model)
        swa_model.update_parameters(model)
        swa_model(inputs(lib)).square().sum().backward()
        return [p.grad.tolist() for p in swa_model.parameters()]

    same(script, **F32)


def _update(fn, values, current, num_averaged, lib):
    averaged = [lib.tensor(v) for v in values]
    model = [lib.tensor(v) for v in current]
    result = fn(averaged, model, num_averaged)
    return result, [(str(t.dtype).replace("jtorch", "torch"), t.tolist()) for t in averaged]


def _floats(seed):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(4).astype(np.float32), rng.standard_normal(3)]


AVG_FN_CASES = {
    "ema_multi_float": lambda lib, swa: _update(
        swa.get_ema_multi_avg_fn(0.7), _floats(0), _floats(1), 3, lib
    ),
    "ema_multi_int": lambda lib, swa: _update(
        swa.get_ema_multi_avg_fn(0.7), [np.arange(4)], [np.arange(4) * 7], 3, lib
    ),
    "swa_multi_float_int_n": lambda lib, swa: _update(
        swa.get_swa_multi_avg_fn(), _floats(0), _floats(1), 3, lib
    ),
    "swa_multi_float_tensor_n": lambda lib, swa: _update(
        swa.get_swa_multi_avg_fn(), _floats(0), _floats(1), lib.tensor(3), lib
    ),
    "swa_multi_int_int_n": lambda lib, swa: _update(
        swa.get_swa_multi_avg_fn(), [np.arange(4)], [np.arange(4) * 7], 3, lib
    ),
    "swa_multi_int_tensor_n": lambda lib, swa: _update(
        swa.get_swa_multi_avg_fn(), [np.arange(4)], [np.arange(4) * 7], lib.tensor(3), lib
    ),
    "ema_one": lambda lib, swa: swa.get_ema_avg_fn(0.3)(
        lib.tensor(_floats(0)[0]), lib.tensor(_floats(1)[0]), 2
    ),
    "swa_one": lambda lib, swa: swa.get_swa_avg_fn()(
        lib.tensor(_floats(0)[0]), lib.tensor(_floats(1)[0]), lib.tensor(2)
    ),
    "swa_one_int": lambda lib, swa: swa.get_swa_avg_fn()(
        lib.tensor([1, 2, 3]), lib.tensor([4, 8, 9]), lib.tensor(2)
    ),
    "swa_one_records_no_grad": lambda lib, swa: (
        swa.get_swa_avg_fn()(lib.ones(2, requires_grad=True), lib.zeros(2), 1).requires_grad
    ),
    "ema_decay_1": lambda lib, swa: swa.get_ema_avg_fn(1)(lib.ones(2), lib.zeros(2), 0),
}


@pytest.mark.parametrize("name", AVG_FN_CASES)
def test_avg_fns(name):
    same(lambda lib: AVG_FN_CASES[name](lib, lib.optim.swa_utils), **F32)


SWA_ERRORS = {
    "both_avg_fns": lambda lib: lib.optim.swa_utils.AveragedModel(
        lib.nn.Linear(2, 2),
        avg_fn=lib.optim.swa_utils.get_swa_avg_fn(),
        multi_avg_fn=lib.optim.swa_utils.get_swa_multi_avg_fn(),
    ),
    "ema_decay_negative": lambda lib: lib.optim.swa_utils.get_ema_avg_fn(-0.1),
    "ema_multi_decay_big": lambda lib: lib.optim.swa_utils.get_ema_multi_avg_fn(1.5),
    "fewer_buffers": lambda lib: lib.optim.swa_utils.AveragedModel(
        lib.nn.BatchNorm1d(2)
    ).update_parameters(lib.nn.BatchNorm1d(2, track_running_stats=False)),
    "swalr_strategy": lambda lib: lib.optim.swa_utils.SWALR(
        optimizer(lib), 0.05, anneal_strategy="exp"
    ),
    "swalr_negative_epochs": lambda lib: lib.optim.swa_utils.SWALR(
        optimizer(lib), 0.05, anneal_epochs=-1
    ),
    "swalr_float_epochs": lambda lib: lib.optim.swa_utils.SWALR(
        optimizer(lib), 0.05, anneal_epochs=2.0
    ),
    "swalr_lr_count": lambda lib: lib.optim.swa_utils.SWALR(
        optimizer(lib, lrs=(0.1, 0.2)), [0.05, 0.01, 0.02]
    ),
    "swalr_not_optimizer": lambda lib: lib.optim.swa_utils.SWALR(None, 0.05),
    "swalr_resume_without_initial_lr": lambda lib: lib.optim.swa_utils.SWALR(
        optimizer(lib), 0.05, last_epoch=3
    ),
}


@pytest.mark.parametrize("name", list(SWA_ERRORS))
def test_swa_errors(name):
    same_outcome(SWA_ERRORS[name])


def test_swa_utils_public_names():
    def script(lib):
        return sorted(lib.optim.swa_utils.__all__), "swa_utils" in lib.optim.__all__

    same(script)


# ---- update_bn ----------------------------------------------------------------------------


def loaders(lib):
    """The same six batches as bare tensors, as (input, target) lists, and from a DataLoader."""
    x = inputs(lib, seed=7, n=24)
    y = lib.arange(24)
    batches = [x[i : i + 4] for i in range(0, 24, 4)]
    dataset = lib.utils.data.TensorDataset(x, y)
    return {
        "tensors": batches,
        "pairs": [[b, y[:4]] for b in batches],
        "data_loader": lib.utils.data.DataLoader(dataset, batch_size=4),
    }


def bn_state(model):
    norms = [m for m in model.modules() if "BatchNorm" in type(m).__name__]
    return (
        [m.training for m in model.modules()],
        [m.momentum for m in norms],
        [
            (m.running_mean.tolist(), m.running_var.tolist(), m.num_batches_tracked.item())
            for m in norms
        ],
    )


@pytest.mark.parametrize("training", [False, True])
@pytest.mark.parametrize("loader", ["tensors", "pairs", "data_loader"])
def test_update_bn(loader, training):
    def script(lib):
        model = net(lib)
        load_numbers(lib, model, 0)
        model.train(training)
        returned = lib.optim.swa_utils.update_bn(loaders(lib)[loader], model, device="cpu")
        return returned, bn_state(model), model(inputs(lib)).tolist()

    same(script, **F32)


def test_update_bn_without_batch_norm():
    """No BatchNorm layer: nothing runs and the training mode stays as it was."""

    def script(lib):
        model = lib.nn.Sequential(lib.nn.Linear(3, 2), lib.nn.Dropout())
        model.eval()
        lib.optim.swa_utils.update_bn([object()], model)  # the loader is never read
        return [m.training for m in model.modules()]

    same(script)


def test_update_bn_two_norms_and_default_momentum():
    """Every BatchNorm layer, of any dimension, each with its momentum restored."""

    def script(lib):
        nn = lib.nn
        model = nn.Sequential(
            nn.Unflatten(1, (3, 1)),
            nn.BatchNorm2d(3),
            nn.Flatten(),
            nn.BatchNorm1d(3, momentum=None),
        )
        load_numbers(lib, model, 3)
        lib.optim.swa_utils.update_bn([inputs(lib, s, n=5).view(5, 3, 1) for s in range(3)], model)
        return bn_state(model)

    same(script, **F32)


# ---- SWALR --------------------------------------------------------------------------------

SWALR_CONFIGS = {
    "cos": ({}, {"swa_lr": 0.05}),
    "linear": ({}, {"swa_lr": 0.05, "anneal_strategy": "linear"}),
    "per_group": ({"lrs": (0.1, 0.02)}, {"swa_lr": [0.01, 0.2], "anneal_epochs": 3}),
    "no_annealing": ({"lrs": (0.1, 0.02)}, {"swa_lr": 0.05, "anneal_epochs": 0}),
    "one_epoch_linear": ({}, {"swa_lr": 0.3, "anneal_epochs": 1, "anneal_strategy": "linear"}),
    "tuple_swa_lr": ({"lrs": (0.1, 0.02)}, {"swa_lr": (0.01, 0.05), "anneal_epochs": 4}),
    "tensor_lr": ({"lrs": (0.1, 0.02), "tensor_lr": True}, {"swa_lr": 0.05, "anneal_epochs": 5}),
    "adam": ({"kind": "Adam", "lrs": (0.01,)}, {"swa_lr": 0.001, "anneal_epochs": 7}),
    "bool_epochs": ({}, {"swa_lr": 0.05, "anneal_epochs": True}),
}


def lr_history(opt, scheduler, epochs):
    history = []
    for _ in range(epochs):
        opt.step()
        scheduler.step()
        groups = [(g["lr"], g["swa_lr"], g["initial_lr"]) for g in opt.param_groups]
        history.append((groups, scheduler.get_last_lr(), scheduler.last_epoch))
    return history


@pytest.mark.parametrize("name", list(SWALR_CONFIGS))
def test_swalr(name):
    opt_kw, kw = SWALR_CONFIGS[name]

    def script(lib):
        opt = optimizer(lib, **opt_kw)
        scheduler = lib.optim.swa_utils.SWALR(opt, **kw)
        first = [g["lr"] for g in opt.param_groups]
        history = lr_history(opt, scheduler, 15)
        params = [p.tolist() for g in opt.param_groups for p in g["params"]]
        return first, history, params, scheduler.state_dict()

    same(script)


def test_swalr_after_another_schedule():
    """torch's documented pattern: a cosine schedule first, then SWALR from the lr it left,
    both built up front (SWALR's constructor already moves the lr)."""

    def script(lib):
        opt = optimizer(lib, lrs=(0.1, 0.03), momentum=0.9)
        cosine = lib.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=20)
        swa = lib.optim.swa_utils.SWALR(opt, swa_lr=0.05, anneal_epochs=4)
        history = []
        for epoch in range(12):
            opt.step()
            (swa if epoch >= 5 else cosine).step()
            history.append([g["lr"] for g in opt.param_groups])
        return history

    same(script)


def test_swalr_state_dict_round_trip():
    """A state_dict restores the strategy (anneal_func is left out and rebuilt): within
    jtorch, and from torch's scheduler into jtorch's."""

    def run(lib, source):
        opt = optimizer(lib, lrs=(0.1, 0.02))
        scheduler = lib.optim.swa_utils.SWALR(opt, swa_lr=0.05, anneal_epochs=6)
        scheduler.load_state_dict(dict(source))
        return lr_history(opt, scheduler, 8)

    def saved(lib):
        opt = optimizer(lib, lrs=(0.1, 0.02))
        scheduler = lib.optim.swa_utils.SWALR(
            opt, swa_lr=[0.2, 0.01], anneal_epochs=6, anneal_strategy="linear"
        )
        lr_history(opt, scheduler, 3)
        return scheduler.state_dict()

    t_state, j_state = saved(torch), saved(jtorch)
    assert "anneal_func" not in j_state
    assert close(list(j_state), list(t_state))
    expected = run(torch, t_state)
    assert close(run(jtorch, t_state), expected)
    assert close(run(jtorch, j_state), expected)


def test_swalr_get_lr_outside_step_warns():
    def script(lib):
        opt = optimizer(lib, lrs=(0.1, 0.02))
        scheduler = lib.optim.swa_utils.SWALR(opt, swa_lr=0.05, anneal_epochs=3)
        opt.step()
        scheduler.step()
        return scheduler.get_lr()

    same(script)


def test_swa_training_loop():
    """torch's documented SWA recipe end to end: SGD with a cosine schedule, then SWALR with
    an averaged model updated every epoch, and update_bn over the loader at the end."""

    def script(lib):
        model = net(lib)
        load_numbers(lib, model, 0)
        x = inputs(lib, seed=11, n=16)
        y = lib.tensor(np.random.default_rng(12).standard_normal((16, 2)).astype(np.float32))
        loader = lib.utils.data.DataLoader(lib.utils.data.TensorDataset(x, y), batch_size=4)
        opt = lib.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        cosine = lib.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10)
        swa_model = lib.optim.swa_utils.AveragedModel(model)
        swa = lib.optim.swa_utils.SWALR(opt, swa_lr=0.01, anneal_epochs=2)
        for epoch in range(6):
            for xb, yb in loader:
                opt.zero_grad()
                lib.nn.functional.mse_loss(model(xb), yb).backward()
                opt.step()
            if epoch >= 3:
                swa_model.update_parameters(model)
                swa.step()
            else:
                cosine.step()
        lib.optim.swa_utils.update_bn(loader, swa_model)
        return summary(swa_model.state_dict()), swa_model(x).tolist()

    same(script, rtol=1e-4, atol=1e-5)
