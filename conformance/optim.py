"""The optim_db driver: torch's own OptimizerInfos (torch.testing._internal.common_optimizers)
run through torch and jtorch.

For each entry and each configuration its ``optim_inputs_func`` yields (float32 and float64):
build the same parameters in both libraries (several shapes, a 0-dim one included), run
``STEPS`` steps with the same gradient sequence (one parameter has no gradient on two of the
steps, which torch skips), and after every step compare every parameter and every state entry
(keys in torch's order, tensor dtypes, values). Optimizers whose step needs a closure (LBFGS)
get one computing the same smooth loss in each library. Halfway through, each side's optimizer
is replaced by a fresh one loaded from the *other* library's ``state_dict()`` (tensors
converted), so the second half of the trajectory also proves that checkpoints cross between
the libraries in both directions. At the end the reprs and the state_dicts' param_groups must
be equal. Every ``optim_error_inputs_func`` input must raise torch's exception type (or give
torch's warning) with a message matching torch's regex, at construction or at step as torch.

``python -m conformance.optim Adam 'R*'`` checks entries by glob and prints the first mismatch
of each; ``python -m conformance.report --part optim`` puts every entry in REPORT.md.
"""

import functools
import re
import warnings

import numpy as np
import torch
from torch.testing._internal.common_optimizers import OptimizerErrorEnum
from torch.testing._internal.common_optimizers import optim_db as _optim_db

import jtorch
from conformance._compare import assert_close, dtype_name, to_numpy
from conformance.opinfo import (
    EntryResult,
    Mismatch,
    _first_line,
    entries_main,
    run_entries,
    to_jtorch,
)

STEPS = 20
SWAP_AT = STEPS // 2
DTYPES = (torch.float32, torch.float64)
TOLERANCE = {torch.float32: (1e-4, 1e-5), torch.float64: (1e-7, 1e-9)}
SHAPES = ((5, 3), (5,), (), (2, 1, 4))
SHAPES_2D = ((5, 3), (4, 6))  # Muon optimizes matrices only
NO_GRAD_STEPS = (4, 9)  # parameter 1 has no gradient on these steps
# A closure-driven optimizer (LBFGS) runs up to max_iter iterations per step until its stopping
# tests hold, and those (``abs(loss - prev_loss) < tolerance_change`` with 1e-9, ``f_new >=
# f_prev`` in the line search) are exact comparisons of rounding noise once a float32 loss has
# converged: a 1-ulp difference in the loss runs one more iteration on one side. float32 only
# pins a minimiser to about sqrt(eps) ~ 3e-4, so in float32 its parameters and loss are compared
# at that resolution and its state by keys; float64 compares everything at full tolerance.
CLOSURE_FLOAT32 = (1e-3, 1e-3)


def optim_db():
    return list(_optim_db)


def _jtorch_class(info):
    return getattr(jtorch.optim, info.optim_cls.__name__, None)


def _shapes(info):
    return SHAPES_2D if info.name == "Muon" else SHAPES


def _closure(lib, opt, params, targets):
    """A closure computing ``sum((p - c)^2 + 0.1 p^4)`` over the parameters and its gradients."""

    def closure():
        opt.zero_grad()
        loss = sum((((p - c) ** 2) + 0.1 * p**4).sum() for p, c in zip(params, targets))
        loss.backward()
        return loss

    return closure


