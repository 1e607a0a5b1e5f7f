"""torch.load's unpicklers: the weights-only one (the default) and the full one.

The weights-only unpickler interprets the opcodes itself and never imports or calls anything
outside an allowlist (_names.allowed_globals() plus the user's safe globals): GLOBAL resolves
names only from that list, REDUCE and NEWOBJ call only what GLOBAL produced from it, BUILD
sets state only on tensors, OrderedDicts and allowlisted types, and the modules ``sys``,
``os``, ``posix`` and ``nt`` are refused even when allowlisted. Its errors are torch's, word
for word. The full unpickler (``weights_only=False``) is the given pickle module's Unpickler
with torch's names mapped to jtorch's objects.
"""

import _compat_pickle
import collections
import pickle
import re
import struct
import sys
import warnings

from . import _names, _rebuild

UNSAFE_MESSAGE = (
    "In PyTorch 2.6, we changed the default value of the `weights_only` argument in `torch.load` "
    "from `False` to `True`. Re-running `torch.load` with `weights_only` set to `False` will likely succeed, "
    "but it can result in arbitrary code execution. Do it only if you got the file from a "
    "trusted source."
)
_DOCS_MESSAGE = (
    "\n\nCheck the documentation of torch.load to learn more about types accepted by default with "
    "weights_only https://pytorch.org/docs/stable/generated/torch.load.html."
)
_BLOCKED_MODULES = ("sys", "os", "posix", "nt")
_NEEDS_IMPORT = {
    "torch.nested._internal.nested_tensor.NestedTensor": "``torch.nested`` and ``torch._dynamo``",
    "torch.nested._internal.nested_tensor._rebuild_njt": "``torch.nested`` and ``torch._dynamo``",
    "torch._dynamo.decorators._DimRange": "``torch.nested`` and ``torch._dynamo``",
}
_DTENSOR = (
    "torch.distributed.device_mesh.DeviceMesh",
    "torch.distributed.tensor._dtensor_spec.DTensorSpec",
    "torch.distributed.tensor._dtensor_spec.TensorMeta",
    "torch.distributed.tensor.DTensor",
    "torch.distributed.tensor.placement_types.Partial",
    "torch.distributed.tensor.placement_types.Replicate",
    "torch.distributed.tensor.placement_types.Shard",
)

# ---- the user's safe globals (torch.serialization.add_safe_globals) -------------------------

_safe_globals = set()


def user_globals():
    """``"module.name"`` -> object for the user's safe globals. A jtorch object is also known
    by its torch name, the name torch and jtorch write in checkpoints."""
    rc = {}
    for entry in _safe_globals:
        if isinstance(entry, tuple):
            if len(entry) != 2:
                raise ValueError(
                    f"Expected tuple of length 2 (global, str of callable full path), but got tuple of length: {len(entry)}"
                )
            if type(entry[1]) is not str:
                raise TypeError(
                    f"Expected second item in tuple to be str of callable full path, but got: {type(entry[1])}"
                )
            rc[entry[1]] = entry[0]
            continue
        rc[f"{entry.__module__}.{entry.__qualname__}"] = entry
        torch_name = _names.torch_name(entry)
        if torch_name is not None:
            rc[".".join(torch_name)] = entry
    return rc


# ---- the weights-only unpickler ----------------------------------------------------------


# Python 2 names that protocol-2 pickles may carry: the subset of CPython's _compat_pickle
# tables that torch's weights-only unpickler applies (so that its messages name the same globals)
_IMPORT_MAPPING = {
    name: _compat_pickle.IMPORT_MAPPING[name]
    for name in (
        "__builtin__",
        "copy_reg",
        "Queue",
        "repr",
        "_abcoll",
        "UserDict",
        "UserList",
        "UserString",
        "whichdb",
        "StringIO",
        "cStringIO",
    )
}
_NAME_MAPPING = {
    **{
        ("__builtin__", name): _compat_pickle.NAME_MAPPING[("__builtin__", name)]
        for name in ("xrange", "reduce", "intern", "unichr", "unicode", "long", "basestring")
    },
    **{
        ("itertools", name): _compat_pickle.NAME_MAPPING[("itertools", name)]
        for name in ("izip", "imap", "ifilter", "ifilterfalse", "izip_longest")
    },
    ("UserDict", "IterableUserDict"): ("collections", "UserDict"),
    ("UserList", "UserList"): ("collections", "UserList"),
    ("UserString", "UserString"): ("collections", "UserString"),
    ("exceptions", "StandardError"): ("builtins", "Exception"),
    ("UserDict", "UserDict"): ("collections", "UserDict"),
}


