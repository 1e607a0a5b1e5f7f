"""The parts of torch.save and torch.load (see Note [checkpoint format] in jtorch/serialization.py)."""