def to_torch(v):
    """A jtorch value (tensors inside containers too) as the same torch value."""
    if isinstance(v, jtorch.Tensor):
        return torch.tensor(to_numpy(v)).to(getattr(torch, dtype_name(v.dtype)))
    if isinstance(v, dict):
        return {k: to_torch(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return type(v)(to_torch(x) for x in v)
    return v


def _compare_values(expected, actual, where, tol):
    """torch's state value ``expected`` and jtorch's ``actual``: same structure, dtypes, values."""
    if isinstance(expected, torch.Tensor):
        if not isinstance(actual, jtorch.Tensor):
            raise Mismatch(f"{where}: torch has a tensor, jtorch {type(actual).__name__}")
        assert_close(actual, expected, *tol, what=where)
    elif isinstance(expected, dict):
        if list(actual) != list(expected):
            raise Mismatch(f"{where}: keys {list(actual)} != torch's {list(expected)}")
        for k in expected:
            _compare_values(expected[k], actual[k], f"{where}[{k!r}]", tol)
    elif isinstance(expected, (list, tuple)):
        if type(actual) is not type(expected) or len(actual) != len(expected):
            raise Mismatch(f"{where}: {actual!r} != torch's {expected!r}")
        for k, (e, a) in enumerate(zip(expected, actual)):
            _compare_values(e, a, f"{where}[{k}]", tol)
    elif isinstance(expected, float):
        if not isinstance(actual, float) or not np.isclose(actual, expected, *tol):
            raise Mismatch(f"{where}: {actual!r} != torch's {expected!r}")
    elif actual != expected or type(actual) is not type(expected):
        raise Mismatch(f"{where}: {actual!r} != torch's {expected!r}")


class _Run:
    """One configuration's parameters and optimizers in both libraries."""

    def __init__(self, info, jcls, kwargs, dtype, device, seed):
        rng = np.random.default_rng(seed)
        self.info, self.jcls, self.dtype = info, jcls, dtype
        self.kwargs, self.jkwargs = kwargs, to_jtorch(kwargs)
        shapes = _shapes(info)
        init = [rng.standard_normal(s) for s in shapes]
        self.grads = [[rng.standard_normal(s) for s in shapes] for _ in range(STEPS)]
        targets = [rng.standard_normal(s) for s in shapes]
        self.tp = [torch.nn.Parameter(torch.tensor(a, dtype=dtype, device=device)) for a in init]
        self.jp = [jtorch.nn.Parameter(to_jtorch(p.detach())) for p in self.tp]
        self.t_targets = [torch.tensor(a, dtype=dtype, device=device) for a in targets]
        self.j_targets = [to_jtorch(t) for t in self.t_targets]
        self.t_opt = info.optim_cls(self.tp, **kwargs)
        self.j_opt = jcls(self.jp, **self.jkwargs)

    def step(self, k):
        if self.info.step_requires_closure:
            t_loss = self.t_opt.step(_closure(torch, self.t_opt, self.tp, self.t_targets))
            j_loss = self.j_opt.step(_closure(jtorch, self.j_opt, self.jp, self.j_targets))
            assert_close(j_loss, t_loss, *self._tolerance(), what="closure loss")
            return
        for i, (tp, jp, g) in enumerate(zip(self.tp, self.jp, self.grads[k])):
            skip = i == 1 and k in NO_GRAD_STEPS
            tp.grad = None if skip else torch.tensor(g, dtype=self.dtype, device=tp.device)
            jp.grad = None if skip else to_jtorch(tp.grad)
        self.t_opt.step()
        self.j_opt.step()

    def _converged_noise(self):
        return self.info.step_requires_closure and self.dtype == torch.float32

    def _tolerance(self):
        return CLOSURE_FLOAT32 if self._converged_noise() else TOLERANCE[self.dtype]

    def compare(self, where):
        tol = self._tolerance()
        for i, (tp, jp) in enumerate(zip(self.tp, self.jp)):
            assert_close(jp.detach(), tp.detach(), *tol, what=f"{where}: param {i}")
            t_state, j_state = self.t_opt.state[tp], self.j_opt.state[jp]
            if self._converged_noise():
                if list(j_state) != list(t_state):
                    raise Mismatch(
                        f"{where}: state keys {list(j_state)} != torch's {list(t_state)}"
                    )
                continue
            _compare_values(t_state, j_state, f"{where}: state of param {i}", tol)

    def swap(self):
        """Each side continues with a fresh optimizer loaded from the other side's state_dict."""
        t_state, j_state = self.t_opt.state_dict(), self.j_opt.state_dict()
        self.t_opt = self.info.optim_cls(self.tp, **self.kwargs)
        self.t_opt.load_state_dict(to_torch(j_state))
        self.j_opt = self.jcls(self.jp, **self.jkwargs)
        self.j_opt.load_state_dict(to_jtorch(t_state))

    def compare_final(self):
        if repr(self.j_opt) != repr(self.t_opt):
            raise Mismatch(f"repr:\n{self.j_opt!r}\n!= torch's\n{self.t_opt!r}")
        t_groups = self.t_opt.state_dict()["param_groups"]
        j_groups = self.j_opt.state_dict()["param_groups"]
        _compare_values(t_groups, j_groups, "state_dict param_groups", TOLERANCE[self.dtype])


def check_config(info, jcls, optim_input, dtype, device="cpu", seed=0):
    run = _Run(info, jcls, optim_input.kwargs, dtype, device, seed)
    for k in range(STEPS):
        if k == SWAP_AT:
            run.swap()
        run.step(k)
        run.compare(f"step {k + 1}" + (" (after the state_dict swap)" if k >= SWAP_AT else ""))
    run.compare_final()


def _configs(info, device, dtype):
    return info.optim_inputs_func(device=device, dtype=dtype)


def check_optimizer(info, dtypes=DTYPES, max_configs=None, errors=True, device="cpu"):
    """Every configuration of ``info`` (up to ``max_configs`` per dtype) through both libraries."""
    jcls = _jtorch_class(info)
    if jcls is None:
        return EntryResult(info.name, "missing", f"no jtorch.optim.{info.name}")
    n = 0
    try:
        if info.only_supports_sparse_grads:
            if errors:
                _check_errors(info, jcls, device)
            return EntryResult(
                info.name,
                "untested",
                "needs sparse gradients, which jtorch does not have (constructor checks and the "
                "dense-gradient error are torch's)",
            )
        for dtype in dtypes:
            for k, optim_input in enumerate(_configs(info, device, dtype)[:max_configs]):
                try:
                    check_config(info, jcls, optim_input, dtype, device, seed=k)
                except Exception as e:
                    where = f"{dtype_name(dtype)} config {k} ({optim_input.desc})"
                    raise Mismatch(f"{where}: {_first_line(e)}") from e
                n += 1
        if errors:
            _check_errors(info, jcls, device)
    except Mismatch as e:
        return EntryResult(info.name, "fail", str(e), n)
    except Exception as e:  # noqa: BLE001  (config generation itself failed)
        return EntryResult(info.name, "fail", f"harness: {_first_line(e)}", n)
    return EntryResult(info.name, "pass", "", n)


def _translate(value, memo):
    """A torch error input's params/kwargs in jtorch; a tensor's .grad comes along."""
    out = to_jtorch(value, memo)
    for t, j in memo.values():
        if t.grad is not None and j.grad is None:
            j.grad = to_jtorch(t.grad)
    return out


def _attempt(cls, optim_input, on_step, translate):
    """The exception (or, when none, the first warning) constructing ``cls`` and stepping gives."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            memo = {}
            opt = cls(translate(optim_input.params, memo), **translate(optim_input.kwargs, memo))
            if on_step:
                opt.step()
        except Exception as e:  # noqa: BLE001  (the exception is what is compared)
            return e
    return caught[0].message if caught else None


def _has_sparse(value):
    if isinstance(value, torch.Tensor):
        return value.layout != torch.strided
    if isinstance(value, dict):
        return any(_has_sparse(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_sparse(v) for v in value)
    return False


def _check_errors(info, jcls, device):
    """Each optim_error_inputs input raises (or warns) torch's type with torch's message."""
    for k, err in enumerate(info.optim_error_inputs_func(device=device, dtype=torch.float32)):
        if _has_sparse(err.optimizer_error_input.params):
            continue  # jtorch has no sparse tensors: such an input cannot be written for it
        on_step = err.error_on == OptimizerErrorEnum.STEP_ERROR
        t_err = _attempt(info.optim_cls, err.optimizer_error_input, on_step, lambda v, m: v)
        if not isinstance(t_err, err.error_type):
            continue  # torch itself does not raise this here (a device-specific input)
        j_err = _attempt(jcls, err.optimizer_error_input, on_step, _translate)
        desc = err.optimizer_error_input.desc
        if not isinstance(j_err, err.error_type):
            got = "nothing" if j_err is None else _first_line(j_err)
            raise Mismatch(
                f"error input {k} ({desc}): torch gave {type(t_err).__name__}, jtorch {got}"
            )
        if not re.search(err.error_regex, str(j_err)):
            raise Mismatch(
                f"error input {k} ({desc}): {str(j_err)!r} does not match {err.error_regex!r}"
            )


def run(only=None, max_configs=None, device="cpu", verbose=False):
    check = functools.partial(check_optimizer, max_configs=max_configs, device=device)
    return run_entries(optim_db(), check, only, verbose)


def main(argv=None):
    entries_main(argv, "optim_db", "configs", run)


if __name__ == "__main__":
    main()
