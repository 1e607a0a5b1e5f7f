"""torch.save and torch.load (jtorch/serialization.py) against real torch.

Every checkpoint test crosses the two libraries: what torch saves, jtorch loads; what jtorch
saves, real torch loads (``weights_only=True``); and what jtorch saves, jtorch loads. Each
load is summed up in a library-neutral description (types, dtypes, shapes, strides, storage
offsets, which tensors share a storage, requires_grad, values) and compared with what torch
gives when it saves and loads the same object itself. Both the zip format and the legacy
format are covered. Malicious checkpoints must be refused by default with nothing executed.
"""

import io
import math
import os
import pathlib
import pickle
import struct
import zipfile
from collections import Counter, OrderedDict

import numpy as np
import pytest
import torch

import jtorch
from conformance._compare import module_pair, outcome, same_outcome, to_numpy

FORMATS = {"zip": True, "legacy": False}
_RNG = np.random.default_rng(0)
_F32 = (_RNG.permutation(12) - 6 + 0.25).astype(np.float32).reshape(3, 4)
_C64 = (_F32[0] + 1j * _F32[1]).astype(np.complex64)


def save_bytes(lib, obj, fmt="zip"):
    buffer = io.BytesIO()
    lib.save(obj, buffer, _use_new_zipfile_serialization=FORMATS[fmt])
    return buffer.getvalue()


def load_bytes(lib, data, **kwargs):
    return lib.load(io.BytesIO(data), **kwargs)


# ---- a library-neutral description of a loaded object -----------------------------------------


def _storage_key(lib, t):
    if lib is torch:
        return t.untyped_storage().data_ptr()
    return id(t.untyped_storage())


def describe(lib, obj, groups=None):
    """``obj`` (loaded by ``lib``) as plain data; tensors that share a storage get the same
    group number, numbered in order of appearance."""
    groups = {} if groups is None else groups
    if isinstance(obj, lib.Tensor):
        empty = obj.untyped_storage().nbytes() == 0 if lib is torch else obj.numel() == 0
        group = None if empty else groups.setdefault(_storage_key(lib, obj), len(groups))
        values = to_numpy(obj)
        return (
            type(obj).__name__,
            str(obj.dtype),
            tuple(obj.shape),
            tuple(obj.stride()),
            obj.storage_offset(),
            obj.requires_grad,
            obj.is_leaf,
            bool(lib.is_conj(obj)),
            group,
            repr(values.tolist()),
        )
    if isinstance(obj, dict):
        items = [(k, describe(lib, v, groups)) for k, v in obj.items()]
        return (type(obj).__name__, items, repr(getattr(obj, "_metadata", None)))
    if isinstance(obj, (list, tuple)) and type(obj) in (list, tuple):
        return (type(obj).__name__, [describe(lib, v, groups) for v in obj])
    if isinstance(obj, lib.Size):
        return ("Size", tuple(obj))
    if isinstance(obj, (lib.dtype, lib.device)):
        return (type(obj).__name__, str(obj))
    return (type(obj).__name__, repr(obj))


# ---- the objects saved: each builder gives the same object in torch and in jtorch ----------------


def _shared_views(lib):
    w = lib.tensor(_F32)
    return {
        "w": w,
        "wt": w.t(),
        "row": w[1],
        "cols": w[:, 1:3],
        "elem": w[2, 3],
        "flat": w.view(12),
    }


def _dtype_views(lib):
    """Bitcast views (``view(dtype)``) of one storage, in one dtype, beside the others."""
    w = lib.tensor(_F32).view(lib.int32)
    return {"bits": w, "bits row": w[1], "bits back": w.view(lib.float32)[0].view(lib.int32)}


def _twice(t):
    return [t, t]


def _parameter_state(lib):
    p = lib.nn.Parameter(lib.tensor(_F32[0]))
    p.note = "kept"
    return [p]


