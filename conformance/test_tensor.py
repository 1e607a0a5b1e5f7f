"""Tensor attributes and Python protocols against real torch (tensor.py)."""

import copy
import pickle

import numpy as np
import pytest
import torch

import jtorch
from conformance._compare import assert_close

DATA = np.arange(12, dtype=np.float32).reshape(3, 4) / 4 - 1

ATTRS = {
    "shape": lambda t: t.shape,
    "size": lambda t: t.size(),
    "size_dim": lambda t: t.size(1),
    "size_neg_dim": lambda t: t.size(-1),
    "dim": lambda t: t.dim(),
    "ndim": lambda t: t.ndim,
    "numel": lambda t: t.numel(),
    "dtype": lambda t: t.dtype,
    "device_type": lambda t: t.device.type,
    "is_cuda": lambda t: t.is_cuda,
    "requires_grad": lambda t: t.requires_grad,
    "is_leaf": lambda t: t.is_leaf,
    "grad": lambda t: t.grad,
    "grad_fn": lambda t: t.grad_fn,
    "T": lambda t: t.T,
    "mT": lambda t: t.mT,
    "item": lambda t: t[1, 2].item(),
    "tolist": lambda t: t.tolist(),
    "int_tolist": lambda t: t.long().tolist(),
    "bool_item": lambda t: (t > 0)[0, 0].item(),
    "is_floating_point": lambda t: t.is_floating_point(),
    "is_complex": lambda t: t.is_complex(),
    "element_size": lambda t: t.element_size(),
    "nbytes": lambda t: t.nbytes,
    "itemsize": lambda t: t.itemsize,
    "type": lambda t: t.type(),
    "type_long": lambda t: t.long().type(),
    "type_convert": lambda t: t.type("torch.DoubleTensor"),
    "contiguous": lambda t: t.contiguous().is_contiguous(),
    "t_contiguous": lambda t: t.t().is_contiguous(),
    "stride": lambda t: t.stride(),
    "t_stride": lambda t: t.t().stride(),
    "slice_stride": lambda t: t[:, 1::2].stride(),
    "storage_offset": lambda t: t[1:, 2:].storage_offset(),
    "len": lambda t: len(t),
    "iter": lambda t: list(t),
    "float": lambda t: float(t[0, 1]),
    "int": lambda t: int(t[2, 3]),
    "index": lambda t: [10, 20, 30][t.long()[2, 1]],
    "bool": lambda t: bool(t[2, 3]),
    "contains": lambda t: (0.5 in t, 7.0 in t),
    "format": lambda t: f"{t[1, 1]:.3f}",
    "data": lambda t: t.data,
    "detach": lambda t: t.detach(),
    "float_conv": lambda t: t.double().float(),
    "long_conv": lambda t: t.long(),
    "int_conv": lambda t: t.int(),
    "bool_conv": lambda t: t.bool(),
    "half_conv": lambda t: t.half(),
    "to_dtype": lambda t: t.to(t.dtype),
    "to_float64": lambda t: t.to(
        dtype=torch.float64 if isinstance(t, torch.Tensor) else jtorch.float64
    ),
    "to_cpu": lambda t: t.to("cpu"),
    "cpu": lambda t: t.cpu(),
    "new_zeros": lambda t: t.new_zeros(2, 2),
    "new_ones": lambda t: t.new_ones((1, 3)),
    "new_full": lambda t: t.new_full((2,), 7),
    "new_tensor": lambda t: t.new_tensor([1, 2]),
    "type_as": lambda t: t.long().type_as(t),
    "view_as": lambda t: t.view(12).view_as(t),
    "expand_as": lambda t: t[:1].expand_as(t),
}


@pytest.mark.parametrize("attr", sorted(ATTRS))
def test_attribute(attr):
    fn = ATTRS[attr]
    assert_close(fn(jtorch.tensor(DATA)), fn(torch.tensor(DATA)))


