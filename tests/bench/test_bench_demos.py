"""Demo benchmarks (run with `python -m pytest tests/bench/test_bench_demos.py --benchmark-enable -s`).

Target (issue 5), reported, never asserted as a timing: every demo in quick mode on CPU
within 5 s beyond the torch import, the first `torch.optim` step's one-off cost counted
in. Each run goes through the real runner, in its own process, on one thread (the budget
the demos are written for); the child reports the import and the run separately.

With benchmarks enabled, a table of every demo's time and verdict on seeds 0-9 is
printed and written to `.benchmarks/demo_table.md` (the sweep fails if a claim does not
hold on one of them: each claim is meant to hold on unseen seeds, not a chosen few).

Where CUDA is present, `test_full_mode_cpu_vs_cuda` prints each demo's full-mode time on
one CPU thread and on the GPU (`.benchmarks/demo_cpu_vs_cuda.md`); it skips cleanly
otherwise. Full mode is meant to be GPU-faster for the demos whose work is large batched
tensor algebra: weight_init (512-wide, 50-layer stacks on 2048 rows), attention_scaling
(16384 queries), bias_variance (20000 training sets solved at once), vanishing_gradients,
batch_norm and gan_mode_collapse (full-batch / larger-batch MLP training). The scalar or
tiny ones (optimizers on a 2-D point, learning_rate, feature_scaling, conv_output_size's
shape sweep) are launch-bound and will not be. None of this has been measured on a GPU yet.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from studyapp.runner.catalog import catalog
from studyapp.runner.process import RunOutcome, RunRequest, run_demo

DEMO_IDS = sorted(demo_id for demo_id, info in catalog().items() if info.path is None)
TABLE_SEEDS = range(10)
TABLE_FILE = Path(".benchmarks") / "demo_table.md"
DEVICE_FILE = Path(".benchmarks") / "demo_cpu_vs_cuda.md"


def quick_cpu_run(demo_id: str, seed: int = 0) -> RunOutcome:
    return run_demo(RunRequest(demo_id, device="cpu", seed=seed, mode="quick", threads=1))


@pytest.mark.slow
@pytest.mark.parametrize("demo_id", DEMO_IDS)
def test_demo_quick_on_one_cpu_thread(benchmark, demo_id):
    began = time.perf_counter()
    outcome = benchmark.pedantic(quick_cpu_run, args=(demo_id,), rounds=1, iterations=1)
    process_seconds = time.perf_counter() - began
    assert outcome.status == "ok", (outcome.status, outcome.error, outcome.result.get("metrics"))
    run_seconds = outcome.result["seconds"]
    benchmark.extra_info.update({"run_s": run_seconds, "process_s": round(process_seconds, 3),
                                 "claim_holds": outcome.claim_holds})
    if not benchmark.disabled:
        print(f"\n{demo_id}: {run_seconds:.2f}s beyond the torch import (whole process {process_seconds:.2f}s)")


def table_row(demo_id: str, outcomes: list[RunOutcome]) -> str:
    cells = [f"{o.result['seconds']:.2f}s {'holds' if o.claim_holds else 'FAILS'}" if o.result
             else o.status for o in outcomes]
    return f"| {demo_id} | " + " | ".join(cells) + " |"


@pytest.mark.slow
def test_demo_table_seeds_0_to_9(benchmark):
    if benchmark.disabled:
        pytest.skip("the seeds 0-9 table is a benchmark: run with --benchmark-enable")
    header = "| demo | " + " | ".join(f"seed {seed}" for seed in TABLE_SEEDS) + " |"
    lines = [header, "|" + " --- |" * (len(TABLE_SEEDS) + 1)]
    errors, failures = [], []
    for demo_id in DEMO_IDS:
        outcomes = [quick_cpu_run(demo_id, seed) for seed in TABLE_SEEDS]
        errors += [f"{demo_id}: {o.error}" for o in outcomes if o.status not in ("ok", "failed")]
        failures += [f"{demo_id} seed {seed}" for seed, o in zip(TABLE_SEEDS, outcomes) if o.status == "failed"]
        lines.append(table_row(demo_id, outcomes))
    table = "\n".join(lines)
    TABLE_FILE.parent.mkdir(exist_ok=True)
    TABLE_FILE.write_text(table + "\n", encoding="utf-8")
    benchmark.pedantic(lambda: None, rounds=1)  # the table is the measurement; keep pytest-benchmark content
    print("\n" + table)
    assert not errors, errors
    assert not failures, f"claims that did not hold: {failures}"


def cuda_present() -> bool:
    import torch

    return torch.cuda.is_available()


@pytest.mark.slow
def test_full_mode_cpu_vs_cuda(benchmark):
    """Full mode, seed 0, through the real runner: one CPU thread against the GPU, per demo."""
    if benchmark.disabled:
        pytest.skip("the CPU vs CUDA table is a benchmark: run with --benchmark-enable")
    if not cuda_present():
        pytest.skip("no CUDA device here: the CPU vs CUDA table needs one")
    lines = ["| demo | cpu, 1 thread | cuda | cpu / cuda | verdicts |", "| --- | --- | --- | --- | --- |"]
    errors = []
    for demo_id in DEMO_IDS:
        cpu, cuda = (run_demo(RunRequest(demo_id, device=device, mode="full", threads=1, timeout=1800))
                     for device in ("cpu", "cuda"))
        errors += [f"{demo_id} {o.request.device}: {o.error}" for o in (cpu, cuda) if o.status not in ("ok", "failed")]
        if cpu.result and cuda.result:
            cpu_s, cuda_s = cpu.result["seconds"], cuda.result["seconds"]
            verdicts = "/".join("holds" if o.claim_holds else "FAILS" for o in (cpu, cuda))
            lines.append(f"| {demo_id} | {cpu_s:.2f}s | {cuda_s:.2f}s | {cpu_s / max(cuda_s, 1e-9):.1f}x | {verdicts} |")
    table = "\n".join(lines)
    DEVICE_FILE.parent.mkdir(exist_ok=True)
    DEVICE_FILE.write_text(table + "\n", encoding="utf-8")
    benchmark.pedantic(lambda: None, rounds=1)
    print("\n" + table)
    assert not errors, errors
