"""The streams behind torch.Generator (Note [RNG interface] in jtorch/_random.py).

``cpu``: torch's CPU generator, bit for bit: the MT19937 engine (``engine``) and torch's
kernels that turn its words into numbers (``cpu``), with the exact float arithmetic they need
(``exact``). ``threefry``: the stream of generators on other devices, jax's counter-based PRNG.
"""
