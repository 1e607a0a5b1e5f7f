"""op_db entries that do not pass on jtorch yet, each with the reason.

``conformance/test_opinfo.py`` and ``python -m conformance.report`` read this table. An entry
listed here that passes is reported ("listed as a known failure but passes: remove it"), and
the full run (``python -m pytest -m slow conformance/test_opinfo.py``) fails on it, so the
list cannot go stale silently. Keys are op_db entry ids (``name`` or ``name.variant``).
"""

KNOWN_FAILURES = {
}
