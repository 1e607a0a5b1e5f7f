"""Autograd semantics against real torch: each scenario runs with ``lib`` = torch and jtorch and
returns what it observed (tensors, grads, grad_fn names, exception types); the two must agree."""

import pytest
import torch

import jtorch
from conformance._compare import assert_close


def run_both(scenario):
    """Run ``scenario(lib)`` with both libraries; compare what they return."""
    expected = _observe(scenario, torch)
    actual = _observe(scenario, jtorch)
    assert_close(actual, expected)


def _observe(scenario, lib):
    try:
        return scenario(lib)
    except Exception as e:  # the error type is part of the behaviour
        return ("raised", type(e).__name__)


def name(t):
    """grad_fn name of ``t`` (None for leaves)."""
    return None if t.grad_fn is None else t.grad_fn.name()


# ---- backward ----------------------------------------------------------------------------------


def s_basic(lib):
    x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = 3 * x**2
    z = y.sum()
    z.backward()
    return x.grad, name(y), name(z), x.is_leaf, y.is_leaf, y.requires_grad


def s_backward_gradient(lib):
    x = lib.ones(2, 2, requires_grad=True)
    out = (x * 4 + 1) ** 2
    out.backward(lib.tensor([[0.1, 1.0], [1.0, 0.5]]))
    return x.grad


def s_accumulate(lib):
    w = lib.tensor([0.5, -1.0], requires_grad=True)
    for k in range(3):
        (w * (k + 1)).pow(2).sum().backward()
    return w.grad


def s_zero_grad_inplace(lib):
    w = lib.tensor([0.5, -1.0], requires_grad=True)
    (w * w).sum().backward()
    g = w.grad
    w.grad.zero_()
    (w * 3).sum().backward()
    return g, w.grad, g is w.grad


def s_retain_grad(lib):
    a = lib.tensor([1.0, 2.0], requires_grad=True)
    b = a * a
    b.retain_grad()
    c = (b * 3).sum()
    c.backward()
    return a.grad, b.grad, b.retains_grad, c.grad is None


def s_hooks(lib):
    a = lib.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    a.register_hook(lambda g: seen.append(g.clone()))
    b = a * 2
    h = b.register_hook(lambda g: g * 10)
    b.sum().backward()
    first = a.grad.clone()
    h.remove()
    a.grad = None
    (a * 2).sum().backward()
    return first, a.grad, seen