CASES = {
    "float32": lambda lib: lib.tensor(_F32),
    "float64": lambda lib: lib.tensor(_F32.astype(np.float64)),
    "float16": lambda lib: lib.tensor(_F32).half(),
    "bfloat16": lambda lib: lib.tensor(_F32).bfloat16(),
    "complex64": lambda lib: lib.tensor(_C64),
    "complex128": lambda lib: lib.tensor(_C64.astype(np.complex128)),
    "int8": lambda lib: lib.tensor(_F32).to(lib.int8),
    "int16": lambda lib: lib.tensor(_F32).to(lib.int16),
    "int32": lambda lib: lib.tensor(_F32).to(lib.int32),
    "int64": lambda lib: lib.tensor([[-(2**62), 5], [2**40, -1]]),
    "uint8": lambda lib: lib.tensor([0, 7, 255], dtype=lib.uint8),
    "bool": lambda lib: lib.tensor(_F32 > 0),
    "special floats": lambda lib: lib.tensor([math.nan, math.inf, -math.inf, -0.0, 1e-40]),
    "zero-dim": lambda lib: [lib.tensor(2.5), lib.tensor(7), lib.tensor(True)],
    "empty": lambda lib: [lib.zeros(0), lib.ones(0, 3, dtype=lib.int64), lib.zeros(2, 0)],
    "shared views": _shared_views,
    "transpose alone": lambda lib: lib.tensor(_F32).t(),
    "narrow alone": lambda lib: lib.tensor(_F32)[1:, 2:],
    "expand": lambda lib: lib.tensor(_F32[0]).expand(3, 4),
    "same tensor twice": lambda lib: _twice(lib.tensor(_F32)),
    "conj": lambda lib: lib.tensor(_C64).conj(),
    "real view": lambda lib: lib.tensor(_C64).real,
    "dtype view": lambda lib: lib.tensor(_F32).view(lib.int32),
    "dtype view, wider": lambda lib: lib.tensor(_F32).view(lib.float64),
    "dtype view, narrower, of a slice": lambda lib: lib.tensor(_F32)[1:, 2:].view(lib.int8),
    "dtype view, sliced": lambda lib: lib.tensor(_F32)[2].view(lib.int16)[1::2],
    "dtype view of complex": lambda lib: lib.tensor(_C64).view(lib.float32),
    "dtype views of one storage": lambda lib: _dtype_views(lib),
    "requires_grad": lambda lib: lib.tensor(_F32, requires_grad=True),
    "non-leaf": lambda lib: lib.tensor(_F32, requires_grad=True) * 2,
    "parameter": lambda lib: lib.nn.Parameter(lib.tensor(_F32)),
    "frozen parameter": lambda lib: lib.nn.Parameter(lib.tensor(_F32), requires_grad=False),
    "parameter with state": _parameter_state,
    "containers": lambda lib: {
        "list": [1, -2, 2**70, 1.5, None, True, "text"],
        "tuple": (1, ("a", 2.0)),
        "set": {3, 1, 2},
        "bytes": b"\x00\xff",
        "bytearray": bytearray(b"ab"),
        "complex": 1 - 2j,
        "counter": Counter("abca"),
        "nested": {1: [{"x": (None,)}]},
        "ordered": OrderedDict(b=1, a=2),
    },
    "torch objects": lambda lib: [
        lib.Size([2, 3]),
        lib.Size([]),
        lib.float16,
        lib.bfloat16,
        lib.int64,
        lib.device("cpu"),
        lib.device("cuda", 1),
    ],
}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("case", CASES)
def test_checkpoints_cross_between_torch_and_jtorch(case, fmt):
    expected = describe(torch, load_bytes(torch, save_bytes(torch, CASES[case](torch), fmt)))
    from_torch = load_bytes(jtorch, save_bytes(torch, CASES[case](torch), fmt))
    assert describe(jtorch, from_torch) == expected, "torch saved, jtorch loaded"
    from_jtorch = save_bytes(jtorch, CASES[case](jtorch), fmt)
    assert describe(torch, load_bytes(torch, from_jtorch, weights_only=True)) == expected, (
        "jtorch saved, torch loaded"
    )
    assert describe(jtorch, load_bytes(jtorch, from_jtorch)) == expected, (
        "jtorch saved, jtorch loaded"
    )


