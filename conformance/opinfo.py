"""Drive jtorch with PyTorch's own op database (OpInfo ``op_db``, shipped in the torch wheel).

For one OpInfo entry and one dtype, ``check_entry`` feeds every ``sample_inputs`` sample to
torch and to the jtorch callable of the same name (function variant, and the method and
in-place variants where the entry has them; an entry whose ``op`` is a lambda over ``torch``
is re-run with its globals pointing at jtorch), and compares values (torch's tolerances),
dtypes and shapes; for differentiable entries, the gradients of ``sum(out * cotangent)``; and
``error_inputs``' exception types. Random-op entries are checked for shape and dtype only.
The result is an ``EntryResult``: a status and, for a failure, the first reason.
"""

import argparse
import collections
import dataclasses
import fnmatch
import functools
import types

import numpy as np
import torch

import jtorch
from conformance._compare import assert_close, dtype_name

DTYPES = (torch.float32, torch.float64, torch.int64, torch.bool)

# Entries whose outputs are random: compared for shape and dtype, not values.
RANDOM = {
    "bernoulli", "cauchy", "exponential", "geometric", "log_normal", "multinomial", "normal",
    "rand_like", "randint", "randint_like", "randn", "randn_like", "uniform",
    "nn.functional.dropout", "nn.functional.dropout2d", "nn.functional.dropout3d",
    "nn.functional.alpha_dropout", "nn.functional.feature_alpha_dropout", "nn.functional.rrelu",
    "empty", "empty_like", "new_empty", "empty_strided", "new_empty_strided", "empty_permuted",
    # values compared only for the samples that pass _random_samples
    "nn.functional.fractional_max_pool2d", "nn.functional.fractional_max_pool3d",
}


@functools.lru_cache(maxsize=1)
def op_db():
    from torch.testing._internal.common_methods_invocations import op_db as db

    return tuple(db)


def entry_id(entry):
    return entry.name + (f".{entry.variant_test_name}" if entry.variant_test_name else "")


# ---- finding the jtorch callable ----------------------------------------------------------------


def resolve(name, root=jtorch):
    """``jtorch.<name>`` for a dotted op_db name, or None."""
    obj = root
    for part in name.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def _rebind(fn):
    """A copy of a function defined over ``torch`` whose globals (and closure) see jtorch."""
    if not isinstance(fn, types.FunctionType):
        return None
    g = dict(fn.__globals__)
    for k, v in list(g.items()):
        if v is torch:
            g[k] = jtorch
        elif isinstance(v, types.ModuleType) and v.__name__.startswith("torch."):
            sub = resolve(v.__name__[len("torch.") :])
            if sub is not None:
                g[k] = sub
    cells = None
    if fn.__closure__:
        cells = tuple(types.CellType(_translate_value(c.cell_contents)) for c in fn.__closure__)
    return types.FunctionType(fn.__code__, g, fn.__name__, fn.__defaults__, cells)


def _translate_value(v):
    if v is torch:
        return jtorch
    if isinstance(v, types.FunctionType) and v.__module__ and v.__module__.startswith("torch"):
        name = v.__name__
        found = resolve(name)
        return found if found is not None else v
    return v


def jtorch_variants(entry):
    """(label, torch callable, jtorch callable or None) for each variant of ``entry``."""
    last = entry.name.split(".")[-1]
    out = [("function", entry.op, _counterpart(entry.op, lambda: resolve(entry.name)))]
    if entry.method_variant is not None:
        fn = entry.method_variant
        out.append(("method", fn, _counterpart(fn, lambda: _method(getattr(fn, "__name__", last)))))
    if entry.inplace_variant is not None:
        fn = entry.inplace_variant
        name = getattr(fn, "__name__", last + "_")
        out.append(("inplace", fn, _counterpart(fn, lambda: _method(name) or _same_module(fn))))
    return out


