"""PyTorch's op_db run against jtorch (see conformance/opinfo.py for what one check compares).

Fast tier (the default run): every op_db entry once, with its first sample in float32 (with
gradients) and in one more supported dtype that rotates through float64, int64 and bool, on
the function, method and in-place variants, plus all of the entry's error_inputs. Entries in
``KNOWN_FAILURES`` are expected to fail and say why (pytest lists them as xfailed; one that
passes shows as XPASS). The full run is ``python -m pytest -m slow conformance/test_opinfo.py``
(every sample, every dtype, known failures held to their listing) and
``python -m conformance.report`` writes the same outcome to conformance/REPORT.md.

Where both torch and jax see a GPU, the entries run on "cuda" in both libraries.
"""

import pytest

from conformance import opinfo
from conformance.known_failures import CUDA_KNOWN_FAILURES, known_failures

DEVICE = opinfo.default_device()
KNOWN_FAILURES = known_failures(DEVICE)
ENTRIES = {opinfo.entry_id(e): (i, e) for i, e in enumerate(opinfo.op_db())}


def _params():
    for eid in ENTRIES:
        marks = ()
        if eid in KNOWN_FAILURES:
            marks = pytest.mark.xfail(reason=KNOWN_FAILURES[eid], strict=False)
        yield pytest.param(eid, id=eid, marks=marks)


@pytest.mark.parametrize("eid", _params())
def test_entry(eid):
    index, entry = ENTRIES[eid]
    dtypes = opinfo.stratified_dtypes(entry, index, DEVICE)
    result = opinfo.check_entry(entry, dtypes=dtypes, max_samples=1, device=DEVICE)
    # "untested": op_db has no sample for this device in these dtypes (CUDA-only entries)
    assert result.status in ("pass", "untested"), result.reason


def test_known_failures_name_real_entries():
    assert sorted((set(KNOWN_FAILURES) | set(CUDA_KNOWN_FAILURES)) - set(ENTRIES)) == []
    assert all(reason.strip() for reason in KNOWN_FAILURES.values())


@pytest.mark.slow
def test_full_op_db_matches_known_failures():
    outcomes = {}
    for eid, (_, entry) in ENTRIES.items():
        result = opinfo.check_entry(entry, device=DEVICE)
        listed = eid in KNOWN_FAILURES
        if (result.status in ("pass", "untested")) == listed:
            outcomes[eid] = result.status + (" (listed)" if listed else f": {result.reason}")
    assert outcomes == {}


# Registered ops that op_db does not name: private ops behind a public front-end (the front-end's
# op_db entry reaches them), and public ops tested by hand in the named test file.
REACHED_THROUGH = {
    "_batch_norm_update": "nn.functional.batch_norm",
    "_bincount": "bincount",
    "_ctc_loss": "nn.functional.ctc_loss",
    "_dropout_apply": "nn.functional.dropout",
    "_embedding_bag": "nn.functional.embedding_bag",
    "_gradient": "gradient",
    "_histogramdd": "histogramdd",
    "_index": "__getitem__",
    "_index_put": "index_put",
    "_instance_norm": "nn.functional.instance_norm",
    "_masked_select": "masked_select",
    "_mha": "nn.functional.multi_head_attention_forward",
    "_normal": "normal",
    "_one_hot": "nn.functional.one_hot",
    "_random_fill": "uniform",
    "_repeat_interleave": "repeat_interleave",
    "_reshape_copy": "reshape",
    "_sdpa": "nn.functional.scaled_dot_product_attention",
    "_sum_to_size": "sum_to_size",
    "_to_dtype": "double",
    "alias": "alias_copy",
    "zero": "zero_",
}
TESTED_BY_HAND = {  # op: (test file, the public name the tests call)
    "_pack_padded": ("conformance/test_nn_rnn.py", ".pack_padded_sequence("),
    "_pad_packed": ("conformance/test_nn_rnn.py", ".pad_packed_sequence("),
    "_pad_sequence": ("conformance/test_nn_rnn.py", ".pad_sequence("),
    "_rnn": ("conformance/test_nn_rnn.py", ".lstm("),
    "_rnn_cell": ("conformance/test_nn_rnn.py", ".lstm_cell("),
    "_copy_from": ("conformance/test_shape.py", ".copy_("),
    "embedding_renorm": ("conformance/test_nn_functional.py", ".embedding_renorm_("),
    "nn.functional.fold": ("conformance/test_nn_layers_functional.py", ".fold("),
    "lp_pool1d": ("conformance/test_nn_modules_layers.py", ".lp_pool1d("),
    "lp_pool2d": ("conformance/test_nn_modules_layers.py", ".lp_pool2d("),
    "lp_pool3d": ("conformance/test_nn_modules_layers.py", ".lp_pool3d("),
    "cross_map_lrn2d": ("conformance/test_nn_modules_conv_norm.py", ".CrossMapLRN2d("),
}


def test_every_registered_op_is_reached():
    import pathlib

    from jtorch._ops._registry import REGISTRY

    named = set()
    for _, entry in ENTRIES.values():
        named |= {entry.name, entry.name.rsplit(".", 1)[-1]}
        named |= {a.name.rsplit(".", 1)[-1] for a in entry.aliases}
        for v in (entry.method_variant, entry.inplace_variant):
            named.add(getattr(v, "__name__", None))
    unreached = []
    for name in REGISTRY:
        if name in named or name.rsplit(".", 1)[-1] in named:
            continue
        if name in REACHED_THROUGH:
            assert REACHED_THROUGH[name] in ENTRIES, name
        elif name in TESTED_BY_HAND:
            path, call = TESTED_BY_HAND[name]
            assert call in pathlib.Path(path).read_text(), name
        else:
            unreached.append(name)
    assert unreached == []
