"""Tensor printing: ``repr(tensor)`` and ``str(tensor)`` exactly as torch writes them.

Pure numpy: the Tensor class hands over its values as a numpy array together with the facts
torch prints beside them (dtype, device, autograd state), so printing never traces or
dispatches through jax.

Note [print formatter]: torch picks one notation and one column width for a whole tensor
(separately for the real and imaginary parts of a complex tensor) from its nonzero finite
values, or only from the values a summarized print shows. Every value is then formatted from
the exact Python float of its stored value, so converting float16/bfloat16/float32 to float64
first changes nothing: those conversions are exact, and torch's own ``.item()`` does the same.
"""

import contextlib
import dataclasses
import math

import numpy as np


@dataclasses.dataclass
class _PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


_OPTS = _PrintOptions()

_PROFILES = {
    "default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
    "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
    "full": dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80),
}


def set_printoptions(
    precision=None,
    threshold=None,
    edgeitems=None,
    linewidth=None,
    profile=None,
    sci_mode=None,
):
    """Set options for printing tensors, as ``torch.set_printoptions``.

    Args:
        precision: digits after the decimal point for floating values (default 4).
        threshold: element count above which a tensor is summarized with ``...`` (default 1000).
        edgeitems: items shown at each end of a summarized dimension (default 3).
        linewidth: characters per line before elements wrap (default 80).
        profile: ``"default"``, ``"short"`` or ``"full"``; the other arguments override it.
        sci_mode: force scientific notation on (True) or off (False); None lets each tensor's
            values decide.

    Like torch, every call sets ``sci_mode``, so a call without it goes back to automatic.
    """
    if profile in _PROFILES:
        for name, value in _PROFILES[profile].items():
            setattr(_OPTS, name, value)
    overrides = dict(
        precision=precision, threshold=threshold, edgeitems=edgeitems, linewidth=linewidth
    )
    for name, value in overrides.items():
        if value is not None:
            setattr(_OPTS, name, value)
    _OPTS.sci_mode = sci_mode


def get_printoptions():
    """The current print options, as a dict that ``set_printoptions(**options)`` accepts."""
    return dataclasses.asdict(_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs):
    """Context manager that sets print options (``set_printoptions`` arguments) and restores
    the previous ones on exit."""
    saved = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**saved)


def _is_floating(dtype_name):
    return dtype_name.startswith(("float", "bfloat"))


def _is_complex(dtype_name):
    return dtype_name.startswith("complex")


class _Formatter:
    """One notation and width shared by all values of a tensor; see Note [print formatter]."""

    def __init__(self, values, floating):
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        flat = values.reshape(-1)
        if not floating:
            self.width = max([1] + [len(str(v)) for v in flat.tolist()])
            return
        shown = flat[np.isfinite(flat) & (flat != 0)]
        if shown.size == 0:
            return
        magnitudes = np.abs(shown)
        smallest, largest = magnitudes.min(), magnitudes.max()
        self.int_mode = bool(np.all(shown == np.ceil(shown)))
        if _OPTS.sci_mode is None:
            with np.errstate(over="ignore"):  # a ratio past float64's range is just large
                spread = largest / smallest
            self.sci_mode = bool(spread > 1000.0 or largest > 1.0e8 or smallest < 1.0e-4)
        else:
            self.sci_mode = _OPTS.sci_mode
        # zeros and non-finite values never widen the column, even when they print wider
        self.width = max(len(self._unpadded(v)) for v in shown.tolist())

    def _unpadded(self, value):
        if self.sci_mode:
            return f"{value:.{_OPTS.precision}e}"
        if self.int_mode:
            # the trailing "." marks an integral value as floating; nan and inf need no mark
            return f"{value:.0f}" + ("." if math.isfinite(value) else "")
        return f"{value:.{_OPTS.precision}f}"

    def format(self, value):
        text = self._unpadded(value) if self.floating else str(value)
        return text.rjust(self.width)


def _format_value(value, formatters):
    """One element; a complex one joins its real and imaginary columns with their sign."""
    if len(formatters) == 1:
        return formatters[0].format(value)
    real = formatters[0].format(value.real)
    imag = (formatters[1].format(value.imag) + "j").lstrip()
    # a negative imaginary part (-0.0 included) brings its own sign
    return real + ("" if imag.startswith("-") else "+") + imag


def _summarized(values, edge):
    """The values a summarized print shows, flattened: only they decide the formatter."""
    if values.ndim <= 1:
        if values.ndim == 1 and values.shape[0] > 2 * edge:
            # torch slices [-0:] for edgeitems=0, which keeps the whole vector
            return np.concatenate([values[:edge], values[-edge:]])
        return values.reshape(-1)
    if edge == 0:
        return values[:0].reshape(-1)  # such a summary prints only "..."
    rows = _shown_rows(values.shape[0], edge, summarize=True)
    return np.concatenate([_summarized(values[i], edge) for i in rows if i is not None])


def _shown_rows(size, edge, summarize):
    """Indices along a dimension in print order, None where the "..." goes."""
    if summarize and size > 2 * edge:
        return [*range(edge), None, *range(size - edge, size)]
    return list(range(size))


