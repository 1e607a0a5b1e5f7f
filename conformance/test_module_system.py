"""nn.Module, nn.Parameter and the containers against real torch.

Each test builds the same module tree with ``lib`` = torch and ``lib`` = jtorch (classes defined
once, parameterized by ``lib``), runs the same script on both, and compares a plain-Python
summary of the results: names, orders, reprs, error types and texts, tensor values and dtypes.
"""

import contextlib
import copy
import pickle
import warnings
from collections import OrderedDict

import numpy as np
import pytest
import torch

import jtorch
from conformance._compare import to_numpy

LIBS = (torch, jtorch)
_classes = {}


def summary(x):
    """``x`` with tensors turned into (kind, dtype, shape, values) and containers recursed into."""
    if isinstance(x, (torch.Tensor, jtorch.Tensor)):
        kind = "Parameter" if isinstance(x, (torch.nn.Parameter, jtorch.nn.Parameter)) else "Tensor"
        return (kind, str(x.dtype), tuple(x.shape), x.requires_grad, to_numpy(x).tolist())
    if isinstance(x, (torch.nn.Module, jtorch.nn.Module)):
        return ("Module", repr(x))
    if isinstance(x, (torch.dtype, jtorch.dtype)):
        return str(x)
    if isinstance(x, dict):
        return [(k, summary(v)) for k, v in x.items()]
    if isinstance(x, (list, tuple)):
        return [summary(v) for v in x]
    return x


def run(script):
    """``script(lib)`` on both libraries: same summary, or the same exception type and text."""
    results = []
    for lib in LIBS:
        try:
            results.append(("ok", summary(script(lib))))
        except Exception as e:  # noqa: BLE001 - the exception itself is what is compared
            # class paths in messages differ only by the package name
            results.append((type(e).__name__, str(e).replace("<class 'jtorch.", "<class 'torch.")))
    assert results[1] == results[0], f"\ntorch:  {results[0]}\njtorch: {results[1]}"
    return results[0]


def classes(lib):
    """Lin (weight, bias, a buffer), Block (two Lins sharing nothing, a shared one twice) and Net."""
    if lib in _classes:
        return _classes[lib]
    nn = lib.nn

    class Lin(nn.Module):
        def __init__(self, n, bias=True):
            super().__init__()
            self.n = n
            self.weight = nn.Parameter(lib.arange(1.0, n + 1.0))
            if bias:
                self.bias = nn.Parameter(lib.full((n,), 0.5))
            else:
                self.register_parameter("bias", None)
            self.register_buffer("count", lib.zeros((), dtype=lib.int64))
            self.register_buffer("scratch", lib.ones(n), persistent=False)

        def forward(self, x):
            y = x * self.weight
            return y + self.bias if self.bias is not None else y

        def extra_repr(self):
            return f"n={self.n}, bias={self.bias is not None}"

    class Block(nn.Module):
        def __init__(self, n):
            super().__init__()
            self.a = Lin(n)
            self.shared = Lin(n, bias=False)
            self.b = self.shared  # the same module under two names
            self.act = nn.Sequential(Lin(n), nn.Module())

        def forward(self, x):
            return self.act[0](self.b(self.shared(self.a(x))))

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.blocks = nn.ModuleList([Block(3), Block(3)])
            self.head = Lin(3)
            self.scale = nn.Parameter(lib.tensor(2.0))
            self.tied = self.scale
            self.register_buffer("steps", lib.tensor([1, 2]))

        def forward(self, x):
            for block in self.blocks:
                x = block(x)
            return self.head(x) * self.scale

    _classes[lib] = (Lin, Block, Net)
    return _classes[lib]


def net(lib):
    return classes(lib)[2]()


# ---- traversal ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda m: [n for n, _ in m.named_parameters()],
        lambda m: list(m.named_parameters(prefix="net", recurse=True)),
        lambda m: [n for n, _ in m.named_parameters(remove_duplicate=False)],
        lambda m: list(m.named_parameters(recurse=False)),
        lambda m: list(m.parameters()),
        lambda m: list(m.named_buffers()),
        lambda m: [n for n, _ in m.named_buffers(remove_duplicate=False)],
        lambda m: list(m.buffers(recurse=False)),
        lambda m: [n for n, _ in m.named_modules()],
        lambda m: [n for n, _ in m.named_modules(prefix="root", remove_duplicate=False)],
        lambda m: [type(c).__name__ for c in m.modules()],
        lambda m: [n for n, _ in m.blocks[0].named_children()],
        lambda m: [type(c).__name__ for c in m.blocks[0].children()],
        lambda m: sorted(set(dir(m.blocks[0])) - set(dir(type(m.blocks[0])))),
    ],
)
def test_traversal(call):
    run(lambda lib: call(net(lib)))


# ---- printing --------------------------------------------------------------------------------


