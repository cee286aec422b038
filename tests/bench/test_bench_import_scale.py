"""Import at scale (run with `python -m pytest tests/bench/test_bench_import_scale.py --benchmark-enable`).

Target (issue 16 item 4), reported, never asserted as timings: 10k, 40k and 100k cards of
synthetic notes (the bundled deck repeated) import in time proportional to the card count
(100k / 10k near 10) and with no more than ~2 KB of memory per card. Each import runs in a
child process of its own, which reports its time and the growth of its peak RSS (VmHWM) over
what it had before the import (the modules and an open store); the table goes to the
terminal and to `.benchmarks/import_scale.md`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from synthetic import synthetic_notes_with_cards

SIZES = (10_000, 40_000, 100_000)
TABLE_FILE = Path(".benchmarks") / "import_scale.md"
CHILD = r"""
import json, sys, time
from pathlib import Path
from studyapp.notes.importer import import_paths
from studyapp.store.database import open_store

def status(field):
    for line in open("/proc/self/status", encoding="ascii"):
        if line.startswith(field + ":"):
            return int(line.split()[1])

store = open_store(Path(sys.argv[2]))
before = status("VmRSS")
wall, cpu = time.perf_counter(), time.process_time()
report = import_paths(store, [Path(sys.argv[1])])
print(json.dumps({"cards": len(report.new), "seconds": time.perf_counter() - wall,
                  "cpu_seconds": time.process_time() - cpu, "peak_growth_kb": status("VmHWM") - before}))
"""


def import_in_child(notes: Path, db: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD, str(notes), str(db)], capture_output=True, text=True,
                          check=True, timeout=1800)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_import_10k_40k_100k_cards(benchmark, tmp_path):
    if benchmark.disabled:
        pytest.skip("import at scale is a benchmark: run with --benchmark-enable")
    results = {}
    for size in SIZES:
        notes = tmp_path / f"notes{size}.md"
        notes.write_text(synthetic_notes_with_cards(size), encoding="utf-8")
        megabytes = notes.stat().st_size / 2**20
        if size == SIZES[-1]:
            counter = iter(range(100))
            result = benchmark.pedantic(lambda: import_in_child(notes, tmp_path / f"big{next(counter)}.db"),
                                        rounds=1, iterations=1)
        else:
            result = import_in_child(notes, tmp_path / f"db{size}.db")
        result["megabytes"] = megabytes
        results[size] = result
        notes.unlink()
    small, big = results[SIZES[0]], results[SIZES[-1]]
    rows = ["| cards | notes MB | seconds | CPU seconds | s / 1k cards | peak RSS growth KB / card |",
            "|---:|---:|---:|---:|---:|---:|"]
    for size, result in results.items():
        rows.append(f"| {result['cards']:,} | {result['megabytes']:.1f} | {result['seconds']:.1f} | "
                    f"{result['cpu_seconds']:.1f} | {1000 * result['seconds'] / result['cards']:.3f} | "
                    f"{result['peak_growth_kb'] / result['cards']:.2f} |")
    time_ratio = big["seconds"] / small["seconds"]
    cards_ratio = big["cards"] / small["cards"]
    rows.append(f"\n{SIZES[-1] // 1000}k / {SIZES[0] // 1000}k: time x{time_ratio:.1f} for x{cards_ratio:.1f} the "
                f"cards (CPU x{big['cpu_seconds'] / small['cpu_seconds']:.1f}; linear is x{cards_ratio:.1f})")
    table = "\n".join(rows)
    print("\n" + table)
    TABLE_FILE.parent.mkdir(exist_ok=True)
    TABLE_FILE.write_text(table + "\n", encoding="utf-8")
    benchmark.extra_info.update({f"{size}": result for size, result in results.items()})
    benchmark.extra_info["time_ratio_100k_over_10k"] = round(time_ratio, 2)
    assert all(result["cards"] >= size for size, result in results.items())