def test_jtorch_writes_torchs_records():
    names = zipfile.ZipFile(io.BytesIO(save_bytes(jtorch, _shared_views(jtorch)))).namelist()
    assert names == zipfile.ZipFile(io.BytesIO(save_bytes(torch, _shared_views(torch)))).namelist()
    data = save_bytes(jtorch, {"a": jtorch.ones(3), "b": jtorch.zeros(2)})
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for info in z.infolist():
            name_len, extra_len = struct.unpack(
                "<HH", data[info.header_offset + 26 : info.header_offset + 30]
            )
            assert (info.header_offset + 30 + name_len + extra_len) % 64 == 0, info.filename
        assert z.read("archive/version") == b"3\n"
        assert z.read("archive/byteorder") == b"little"
        assert z.testzip() is None  # the CRCs are right


def test_torch_finds_jtorch_records_where_miniz_would_put_them(tmp_path, monkeypatch):
    """With ``.format_version`` present torch may compute record offsets from miniz's layout
    instead of reading them; its debug mode checks each computed offset against the real one."""
    from torch.utils.serialization import config

    monkeypatch.setenv("TORCH_SERIALIZATION_DEBUG", "1")
    path = tmp_path / "offsets.pt"
    views = _shared_views(jtorch)
    extra = {"empty": jtorch.zeros(0), "flag": jtorch.tensor([True]), "long": jtorch.ones(1000)}
    jtorch.save({**views, **extra}, path)
    config.load.calculate_storage_offsets = True
    try:
        loaded = torch.load(path, mmap=True)
    finally:
        config.load.calculate_storage_offsets = False
    assert describe(torch, {k: loaded[k] for k in views}) == describe(torch, _shared_views(torch))
    assert loaded["long"].sum().item() == 1000


def test_one_storage_in_two_dtypes_is_refused_as_in_torch():
    w = {lib: lib.tensor(_F32) for lib in (torch, jtorch)}
    same_outcome(lambda lib: save_bytes(lib, [w[lib], w[lib].view(lib.int32)]))


def test_writes_through_loaded_views_reach_each_other():
    def fn(lib):
        loaded = load_bytes(lib, save_bytes(lib, _shared_views(lib)))
        loaded["w"][0, 1] = 100.0
        loaded["row"].mul_(-1)
        return loaded["wt"], loaded["cols"], loaded["flat"]

    same_outcome(fn)


def test_negative_bit_views_keep_their_values():
    """torch's negative bit (``c.conj().imag``) has no jtorch counterpart: the values cross
    (in a storage of their own); strides and sharing do not."""

    def fn(lib, writer):
        c = writer.tensor(_C64)
        loaded = load_bytes(lib, save_bytes(writer, {"neg": c.conj().imag}))
        return to_numpy(loaded["neg"]).tolist()

    expected = fn(torch, torch)
    assert fn(jtorch, torch) == fn(torch, jtorch) == fn(jtorch, jtorch) == expected


UNSUPPORTED = {
    "uint16": lambda: torch.tensor([1, 2], dtype=torch.uint16),
    "float8": lambda: torch.zeros(2, dtype=torch.float8_e4m3fn),
    "sparse": lambda: torch.eye(2).to_sparse(),
    "quantized": lambda: torch.quantize_per_tensor(torch.ones(2), 0.1, 0, torch.qint8),
}