def test_repr_tree():
    out = run(lambda lib: repr(net(lib)))
    assert "(0-1): 2 x Block(" in out[1]


@pytest.mark.parametrize(
    "build",
    [
        lambda lib: lib.nn.Module(),
        lambda lib: lib.nn.Sequential(),
        lambda lib: lib.nn.ModuleList(),
        lambda lib: lib.nn.ModuleList([classes(lib)[0](2), classes(lib)[0](2), classes(lib)[0](3), lib.nn.Module()]),
        lambda lib: lib.nn.Sequential(OrderedDict(first=classes(lib)[0](1), second=lib.nn.ModuleDict())),
        lambda lib: lib.nn.ModuleDict({"z": lib.nn.Module(), "a": classes(lib)[1](2)}),
        lambda lib: lib.nn.ParameterList([lib.ones(2, 3), lib.nn.Parameter(lib.zeros(1, dtype=lib.float64)), 7]),
        lambda lib: lib.nn.ParameterDict({"b": lib.ones(2), "a": lib.zeros(4, 1), "c": "text"}),
        lambda lib: lib.nn.Parameter(lib.tensor([1.5, 2.0])),
        lambda lib: lib.nn.Parameter(lib.tensor([1.5, 2.0]), requires_grad=False),
        lambda lib: lib.nn.Parameter(),
        lambda lib: lib.nn.Parameter(lib.ones(2, dtype=lib.int64), requires_grad=False),
        lambda lib: lib.nn.Parameter(lib.ones(2, dtype=lib.int64)),
        lambda lib: lib.nn.Parameter(lib.ones(2, dtype=lib.complex64)),
    ],
)
def test_repr(build):
    run(lambda lib: repr(build(lib)))


# ---- state_dict ------------------------------------------------------------------------------


def test_state_dict():
    def script(lib):
        sd = net(lib).state_dict(prefix="p.")
        return type(sd).__name__, sd, dict(sd._metadata)

    run(script)


def test_state_dict_keep_vars_and_detach():
    def script(lib):
        m = net(lib)
        kept = m.state_dict(keep_vars=True)
        plain = m.state_dict()
        return (
            kept["head.weight"] is m.head.weight,
            plain["head.weight"] is m.head.weight,
            plain["head.weight"].requires_grad,
            plain["head.weight"].data_ptr() == m.head.weight.data_ptr(),
        )

    assert run(script) == ("ok", [True, False, False, True])


def _perturbed(lib):
    m = net(lib)
    return {k: v + 1 if v.is_floating_point() else v * 3 for k, v in m.state_dict().items()}


@pytest.mark.parametrize(
    "edit, strict",
    [
        (lambda sd, lib: sd, True),
        (lambda sd, lib: {k: v for k, v in sd.items() if "blocks.1" not in k}, True),
        (lambda sd, lib: {**sd, "extra": lib.ones(1), "blocks.0.zz.w": lib.ones(1), "head.nope": lib.ones(1)}, True),
        (lambda sd, lib: {**sd, "extra": lib.ones(1), "blocks.0.zz.w": lib.ones(1)}, False),
        (lambda sd, lib: {k: v for k, v in sd.items() if k != "steps"}, False),
        (lambda sd, lib: {**sd, "head.weight": lib.ones(4), "scale": lib.ones(2, 2)}, True),
        (lambda sd, lib: {**sd, "head.weight": lib.ones(4), "steps2": lib.ones(1)}, False),
        (lambda sd, lib: {**sd, "scale": lib.tensor([5.0])}, True),  # 1-element into a 0-d parameter
        (lambda sd, lib: {**sd, "scale": 3.0}, True),
        (lambda sd, lib: {**sd, "steps": lib.tensor([1.5, 2.5])}, True),  # float into int64 buffer
        (lambda sd, lib: [1, 2], True),
    ],
)
def test_load_state_dict(edit, strict):
    def script(lib):
        m = net(lib)
        before = [id(p) for p in m.parameters()]
        result = m.load_state_dict(edit(_perturbed(lib), lib), strict=strict)
        return (repr(result), result.missing_keys, result.unexpected_keys,
                before == [id(p) for p in m.parameters()], m.state_dict(keep_vars=True))

    run(script)


def test_load_state_dict_assign_and_roundtrip():
    def script(lib):
        m, src = net(lib), net(lib)
        src.head.weight.data.mul_(5)
        r1 = m.load_state_dict(src.state_dict())
        m2 = net(lib)
        r2 = m2.load_state_dict(src.state_dict(), assign=True)
        return repr(r1), m.head.weight, repr(r2), m2.head.weight, m2.head.weight is m.head.weight

    run(script)