def _read_global(readline):
    module = readline()[:-1].decode("utf-8")
    name = readline()[:-1].decode("utf-8")
    if (module, name) in _NAME_MAPPING:
        module, name = _NAME_MAPPING[(module, name)]
    elif module in _IMPORT_MAPPING:
        module = _IMPORT_MAPPING[module]
    return module, name


def _unsupported_global(full_path):
    if full_path.startswith("builtins"):
        rest = full_path[len("builtins") :]
        full_path = rest[1:] if rest.startswith(".") else "builtins" + rest
    return pickle.UnpicklingError(
        f"Unsupported global: GLOBAL {full_path} was not an allowed global by default. "
        f"Please use `torch.serialization.add_safe_globals([{full_path}])` or the "
        f"`torch.serialization.safe_globals([{full_path}])` context manager to allowlist this global "
        "if you trust this class/function."
    )


def _is_allowed(obj, user):
    return id(obj) in _names.allowed_ids() or any(obj is a for a in user.values())


class Unpickler:
    """A restricted unpickler: see the module docstring. ``persistent_load`` is set by the
    caller."""

    def __init__(self, file, *, encoding="bytes"):
        self.encoding = encoding
        self.read = file.read
        self.readline = file.readline
        self.memo = {}
        self.proto = -1

    def persistent_load(self, pid):
        raise pickle.UnpicklingError("unsupported persistent id encountered")

    def load(self):
        self.metastack, self.stack = [], []
        self._user = user_globals()
        while True:
            key = self.read(1)
            if not key:
                raise EOFError
            handler = _DISPATCH.get(key[0])
            if handler is None:
                raise pickle.UnpicklingError(f"Unsupported operand {key[0]}")
            if handler is _stop:
                return self.stack.pop()
            handler(self)

    def pop_mark(self):
        items = self.stack
        self.stack = self.metastack.pop()
        return items

    def check_set_item_target(self, opcode):
        if type(self.stack[-1]) not in (dict, collections.OrderedDict, collections.Counter):
            raise pickle.UnpicklingError(
                f"Can only {opcode} for dict, collections.OrderedDict, "
                f"collections.Counter, but got {type(self.stack[-1])}"
            )


def _global(u):
    module, name = _read_global(u.readline)
    full_path = f"{module}.{name}"
    if module in _BLOCKED_MODULES:
        raise pickle.UnpicklingError(
            f"Trying to load unsupported GLOBAL {full_path} whose module {module} is blocked."
        )
    allowed = _names.allowed_globals()
    if full_path in allowed:
        u.stack.append(allowed[full_path])
    elif full_path in u._user:
        u.stack.append(u._user[full_path])
    elif full_path in _NEEDS_IMPORT:
        raise pickle.UnpicklingError(
            f"{_NEEDS_IMPORT[full_path]} must be imported to load nested jagged tensors (NJTs)"
        )
    elif full_path in _DTENSOR:
        raise pickle.UnpicklingError(
            "``torch.distributed.tensor`` must be imported to load DTensors"
        )
    else:
        raise _unsupported_global(full_path)


def _newobj(u):
    from ..nn import Parameter

    args = u.stack.pop()
    cls = u.stack.pop()
    if cls is Parameter:
        u.stack.append(Parameter(*args))
    elif _is_allowed(cls, u._user) and isinstance(cls, type):
        u.stack.append(cls.__new__(cls, *args))
    else:
        raise pickle.UnpicklingError(
            "Can only create new object for nn.Parameter or classes allowlisted "
            f"via `add_safe_globals` but got {cls}"
        )


def _reduce(u):
    args = u.stack.pop()
    func = u.stack[-1]
    if not _is_allowed(func, u._user):
        message = f"Trying to call reduce for unrecognized function {func}"
        if hasattr(func, "__self__"):
            message += f" which belongs to {func.__self__}"
        raise pickle.UnpicklingError(message)
    u.stack[-1] = func(*args)