@pytest.mark.filterwarnings("ignore:torch.quantize_per_tensor")
@pytest.mark.parametrize("case", UNSUPPORTED)
def test_what_jtorch_cannot_hold_raises_not_implemented(case):
    data = save_bytes(torch, {"t": UNSUPPORTED[case]()})
    with pytest.raises(NotImplementedError, match="torch.load"):
        load_bytes(jtorch, data)


def test_two_dtypes_on_one_storage_are_refused_as_in_torch():
    def fn(lib):
        c = lib.tensor(_C64)
        return save_bytes(lib, [c, c.real])

    same_outcome(fn)


# ---- whole training state --------------------------------------------------------------------------


def _train(lib, model, opt, steps):
    x = lib.tensor(_F32)
    target = lib.tensor(_F32[:, :2] * 0.5)
    for _ in range(steps):
        opt.zero_grad()
        loss = ((model(x) - target) ** 2).mean()
        loss.backward()
        opt.step()


def _assert_same_params(t_model, j_model):
    for (tn, tp), (jn, jp) in zip(t_model.named_parameters(), j_model.named_parameters()):
        assert tn == jn
        # Adam divides by sqrt(exp_avg_sq): float32 rounding differences grow a little per step
        np.testing.assert_allclose(to_numpy(jp), to_numpy(tp), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("writer", ["torch", "jtorch"])
def test_state_dicts_of_model_and_optimizer_continue_training(writer):
    torch.manual_seed(0)
    mods = module_pair(lambda nn: nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 2)))
    opts = {lib: lib.optim.Adam(mods[lib].parameters(), lr=0.05) for lib in (torch, jtorch)}
    src, dst = (torch, jtorch) if writer == "torch" else (jtorch, torch)
    _train(src, mods[src], opts[src], 2)
    data = save_bytes(
        src, {"model": mods[src].state_dict(), "optim": opts[src].state_dict(), "epoch": 2}
    )
    checkpoint = load_bytes(dst, data)
    assert checkpoint["epoch"] == 2 and type(checkpoint["model"]) is OrderedDict
    assert repr(checkpoint["model"]._metadata) == repr(mods[src].state_dict()._metadata)
    fresh = dst.nn.Sequential(dst.nn.Linear(4, 3), dst.nn.Tanh(), dst.nn.Linear(3, 2))
    fresh.load_state_dict(checkpoint["model"])
    fresh_opt = dst.optim.Adam(fresh.parameters(), lr=0.05)
    fresh_opt.load_state_dict(checkpoint["optim"])
    _train(src, mods[src], opts[src], 3)
    _train(dst, fresh, fresh_opt, 3)
    t_model, j_model = (mods[torch], fresh) if writer == "torch" else (fresh, mods[jtorch])
    _assert_same_params(t_model, j_model)


def _nets():
    torch.manual_seed(0)
    return module_pair(
        lambda nn: nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1), nn.BatchNorm1d(1))
    )


def test_whole_modules_cross_with_weights_only_false():
    x = _F32[:, :3]
    nets = _nets()
    t_net, j_net = nets[torch], nets[jtorch]
    expected = to_numpy(t_net(torch.tensor(x)))
    j_from_t = load_bytes(jtorch, save_bytes(torch, t_net), weights_only=False)
    assert type(j_from_t[0]) is jtorch.nn.Linear and repr(j_from_t) == repr(t_net)
    t_from_j = load_bytes(torch, save_bytes(jtorch, j_net), weights_only=False)
    assert type(t_from_j[0]) is torch.nn.Linear and repr(t_from_j) == repr(t_net)
    j_from_j = load_bytes(jtorch, save_bytes(jtorch, j_net), weights_only=False)
    for net, lib in ((j_from_t, jtorch), (t_from_j, torch), (j_from_j, jtorch)):
        np.testing.assert_allclose(to_numpy(net(lib.tensor(x))), expected, rtol=1e-5, atol=1e-6)


