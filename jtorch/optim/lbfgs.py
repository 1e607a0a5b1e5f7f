"""torch.optim.LBFGS: limited-memory BFGS, with an optional strong-Wolfe line search.

L-BFGS is driven by the closure: how many times it is evaluated, and where, depends on the
values it returns, so ``LBFGS.step`` is a Python loop over the flat vector of all parameters
(a jax array) rather than the compiled update of Note [compiled update]. As in torch, numbers
the algorithm keeps as tensors (directions, gradients, ``t`` after a tensor ``lr``...) are 0-dim
or flat arrays here, and those it keeps as Python numbers (losses, counters) are Python
numbers, so comparisons and mixed arithmetic round as torch's do; the state holds them under
torch's keys and types.
"""

import jax
import jax.numpy as jnp

from ..autograd.grad_mode import enable_grad, no_grad
from ..tensor import Tensor
from .optimizer import Optimizer, _as_complex, _as_real, _check_lr, _write_back


@jax.jit
def _flatten(arrays):
    """torch's ``_gather_flat_grad``: the gradients (complex ones as real pairs), raveled and
    concatenated."""
    return jnp.concatenate([_as_real(a).reshape(-1) for a in arrays])


@jax.jit
def _moved(params, step, direction):
    """Each parameter plus ``step * direction`` (its slice of the flat vector), as torch's
    ``p.add_(update, alpha=step)``: the step is a float64 scalar cast to the computing dtype."""
    out, offset = [], 0
    for p in params:
        real = _as_real(p)
        piece = direction[offset : offset + real.size].reshape(real.shape)
        offset += real.size
        moved = real + step.astype(jnp.result_type(real, piece)) * piece
        out.append(_as_complex(moved.astype(real.dtype), p))
    return out


@jax.jit
def _backward_pass(q, s, y, ro):
    """One step of the two-loop recursion's first loop: ``al = s.q * ro``, ``q -= al * y``."""
    al = jnp.dot(s, q) * ro
    return al, q + (-al).astype(q.dtype) * y


@jax.jit
def _forward_pass(r, s, y, ro, al):
    """One step of its second loop: ``r += (al - y.r * ro) * s``."""
    be = jnp.dot(y, r) * ro
    return r + (al - be).astype(r.dtype) * s


def _max_abs(x):
    return jnp.max(jnp.abs(x))


def _times(v, scale):
    """``v * scale`` for a flat vector ``v``, as torch's ``v.mul(scale)``: a 0-dim ``scale``
    takes ``v``'s dtype (torch promotes by dimensions: a 0-dim tensor does not widen ``v``)."""
    return v * (scale.astype(v.dtype) if isinstance(scale, jax.Array) else scale)


def _value(x):
    """A state entry as the algorithm uses it: tensors as jax arrays, numbers as they are."""
    return x._value() if isinstance(x, Tensor) else x


def _cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds=None):
    """torch's ``_cubic_interpolate``: the minimiser of the cubic through two points with their
    values and slopes, kept within ``bounds`` (default: between the points); their midpoint
    when the cubic has no minimum."""
    low, high = bounds if bounds is not None else ((x1, x2) if x1 <= x2 else (x2, x1))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1**2 - g1 * g2
    if not d2_square >= 0:
        return (low + high) / 2.0
    d2 = jnp.sqrt(d2_square)
    if x1 <= x2:
        min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else:
        min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return min(max(min_pos, low), high)


class _Bracket:
    """The points the strong-Wolfe search keeps: step sizes, losses, gradients and slopes."""

    def __init__(self, t, f, g, gtd):
        self.t, self.f, self.g, self.gtd = t, f, g, gtd

    def set(self, i, t, f, g, gtd):
        self.t[i], self.f[i], self.g[i], self.gtd[i] = t, f, g, gtd

    def low_high(self):
        return (0, 1) if self.f[0] <= self.f[-1] else (1, 0)


