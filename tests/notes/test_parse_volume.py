"""No note text crashes the parser, at volume and in the shapes that make regexes or markdown slow.

Timings are the benchmarks' business (tests/bench/test_bench_parse.py); here every shape must
parse, and give the cards it should.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studyapp.notes.parse import parse_notes

SHAPES = {
    "a 1 MB single line": "x" * 1_000_000,
    "a 1 MB question line": "what " * 200_000 + "?",
    "500 nested list levels": "".join("  " * i + "- item\n" for i in range(500)),
    "500 nested question items": "".join("  " * i + "1. what?\n" for i in range(500)),
    "100k lines": "\n".join(f"**Q{i}?**" if i % 3 == 0 else f"answer {i}" for i in range(100_000)),
    "unclosed brackets": "[[" * 100_000,
    "unclosed details": "<details><summary>" * 20_000,
    "unclosed clozes": "{{c1::" + "a::" * 300_000,
    "unclosed SR comments": "<!--SR:" * 100_000,
    "a long emoji run": "🔴" * 300_000 + "?",
    "a 50k-row table": "| Question | Answer |\n|---|---|\n" + "| q? | a |\n" * 50_000,
    "100k headings": "# what?\n" * 100_000,
}


@pytest.mark.slow
@pytest.mark.parametrize("name", SHAPES)
def test_adversarial_shapes_parse(name):
    result = parse_notes(SHAPES[name])
    for card in result.cards:
        assert card.front.strip() and card.back.strip()
    if name == "100k lines":
        assert len(result.cards) == 33_333  # the last question has no answer
    if name == "a 50k-row table":
        assert len(result.cards) == 50_000


FLASHCARD_NOISE = st.lists(st.sampled_from(
    ["::", ":::", "\n?\n", "\n??\n", "{{c1::", "}}", "::hint", "C: ", "[", "]", "(", ")", "<details>", "<summary>",
     "</summary>", "</details>", "<!--SR:!2026-01-01,3,250-->", "#flashcards/a/b", "| Question | Answer |\n",
     "|---|---|\n", "| q | a |\n", "---\n", "+++\n", "title: x\n", "Q. ", "问：", "答：", "- [ ] ", "[TOC]",
     "## References\n", "# ", "### 1. ", "3D", "?", "？", "\n", "\n\n", " ", "x", "中文", "**", "1. ", "- "]),
    max_size=80).map("".join)


@settings(max_examples=400, deadline=None)
@given(FLASHCARD_NOISE)
def test_flashcard_shaped_noise_never_crashes(text):
    result = parse_notes(text)
    for card in result.cards:
        assert card.front.strip() and card.back.strip() and card.line >= 1
