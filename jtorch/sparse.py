"""torch.sparse, and the sparse tensor constructors of the torch namespace.

jtorch has no sparse tensors: every tensor is a strided jax array. Making one
(``torch.sparse_coo_tensor``, ``Tensor.to_sparse``, a factory given ``layout=torch.sparse_coo``)
raises NotImplementedError naming the call. What torch.sparse does with strided tensors, jtorch
does too: ``mm`` and ``addmm`` multiply them as ``torch.mm``/``torch.addmm`` do, and the
functions that need a sparse input raise the error type torch raises for a strided one.
"""

from ._errors import check


def _no_sparse_tensors(api):
    return NotImplementedError(f"{api} is not supported by jtorch: it has no sparse tensors")


def unsupported(api):
    """A function that raises NotImplementedError naming ``api`` (``torch.sparse_coo_tensor``,
    ``torch.Tensor.to_sparse_csr``), which would make a sparse tensor."""

    def make(*args, **kwargs):
        raise _no_sparse_tensors(api)

    make.__name__ = make.__qualname__ = api.rsplit(".", 1)[-1]
    make.__doc__ = f"{api}. Differences from torch: jtorch has no sparse tensors."
    return make


sparse_coo_tensor = unsupported("torch.sparse_coo_tensor")
sparse_csr_tensor = unsupported("torch.sparse_csr_tensor")
sparse_csc_tensor = unsupported("torch.sparse_csc_tensor")
sparse_bsr_tensor = unsupported("torch.sparse_bsr_tensor")
sparse_bsc_tensor = unsupported("torch.sparse_bsc_tensor")
sparse_compressed_tensor = unsupported("torch.sparse_compressed_tensor")


def _strided_input(name, exc_type=NotImplementedError):
    """What torch.sparse.<name> raises for a strided input (the only kind jtorch has)."""
    return exc_type(
        f"torch.sparse.{name} expects a sparse tensor, got a strided one (jtorch has no "
        "sparse tensors)"
    )


def addmm(mat, mat1, mat2, *, beta=1.0, alpha=1.0):
    """torch.sparse.addmm: ``beta * mat + alpha * (mat1 @ mat2)``, as torch.addmm. Differences
    from torch: the inputs are strided (jtorch has no sparse tensors); ``grad_fn`` is
    AddmmBackward0, where torch names it SparseAddmmBackward0."""
    from ._ops.linalg import addmm as dense_addmm

    return dense_addmm(mat, mat1, mat2, beta=beta, alpha=alpha)


def mm(mat1, mat2, reduce=None):
    """torch.sparse.mm: the matrix product of ``mat1`` and ``mat2``, as torch computes it for
    strided inputs (``mm(mat2.t(), mat1.t()).t()``). Differences from torch: the inputs are
    strided (jtorch has no sparse tensors)."""
    from ._ops.linalg import mm as dense_mm

    if reduce is not None:
        raise _strided_input("mm(..., reduce=...)")
    check(
        mat1.dim() == 2,
        IndexError,
        lambda: "Dimension out of range (expected to be in range of [-1, 0], but got -2)",
    )
    return dense_mm(mat2.t(), mat1.t()).transpose(0, 1)  # as torch computes it


def sum(input, dim=None, dtype=None):
    """torch.sparse.sum: the sum of a sparse tensor. jtorch has none; a strided input raises
    what torch raises for one."""
    raise _strided_input("sum", RuntimeError if dim is None else NotImplementedError)


def softmax(input, dim, *, dtype=None):
    """torch.sparse.softmax: softmax over the specified elements of a sparse tensor."""
    raise _strided_input("softmax")


def log_softmax(input, dim, *, dtype=None):
    """torch.sparse.log_softmax: log-softmax over the specified elements of a sparse tensor."""
    raise _strided_input("log_softmax")


def spsolve(input, other, *, left=True):
    """torch.sparse.spsolve: solves a linear system whose matrix is sparse."""
    raise _strided_input("spsolve")


def sampled_addmm(input, mat1, mat2, *, beta=1.0, alpha=1.0, out=None):
    """torch.sparse.sampled_addmm: a matrix product at the sparsity pattern of ``input``."""
    raise _strided_input("sampled_addmm")


def spdiags(diagonals, offsets, shape, layout=None):
    """torch.sparse.spdiags: a sparse matrix from diagonals. Differences from torch: raises
    NotImplementedError (jtorch has no sparse tensors)."""
    from . import _layout

    check(
        layout is not _layout.strided,
        RuntimeError,
        "Only output layouts (Sparse, SparseCsc, SparseCsr) are supported, got Strided",
    )
    raise _no_sparse_tensors("torch.sparse.spdiags")


def to_sparse_semi_structured(original_tensor, transposed=False):
    """torch.sparse.to_sparse_semi_structured. Differences from torch: raises
    NotImplementedError (jtorch has no sparse tensors)."""
    raise _no_sparse_tensors("torch.sparse.to_sparse_semi_structured")


class check_sparse_tensor_invariants:
    """torch.sparse.check_sparse_tensor_invariants: whether sparse tensor constructors check
    their arguments; a context manager and a decorator, as in torch. jtorch has no sparse
    tensors, so the flag is kept but checks nothing."""

    _enabled = False

    @staticmethod
    def is_enabled():
        return check_sparse_tensor_invariants._enabled

    @staticmethod
    def enable():
        check_sparse_tensor_invariants._enabled = True

    @staticmethod
    def disable():
        check_sparse_tensor_invariants._enabled = False

    def __init__(self, enable=True):
        self.state = enable
        self.saved_state = None

    def __enter__(self):
        check(
            self.saved_state is None,
            RuntimeError,
            "This context manager instance is already activated. Use a different context "
            "manager instance for context nesting.",
        )
        self.saved_state = self.is_enabled()
        check_sparse_tensor_invariants._enabled = self.state

    def __exit__(self, type, value, traceback):
        check_sparse_tensor_invariants._enabled = self.saved_state
        self.saved_state = None

    def __call__(self, mth):
        def test_mth(*args, **kwargs):
            with type(self)(self.state):
                return mth(*args, **kwargs)

        return test_mth
