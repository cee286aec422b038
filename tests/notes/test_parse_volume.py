"""No note text crashes the parser, at volume and in the shapes that make regexes or markdown slow.

Timings are the benchmarks' business (tests/bench/test_bench_parse.py); here every shape must
parse, and give the cards it should.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from note_shapes import SHAPES

from studyapp.notes.parse import parse_notes


@pytest.mark.slow
@pytest.mark.parametrize("name", SHAPES)
def test_adversarial_shapes_parse(name):
    result = parse_notes(SHAPES[name])
    for card in result.cards:
        assert card.front.strip() and card.back.strip()
    if name == "a 100k-item list":
        assert len(result.cards) == 100_000
    if name == "100k lines":
        assert len(result.cards) == 33_333  # the last question has no answer
    if name == "a 50k-row table":
        assert len(result.cards) == 50_000
    if name == "a question bank of 8k topics":
        assert not result.cards and len(result.unanswered) == 40_000


FLASHCARD_NOISE = st.lists(st.sampled_from(
    ["::", ":::", "\n?\n", "\n??\n", "{{c1::", "}}", "::hint", "C: ", "[", "]", "(", ")", "<details>", "<summary>",
     "</summary>", "</details>", "<!--SR:!2026-01-01,3,250-->", "#flashcards/a/b", "| Question | Answer |\n",
     "|---|---|\n", "| q | a |\n", "---\n", "+++\n", "title: x\n", "Q. ", "问：", "答：", "- [ ] ", "[TOC]",
     "## References\n", "# ", "### 1. ", "3D", "?", "？", "\n", "\n\n", " ", "x", "中文", "**", "1. ", "- ",
     # shapes met in notes written by others
     "# Note\n", "model: Cloze\n", "## Text\n", "## Back Extra\n", "## Front\n", "==x==", "[E] ", "\\*\\*",
     "## Q1 ", "A.", "B.", "    1. ", "解析：", "**（贡献者：x）**", "Here are 3 questions", "<div>", "</div>"]),
    max_size=80).map("".join)


@settings(max_examples=400, deadline=None)
@given(FLASHCARD_NOISE)
def test_flashcard_shaped_noise_never_crashes(text):
    result = parse_notes(text)
    for card in result.cards:
        assert card.front.strip() and card.back.strip() and card.line >= 1