def _counterpart(fn, default):
    """jtorch's version of a torch callable from op_db: a lambda or helper written over
    ``torch`` is re-bound to jtorch; a Tensor method (descriptor) is the jtorch method of that
    name; otherwise ``default()``."""
    if getattr(fn, "__name__", "") == "<lambda>" or (
        isinstance(fn, types.FunctionType)
        and fn.__module__
        and "common_methods_invocations" in fn.__module__
    ):
        return _rebind(fn)
    if type(fn).__name__ in ("method_descriptor", "wrapper_descriptor"):  # Tensor.cfloat, ...
        return _method(fn.__name__, unbound=True)
    if isinstance(fn, functools.partial):
        inner = _counterpart(fn.func, lambda: _same_module(fn.func))
        if inner is None:
            return None
        return functools.partial(inner, *to_jtorch(fn.args), **to_jtorch(fn.keywords))
    if type(fn).__name__ == "OpOverload":  # torch.ops.aten.slice.Tensor: the registered op
        from jtorch._ops._registry import REGISTRY

        return REGISTRY.get(fn.__name__.split(".")[0])
    if getattr(fn, "__module__", None) == "torch._tensor":  # Tensor.__rsub__ and friends
        return _method(fn.__name__, unbound=True)
    return default()


def _same_module(fn):
    """``jtorch.nn.functional.relu_`` for ``torch.nn.functional.relu_``, and so on."""
    module = getattr(fn, "__module__", None) or ""
    if module == "torch" or module.startswith("torch."):
        return resolve(f"{module[len('torch') + 1:]}.{fn.__name__}".lstrip("."))
    return None


def _method(name, unbound=False):
    """``Tensor.<name>`` called on the first argument; ``unbound``: through the class, so a
    non-Tensor first argument reaches jtorch (as op_db's ``torch.Tensor.__radd__(2, x)``)."""
    if not hasattr(jtorch.Tensor, name):
        return None
    if unbound:
        return getattr(jtorch.Tensor, name)
    return lambda self, *args, **kwargs: getattr(self, name)(*args, **kwargs)


# ---- translating sample inputs --------------------------------------------------------------------


def sample_memo(*values):
    """A ``to_jtorch`` memo for the tensors of one sample that keeps their memory sharing:
    tensors that share a torch storage (an ``out=`` that is a view of an input) become
    ``as_strided`` views of one jtorch tensor holding that storage; a tensor passed twice stays
    one tensor."""
    groups = collections.defaultdict(dict)
    for t in _leaves(values, torch):
        if not t.requires_grad and t.numel() and t.dtype != torch.bfloat16:
            groups[(t.untyped_storage().data_ptr(), t.dtype)][id(t)] = t
    memo = {}
    for (_, dtype), members in groups.items():
        internal = any(
            st == 0 and n > 1 for t in members.values() for n, st in zip(t.shape, t.stride())
        )  # an expanded tensor: writing to it is refused, so it must stay one
        if len(members) < 2 and not internal:
            continue
        first = next(iter(members.values()))
        flat = torch.empty(0, dtype=dtype, device=first.device).set_(first.untyped_storage())
        root = _tensor_to_jtorch(flat)
        for key, t in members.items():
            memo[key] = (t, root.as_strided(tuple(t.shape), t.stride(), t.storage_offset()))
    return memo


def to_jtorch(v, memo=None):
    """A torch value (tensors inside lists/tuples/dicts too) as the same jtorch value, on the
    same device. One ``memo`` across the calls for one sample keeps a tensor passed twice
    (an ``out=`` that is also an input) one tensor in jtorch too (see ``sample_memo``)."""
    memo = {} if memo is None else memo
    if isinstance(v, torch.Tensor):
        if id(v) not in memo:
            memo[id(v)] = (v, _tensor_to_jtorch(v))
        return memo[id(v)][1]
    if isinstance(v, list):
        return [to_jtorch(x, memo) for x in v]
    if isinstance(v, torch.nn.utils.rnn.PackedSequence):  # a namedtuple: keep its type
        return jtorch.nn.utils.rnn.PackedSequence(*(to_jtorch(x, memo) for x in v))
    if isinstance(v, tuple):
        return tuple(to_jtorch(x, memo) for x in v)
    if isinstance(v, dict):
        return {k: to_jtorch(x, memo) for k, x in v.items()}
    return _value_to_jtorch(v)


def _tensor_to_jtorch(v):
    t = v.detach().cpu()
    if t.dtype == torch.bfloat16:
        j = jtorch.tensor(t.float().numpy()).to(jtorch.bfloat16)
    elif t.dim() > 64:  # numpy stops at 64 dimensions; jtorch must reject these itself
        j = jtorch.tensor(t.reshape(-1).numpy().copy()).reshape(tuple(t.shape))
    else:
        j = jtorch.tensor(t.numpy().copy())
    if v.device.type != "cpu":
        j = j.to(str(v.device))
    if v.requires_grad:
        j.requires_grad_(True)
    return j