def test_state_dict_hooks_and_extra_state():
    def script(lib):
        class Extra(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.w = lib.nn.Parameter(lib.ones(1))
                self.state = {"step": 1}

            def get_extra_state(self):
                return dict(self.state)

            def set_extra_state(self, state):
                self.state = state

        outer = lib.nn.Sequential(Extra())
        log = []
        outer.register_state_dict_pre_hook(lambda mod, prefix, keep_vars: log.append(("pre", prefix, keep_vars)))
        outer[0].register_state_dict_post_hook(lambda mod, sd, prefix, meta: log.append(("post", prefix, list(sd))))
        outer.register_load_state_dict_post_hook(lambda mod, keys: log.append(("load", list(keys.missing_keys))))
        sd = outer.state_dict()
        sd["0._extra_state"] = {"step": 7}
        r = outer.load_state_dict(sd)
        missing = outer.load_state_dict({"0.w": lib.ones(1)}, strict=False)
        return log, list(sd), repr(r), outer[0].state, list(missing.missing_keys)

    run(script)


def test_state_dict_post_hook_must_return_none():
    def script(lib):
        m = classes(lib)[0](1)
        m.register_state_dict_post_hook(lambda mod, sd, prefix, meta: sd)
        return m.state_dict()

    assert run(script)[0] == "RuntimeError"


# ---- attribute registration and its errors -------------------------------------------------


def _before_init(lib, what):
    class Early(lib.nn.Module):
        def __init__(self):
            if what == "param":
                self.w = lib.nn.Parameter(lib.ones(1))
            elif what == "module":
                self.m = lib.nn.Module()
            elif what == "buffer":
                self.register_buffer("b", lib.ones(1))
            else:
                self.register_parameter("w", None)
            super().__init__()

    return Early()


def _mod(lib):
    m = lib.nn.Module()
    m.w = lib.nn.Parameter(lib.ones(2))
    m.child = lib.nn.Module()
    m.register_buffer("buf", lib.zeros(2))
    m.plain = 3
    return m


@pytest.mark.parametrize(
    "action",
    [
        lambda lib: _before_init(lib, "param"),
        lambda lib: _before_init(lib, "module"),
        lambda lib: _before_init(lib, "buffer"),
        lambda lib: _before_init(lib, "register_parameter"),
        lambda lib: setattr(_mod(lib), "w", lib.ones(2)),
        lambda lib: setattr(_mod(lib), "w", 3),
        lambda lib: setattr(_mod(lib), "child", 3),
        lambda lib: setattr(_mod(lib), "buf", "x"),
        lambda lib: _mod(lib).register_buffer("plain", lib.ones(1)),
        lambda lib: _mod(lib).register_buffer("a.b", lib.ones(1)),
        lambda lib: _mod(lib).register_buffer("", lib.ones(1)),
        lambda lib: _mod(lib).register_buffer(3, lib.ones(1)),
        lambda lib: _mod(lib).register_buffer("x", [1.0]),
        lambda lib: _mod(lib).register_parameter("x", lib.ones(1)),
        lambda lib: _mod(lib).register_parameter("child", lib.nn.Parameter(lib.ones(1))),
        lambda lib: _mod(lib).register_parameter("x.y", None),
        lambda lib: _mod(lib).add_module("x", 3),
        lambda lib: _mod(lib).add_module("x.y", lib.nn.Module()),
        lambda lib: _mod(lib).add_module("", lib.nn.Module()),
        lambda lib: _mod(lib).add_module("w", lib.nn.Module()),
        lambda lib: _mod(lib).nothing,
        lambda lib: _mod(lib).get_submodule("child.w"),
        lambda lib: _mod(lib).get_submodule("nothing"),
        lambda lib: _mod(lib).get_parameter("buf"),
        lambda lib: _mod(lib).get_parameter("child.nothing"),
        lambda lib: lib.nn.Module()(lib.ones(1)),
        lambda lib: lib.nn.Module(3),
        lambda lib: lib.nn.Module(a=1),
        lambda lib: _mod(lib).train("yes"),
        lambda lib: _mod(lib).to(lib.int64),
        lambda lib: lib.nn.Module().load_state_dict({"x": lib.ones(1)}),
    ],
)
def test_registration_errors(action):
    out = run(action)
    assert out[0] != "ok"


def test_attribute_moves_between_tables():
    def script(lib):
        m = _mod(lib)
        m.w = None  # a parameter slot set to None stays a parameter
        m.child = lib.nn.Parameter(lib.zeros(1))  # a module name reused for a parameter
        m.buf = lib.nn.Module()  # a buffer name reused for a module
        m.plain = lib.nn.Parameter(lib.ones(3))
        m.register_buffer("late", None)
        m.late = lib.ones(2)
        tables = [list(m._parameters), list(m._buffers), list(m._modules), "plain" in m.__dict__]
        del m.child, m.buf, m.late
        tables.append([list(m._parameters), list(m._buffers), list(m._modules)])
        tables.append([m.get_submodule("") is m, m.get_parameter("plain").shape])
        m.add_module("sub", lib.nn.Module())
        m.register_module("sub2", None)
        return tables, [n for n, _ in m.named_children()]

    run(script)


# ---- modes, conversions ------------------------------------------------------------------------


def test_train_eval_apply():
    def script(lib):
        m = net(lib)
        flags = [m.training]
        m.eval()
        flags.append([x.training for x in m.modules()])
        m.blocks[1].train()
        flags.append([x.training for x in m.modules()])
        seen = []
        out = m.apply(lambda x: seen.append(type(x).__name__))
        return flags, seen, out is m, m.train(False) is m

    run(script)


def test_to_double_keeps_parameter_identity():
    def script(lib):
        m = net(lib)
        p, steps_before = m.head.weight, m.steps
        m.head.weight.grad = lib.ones(3)
        out = m.to(lib.float64)
        return (out is m, p is m.head.weight, isinstance(p, lib.nn.Parameter), p.dtype, p.grad.dtype,
                p.requires_grad, m.steps.dtype, m.head.count.dtype, m.head.scratch.dtype,
                steps_before is m.steps, m.state_dict(keep_vars=True))

    run(script)


@pytest.mark.parametrize(
    "convert",
    [
        lambda m, lib: m.double().half().float(),
        lambda m, lib: m.to("cpu", lib.float64),
        lambda m, lib: m.to(dtype=lib.float16, device="cpu"),
        lambda m, lib: m.to(lib.ones(1, dtype=lib.float64)),
        lambda m, lib: m.cpu(),
        lambda m, lib: m.type(lib.float64),
        lambda m, lib: m.bfloat16(),
        lambda m, lib: m.requires_grad_(False),
    ],
)
def test_conversions(convert):
    run(lambda lib: convert(net(lib), lib).state_dict(keep_vars=True))


def test_zero_grad():
    def script(lib):
        m = net(lib)
        m(lib.ones(3)).sum().backward()
        grads = [p.grad for p in m.parameters()]
        m.zero_grad(set_to_none=False)
        zeroed = [(p.grad, p.grad is g) for p, g in zip(m.parameters(), grads)]
        m.zero_grad()
        return grads, zeroed, [p.grad for p in m.parameters()]

    run(script)


def test_forward_and_grad_values():
    def script(lib):
        m = net(lib)
        x = lib.tensor([0.5, -1.0, 2.0], requires_grad=True)
        y = m(x)
        y.sum().backward()
        return y, x.grad, [(n, p.grad) for n, p in m.named_parameters()]

    run(script)


# ---- hooks ---------------------------------------------------------------------------------------


def test_forward_hooks():
    def script(lib):
        Lin = classes(lib)[0]
        m = Lin(2)
        log = []
        h1 = m.register_forward_pre_hook(lambda mod, args: log.append(("pre1", len(args))))
        m.register_forward_pre_hook(lambda mod, args: (args[0] * 2,))
        m.register_forward_pre_hook(lambda mod, args: log.append("pre0"), prepend=True)
        m.register_forward_pre_hook(lambda mod, args, kw: log.append(("prekw", sorted(kw))), with_kwargs=True)
        m.register_forward_hook(lambda mod, args, out: log.append(("post", summary(out))))
        h2 = m.register_forward_hook(lambda mod, args, out: out + 100)
        m.register_forward_hook(lambda mod, args, kw, out: log.append(("postkw", summary(args))), with_kwargs=True)
        first = m(lib.ones(2))
        h1.remove()
        with h2:
            pass
        second = m(lib.ones(2))
        return log, first, second

    run(script)


def test_forward_pre_hook_with_kwargs_replaces_inputs():
    def script(lib):
        class Kw(lib.nn.Module):
            def forward(self, x, scale=1.0):
                return x * scale

        m = Kw()
        m.register_forward_pre_hook(lambda mod, args, kw: (args, {"scale": 3.0}), with_kwargs=True)
        out = m(lib.ones(2), scale=2.0)
        m.register_forward_pre_hook(lambda mod, args, kw: 5, with_kwargs=True)
        return out, m(lib.ones(2))

    run(script)


@pytest.mark.filterwarnings("ignore:Full backward hook")
@pytest.mark.parametrize("input_grad", [True, False])
def test_backward_hooks(input_grad):
    def script(lib):
        Lin = classes(lib)[0]
        m = Lin(3)
        log = []

        def pre(mod, grad_output):
            log.append(("pre", summary(grad_output)))
            return (grad_output[0] * 2,)

        def hook(mod, grad_input, grad_output):
            log.append(("hook", summary(grad_input), summary(grad_output)))
            if grad_input[0] is not None:
                return (grad_input[0] + 1,)

        m.register_full_backward_pre_hook(pre)
        m.register_full_backward_hook(hook)
        m.register_full_backward_hook(lambda mod, gi, go: log.append("second"))
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=input_grad)
        (m(x) * lib.tensor([1.0, 10.0, 100.0])).sum().backward()
        return log, x.grad, m.weight.grad, m.bias.grad

    run(script)


