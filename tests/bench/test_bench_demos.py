"""Demo benchmarks (run with `python -m pytest tests/bench/test_bench_demos.py --benchmark-enable -s`).

Target (issue 5), reported, never asserted as a timing: every demo in quick mode on CPU
within 5 s beyond the torch import, the first `torch.optim` step's one-off cost counted
in. Each run goes through the real runner, in its own process, on one thread (the budget
the demos are written for); the child reports the import and the run separately.

With benchmarks enabled, a table of every demo's time and verdict on seeds 0-4 is
printed and written to `.benchmarks/demo_table.md`.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from studyapp.runner.catalog import catalog
from studyapp.runner.process import RunOutcome, RunRequest, run_demo

DEMO_IDS = sorted(demo_id for demo_id, info in catalog().items() if info.path is None)
TABLE_SEEDS = range(5)
TABLE_FILE = Path(".benchmarks") / "demo_table.md"


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
def test_demo_table_seeds_0_to_4(benchmark):
    if benchmark.disabled:
        pytest.skip("the seeds 0-4 table is a benchmark: run with --benchmark-enable")
    header = "| demo | " + " | ".join(f"seed {seed}" for seed in TABLE_SEEDS) + " |"
    lines = [header, "|" + " --- |" * (len(TABLE_SEEDS) + 1)]
    errors = []
    for demo_id in DEMO_IDS:
        outcomes = [quick_cpu_run(demo_id, seed) for seed in TABLE_SEEDS]
        errors += [f"{demo_id}: {o.error}" for o in outcomes if o.status not in ("ok", "failed")]
        lines.append(table_row(demo_id, outcomes))
    table = "\n".join(lines)
    TABLE_FILE.parent.mkdir(exist_ok=True)
    TABLE_FILE.write_text(table + "\n", encoding="utf-8")
    benchmark.pedantic(lambda: None, rounds=1)  # the table is the measurement; keep pytest-benchmark content
    print("\n" + table)
    assert not errors, errors