def _bracket_phase(obj_func, x, t, d, f, g, gtd, c1, c2, max_ls):
    """Grow the step until an interval holds a strong-Wolfe point: returns the bracket (one
    point when that point is found), whether it was found, the step-size trials used and the
    evaluations made (torch's first loop of ``_strong_wolfe``)."""
    f_new, g_new = obj_func(x, t, d)
    evals = 1
    gtd_new = jnp.dot(g_new, d)
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    ls_iter = 0
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            break  # not enough decrease: a minimum lies between t_prev and t
        if abs(gtd_new) <= -c2 * gtd:
            return _Bracket([t], [f_new], [g_new], [gtd_new]), True, ls_iter, evals
        if gtd_new >= 0:
            break  # the slope turned: a minimum lies between t_prev and t
        bounds = (t + 0.01 * (t - t_prev), t * 10)
        t_prev, t = (
            t,
            _cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, bounds=bounds),
        )
        f_prev, g_prev, gtd_prev = f_new, g_new, gtd_new
        f_new, g_new = obj_func(x, t, d)
        evals += 1
        gtd_new = jnp.dot(g_new, d)
        ls_iter += 1
    else:
        # out of trials: torch keeps [0, t] (without slopes; the zoom phase does not run)
        return _Bracket([0, t], [f, f_new], [g, g_new], None), False, ls_iter, evals
    bracket = _Bracket([t_prev, t], [f_prev, f_new], [g_prev, g_new], [gtd_prev, gtd_new])
    return bracket, False, ls_iter, evals


def _zoom_trial(bracket, insuf_progress):
    """The next trial step inside the bracket: the cubic's minimiser, moved to 10% of the
    bracket's width from its nearer end when it sits too close to an end twice in a row (or
    on one). Returns the step and the new ``insuf_progress``."""
    t = _cubic_interpolate(
        bracket.t[0], bracket.f[0], bracket.gtd[0], bracket.t[1], bracket.f[1], bracket.gtd[1]
    )
    hi, lo = max(bracket.t), min(bracket.t)
    eps = 0.1 * (hi - lo)
    if not min(hi - t, t - lo) < eps:
        return t, False
    if insuf_progress or t >= hi or t <= lo:
        return (hi - eps if abs(t - hi) < abs(t - lo) else lo + eps), False
    return t, True


def _strong_wolfe(obj_func, x, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9, max_ls=25):
    """torch's ``_strong_wolfe`` line search along ``d`` from ``x``: returns the loss, the flat
    gradient and the step size it settles on, and the number of closure evaluations."""
    d_norm = _max_abs(d)
    bracket, done, ls_iter, evals = _bracket_phase(obj_func, x, t, d, f, g, gtd, c1, c2, max_ls)
    insuf_progress = False
    low, high = bracket.low_high()
    while not done and ls_iter < max_ls:
        if abs(bracket.t[1] - bracket.t[0]) * d_norm < tolerance_change:
            break
        t, insuf_progress = _zoom_trial(bracket, insuf_progress)
        f_new, g_new = obj_func(x, t, d)
        evals += 1
        gtd_new = jnp.dot(g_new, d)
        ls_iter += 1
        if f_new > (f + c1 * t * gtd) or f_new >= bracket.f[low]:
            # not enough decrease, or no lower than the low end: t becomes the high end
            bracket.set(high, t, f_new, g_new, gtd_new)
            low, high = bracket.low_high()
            continue
        if abs(gtd_new) <= -c2 * gtd:
            done = True
        elif gtd_new * (bracket.t[high] - bracket.t[low]) >= 0:
            bracket.set(high, bracket.t[low], bracket.f[low], bracket.g[low], bracket.gtd[low])
        bracket.set(low, t, f_new, g_new, gtd_new)
    return bracket.f[low], bracket.g[low], bracket.t[low], evals


