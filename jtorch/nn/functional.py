"""torch.nn.functional: every name here is an op defined once in jtorch/_ops/nn_*.py."""