def test_attributes_with_grad():
    for lib in (torch, jtorch):
        x = lib.tensor(DATA, requires_grad=True)
        y = (x * 2).sum()
        y.backward()
    tx = torch.tensor(DATA, requires_grad=True)
    (tx * 2).sum().backward()
    jx = jtorch.tensor(DATA, requires_grad=True)
    (jx * 2).sum().backward()
    assert_close(jx.grad, tx.grad)
    assert jx.is_leaf and jx.requires_grad and jx.grad_fn is None


def test_legacy_types():
    for name in (
        "FloatTensor",
        "DoubleTensor",
        "LongTensor",
        "IntTensor",
        "ByteTensor",
        "BoolTensor",
    ):
        for args in (([1, 0, 2],), (2, 3)):
            t, j = getattr(torch, name)(*args), getattr(jtorch, name)(*args)
            assert (tuple(j.shape), str(j.dtype)) == (tuple(t.shape), str(t.dtype))
        assert isinstance(
            jtorch.tensor([1.0]).to(getattr(jtorch, name).dtype), getattr(jtorch, name)
        )
    assert_close(jtorch.Tensor([[1, 2]]), torch.Tensor([[1, 2]]))
    assert_close(jtorch.Tensor(2, 0), torch.Tensor(2, 0))
    assert isinstance(jtorch.ones(2), jtorch.Tensor) and jtorch.is_tensor(jtorch.ones(1))


def test_torch_size():
    s, j = torch.Size([2, 3]), jtorch.Size([2, 3])
    assert repr(j) == repr(s) and str(j) == str(s)
    assert j == (2, 3) and j[1:] == jtorch.Size([3]) and repr(j[1:]) == repr(s[1:])
    assert j.numel() == s.numel()


def test_hash_identity_and_containers():
    a, b = jtorch.ones(2), jtorch.ones(2)
    assert len({a, b}) == 2 and {a: 1}[a] == 1


def test_deepcopy_and_pickle():
    x = jtorch.tensor(DATA, requires_grad=True)
    for y in (copy.deepcopy(x), pickle.loads(pickle.dumps(x))):
        assert_close(y, torch.tensor(DATA, requires_grad=True))
        assert y.requires_grad and y.is_leaf
    y = copy.deepcopy(x)
    y.data[0, 0] = 100
    assert x[0, 0].item() != 100


def test_numpy_shares_memory():
    t = torch.tensor(DATA.copy())
    j = jtorch.tensor(DATA.copy())
    for lib_t in (t, j):
        n = lib_t.numpy()
        n[0, 0] = 42
        lib_t.add_(1)
    assert_close(j, t)
    assert j.numpy()[0, 0] == t.numpy()[0, 0] == 43


def test_results_computed_before_a_write_through_numpy_keep_their_values():
    """After ``.numpy()`` numpy's buffer is the tensor's memory. A clone, or a result computed
    from the tensor, must not change when the user then writes through numpy (jax on CPU can
    alias an aligned numpy buffer, or copy it only later, asynchronously)."""

    def changed(lib):
        count = 0
        for _ in range(20):
            t = lib.zeros(1 << 16)
            shared = t.numpy()
            results = [t.clone(), t + 0, t[-8:].clone()]
            shared[...] = 7
            count += sum(int(r[-1].item() != 0) for r in results)
        return count

    assert changed(jtorch) == changed(torch) == 0


def test_from_numpy_shares_memory():
    arr_t, arr_j = DATA.copy(), DATA.copy()
    t, j = torch.from_numpy(arr_t), jtorch.from_numpy(arr_j)
    arr_t[1] = 5
    arr_j[1] = 5
    t.mul_(2)
    j.mul_(2)
    assert_close(j, t)
    np.testing.assert_array_equal(arr_j, arr_t)
    v_t, v_j = t[2], j[2]
    arr_t[2, 0] = -7
    arr_j[2, 0] = -7
    assert_close(v_j, v_t)