def test_backward_hooks_several_inputs_and_outputs():
    def script(lib):
        class Two(lib.nn.Module):
            def forward(self, x, k, y):
                return x * k, y * 2, "tag"

        m = Two()
        log = []
        m.register_full_backward_hook(lambda mod, gi, go: log.append((summary(gi), summary(go))))
        m.register_full_backward_pre_hook(lambda mod, go: log.append(len(go)), prepend=True)
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = lib.tensor([3.0], requires_grad=True)
        a, b, tag = m(x, 3.0, y)
        (a.sum() * 5 + b.sum()).backward()
        return log, tag, x.grad, y.grad

    run(script)


def test_backward_hook_warning_without_input_grad():
    def script(lib):
        m = classes(lib)[0](2)
        m.register_full_backward_hook(lambda mod, gi, go: None)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            m(lib.ones(2)).sum().backward()
        return [str(w.message) for w in caught]

    assert run(script)[1]


def test_backward_hook_bad_return():
    def script(lib):
        m = classes(lib)[0](2)
        m.register_full_backward_hook(lambda mod, gi, go: (gi[0], gi[0]))
        m(lib.ones(2, requires_grad=True)).sum().backward()

    assert run(script)[0] == "RuntimeError"


# ---- pickling and copies -------------------------------------------------------------------------


