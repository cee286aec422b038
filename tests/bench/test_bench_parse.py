"""Parser benchmarks (run with `python -m pytest tests/bench/test_bench_parse.py --benchmark-enable`).

Target (issue 11), reported, never asserted as timings: no parse is slower than linear, and
a 1 MB single line, 500 nested list levels and 100k lines each parse in under 2 s. The
shapes are tests/note_shapes.py's (tests/notes/test_parse_volume.py checks that they parse, and give the
right cards); "100k lines of notes" is the bundled deck repeated (tests/bench/synthetic.py),
and 10k lines of it give the linearity ratio (100k / 10k, linear is 10) in extra_info.
"""

from __future__ import annotations

import time

import pytest
from note_shapes import SHAPES as VOLUME_SHAPES
from synthetic import synthetic_notes

from studyapp.notes.parse import parse_notes


def _notes_lines(count: int) -> str:
    return "\n".join(synthetic_notes(count * 200).split("\n")[:count])  # ~70 bytes a line, with room


SHAPES = {
    "1 MB single line": VOLUME_SHAPES["a 1 MB single line"],
    "500 nested list levels": VOLUME_SHAPES["500 nested list levels"],
    "100k lines (Q/A)": VOLUME_SHAPES["100k lines"],
    "100k headings": VOLUME_SHAPES["100k headings"],
}


@pytest.mark.parametrize("name", SHAPES)
def test_parse_shape(benchmark, name):
    if benchmark.disabled:
        pytest.skip("parser timings are a benchmark: run with --benchmark-enable")
    result = benchmark.pedantic(parse_notes, args=(SHAPES[name],), rounds=3, iterations=1)
    assert result is not None


def test_parse_100k_lines_of_notes_is_linear(benchmark):
    if benchmark.disabled:
        pytest.skip("parser timings are a benchmark: run with --benchmark-enable")
    small, big = _notes_lines(10_000), _notes_lines(100_000)
    started = time.perf_counter()
    for _ in range(3):
        parse_notes(small)
    per_small = (time.perf_counter() - started) / 3
    result = benchmark.pedantic(parse_notes, args=(big,), rounds=3, iterations=1)
    benchmark.extra_info["seconds_10k_lines"] = round(per_small, 3)
    benchmark.extra_info["ratio_100k_over_10k"] = round(benchmark.stats.stats.min / per_small, 2)
    assert len(result.cards) > 10_000
