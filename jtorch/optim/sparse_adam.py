"""torch.optim.SparseAdam: Adam for sparse gradients, which jtorch does not have."""

from ..tensor import Tensor
from .optimizer import Optimizer


class SparseAdam(Optimizer):
    """Adam for sparse gradients (torch.optim.SparseAdam).

    torch updates only the entries a sparse gradient holds (its moments included), and refuses
    dense gradients. The constructor takes torch's arguments with torch's checks; ``step()``
    raises torch's error for the dense gradient it finds.

    Args:
        params: parameters or parameter groups to optimize (dense, real).
        lr (float or Tensor): learning rate (default 1e-3).
        betas (tuple): coefficients of the running averages of the gradient and its square
            (default (0.9, 0.999)).
        eps (float): added to the denominator (default 1e-8).
        maximize (bool): maximize the objective instead of minimizing it (default False).

    Example:
        >>> opt = torch.optim.SparseAdam(embedding.parameters(), lr=1e-3)

    Differences from torch: jtorch has no sparse tensors, so every gradient is dense and
    ``step()`` raises torch's RuntimeError for dense gradients ("... please consider Adam
    instead") whenever a parameter has a gradient.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, maximize=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 < lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        for i, beta in enumerate(betas[:2]):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Invalid beta parameter at index {i}: {beta}")
        defaults = {"lr": lr, "betas": betas, "eps": eps, "maximize": maximize}
        super().__init__(params, defaults)
        sparse, complex_ = [], []
        for index, group in enumerate(self.param_groups):
            for d_index, p in enumerate(group["params"]):
                if p.is_sparse:
                    sparse.append([index, d_index])
                if p.is_complex():
                    complex_.append([index, d_index])
        if sparse:
            raise ValueError(
                f"Sparse params at indices {sparse}: SparseAdam requires dense parameter tensors"
            )
        if complex_:
            raise ValueError(
                f"Complex params at indices {complex_}: SparseAdam does not support complex parameters"
            )

    def _check_group(self, group, params):
        if any(not p._grad.is_sparse for p in params):
            raise RuntimeError(
                "SparseAdam does not support dense gradients, please consider Adam instead"
            )

    @staticmethod
    def _update(hp, params, grads, states):
        raise AssertionError("unreachable: _check_group refuses the dense gradients jtorch has")
