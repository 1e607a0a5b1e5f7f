"""torch.masked: reductions and normalizations that honour a boolean mask (jtorch/_ops/masked.py)."""
