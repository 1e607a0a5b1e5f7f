"""torch.special: every name here is an op defined once in jtorch/_ops/ (special.py mostly)."""