def s_retain_graph(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    return x.grad


def s_freed_graph(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp()).sum()
    y.backward()
    y.backward()


def s_nonscalar_implicit(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    (x * 2).backward()


def s_no_grad_tensor(lib):
    lib.tensor([1.0, 2.0]).sum().backward()


def s_leaf_inplace(lib):
    w = lib.ones(3, requires_grad=True)
    w.add_(1)


def s_leaf_inplace_no_grad(lib):
    w = lib.ones(3, requires_grad=True)
    (w * 2).sum().backward()
    with lib.no_grad():
        w -= 0.1 * w.grad
    return w, w.requires_grad, w.is_leaf, w.grad


def s_int_requires_grad(lib):
    lib.tensor([1, 2]).requires_grad_()


def s_nonleaf_requires_grad(lib):
    x = lib.ones(2, requires_grad=True)
    (x * 2).requires_grad = False


def s_nonleaf_inplace(lib):
    x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    y.mul_(3)
    y.add_(1)
    y.sum().backward()
    return x.grad, name(y), y._version


def s_view_inplace(lib):
    x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 1
    y[0] = 5
    y[1:].mul_(x[1:])
    y.sum().backward()
    return y, x.grad, name(y)


def s_view_of_leaf_inplace(lib):
    x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[0].mul_(2)


def s_detach_data(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    d = x.detach()
    d[0] = 10
    x.data[1] = 20
    y = (x * x).sum()
    y.backward()
    return x, x.grad, d.requires_grad, x.data.requires_grad


# ---- autograd.grad and higher derivatives ---------------------------------------------------------


def s_grad_basic(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = lib.tensor([3.0, -1.0], requires_grad=True)
    z = (x * y + x.sin()).sum()
    gx, gy = lib.autograd.grad(z, [x, y])
    return gx, gy, x.grad is None


def s_grad_outputs(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    (g,) = lib.autograd.grad(y, x, grad_outputs=lib.tensor([1.0, 0.5]))
    return g


def s_grad_unused(lib):
    x = lib.tensor([1.0], requires_grad=True)
    u = lib.tensor([1.0], requires_grad=True)
    return lib.autograd.grad((x * 2).sum(), [x, u], allow_unused=True)[1] is None


def s_grad_unused_error(lib):
    x = lib.tensor([1.0], requires_grad=True)
    u = lib.tensor([1.0], requires_grad=True)
    lib.autograd.grad((x * 2).sum(), [x, u])


def s_grad_nonleaf_input(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    z = (h * h).sum()
    return lib.autograd.grad(z, h)[0]


def s_higher_order(lib):
    x = lib.tensor(2.0, requires_grad=True)
    y = x**3
    (d1,) = lib.autograd.grad(y, x, create_graph=True)
    (d2,) = lib.autograd.grad(d1, x, create_graph=True)
    (d3,) = lib.autograd.grad(d2, x)
    return d1, d2, d3, d1.requires_grad


def s_create_graph_names(lib):
    """grad_fn of first derivatives taken with create_graph, and their requires_grad."""
    out = []
    fns = {
        "pow": lambda x: x**3, "mul": lambda x: x * x, "sin": lib.sin, "exp": lib.exp,
        "log": lib.log, "tanh": lib.tanh, "sigmoid": lib.sigmoid, "sum": lambda x: x.sum(),
        "neg": lambda x: -x, "add": lambda x: x + x,
    }
    for f in fns.values():
        x = lib.tensor([0.5, 1.5], requires_grad=True)
        (g,) = lib.autograd.grad(f(x).sum(), x, create_graph=True)
        out.append((name(g), g.requires_grad, g.detach()))
    return out


def s_create_graph_backward(lib):
    x = lib.tensor([0.5, 1.5], requires_grad=True)
    y = (x.sin() * x).sum()
    y.backward(create_graph=True)
    g = x.grad
    x.grad = None
    g.sum().backward()
    return g.detach(), x.grad


def s_hessian_vector(lib):
    x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    f = (x.exp() * x.pow(2)).sum() + (x[0] * x[1] * x[2])
    (g,) = lib.autograd.grad(f, x, create_graph=True)
    v = lib.tensor([1.0, 0.0, -1.0])
    (hv,) = lib.autograd.grad((g * v).sum(), x)
    return g.detach(), hv


def s_autograd_backward(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    a, b = (x * 2).sum(), (x**2).sum()
    lib.autograd.backward([a, b], grad_tensors=[lib.tensor(1.0), lib.tensor(0.5)])
    return x.grad


def s_backward_inputs(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = lib.tensor([3.0, 4.0], requires_grad=True)
    (x * y).sum().backward(inputs=[x])
    return x.grad, y.grad is None


def s_multi_output_backward(lib):
    x = lib.tensor([[1.0, 5.0], [7.0, 2.0]], requires_grad=True)
    values, indices = x.max(1)
    a, b = x.unbind(0)
    (values.sum() + (a * b).sum()).backward()
    return x.grad, indices, name(values)


# ---- grad modes ----------------------------------------------------------------------------------


def s_grad_modes(lib):
    x = lib.ones(2, requires_grad=True)
    with lib.no_grad():
        a = x * 2
        with lib.enable_grad():
            b = x * 2
    with lib.set_grad_enabled(False):
        c = x * 2
    lib.set_grad_enabled(False)
    d = x * 2
    lib.set_grad_enabled(True)
    with lib.inference_mode():
        e = x * 2

    @lib.no_grad()
    def f(t):
        return t * 2

    return a.requires_grad, b.requires_grad, c.requires_grad, d.requires_grad, e.requires_grad, f(x).requires_grad, lib.is_grad_enabled()


# ---- custom Function ------------------------------------------------------------------------------


def s_function(lib):
    class Exp(lib.autograd.Function):
        @staticmethod
        def forward(ctx, i):
            result = i.exp()
            ctx.save_for_backward(result)
            return result

        @staticmethod
        def backward(ctx, grad_output):
            (result,) = ctx.saved_tensors
            return grad_output * result

    x = lib.tensor([0.5, 1.0], requires_grad=True)
    y = Exp.apply(x)
    (y * 2).sum().backward()
    return y, x.grad, name(y)


def s_function_two_inputs(lib):
    class MulAdd(lib.autograd.Function):
        @staticmethod
        def forward(ctx, a, b, k):
            ctx.save_for_backward(a, b)
            ctx.k = k
            return a * b + k

        @staticmethod
        def backward(ctx, g):
            a, b = ctx.saved_tensors
            return g * b, g * a, None

    a = lib.tensor([1.0, 2.0], requires_grad=True)
    b = lib.tensor([3.0, 4.0])
    out = MulAdd.apply(a, b, 5.0)
    out.sum().backward()
    return out, a.grad, b.grad is None


def s_next_functions(lib):
    x = lib.tensor([1.0], requires_grad=True)
    y = x * 2 + 1
    nf = y.grad_fn.next_functions
    return name(y), nf[0][0].name(), nf[0][0].next_functions[0][0].name(), len(nf)


SCENARIOS = [v for k, v in sorted(globals().items()) if k.startswith("s_")]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda f: f.__name__[2:])
def test_scenario(scenario):
    run_both(scenario)


def test_error_messages_match_torch():
    """Beyond the types: the messages of the errors learners meet most."""
    for s in (s_freed_graph, s_nonscalar_implicit, s_leaf_inplace, s_int_requires_grad, s_view_of_leaf_inplace):
        msgs = []
        for lib in (torch, jtorch):
            with pytest.raises(RuntimeError) as info:
                s(lib)
            msgs.append(str(info.value))
        assert msgs[1] == msgs[0], s.__name__


def test_divergence_inplace_on_saved_tensor():
    """Documented divergence (docs/differences.md): torch refuses to backpropagate through a
    tensor that was saved for backward and then modified in place; jtorch saved the value
    itself, so it differentiates the computation as it happened."""

    def scenario(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 2
        z = y * y
        y.add_(1)
        z.sum().backward()
        return x.grad

    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        scenario(torch)
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    ((x * 2) * (x * 2)).sum().backward()
    assert_close(scenario(jtorch), x.grad)


def test_backward_uses_cached_compiled_vjp():
    """The same op signature reuses one compiled pullback (no un-jitted jax.vjp per call)."""
    from jtorch.autograd import graph

    x = jtorch.randn(5, requires_grad=True)
    (x.sin() * 3).sum().backward()
    n = len(graph._vjp_cache)
    for _ in range(3):
        (x.sin() * 3).sum().backward()
    assert len(graph._vjp_cache) == n


def test_node_hooks_and_metadata():
    """A grad_fn's pre-hook (which may replace the output gradients) and hook (which sees the
    input gradients), a removed hook, and its metadata dict, as torch."""
    seen = {}
    for lib in (torch, jtorch):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        w = lib.tensor([0.5, -1.0, 2.0], requires_grad=True)
        y = x * w
        z = (y * y).sum()
        node = y.grad_fn
        node.metadata["tag"] = "mul"
        log = []

        def pre(gout, log=log):
            log.append(("pre", [g.tolist() for g in gout]))
            return (gout[0] * 2,)

        def post(gin, gout, log=log):
            log.append(("post", [None if g is None else g.tolist() for g in gin]))

        h1 = node.register_prehook(pre)
        node.register_hook(post)
        node.register_hook(lambda gin, gout, log=log: log.append("removed")).remove()
        z.backward(retain_graph=True)
        h1.remove()
        node.register_prehook(lambda gout, log=log: log.append("again"))
        z.backward()
        seen[lib.__name__] = (log, x.grad.tolist(), w.grad.tolist(), dict(node.metadata))
        assert node.metadata is node.metadata
    assert seen["jtorch"] == seen["torch"]
