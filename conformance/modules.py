"""The module_db driver: torch's own ModuleInfos (torch.testing._internal.common_modules)
run through torch and jtorch.

For each entry and sample (in float32 and float64, in training mode, and in eval mode too
where ``train_and_eval_differ``): build the torch module from the sample's constructor input
(seeded), build jtorch's from the same input, check both have the same state_dict keys,
dtypes and shapes, copy torch's parameters and buffers into jtorch's, run forward on the same
inputs and compare the outputs, the buffers after forward (running statistics) and the
gradients of ``sum(out * cotangent)`` with respect to the inputs and every parameter. Lazy
modules are materialised by one forward in each library before the copy. Every
``module_error_inputs`` sample must raise torch's exception type, at construction or at
forward as torch does.

``python -m conformance.modules nn.Conv2d 'nn.Lazy*'`` checks entries by glob and prints the
first mismatch of each; ``python -m conformance.report`` puts every entry in REPORT.md.
"""

import functools
import inspect

import torch
from torch.testing._internal.common_modules import ModuleErrorEnum
from torch.testing._internal.common_modules import module_db as _module_db

import jtorch
from conformance._compare import assert_close, dtype_name
from conformance.opinfo import (
    EntryResult,
    Mismatch,
    _compare_grad,
    _first_line,
    entries_main,
    resolve,
    run_entries,
    to_jtorch,
)

DTYPES = (torch.float32, torch.float64)
TOLERANCE = {torch.float32: (1e-4, 1e-5), torch.float64: (1e-7, 1e-7)}
# float32 sums over many terms (recurrences, attention, losses over a batch) round
# differently in XLA and in torch's kernels; these entries compare at a looser float32 tolerance.
LOOSE_FLOAT32 = {
    "nn.MultiheadAttention",
    "nn.Transformer",
    "nn.TransformerEncoder",
    "nn.TransformerEncoderLayer",
    "nn.TransformerDecoderLayer",
    "nn.RNN",
    "nn.LSTM",
    "nn.GRU",
    "nn.CTCLoss",
    "nn.LinearCrossEntropyLoss",
    # a weight gradient summing ~1e2-sized terms to ~1e-1: float32 cancellation of ~2e-5
    "nn.Conv3d",
    "nn.LazyConv3d",
}


def module_db():
    return list(_module_db)


def _tolerance(name, dtype):
    if dtype == torch.float32 and name in LOOSE_FLOAT32:
        return (1e-3, 1e-4)
    return TOLERANCE[dtype]


def _modes(info):
    return (True, False) if info.train_and_eval_differ else (True,)


def _uninitialized(module):
    return (
        isinstance(module, torch.nn.modules.lazy.LazyModuleMixin)
        and module.has_uninitialized_params()
    )


def _build(info, jcls, sample, dtype, device, training):
    c = sample.constructor_input
    torch.manual_seed(0)
    t_mod = info.module_cls(*c.args, **c.kwargs).to(device).to(dtype)
    jdtype = getattr(jtorch, dtype_name(dtype))
    j_mod = jcls(*to_jtorch(c.args), **to_jtorch(c.kwargs)).to(device).to(jdtype)
    t_mod.train(training)
    j_mod.train(training)
    return t_mod, j_mod


def _forward_inputs(sample):
    f = sample.forward_input
    memo = {}
    return f.args, f.kwargs, to_jtorch(f.args, memo), to_jtorch(f.kwargs, memo)


def _copy_state(t_mod, j_mod):
    """torch's state into jtorch's module, after checking the two have the same layout."""
    t_state, j_state = t_mod.state_dict(keep_vars=True), j_mod.state_dict(keep_vars=True)
    if list(t_state) != list(j_state):
        raise Mismatch(f"state_dict keys {list(j_state)} != torch's {list(t_state)}")
    for key, t in t_state.items():
        j = j_state[key]
        if tuple(j.shape) != tuple(t.shape) or dtype_name(j.dtype) != dtype_name(t.dtype):
            raise Mismatch(
                f"{key}: {tuple(j.shape)} {j.dtype} != torch's {tuple(t.shape)} {t.dtype}"
            )
        with jtorch.no_grad():
            j.copy_(to_jtorch(t.detach()))