def test_deepcopy():
    def script(lib):
        m = net(lib)
        m.register_forward_hook(lambda mod, args, out: out * 0)
        c = copy.deepcopy(m)
        return (repr(c), c.state_dict(keep_vars=True), c.head.weight is m.head.weight,
                c.tied is c.scale, c.blocks[0].b is c.blocks[0].shared, c(lib.ones(3)))

    run(script)


def test_pickle():
    def script(lib):
        nn = lib.nn
        shared = nn.Parameter(lib.tensor([1.0, 2.0]))
        m = nn.Sequential(nn.ModuleList([nn.Module()]), nn.ParameterDict({"a": shared, "b": shared}))
        m.eval()
        c = pickle.loads(pickle.dumps(m))
        return repr(c), c.state_dict(keep_vars=True), c.training, c[1]["a"] is c[1]["b"]

    run(script)


def test_parameter_basics():
    def script(lib):
        t = lib.tensor([1.0, 2.0])
        p = lib.nn.Parameter(t)
        p.data.add_(1)  # shares t's storage
        q = copy.deepcopy(p)
        q.data.mul_(10)
        return (isinstance(p, lib.Tensor), isinstance(p, lib.nn.Parameter), isinstance(p + 1, lib.nn.Parameter),
                isinstance(p.detach(), lib.nn.Parameter), isinstance(p.data, lib.nn.Parameter),
                type(q).__name__, t, p, q, p.is_leaf, lib.nn.Parameter(lib.ones(1), False).requires_grad)

    run(script)


# ---- containers --------------------------------------------------------------------------------


def _seq(lib, n=4):
    return lib.nn.Sequential(*[classes(lib)[0](i + 1) for i in range(n)])


def _names(m):
    return [(k, getattr(v, "n", type(v).__name__)) for k, v in m._modules.items()]


@pytest.mark.parametrize(
    "script",
    [
        lambda lib, s: (s[0].n, s[-1].n, s[-4].n, len(s), [x.n for x in s]),
        lambda lib, s: (type(s[1:3]).__name__, _names(s[1:3]), _names(s[::-2])),
        lambda lib, s: s[4],
        lambda lib, s: s[-5],
        lambda lib, s: s["a"],
        lambda lib, s: _names(s.append(lib.nn.Module())),
        lambda lib, s: _names(s.insert(1, lib.nn.Module())),
        lambda lib, s: _names(s.insert(-1, lib.nn.Module())),
        lambda lib, s: s.insert(7, lib.nn.Module()),
        lambda lib, s: s.insert(0, 3),
        lambda lib, s: _names(s.extend([lib.nn.Module(), lib.nn.Module()])),
        lambda lib, s: (s.pop(1).n, _names(s)),
        lambda lib, s: (s.__delitem__(slice(0, 2)), _names(s)),
        lambda lib, s: (s.__delitem__(-1), _names(s)),
        lambda lib, s: (s.__setitem__(-1, lib.nn.Module()), _names(s)),
        lambda lib, s: _names(s + s[:1]),
        lambda lib, s: s + [1],
        lambda lib, s: _names(s * 2),
        lambda lib, s: _names(2 * s[:1]),
        lambda lib, s: s * 0,
        lambda lib, s: _names(s.__iadd__(s[:2])),
        lambda lib, s: _names(s.__imul__(2)),
        lambda lib, s: s(lib.ones(1)),
        lambda lib, s: repr(s),
        lambda lib, s: [k for k in dir(s) if k.isdigit()],
    ],
)
def test_sequential(script):
    run(lambda lib: script(lib, _seq(lib)))


