#!/usr/bin/env bash
# The GPU checks as one prepared run, for a session that is lent a GPU machine (the `device`
# tool), started from the repository root:
#
#     run(command="bash benchmarks/gpu_check.sh", carry=[".whl"], timeout_s=540)
#
# That machine has jax with CUDA, torch, pytest and pytest-xdist, but nothing can be installed
# from the network there: .whl/ (ignored by git) carries the test-only wheels it lacks
# (expecttest, which torch's test databases import: `pip download expecttest -d .whl`).
#
# It runs the CUDA, lazy-mode and compile tests on the GPU, then the training-step benchmark
# on the GPU (Markdown table, also left in $OUT/gpu_train_step.md when $OUT is set). Each part
# has its own time limit, so a slow first part still leaves the benchmark its time.
set -u
site=/tmp/jtorch_gpu_site
if compgen -G ".whl/*.whl" > /dev/null; then
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
        --target "$site" .whl/*.whl
fi
export PYTHONPATH="$site:$PWD" PYTHONUNBUFFERED=1 XLA_PYTHON_CLIENT_PREALLOCATE=false
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || true

XLA_PYTHON_CLIENT_MEM_FRACTION=.05 timeout 150 python3 -m pytest -q -n 8 -p no:cacheprovider \
    -p no:benchmark -rfE conformance/test_cuda.py conformance/test_lazy.py conformance/test_compile.py
echo "tests: exit status $?"

out="${OUT:-/tmp}/gpu_train_step.md"
XLA_PYTHON_CLIENT_MEM_FRACTION=.2 timeout 330 python3 -m benchmarks.train_step --device cuda --markdown \
    | tee "$out"
echo "benchmark: exit status ${PIPESTATUS[0]}"
