"""torch.linalg: every name here is an op defined once in jtorch/_ops/."""