def _vector_str(items, indent, summarize, formatters):
    """A 1-d tensor's Python scalars, wrapped to the line width."""
    element_width = formatters[0].width + 2
    if len(formatters) == 2:
        element_width += formatters[1].width + 1  # the imaginary column and its "j"
    per_line = max(1, math.floor((_OPTS.linewidth - indent) / element_width))

    if summarize and not _OPTS.edgeitems:
        shown = ["..."]
    else:
        rows = _shown_rows(len(items), _OPTS.edgeitems, summarize)
        shown = [" ..." if i is None else _format_value(items[i], formatters) for i in rows]
    lines = [", ".join(shown[i : i + per_line]) for i in range(0, len(shown), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested_str(values, indent, summarize, formatters):
    if values.ndim == 0:
        return _format_value(values.item(), formatters)
    if values.ndim == 1:
        return _vector_str(values.tolist(), indent, summarize, formatters)
    rows = _shown_rows(values.shape[0], _OPTS.edgeitems, summarize)
    slices = [
        "..." if i is None else _nested_str(values[i], indent + 1, summarize, formatters)
        for i in rows
    ]
    # one blank line between matrices, two between 3-d blocks, and so on
    separator = "," + "\n" * (values.ndim - 1) + " " * (indent + 1)
    return "[" + separator.join(slices) + "]"


def _tensor_str(values, dtype_name, indent):
    if values.size == 0:
        return "[]"
    summarize = values.size > _OPTS.threshold
    parts = [values.real, values.imag] if _is_complex(dtype_name) else [values]
    floating = _is_floating(dtype_name) or _is_complex(dtype_name)
    formatters = [
        _Formatter(_summarized(part, _OPTS.edgeitems) if summarize else part, floating)
        for part in parts
    ]
    return _nested_str(values, indent, summarize, formatters)


def _suffixes(shape, dtype_name, default_dtype_name, device, requires_grad, grad_fn_name):
    """The ``key=value`` parts after the values, in torch's order."""
    suffixes = []
    if device.split(":")[0] != "cpu":
        suffixes.append(f"device='{device}'")
    if math.prod(shape) == 0:
        # numpy prints a 1-d empty array without its shape; torch follows
        if len(shape) != 1:
            suffixes.append(f"size={tuple(shape)}")
        # no values to tell an int64 or bool tensor apart, so only the default float is implied
        if dtype_name != default_dtype_name:
            suffixes.append(f"dtype=torch.{dtype_name}")
    else:
        # with edgeitems=0 a summary shows only "...", so the shape is all that is left
        if not _OPTS.edgeitems:
            suffixes.append(f"size={tuple(shape)}")
        default_complex = "complex128" if default_dtype_name == "float64" else "complex64"
        if dtype_name not in (default_dtype_name, default_complex, "int64", "bool"):
            suffixes.append(f"dtype=torch.{dtype_name}")
    if grad_fn_name is not None:
        suffixes.append(f"grad_fn=<{grad_fn_name}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")
    return suffixes


def _add_suffixes(text, suffixes, indent):
    """Append suffixes after ", ", each moving to its own line when it would pass linewidth."""
    # torch counts the last line two characters longer than it is (its rfind is off by two)
    line_length = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if line_length + len(suffix) + 2 > _OPTS.linewidth:
            text += ",\n" + " " * indent + suffix
            line_length = indent + len(suffix)
        else:
            text += ", " + suffix
            line_length += len(suffix) + 2
    return text + ")"


def _as_printable(values, dtype_name):
    """Values whose ``tolist()`` gives the Python scalars torch's ``tolist()`` would."""
    values = np.asarray(values)
    if _is_complex(dtype_name):
        return values.astype(np.complex128)
    if _is_floating(dtype_name):
        return values.astype(np.float64)  # exact; see Note [print formatter]
    return values


def format_tensor(
    values,
    dtype_name,
    *,
    default_dtype_name="float32",
    device="cpu",
    requires_grad=False,
    grad_fn_name=None,
    is_parameter=False,
    is_leaf=True,
):
    """``repr(tensor)`` for a dense tensor, character for character as torch prints it.

    Args:
        values: numpy array of the tensor's values, any shape (bfloat16 as ml_dtypes.bfloat16).
        dtype_name: torch dtype name without ``torch.``, e.g. ``"float32"``.
        default_dtype_name: the current ``torch.get_default_dtype()``, which prints no suffix.
        device: device string; any non-cpu device is named in a ``device='...'`` suffix.
        requires_grad: prints ``requires_grad=True`` when there is no grad_fn.
        grad_fn_name: class name of the grad_fn node, printed as ``grad_fn=<name>``.
        is_parameter: prints torch's ``Parameter containing:`` header.
        is_leaf: accepted for the caller's convenience; torch's text depends only on
            grad_fn and requires_grad.

    Differences from torch: torch omits the device when it equals the default device set by
    ``torch.set_default_device``; here only cpu is omitted.
    """
    del is_leaf
    values = _as_printable(values, dtype_name)
    prefix = "tensor("
    indent = len(prefix)
    suffixes = _suffixes(
        values.shape, dtype_name, default_dtype_name, device, requires_grad, grad_fn_name
    )
    text = _add_suffixes(prefix + _tensor_str(values, dtype_name, indent), suffixes, indent)
    if is_parameter:
        return "Parameter containing:\n" + text
    return text