def _value_to_jtorch(v):
    if isinstance(v, torch.dtype):
        return getattr(jtorch, dtype_name(v))
    if isinstance(v, torch.device):
        return jtorch.device(str(v))
    if isinstance(v, torch.Size):
        return jtorch.Size(v)
    if isinstance(v, torch.nn.Module):
        return module_to_jtorch(v)
    if callable(v) and (getattr(v, "__module__", None) or "").startswith("torch"):
        return _same_module(v) or resolve(f"nn.functional.{v.__name__}") or v  # F.gelu, torch.tanh
    if dataclasses.is_dataclass(v) and type(v).__module__.startswith("torch.nn"):
        cls = resolve(f"nn.{type(v).__name__}")  # nn.LinearCrossEntropyOptions
        fields = {f.name: to_jtorch(getattr(v, f.name)) for f in dataclasses.fields(v) if f.init}
        return v if cls is None else cls(**fields)
    return v


def _module_class(cls):
    """jtorch's class for torch's module class: ``torch.nn.X``, or ``X`` in the jtorch file
    that mirrors torch's (``nn.modules.linear.NonDynamicallyQuantizableLinear``), or any file."""
    found = resolve(f"nn.{cls.__name__}") or resolve(f"{cls.__module__[6:]}.{cls.__name__}")
    if found is None:
        found = next(
            (getattr(m, cls.__name__) for name, m in sorted(vars(jtorch.nn.modules).items())
             if isinstance(m, types.ModuleType) and hasattr(m, cls.__name__)),
            None,
        )
    return found


_MODULE_TABLES = ("_parameters", "_buffers", "_modules", "_non_persistent_buffers_set")


def module_to_jtorch(m):
    """The jtorch module of the same class as the torch module ``m``, holding copies of its
    parameters and buffers and its other attributes translated (op_db and module_db pass
    built modules: ``distance_function=nn.PairwiseDistance()``, a TransformerEncoderLayer).
    jtorch's layers keep torch's attribute names, so the copy is attribute by attribute."""
    cls = _module_class(type(m))
    if cls is None:  # a class outside torch.nn's namespace: nn.modules.linear.NonDynamically...
        cls = resolve(f"{type(m).__module__.removeprefix('torch.')}.{type(m).__name__}")
    if cls is None:
        raise NotImplementedError(f"jtorch has no nn.{type(m).__name__}")
    j = cls.__new__(cls)
    jtorch.nn.Module.__init__(j)
    for name, p in m._parameters.items():
        j._parameters[name] = None if p is None else jtorch.nn.Parameter(
            _tensor_to_jtorch(p.detach()), p.requires_grad
        )
    for name, b in m._buffers.items():
        j._buffers[name] = None if b is None else _tensor_to_jtorch(b)
    j._non_persistent_buffers_set.update(m._non_persistent_buffers_set)
    for name, sub in m._modules.items():
        j._modules[name] = None if sub is None else module_to_jtorch(sub)
    own = set(vars(j))
    for k, v in vars(m).items():
        if k not in own and k not in _MODULE_TABLES:
            object.__setattr__(j, k, to_jtorch(v))
    j.training = m.training
    return j


def _leaves(v, lib):
    if isinstance(v, lib.Tensor):
        return [v]
    if isinstance(v, (list, tuple)):
        return [t for x in v for t in _leaves(x, lib)]
    if isinstance(v, dict):
        return [t for x in v.values() for t in _leaves(x, lib)]
    return []


# ---- checking ---------------------------------------------------------------------------------------


@dataclasses.dataclass
class EntryResult:
    entry: str
    status: str  # "pass", "fail", "missing"
    reason: str = ""
    samples: int = 0


class Mismatch(AssertionError):
    pass


def run_entries(entries, check, only=None, verbose=False):
    """``check(entry)`` for each database entry whose name matches a glob of ``only`` (every
    entry when ``only`` is empty), printing each result with ``verbose``."""
    results = []
    for entry in entries:
        if only and not any(fnmatch.fnmatchcase(entry.name, pat) for pat in only):
            continue
        result = check(entry)
        if verbose:
            print(f"{result.entry}: {result.status} {result.samples} {result.reason}", flush=True)
        results.append(result)
    return results


