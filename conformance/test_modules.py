"""PyTorch's module_db run against jtorch (see conformance/modules.py for what one check compares).

Fast tier (the default run): every module_db entry with its first two samples in float32, in
training mode and, where the entry's train and eval behaviour differ, in eval mode, comparing
outputs, buffers after forward and gradients of inputs and parameters; plus all of the entry's
module_error_inputs. Entries in ``MODULE_KNOWN_FAILURES`` are expected to fail and say why.
The full run is ``python -m pytest -m slow conformance/test_modules.py`` (every sample, float32
and float64, known failures held to their listing); ``python -m conformance.report`` writes the
same outcome to conformance/REPORT.md.
"""

import pytest
import torch

from conformance import modules, opinfo
from conformance.known_failures import MODULE_KNOWN_FAILURES

DEVICE = opinfo.default_device()
ENTRIES = {info.name: info for info in modules.module_db()}


def _params():
    for name in ENTRIES:
        marks = ()
        if name in MODULE_KNOWN_FAILURES:
            marks = pytest.mark.xfail(reason=MODULE_KNOWN_FAILURES[name], strict=False)
        yield pytest.param(name, id=name, marks=marks)


@pytest.mark.parametrize("name", _params())
def test_module(name):
    result = modules.check_module(
        ENTRIES[name], dtypes=(torch.float32,), max_samples=2, device=DEVICE
    )
    assert result.status == "pass", result.reason


def test_module_known_failures_name_real_entries():
    assert sorted(set(MODULE_KNOWN_FAILURES) - set(ENTRIES)) == []
    assert all(reason.strip() for reason in MODULE_KNOWN_FAILURES.values())


@pytest.mark.slow
def test_full_module_db_matches_known_failures():
    outcomes = {}
    for name, info in ENTRIES.items():
        result = modules.check_module(info, device=DEVICE)
        listed = name in MODULE_KNOWN_FAILURES
        if (result.status == "pass") == listed:
            outcomes[name] = result.status + (" (listed)" if listed else f": {result.reason}")
    assert outcomes == {}