def test_whole_module_is_refused_by_default():
    nets = _nets()
    same_outcome(lambda lib: load_bytes(lib, save_bytes(torch, nets[torch])))
    same_outcome(lambda lib: load_bytes(lib, save_bytes(jtorch, nets[jtorch])))


def test_safe_globals_allow_a_whole_module():
    nets = _nets()
    data = save_bytes(torch, nets[torch])

    def fn(lib):
        classes = [lib.nn.Sequential, lib.nn.Linear, lib.nn.ReLU, lib.nn.BatchNorm1d, set]
        with lib.serialization.safe_globals(classes):
            net = load_bytes(lib, data)
        try:
            load_bytes(lib, data)
        except pickle.UnpicklingError:
            return net, "refused again after the context"

    same_outcome(fn)
    same_outcome(
        lambda lib: sorted(lib.serialization.get_unsafe_globals_in_checkpoint(io.BytesIO(data)))
    )
    jtorch.serialization.add_safe_globals(
        [jtorch.nn.Sequential, (jtorch.nn.Linear, "torch.nn.modules.linear.Linear")]
    )
    assert jtorch.serialization.get_safe_globals()
    jtorch.serialization.clear_safe_globals()
    assert jtorch.serialization.get_safe_globals() == []


# ---- malicious checkpoints ---------------------------------------------------------------------------


def _global(module, name):
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def _text(s):
    return b"X" + struct.pack("<I", len(s)) + s.encode()


def _payloads(marker):
    """Protocol-2 pickles that would create ``marker`` if they ran."""
    touch = _text(f"touch {marker}") + b"\x85R."
    code = _text(f"open({str(marker)!r}, 'w').close()") + b"\x85R."
    return {
        "os.system": b"\x80\x02" + _global("os", "system") + touch,
        "posix.system": b"\x80\x02" + _global("posix", "system") + touch,
        "eval": b"\x80\x02" + _global("__builtin__", "eval") + code,
        "builtins.exec": b"\x80\x02" + _global("builtins", "exec") + code,
        "subprocess.Popen": b"\x80\x02"
        + _global("subprocess", "Popen")
        + b"("
        + _text("touch")
        + _text(str(marker))
        + b"l\x85R.",
        "getattr chain": b"\x80\x02"
        + _global("builtins", "getattr")
        + _global("os", "path")
        + b"\x86R.",
        "persistent id": b"\x80\x02(" + _text("module") + _text("os") + b"tQ.",
        "reduce on allowed": b"\x80\x02" + _global("collections", "OrderedDict") + b"]\x85R.",
    }


def _zip_with(data_pkl):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("evil/data.pkl", data_pkl)
        z.writestr("evil/version", "3\n")
    return buffer.getvalue()


@pytest.mark.parametrize("container", ["zip", "legacy"])
@pytest.mark.parametrize("payload", list(_payloads("x")))
def test_malicious_checkpoints_are_refused_and_nothing_runs(payload, container, tmp_path):
    marker = tmp_path / "PWNED"
    pkl = _payloads(marker)[payload]
    data = _zip_with(pkl) if container == "zip" else pkl
    path = tmp_path / "evil.pt"
    path.write_bytes(data)
    same_outcome(lambda lib: lib.load(path))
    same_outcome(lambda lib: lib.load(io.BytesIO(data), weights_only=True))
    assert not marker.exists()


def test_the_malicious_payloads_do_run_under_plain_pickle(tmp_path):
    """The control for the test above: the payloads are real (plain pickle runs them)."""
    for name in ("os.system", "posix.system", "eval", "builtins.exec", "subprocess.Popen"):
        marker = tmp_path / f"RAN-{name}"
        result = pickle.loads(_payloads(marker)[name])
        if name == "subprocess.Popen":
            result.wait()
        assert marker.exists(), name


# ---- map_location -----------------------------------------------------------------------------------