def entries_main(argv, database, limit, run):
    """The command line of a database driver: entry globs and a ``--max-{limit}`` bound;
    ``run(patterns, bound, device, verbose=True)`` checks them, and the totals are printed."""
    p = argparse.ArgumentParser(description=f"check {database} entries against jtorch")
    p.add_argument("patterns", nargs="*", default=["*"], help=f"{database} names or globs")
    p.add_argument(f"--max-{limit}", type=int, default=None, help=f"{limit} per dtype")
    args = p.parse_args(argv)
    results = run(args.patterns, getattr(args, f"max_{limit}"), default_device(), verbose=True)
    print(dict(collections.Counter(r.status for r in results)))


def _first_line(e):
    """``Type: message`` on one line; numpy's multi-line assertion text keeps its first lines."""
    lines = [line.strip() for line in str(e).splitlines() if line.strip()]
    return f"{type(e).__name__}: {' / '.join(lines[:4])}"[:300]


def _compare_sample(entry, label, t_fn, j_fn, sample, dtype, check_grad):
    t_args = (sample.input, *sample.args)
    memo = sample_memo(t_args, sample.kwargs)
    j_args = to_jtorch(t_args, memo)
    j_kwargs = to_jtorch(sample.kwargs, memo)
    if label == "inplace":
        t_args = (sample.input.detach().clone(), *sample.args)
        j_args = (j_args[0].detach().clone(), *j_args[1:])
    try:
        expected = t_fn(*t_args, **sample.kwargs)
    except Exception:
        return  # torch itself rejects this sample for this variant
    actual = j_fn(*j_args, **j_kwargs)
    expected = sample.output_process_fn_grad(expected)
    actual = sample.output_process_fn_grad(actual)
    if entry.name in RANDOM and "_random_samples" not in sample.kwargs:
        _compare_meta(actual, expected)
        return
    assert_close(actual, expected, *_tolerance(entry, dtype))
    if check_grad and label == "function":
        _compare_grad(t_args, sample.kwargs, j_args, j_kwargs, expected, actual, entry, dtype)


def _compare_meta(actual, expected):
    t_leaves, j_leaves = _leaves(expected, torch), _leaves(actual, jtorch)
    assert len(t_leaves) == len(j_leaves)
    for t, j in zip(t_leaves, j_leaves):
        assert tuple(t.shape) == tuple(j.shape) and dtype_name(t.dtype) == dtype_name(j.dtype)


def _tolerance(entry, dtype):
    # Loosened for float32 where op_db itself uses loose reference tolerances.
    if dtype == torch.float32:
        return (1e-4, 1e-5)
    return (None, None)


def _loss_term(lib, out, ct):
    """sum(out * ct), real: a complex output enters through its real and imaginary parts."""
    if out.is_complex():
        out = lib.view_as_real(out.resolve_conj())
    return (out * lib.tensor(ct, device=out.device).to(out.dtype)).sum()


def _compare_grad(t_args, t_kwargs, j_args, j_kwargs, expected, actual, entry, dtype, tol=None):
    t_in = [t for t in _leaves((t_args, t_kwargs), torch) if t.requires_grad]
    j_in = [t for t in _leaves((j_args, j_kwargs), jtorch) if t.requires_grad]
    t_out = [t for t in _leaves(expected, torch) if t.requires_grad]
    j_out = [t for t in _leaves(actual, jtorch) if t.requires_grad]
    if not t_in or not t_out:
        return
    assert len(j_out) == len(t_out), "different number of differentiable outputs"
    rng = np.random.default_rng(0)
    t_loss, j_loss = 0, 0
    for t, j in zip(t_out, j_out):
        ct = rng.standard_normal(tuple(t.shape) + ((2,) if t.is_complex() else ()))
        t_loss = t_loss + _loss_term(torch, t, ct)
        j_loss = j_loss + _loss_term(jtorch, j, ct)
    try:
        t_grads = torch.autograd.grad(t_loss, t_in, allow_unused=True)
    except RuntimeError:  # torch cannot differentiate it here ("cudnn RNN backward can only be
        return  # called in training mode"): nothing to compare
    j_grads = jtorch.autograd.grad(j_loss, j_in, allow_unused=True)
    for i, (tg, jg) in enumerate(zip(t_grads, j_grads)):
        if tg is None:
            continue
        if jg is None:
            jg = jtorch.zeros_like(j_in[i])
        assert_close(jg, tg, *(tol or _tolerance(entry, dtype)), what=f"grad[{i}]")