def _build(u):
    from ..nn import Parameter
    from ..tensor import Tensor

    state = u.stack.pop()
    inst = u.stack[-1]
    kind = type(inst)
    if kind is Tensor:
        raise NotImplementedError(
            "torch.load: Tensor.set_ (legacy tensor state) is not supported by jtorch"
        )
    if kind is Parameter or kind is collections.OrderedDict:
        _rebuild._set_obj_state(inst, state)
    elif _is_allowed(kind, u._user):
        if hasattr(inst, "__setstate__"):
            inst.__setstate__(state)
        else:
            slots = None
            if isinstance(state, tuple) and len(state) == 2:
                state, slots = state
            if state:
                inst.__dict__.update(state)
            for k, v in (slots or {}).items():
                setattr(inst, k, v)
    else:
        raise pickle.UnpicklingError(
            "Can only build Tensor, Parameter, OrderedDict or types allowlisted "
            f"via `add_safe_globals`, but got {kind}"
        )


def _append(u):
    item = u.stack.pop()
    if type(u.stack[-1]) is not list:
        raise pickle.UnpicklingError(f"Can only append to lists, but got {type(u.stack[-1])}")
    u.stack[-1].append(item)


def _appends(u):
    items = u.pop_mark()
    if type(u.stack[-1]) is not list:
        raise pickle.UnpicklingError(f"Can only extend lists, but got {type(u.stack[-1])}")
    u.stack[-1].extend(items)


def _setitem(u):
    value, key = u.stack.pop(), u.stack.pop()
    u.check_set_item_target("SETITEM")
    u.stack[-1][key] = value


def _setitems(u):
    items = u.pop_mark()
    u.check_set_item_target("SETITEMS")
    for i in range(0, len(items), 2):
        u.stack[-1][items[i]] = items[i + 1]


def _mark(u):
    u.metastack.append(u.stack)
    u.stack = []


def _tuple(u):
    items = u.pop_mark()
    u.stack.append(tuple(items))


def _tuple_n(n):
    def handler(u):
        if n:
            u.stack[-n:] = [tuple(u.stack[-n:])]
        else:
            u.stack.append(())

    return handler


def _push(value_fn):
    return lambda u: u.stack.append(value_fn(u))


def _binunicode(u):
    (n,) = struct.unpack("<I", u.read(4))
    if n > sys.maxsize:
        raise pickle.UnpicklingError("String is too long")
    u.stack.append(str(u.read(n), "utf-8", "surrogatepass"))


def _short_binstring(u):
    data = u.read(u.read(1)[0])
    u.stack.append(data if u.encoding == "bytes" else data.decode(u.encoding, "strict"))


def _binpersid(u):
    pid = u.stack.pop()
    if type(pid) is not tuple and type(pid) is not int:
        raise pickle.UnpicklingError(
            f"persistent_load id must be tuple or int, but got {type(pid)}"
        )
    if type(pid) is tuple and pid and _ascii(pid[0]) != "storage":
        raise pickle.UnpicklingError(
            f"Only persistent_load of storage is allowed, but got {type(pid[0])}"
        )
    u.stack.append(u.persistent_load(pid))


def _get(width):
    def handler(u):
        index = u.read(1)[0] if width == 1 else struct.unpack("<I", u.read(4))[0]
        u.stack.append(u.memo[index])

    return handler


def _put(width):
    def handler(u):
        index = u.read(1)[0] if width == 1 else struct.unpack("<I", u.read(4))[0]
        u.memo[index] = u.stack[-1]

    return handler


def _proto(u):
    u.proto = u.read(1)[0]
    if u.proto != 2:
        warnings.warn(
            f"Detected pickle protocol {u.proto} in the checkpoint, which was "
            "not the default pickle protocol used by `torch.load` (2). The weights_only "
            "Unpickler might not support all instructions implemented by this protocol, "
            "please file an issue for adding support if you encounter this.",
            stacklevel=4,
        )


def _stop(u):
    pass


def _ascii(value):
    return value.decode("ascii") if isinstance(value, bytes) else value


