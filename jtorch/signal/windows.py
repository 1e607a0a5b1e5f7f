"""torch.signal.windows: window functions (jtorch/_ops/windows.py)."""