def test_sequential_named():
    def script(lib):
        Lin = classes(lib)[0]
        s = lib.nn.Sequential(OrderedDict([("x", Lin(1)), ("y", Lin(2)), ("z", Lin(3))]))
        out = [_names(s), _names(s[1:]), s[-1].n]
        del s[0]
        out.append(_names(s))
        s[0] = lib.nn.Module()
        return out, _names(s), repr(s)

    run(script)


@pytest.mark.parametrize(
    "script",
    [
        lambda lib, m: (m[0].n, m[-1].n, len(m), [x.n for x in m], type(m[1:]).__name__, _names(m[::2])),
        lambda lib, m: m[9],
        lambda lib, m: _names(m.append(lib.nn.Module())),
        lambda lib, m: (m.insert(1, lib.nn.Module()), _names(m)),
        lambda lib, m: _names(m.extend([lib.nn.Module()])),
        lambda lib, m: m.extend(3),
        lambda lib, m: _names(m.__iadd__([lib.nn.Module()])),
        lambda lib, m: _names(m + [lib.nn.Module()]),
        lambda lib, m: (m.pop(-2).n, _names(m)),
        lambda lib, m: (m.__delitem__(slice(1, None)), _names(m)),
        lambda lib, m: (m.__setitem__(0, lib.nn.Module()), _names(m)),
        lambda lib, m: m.append(3),
        lambda lib, m: [n for n, _ in m.named_parameters()],
        lambda lib, m: repr(m),
    ],
)
def test_module_list(script):
    run(lambda lib: script(lib, lib.nn.ModuleList([classes(lib)[0](i + 1) for i in range(3)])))


@pytest.mark.parametrize(
    "script",
    [
        lambda lib, d: (list(d), list(d.keys()), [type(v).__name__ for v in d.values()], len(d), "b" in d),
        lambda lib, d: (d.pop("b").n, list(d)),
        lambda lib, d: (d.update([("z", lib.nn.Module()), ("a", lib.nn.Module())]), _names(d)),
        lambda lib, d: (d.update({"q": lib.nn.Module(), "c": lib.nn.Module()}), _names(d)),
        lambda lib, d: d.update(3),
        lambda lib, d: d.update([("x",)]),
        lambda lib, d: d.update([3]),
        lambda lib, d: (d.clear(), len(d)),
        lambda lib, d: d["missing"],
        lambda lib, d: (d.__setitem__("n", lib.nn.Module()), d.__delitem__("b"), _names(d)),
        lambda lib, d: [n for n, _ in d.named_parameters()],
        lambda lib, d: repr(d),
    ],
)
def test_module_dict(script):
    run(lambda lib: script(lib, lib.nn.ModuleDict({"b": classes(lib)[0](2), "a": classes(lib)[0](1)})))


@pytest.mark.parametrize(
    "script",
    [
        lambda lib, pl: (len(pl), list(pl), list(pl.named_parameters())),
        lambda lib, pl: (pl[-1], type(pl[:2]).__name__, list(pl[::2])),
        lambda lib, pl: pl[5],
        lambda lib, pl: (pl.append(lib.zeros(2)), pl.extend([lib.ones(1)]), list(pl)),
        lambda lib, pl: pl.extend(lib.ones(2)),
        lambda lib, pl: (pl.__setitem__(0, lib.tensor([9.0])), pl[0]),
        lambda lib, pl: pl(1),
        lambda lib, pl: repr(pl),
        lambda lib, pl: pl.state_dict(),
    ],
)
def test_parameter_list(script):
    run(lambda lib: script(lib, lib.nn.ParameterList([lib.ones(2), lib.nn.Parameter(lib.zeros(3)), "s"])))


@pytest.mark.parametrize(
    "script",
    [
        lambda lib, pd: (list(pd), list(pd.keys()), list(pd.values()), list(pd.items()), len(pd), "a" in pd),
        lambda lib, pd: (pd.pop("b"), list(pd)),
        lambda lib, pd: (pd.popitem(), list(pd)),
        lambda lib, pd: (pd.setdefault("new", lib.ones(1)), pd.setdefault("a"), list(pd)),
        lambda lib, pd: (pd.get("zz", 4), pd.get("a")),
        lambda lib, pd: (pd.update(OrderedDict(z=lib.ones(1), y=lib.zeros(1))), list(pd)),
        lambda lib, pd: (pd.update([("q", lib.ones(1))]), list(pd)),
        lambda lib, pd: pd.update(5),
        lambda lib, pd: pd.update([("q",)]),
        lambda lib, pd: pd[3],
        lambda lib, pd: (list(reversed(pd)), list(pd.copy()), list(pd.fromkeys(["x", "y"], lib.ones(1)))),
        lambda lib, pd: (list(pd | lib.nn.ParameterDict({"a": lib.zeros(1)})), list(pd.__ior__(pd.copy()))),
        lambda lib, pd: (pd.clear(), len(pd), list(pd.named_parameters())),
        lambda lib, pd: pd(1),
        lambda lib, pd: repr(pd),
        lambda lib, pd: pd.state_dict(),
    ],
)
def test_parameter_dict(script):
    run(lambda lib: script(lib, lib.nn.ParameterDict({"b": lib.ones(2), "a": lib.zeros(1, 2), "s": 3})))


