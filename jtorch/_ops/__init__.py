"""Every op, defined once (see _registry.py), grouped by family."""