class LBFGS(Optimizer):
    """L-BFGS (torch.optim.LBFGS).

    Each ``step(closure)`` runs up to ``max_iter`` iterations: the direction is the gradient
    times an inverse-Hessian estimate built from the last ``history_size`` steps and gradient
    changes (the two-loop recursion); the step along it is ``lr`` (``min(1, 1/|grad|_1) * lr``
    on the very first iteration), or what a strong-Wolfe line search finds. It stops early on
    a gradient below ``tolerance_grad``, a change below ``tolerance_change``, or ``max_eval``
    closure evaluations. All its state (torch's keys: "func_evals", "n_iter", "d", "t",
    "old_dirs", ...) is kept under the first parameter.

    Args:
        params: the parameters to optimize (one group only).
        lr (float or Tensor): learning rate (default 1).
        max_iter (int): iterations per ``step`` (default 20).
        max_eval (int): closure evaluations per ``step`` (default ``max_iter * 5 // 4``).
        tolerance_grad (float): stop when the gradient's largest magnitude is at most this
            (default 1e-7).
        tolerance_change (float): stop when the loss or the parameters change less than this
            (default 1e-9).
        history_size (int): number of past updates kept (default 100).
        line_search_fn (str): None or "strong_wolfe" (default None).

    Example:
        >>> opt = torch.optim.LBFGS(model.parameters(), line_search_fn="strong_wolfe")
        >>> def closure():
        ...     opt.zero_grad()
        ...     loss = loss_fn(model(x), y)
        ...     loss.backward()
        ...     return loss
        >>> opt.step(closure)
    """

    def __init__(
        self,
        params,
        lr=1,
        max_iter=20,
        max_eval=None,
        tolerance_grad=1e-7,
        tolerance_change=1e-9,
        history_size=100,
        line_search_fn=None,
    ):
        _check_lr(lr)
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = {
            "lr": lr,
            "max_iter": max_iter,
            "max_eval": max_eval,
            "tolerance_grad": tolerance_grad,
            "tolerance_change": tolerance_change,
            "history_size": history_size,
            "line_search_fn": line_search_fn,
        }
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    # ---- the parameters as one flat vector ---------------------------------------------------

    def _gather_flat_grad(self):
        return _flatten(
            [
                p._grad._value() if p._grad is not None else jnp.zeros_like(p._value())
                for p in self._params
            ]
        )

    def _add_grad(self, step_size, update):
        values = _moved(
            [p._value() for p in self._params], jnp.asarray(step_size, jnp.float64), update
        )
        self._set_param(values)

    def _set_param(self, values):
        for p, value in zip(self._params, values):
            _write_back(p, value)

    def _directional_evaluate(self, closure, x, t, d):
        """The loss and flat gradient at ``x + t * d``; the parameters are left at ``x``."""
        self._add_grad(t, d)
        with enable_grad():
            loss = float(closure())
        flat_grad = self._gather_flat_grad()
        self._set_param(x)
        return loss, flat_grad

    # ---- step --------------------------------------------------------------------------------

    def step(self, closure):
        """Run up to ``max_iter`` L-BFGS iterations; ``closure`` re-evaluates the model (it is
        called with gradients enabled) and returns the loss. Returns the first loss."""
        if len(self.param_groups) != 1:
            raise AssertionError(
                f"Expected exactly one param_group, but got {len(self.param_groups)}"
            )
        with no_grad():
            return self._step(closure)

    def _step(self, closure):
        group = self.param_groups[0]
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)
        with enable_grad():
            orig_loss = closure()
        loss = float(orig_loss)
        state["func_evals"] += 1
        flat_grad = self._gather_flat_grad()
        if _max_abs(flat_grad) <= group["tolerance_grad"]:
            return orig_loss
        # the loop's variables, torch's names; tensors as jax arrays (state lists keep Tensors)
        run = {k: _value(state.get(k)) for k in ("d", "t", "H_diag", "prev_loss")}
        run.update({k: state.get(k) for k in ("old_dirs", "old_stps", "ro", "prev_flat_grad")})
        run["flat_grad"], run["loss"], run["evals"] = flat_grad, loss, 1
        n_iter = 0
        while n_iter < group["max_iter"]:
            n_iter += 1
            state["n_iter"] += 1
            if self._iterate(group, state, run, closure, n_iter):
                break
        self._save(state, run)
        return orig_loss

    def _iterate(self, group, state, run, closure, n_iter):
        """One L-BFGS iteration on ``run``; True when a stopping test ends the step."""
        tolerance_change, flat_grad = group["tolerance_change"], run["flat_grad"]
        lr = group["lr"]
        if isinstance(lr, Tensor):
            lr = lr._value().reshape(())
        self._direction(group, state, run)
        d = run["d"]
        prev = run["prev_flat_grad"]
        if isinstance(prev, Tensor) and prev._shape == flat_grad.shape:
            _write_back(prev, flat_grad)  # torch's prev_flat_grad.copy_(flat_grad)
        else:
            run["prev_flat_grad"] = flat_grad
        run["prev_loss"] = run["loss"]
        t = min(1.0, 1.0 / jnp.sum(jnp.abs(flat_grad))) * lr if state["n_iter"] == 1 else lr
        gtd = jnp.dot(flat_grad, d)
        if gtd > -tolerance_change:
            run["t"] = t
            return True
        t, flat_grad, opt_cond, evals = self._move(group, run, closure, t, d, gtd, n_iter)
        run["t"], run["flat_grad"] = t, flat_grad
        run["evals"] += evals
        state["func_evals"] += evals
        return (
            n_iter == group["max_iter"]
            or run["evals"] >= group["max_eval"]
            or opt_cond
            or bool(_max_abs(_times(d, t)) <= tolerance_change)
            or abs(run["loss"] - run["prev_loss"]) < tolerance_change
        )

    def _move(self, group, run, closure, t, d, gtd, n_iter):
        """Step the parameters along ``d``: by ``t``, or by what the line search finds. Returns
        the step, the new flat gradient, whether it is below ``tolerance_grad``, and the number
        of closure evaluations made."""
        if group["line_search_fn"] is None:
            self._add_grad(t, d)
            if n_iter == group["max_iter"]:
                # no re-evaluation after the last iteration (torch's rule)
                return t, run["flat_grad"], False, 0
            with enable_grad():
                run["loss"] = float(closure())
            flat_grad = self._gather_flat_grad()
            return t, flat_grad, bool(_max_abs(flat_grad) <= group["tolerance_grad"]), 1
        if group["line_search_fn"] != "strong_wolfe":
            raise RuntimeError("only 'strong_wolfe' is supported")
        x_init = [p._value() for p in self._params]

        def obj_func(x, t, d):
            return self._directional_evaluate(closure, x, t, d)

        max_ls = group["max_eval"] - run["evals"]
        run["loss"], flat_grad, t, evals = _strong_wolfe(
            obj_func, x_init, t, d, run["loss"], run["flat_grad"], gtd, max_ls=max_ls
        )
        self._add_grad(t, d)
        return t, flat_grad, bool(_max_abs(flat_grad) <= group["tolerance_grad"]), evals

    def _direction(self, group, state, run):
        """The descent direction ``run["d"]``: minus the gradient on the first iteration, else
        the two-loop recursion over the history, after adding the last step to it."""
        flat_grad = run["flat_grad"]
        if state["n_iter"] == 1:
            run["d"] = -flat_grad
            run["old_dirs"], run["old_stps"], run["ro"], run["H_diag"] = [], [], [], 1
            return
        old_dirs, old_stps, ro = run["old_dirs"], run["old_stps"], run["ro"]
        y = flat_grad - _value(run["prev_flat_grad"])
        s = _times(run["d"], run["t"])
        ys = jnp.dot(y, s)
        if ys > 1e-10:
            if len(old_dirs) == group["history_size"]:
                del old_dirs[0], old_stps[0], ro[0]
            old_dirs.append(y)
            old_stps.append(s)
            ro.append(1.0 / ys)
            run["H_diag"] = ys / jnp.dot(y, y)
        if "al" not in state:
            state["al"] = [None] * group["history_size"]
        al = state["al"]
        q = -flat_grad
        for i in range(len(old_dirs) - 1, -1, -1):
            al[i], q = _backward_pass(q, _value(old_stps[i]), _value(old_dirs[i]), _value(ro[i]))
        r = _times(q, run["H_diag"])
        for i in range(len(old_dirs)):
            r = _forward_pass(
                r, _value(old_stps[i]), _value(old_dirs[i]), _value(ro[i]), _value(al[i])
            )
        run["d"] = r

    def _save(self, state, run):
        """Store the loop's variables in torch's keys and order, tensors as Tensors."""
        device = self._params[0]._device

        def wrap(x):
            return Tensor._wrap(x, device) if isinstance(x, jax.Array) else x

        for key in ("old_dirs", "old_stps", "ro"):
            if run[key] is not None:
                run[key][:] = [wrap(v) for v in run[key]]
        if "al" in state:
            state["al"][:] = [wrap(v) for v in state["al"]]
        state["d"] = wrap(run["d"])
        state["t"] = wrap(run["t"])
        state["old_dirs"] = run["old_dirs"]
        state["old_stps"] = run["old_stps"]
        state["ro"] = run["ro"]
        state["H_diag"] = wrap(run["H_diag"])
        state["prev_flat_grad"] = wrap(run["prev_flat_grad"])
        state["prev_loss"] = run["prev_loss"]