# ---- the deprecated backward hook, global hooks, to() corners -------------------------------------


def _caught(fn):
    """``fn()`` and the (category, message) of the warnings it raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = fn()
    return out, [(w.category.__name__, str(w.message)) for w in caught]


class _Scale:
    """forward: ``x * w`` (one autograd node), or ``(x * w).sum(...)`` (two)."""

    @staticmethod
    def make(lib, two_nodes=False):
        class Scale(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.w = lib.nn.Parameter(lib.tensor([1.0, 2.0, 3.0]))

            def forward(self, x):
                y = x * self.w
                return y.sum(0, keepdim=True) if two_nodes else y

        return Scale()


@pytest.mark.parametrize("two_nodes", [False, True])
@pytest.mark.parametrize("leaf_input", [False, True])
def test_deprecated_backward_hook(two_nodes, leaf_input):
    """register_backward_hook hooks the last node: its grad_input/grad_output, torch's warnings."""

    def script(lib):
        m = _Scale.make(lib, two_nodes)
        log = []

        def hook(mod, grad_input, grad_output):
            log.append((mod is m, summary(grad_input), summary(grad_output)))
            return tuple(None if g is None else g * 10 for g in grad_input)

        m.register_backward_hook(hook)
        x = lib.tensor([[0.5, -1.0, 2.0], [1.0, 1.0, 1.0]], requires_grad=True)
        x_in = x if leaf_input else x * 1
        out, caught = _caught(lambda: m(x_in))
        (out * lib.arange(out.numel(), dtype=out.dtype).reshape(out.shape)).sum().backward()
        return log, caught, x.grad, m.w.grad

    run(script)


def test_deprecated_backward_hook_without_warning():
    """One node whose inputs are exactly the module's inputs: no warning, and a tuple output."""

    def script(lib):
        class Exp(lib.nn.Module):
            def forward(self, x):
                return (x.exp(),)

        m = Exp()
        log = []
        m.register_backward_hook(lambda mod, gi, go: log.append((summary(gi), summary(go))))
        x = lib.tensor([0.0, 1.0], requires_grad=True)
        (out,), caught = _caught(lambda: m(x * 1))
        out.sum().backward()
        return log, caught, x.grad

    assert run(script)[1][0]  # the hook ran


def test_backward_hook_kinds_do_not_mix():
    def script(lib):
        a, b = _Scale.make(lib), _Scale.make(lib)
        a.register_full_backward_hook(lambda *h: None)
        b.register_backward_hook(lambda *h: None)
        errors = []
        for register, mod in ((a.register_backward_hook, a), (b.register_full_backward_hook, b)):
            try:
                register(lambda *h: None)
            except RuntimeError as e:
                errors.append(str(e))
        return errors

    run(script)


def _global(lib):
    return lib.nn.modules.module


@pytest.fixture
def global_hooks():
    """Handles to remove, per library, and the global backward-hook kind reset after the test."""
    handles = []
    yield handles
    for h in handles:
        h.remove()
    for state in (torch.nn.modules.module, jtorch.nn.modules._hooks):  # where each keeps it
        state._global_is_full_backward_hook = None


def test_global_forward_and_backward_hooks(global_hooks):
    def script(lib):
        g = _global(lib)
        log = []
        m = _Scale.make(lib)
        m.register_forward_pre_hook(lambda mod, args: log.append("local pre"))
        m.register_forward_hook(lambda mod, args, out: log.append("local post"))
        m.register_full_backward_hook(lambda mod, gi, go: log.append(("local bw", summary(gi))))
        global_hooks.extend([
            g.register_module_forward_pre_hook(lambda mod, args: (args[0] * 2,)),
            g.register_module_forward_hook(lambda mod, args, kw, out: out + 1, with_kwargs=True),
            g.register_module_forward_hook(lambda mod, args, out: log.append(("post", summary(out)))),
            g.register_module_full_backward_pre_hook(lambda mod, go: log.append("global bw pre")),
            g.register_module_full_backward_hook(lambda mod, gi, go: log.append(("global bw", summary(go)))),
        ])
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = m(x)
        y.sum().backward()
        for h in global_hooks[-5:]:
            h.remove()
        log.append("removed")
        z = m(x)
        try:
            g.register_module_backward_hook(lambda *a: None)
        except RuntimeError as e:
            log.append(str(e))
        return log, y, z, x.grad

    run(script)