def check_sample(info, jcls, sample, dtype, device="cpu", training=True):
    """Compare one module_db sample; raises on the first difference."""
    t_mod, j_mod = _build(info, jcls, sample, dtype, device, training)
    t_args, t_kwargs, j_args, j_kwargs = _forward_inputs(sample)
    if _uninitialized(t_mod):
        with torch.no_grad():
            t_mod(*t_args, **t_kwargs)
        with jtorch.no_grad():
            j_mod(*j_args, **j_kwargs)
    _copy_state(t_mod, j_mod)
    try:
        expected = t_mod(*t_args, **t_kwargs)
    except Exception:  # noqa: BLE001
        return False  # torch itself rejects this sample
    actual = j_mod(*j_args, **j_kwargs)
    tol = _tolerance(info.name, dtype)
    assert_close(actual, expected, *tol, what="output")
    for key, t in t_mod.state_dict().items():
        assert_close(j_mod.state_dict()[key], t, *tol, what=f"after forward, {key}")
    t_params = [p for p in t_mod.parameters() if p.requires_grad]
    j_params = [p for p in j_mod.parameters() if p.requires_grad]
    _compare_grad(
        (t_args, t_params),
        t_kwargs,
        (j_args, j_params),
        j_kwargs,
        expected,
        actual,
        info.name,
        dtype,
        tol,
    )
    return True


def _samples(info, dtype, device, training):
    extra = {}
    if "with_packed_sequence" in inspect.signature(info.module_inputs_func).parameters:
        extra["with_packed_sequence"] = True  # RNN/GRU/LSTM: packed inputs too
    return info.module_inputs_func(
        info, device=device, dtype=dtype, requires_grad=True, training=training, **extra
    )


def check_module(info, dtypes=DTYPES, max_samples=None, errors=True, device="cpu"):
    """Every sample of ``info`` (up to ``max_samples`` per dtype and mode) through both libraries."""
    jcls = resolve(info.name)
    if jcls is None:
        return EntryResult(info.name, "missing", f"no jtorch.{info.name}")
    n = 0
    try:
        for dtype in dtypes:
            if dtype not in info.dtypes:
                continue
            for training in _modes(info):
                samples = _samples(info, dtype, device, training)
                for k, sample in enumerate(samples[:max_samples]):
                    mode = "train" if training else "eval"
                    try:
                        n += check_sample(info, jcls, sample, dtype, device, training)
                    except Exception as e:
                        where = f"{dtype_name(dtype)} {mode} sample {k} ({sample.desc or '-'})"
                        raise Mismatch(f"{where}: {_first_line(e)}") from e
        if errors:
            _check_errors(info, jcls, device)
    except Mismatch as e:
        return EntryResult(info.name, "fail", str(e), n)
    except Exception as e:  # noqa: BLE001  (sample generation itself failed)
        return EntryResult(info.name, "fail", f"harness: {_first_line(e)}", n)
    if n == 0:
        return EntryResult(info.name, "untested", f"no {device} sample torch accepts", 0)
    return EntryResult(info.name, "pass", "", n)


def _raised(cls, s, forward, translate):
    """The exception building ``cls`` from module input ``s`` (and calling it) raises, or None."""
    c, f = s.constructor_input, s.forward_input
    try:
        module = cls(*translate(c.args), **translate(c.kwargs))
        if forward:
            module(*translate(f.args), **translate(f.kwargs))
    except Exception as e:  # noqa: BLE001  (any exception type is compared with torch's)
        return e
    return None


def _check_errors(info, jcls, device):
    """Each module_error_inputs sample raises torch's exception type in jtorch, at the same step."""
    if info.module_error_inputs_func is None:
        return
    errs = info.module_error_inputs_func(
        info, device=device, dtype=torch.float32, requires_grad=False, training=True
    )
    for k, err in enumerate(errs):
        forward = err.error_on == ModuleErrorEnum.FORWARD_ERROR
        t_err = _raised(info.module_cls, err.module_error_input, forward, lambda v: v)
        if t_err is None:
            continue  # torch no longer raises here
        j_err = _raised(jcls, err.module_error_input, forward, to_jtorch)
        if not isinstance(j_err, type(t_err)):
            got = "did not raise" if j_err is None else _first_line(j_err)
            raise Mismatch(f"error_input {k}: torch raised {type(t_err).__name__}, jtorch {got}")


def run(only=None, max_samples=None, device="cpu", verbose=False):
    check = functools.partial(check_module, max_samples=max_samples, device=device)
    return run_entries(module_db(), check, only, verbose)


def main(argv=None):
    entries_main(argv, "module_db", "samples", run)


if __name__ == "__main__":
    main()