def default_device():
    """"cuda" when both torch and jax see a GPU (the suite then compares on the GPU), else "cpu"."""
    import jax

    if torch.cuda.is_available() and any(d.platform == "gpu" for d in jax.devices()):
        # torch's cuDNN convolutions and RNNs default to TF32 (allow_tf32=True); jtorch computes
        # float32 in full precision, as torch's own matmuls do: compare against full precision.
        # (torch.testing._internal freezes the torch.backends flags; these are their setters)
        torch._C._set_cudnn_allow_tf32(False)
        torch._C._set_cublas_allow_tf32(False)
        return "cuda"
    return "cpu"


def stratified_dtypes(entry, index, device="cpu"):
    """The fast tier's dtypes for the ``index``-th entry: float32 (with gradients) where
    supported, and one more supported dtype, rotating through float64, int64 and bool
    (complex64 for a complex-only entry)."""
    supported = [d for d in DTYPES if d in entry.supported_dtypes(device)]
    if not supported:
        return (torch.complex64,)
    first = [d for d in supported if d == torch.float32] or supported[:1]
    others = [d for d in supported if d not in first]
    return tuple(first + (others[index % len(others) :][:1] if others else []))


def check_entry(entry, dtypes=DTYPES, max_samples=None, errors=True, device="cpu"):
    """Run ``entry`` on jtorch for each supported dtype; see the module docstring."""
    variants = jtorch_variants(entry)
    if variants[0][2] is None:
        return EntryResult(entry_id(entry), "missing", f"no jtorch.{entry.name}")
    n = 0
    supported = entry.supported_dtypes(device)
    if not any(d in supported for d in DTYPES) and torch.complex64 in supported:
        dtypes = (torch.complex64,)  # a complex-only entry (view_as_real, istft, ...)
    try:
        for dtype in dtypes:
            if dtype not in supported:
                continue
            grad = (
                entry.supports_autograd
                and dtype in (torch.float32, torch.float64, torch.complex64)
                and dtype in entry.supported_backward_dtypes(device)
            )
            samples = entry.sample_inputs(device, dtype, requires_grad=grad)
            for k, sample in enumerate(samples):
                if max_samples is not None and k >= max_samples:
                    break
                for label, t_fn, j_fn in variants:
                    if j_fn is None:
                        raise Mismatch(f"{label} variant missing")
                    try:
                        _compare_sample(entry, label, t_fn, j_fn, sample, dtype, grad)
                    except Exception as e:
                        raise Mismatch(f"{dtype_name(dtype)} {label} sample {k}: {_first_line(e)}") from e
                n += 1
        if errors:
            _check_errors(entry, device)
    except Mismatch as e:
        return EntryResult(entry_id(entry), "fail", str(e), n)
    except Exception as e:  # sample generation itself failed
        return EntryResult(entry_id(entry), "fail", f"harness: {_first_line(e)}", n)
    if n == 0:
        return EntryResult(entry_id(entry), "untested", f"no {device} sample in {_names(dtypes)}", 0)
    return EntryResult(entry_id(entry), "pass", "", n)


def _names(dtypes):
    return "/".join(dtype_name(d) for d in dtypes)


def _check_errors(entry, device="cpu"):
    if entry.error_inputs_func is None:
        return
    j_fn = jtorch_variants(entry)[0][2]
    t_fn = entry.op
    for k, err in enumerate(entry.error_inputs(device)):
        s = err.sample_input
        try:
            t_fn(s.input, *s.args, **s.kwargs)
            continue  # torch no longer raises here
        except Exception as e:
            t_type = type(e)
        try:
            memo = sample_memo(s.input, s.args, s.kwargs)
            j_fn(to_jtorch(s.input, memo), *to_jtorch(s.args, memo), **to_jtorch(s.kwargs, memo))
        except Exception as e:
            if not isinstance(e, t_type):
                raise Mismatch(f"error_input {k}: torch raised {t_type.__name__}, jtorch {_first_line(e)}") from e
            continue
        raise Mismatch(f"error_input {k}: torch raised {t_type.__name__}, jtorch did not raise")