def _rewritten(data, change):
    """A zip checkpoint with each record replaced by ``change(name, record)``."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for name in src.namelist():
            out.writestr(name, change(name, src.read(name)))
    return buffer.getvalue()


def _retagged(data, location):
    """A torch zip checkpoint with every storage's location tag replaced by ``location``."""

    def change(name, record):
        return (
            record.replace(_text("cpu"), _text(location)) if name.endswith("/data.pkl") else record
        )

    return _rewritten(data, change)


_CPU_FILE = save_bytes(torch, {"a": torch.tensor(_F32), "b": torch.tensor([1, 2])})
_CUDA_FILE = _retagged(_CPU_FILE, "cuda:0")

MAP_LOCATIONS = {
    "none": lambda lib: None,
    "cpu": lambda lib: "cpu",
    "device": lambda lib: lib.device("cpu"),
    "dict": lambda lib: {"cuda:0": "cpu"},
    "dict untouched": lambda lib: {"cuda:3": "cpu"},
    "identity callable": lambda lib: lambda storage, location: storage,
    "cpu callable": lambda lib: lambda storage, location: storage.cpu(),
    "none callable": lambda lib: lambda storage, location: None,
    "cuda": lambda lib: "cuda",
    "cpu:0": lambda lib: "cpu:0",
    "unknown": lambda lib: "bogus",
    "not callable": lambda lib: 5,
    "bad callable": lambda lib: lambda storage, location: 5,
}


_NO_CUDA = (
    "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is False."
)


@pytest.mark.parametrize("tag", ["cpu", "cuda:0"])
@pytest.mark.parametrize("how", MAP_LOCATIONS)
def test_map_location(how, tag):
    data = _CPU_FILE if tag == "cpu" else _CUDA_FILE

    def fn(lib):
        return load_bytes(lib, data, map_location=MAP_LOCATIONS[how](lib))

    expected = outcome(fn, torch)
    if jtorch.cuda.is_available() and expected[1].startswith(_NO_CUDA):
        # torch here is a CPU-only build; jtorch with a GPU places the tensors there
        assert {str(t.device) for t in fn(jtorch).values()} == {"cuda:0"}
        return
    same_outcome(fn)


def test_map_location_callable_sees_cpu_storages_and_tags():
    def fn(lib):
        calls = []
        load_bytes(
            lib,
            _CUDA_FILE,
            map_location=lambda s, loc: calls.append((str(s.device), loc, s.nbytes())) or s,
        )
        return calls

    if not jtorch.cuda.is_available():
        same_outcome(fn)
    assert fn(jtorch)[0][:2] == ("cpu", "cuda:0")


# ---- files --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["str", "pathlib", "open file", "BytesIO after a header"])
def test_files_and_file_objects(kind, tmp_path):
    def fn(lib):
        path = tmp_path / f"{lib.__name__}.pt"
        obj = {"w": lib.tensor(_F32), "n": 3}
        if kind in ("str", "pathlib"):
            target = str(path) if kind == "str" else path
            lib.save(obj, target)
            return lib.load(target)
        if kind == "open file":
            with open(path, "wb") as f:
                lib.save(obj, f)
            with open(path, "rb") as f:
                return lib.load(f)
        buffer = io.BytesIO()
        buffer.write(b"header")
        lib.save(obj, buffer)
        buffer.seek(6)
        return lib.load(buffer)

    same_outcome(fn)


def test_archive_is_named_after_the_file(tmp_path):
    jtorch.save({"a": jtorch.ones(1)}, tmp_path / "my.model.pth")
    assert zipfile.ZipFile(tmp_path / "my.model.pth").namelist()[0] == "my.model/data.pkl"
    assert torch.load(tmp_path / "my.model.pth")["a"].tolist() == [1.0]


class _Unseekable(io.RawIOBase):
    def readable(self):
        return True

    def readinto(self, b):
        return 0

    def seekable(self):
        return False

    def tell(self):
        raise io.UnsupportedOperation("tell")