_DISPATCH = {
    pickle.GLOBAL[0]: _global,
    pickle.NEWOBJ[0]: _newobj,
    pickle.REDUCE[0]: _reduce,
    pickle.BUILD[0]: _build,
    pickle.APPEND[0]: _append,
    pickle.APPENDS[0]: _appends,
    pickle.SETITEM[0]: _setitem,
    pickle.SETITEMS[0]: _setitems,
    pickle.MARK[0]: _mark,
    pickle.TUPLE[0]: _tuple,
    pickle.TUPLE1[0]: _tuple_n(1),
    pickle.TUPLE2[0]: _tuple_n(2),
    pickle.TUPLE3[0]: _tuple_n(3),
    pickle.EMPTY_TUPLE[0]: _tuple_n(0),
    pickle.NONE[0]: _push(lambda u: None),
    pickle.NEWFALSE[0]: _push(lambda u: False),
    pickle.NEWTRUE[0]: _push(lambda u: True),
    pickle.EMPTY_LIST[0]: _push(lambda u: []),
    pickle.EMPTY_DICT[0]: _push(lambda u: {}),
    pickle.EMPTY_SET[0]: _push(lambda u: set()),
    pickle.BININT[0]: _push(lambda u: struct.unpack("<i", u.read(4))[0]),
    pickle.BININT1[0]: _push(lambda u: u.read(1)[0]),
    pickle.BININT2[0]: _push(lambda u: struct.unpack("<H", u.read(2))[0]),
    pickle.BINFLOAT[0]: _push(lambda u: struct.unpack(">d", u.read(8))[0]),
    pickle.LONG1[0]: _push(lambda u: pickle.decode_long(u.read(u.read(1)[0]))),
    pickle.BINUNICODE[0]: _binunicode,
    pickle.SHORT_BINSTRING[0]: _short_binstring,
    pickle.BINPERSID[0]: _binpersid,
    pickle.BINGET[0]: _get(1),
    pickle.LONG_BINGET[0]: _get(4),
    pickle.BINPUT[0]: _put(1),
    pickle.LONG_BINPUT[0]: _put(4),
    pickle.PROTO[0]: _proto,
    pickle.STOP[0]: _stop,
}


def unsafe_globals(data):
    """The ``module.name`` of every GLOBAL in pickle ``data`` that a weights-only load would
    refuse, found by reading the opcodes (nothing is run)."""
    import pickletools

    safe = set(_names.allowed_globals()) | set(user_globals())
    found = set()
    for opcode, arg, _ in pickletools.genops(data):
        if opcode.name == "GLOBAL":
            module, name = arg.split(" ", 1)
            module, name = _NAME_MAPPING.get(
                (module, name), (_IMPORT_MAPPING.get(module, module), name)
            )
            found.add(f"{module}.{name}")
    return list(found - safe)


def weights_only_message(message):
    """torch's wording around a weights-only UnpicklingError ``message``."""
    if re.search(r"GLOBAL (\S+) was not an allowed global by default.", message):
        return (
            "Weights only load failed. This file can still be loaded, to do so you have two options, "
            "\033[1mdo those steps only if you trust the source of the checkpoint\033[0m. "
            f"\n\t(1) {UNSAFE_MESSAGE}\n\t(2) Alternatively, to load with `weights_only=True` please check "
            "the recommended steps in the following error message.\n\tWeightsUnpickler error: "
            + message
            + _DOCS_MESSAGE
        )
    if re.search(r"(\S+) must be (\S+) to load", message):
        return f"Weights only load failed. {message}\n {UNSAFE_MESSAGE}\n"
    text = f"Weights only load failed. {UNSAFE_MESSAGE}\n"
    if not re.search(r"whose module (\S+) is blocked", message):
        text += (
            "Please file an issue with the following so that we can make "
            "`weights_only=True` compatible with your use case: WeightsUnpickler error: "
        )
    return text + "\n\n" + message + _DOCS_MESSAGE


# ---- the full unpickler ---------------------------------------------------------------------


def full_unpickler(pickle_module, file, persistent_load, **pickle_load_args):
    """An Unpickler of ``pickle_module`` reading ``file``, with torch's names mapped to jtorch
    objects (a whole nn.Module saved by torch loads as the jtorch module)."""

    class UnpicklerWrapper(pickle_module.Unpickler):
        def find_class(self, mod_name, name):
            if type(name) is str and type(mod_name) is str:
                found = _names.jtorch_global(mod_name, name)
                if found is not None:
                    return found
            return super().find_class(mod_name, name)

    unpickler = UnpicklerWrapper(file, **pickle_load_args)
    unpickler.persistent_load = persistent_load
    return unpickler