def test_global_deprecated_backward_hook(global_hooks):
    def script(lib):
        log = []

        def hook(mod, gi, go):
            log.append((type(mod).__name__, summary(gi)))

        global_hooks.append(_global(lib).register_module_backward_hook(hook))
        m = _Scale.make(lib)
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y, caught = _caught(lambda: m(x * 1))
        y.sum().backward()
        try:
            _global(lib).register_module_full_backward_hook(hook)
        except RuntimeError as e:
            log.append(str(e))
        return log, caught

    run(script)


def test_global_registration_hooks(global_hooks):
    def script(lib):
        g = _global(lib)
        log = []

        def on(kind, replace):
            def hook(mod, name, value):
                # a layer registers its parameters before initialising them: shapes only
                shape = tuple(value.shape) if isinstance(value, (torch.Tensor, jtorch.Tensor)) else None
                log.append((kind, type(mod).__name__, name, type(value).__name__, shape))
                return replace(lib) if replace else None

            return hook

        global_hooks.extend([
            g.register_module_buffer_registration_hook(on("buffer", lambda lib: lib.zeros(1))),
            g.register_module_parameter_registration_hook(on("param", None)),
            g.register_module_module_registration_hook(on("module", lambda lib: lib.nn.Identity())),
        ])
        m = lib.nn.Module()
        m.register_buffer("b", lib.ones(2))
        m.register_buffer("none", None)
        m.p = lib.nn.Parameter(lib.ones(1))
        m.register_parameter("q", None)
        m.child = lib.nn.Linear(1, 1)
        for h in global_hooks[-3:]:
            h.remove()
        m.after = lib.nn.Linear(1, 1)
        return log, m.b, type(m.child).__name__

    run(script)


@pytest.mark.parametrize(
    "call",
    [
        lambda lib, m: m.to(None, None, False),
        lambda lib, m: m.to("cpu", lib.float64, True),
        lambda lib, m: m.to(lib.float64, True),
        lambda lib, m: m.to(lib.float16, non_blocking=True),
        lambda lib, m: m.to(device="cpu", non_blocking=True),
        lambda lib, m: m.to(lib.float64, copy=False),
        lambda lib, m: m.to(lib.complex64),
        lambda lib, m: m.to(lib.ones(1, dtype=lib.float64), True),
        lambda lib, m: lib.ones(2).to(None, None, False),
        lambda lib, m: lib.ones(2).to("cpu", None, True),
    ],
)
def test_to_arguments(call):
    def script(lib):
        m = lib.nn.Linear(2, 1)
        out, caught = _caught(lambda: call(lib, m))
        dtype = out.dtype if isinstance(out, (torch.Tensor, jtorch.Tensor)) else out.weight.dtype
        return str(dtype), caught

    run(script)


def test_copies_of_a_module_share_the_functions_it_holds():
    """A function held by a module (a Transformer layer's activation) is copied by reference,
    as Python copies functions; a deep copy made after the function ran runs in lazy mode too."""

    def script(lib):
        lib.manual_seed(0)
        m = lib.nn.TransformerEncoderLayer(
            4, 2, dim_feedforward=8, dropout=0.0, activation=lib.nn.functional.gelu
        )
        x = lib.arange(12.0).reshape(3, 1, 4) / 10
        m(x)
        copied = [copy.deepcopy(m), copy.copy(m)]
        same = [c.activation is lib.nn.functional.gelu for c in copied]
        with jtorch._lazy.lazy(True) if lib is jtorch else contextlib.nullcontext():
            outs = [to_numpy(c(x)) for c in copied]
        return same, outs, to_numpy(m(x))

    (t_same, t_outs, t_out), (j_same, j_outs, j_out) = script(torch), script(jtorch)
    assert j_same == t_same == [True, True]
    # the copies compute what the original does, in both libraries
    for j, t in zip([*j_outs, j_out], [*t_outs, t_out]):
        np.testing.assert_allclose(j, t, rtol=1e-5, atol=1e-5)


def test_a_subclass_call_impl_is_called():
    # torch's Module.__call__ goes through _call_impl, so a subclass that overrides it sees
    # every call (jtorch's __call__ skips _call_impl only for Module's own, without hooks)
    def run(lib):
        seen = []

        class Logged(lib.nn.Linear):
            def _call_impl(self, *args, **kwargs):
                seen.append(args[0].shape[0])
                return super()._call_impl(*args, **kwargs)

        m = Logged(3, 2)
        m(lib.ones(4, 3))
        lib.nn.Sequential(m)(lib.ones(5, 3))
        return seen

    assert run(jtorch) == run(torch) == [4, 5]