FILE_ERRORS = {
    "no write": lambda lib: lib.save(1, 5),
    "missing parent": lambda lib: lib.save(1, "/nonexistent-dir/x.pt"),
    "missing file": lambda lib: lib.load("/nonexistent-dir/x.pt"),
    "unseekable": lambda lib: lib.load(_Unseekable()),
    "not a checkpoint": lambda lib: lib.load(io.BytesIO(b"hello world")),
    "empty": lambda lib: lib.load(io.BytesIO(b"")),
    "unpicklable": lambda lib: lib.save({"f": lambda: 0}, io.BytesIO()),
    "pickle_module with weights_only": lambda lib: lib.load(
        io.BytesIO(_CPU_FILE), pickle_module=pickle, weights_only=True
    ),
    "mmap of a file object": lambda lib: lib.load(io.BytesIO(_CPU_FILE), mmap=True),
    "mmap of a legacy file": lambda lib: lib.load(
        io.BytesIO(save_bytes(torch, 1, "legacy")), mmap=True
    ),
    "no version record": lambda lib: lib.load(io.BytesIO(_zip_without_version())),
}


def _zip_without_version():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("x/data.pkl", pickle.dumps(1, protocol=2))
    return buffer.getvalue()


@pytest.mark.parametrize("case", FILE_ERRORS)
def test_file_errors(case):
    same_outcome(FILE_ERRORS[case])


def test_load_arguments_and_warnings(tmp_path):
    path = tmp_path / "ckpt.pt"
    torch.save({"a": torch.tensor(_F32)}, path)
    same_outcome(lambda lib: lib.load(path, mmap=True, weights_only=True))
    same_outcome(lambda lib: lib.load(path, encoding="latin1"), with_warnings=True)
    same_outcome(lambda lib: lib.load(path, pickle_module=pickle))


def test_interrupted_save_leaves_the_old_file(tmp_path):
    path = tmp_path / "ckpt.pt"
    jtorch.save({"w": jtorch.tensor(_F32)}, path)
    os.chmod(path, 0o640)
    good = path.read_bytes()
    with pytest.raises(AttributeError, match="Can't pickle local object"):
        jtorch.save({"w": jtorch.ones(2), "f": lambda: 0}, path)
    with pytest.raises(TypeError, match="cannot pickle"):
        jtorch.save(
            [jtorch.ones(2), (x for x in [])], str(path), _use_new_zipfile_serialization=False
        )
    assert path.read_bytes() == good
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt.pt"]
    jtorch.save({"w": jtorch.zeros(1)}, path)
    assert oct(path.stat().st_mode & 0o777) == oct(0o640)
    assert torch.load(path)["w"].tolist() == [0.0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt.pt"]


def test_save_to_a_symlink_replaces_its_target(tmp_path):
    target = tmp_path / "real.pt"
    link = tmp_path / "link.pt"
    jtorch.save(1, target)
    link.symlink_to(target)
    jtorch.save(2, link)
    assert link.is_symlink() and torch.load(target) == 2


def test_big_endian_checkpoint_is_byteswapped():
    def change(name, record):
        if name.endswith("/byteorder"):
            return b"big"
        if "/data/" in name and not name.endswith("serialization_id"):
            itemsize = 4 if name.endswith("/0") else 8
            return np.frombuffer(record, f"<u{itemsize}").byteswap().tobytes()
        return record

    data = _rewritten(_CPU_FILE, change)
    same_outcome(lambda lib: load_bytes(lib, data))


def test_pathlib_and_legacy_files_on_disk(tmp_path):
    path = pathlib.Path(tmp_path) / "legacy.pt"
    jtorch.save(_shared_views(jtorch), path, _use_new_zipfile_serialization=False)
    expected = describe(torch, torch.load(path))
    assert describe(jtorch, jtorch.load(path)) == expected
    assert expected == describe(torch, load_bytes(torch, save_bytes(torch, _shared_views(torch))))
