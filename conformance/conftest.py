"""pytest configuration for the conformance suite.

Note [compiled programs per process]: XLA's CPU backend maps memory for every program it
compiles (about 7 mappings each) and keeps them while jax's caches hold the program. One
pytest process compiles tens of thousands of programs across the suite (every op, dtype and
shape signature), past Linux's default limit of 65530 mappings per process
(``vm.max_map_count``), where XLA's compiler segfaults. So each test module ends by clearing
jax's caches: the mappings are released, and a later module compiles what it needs again.
"""

import jax
import pytest


@pytest.fixture(autouse=True, scope="module")
def _release_compiled_programs():
    yield
    jax.clear_caches()
