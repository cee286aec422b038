"""The notes parser at volume: generated documents never make it raise, and what it returns is sane.

Documents are built (seeded, so a failure reproduces) from the pieces real notes are made of,
in random order and nesting, plus noise: every kind of heading (with leading digits, CJK,
numbering), bold and plain questions, Q:/A:, demo lines, lists nested deep, fences left open,
math, tables, HTML comments, front matter, SR comments, CR/LF mixes, long lines, random Unicode.
The slow test runs 25,000 of them and prints tried / survived / failed.
"""

from __future__ import annotations

import random

import pytest

from studyapp.errors import UserError
from studyapp.notes.importer import import_paths
from studyapp.notes.parse import parse_notes
from studyapp.store.database import open_store

PIECES = [
    "# {w}", "## {w}", "### {n}. {w}", "# 五、 {w}", "## 3D卷积", "# 1x1 convolution", "## 100% {w}", "#{w}",
    "**{w}？**", "**{w}?**", "{w}吗？", "**{w}：** {w}", "**{w}**", "Q: {w}?", "A: {w}", "Q：{w}", "A：{w}",
    "demo: dying_relu", "<!-- demo: dying_relu -->", "demo: {w}", "- {w}", "  - {w}", "\t- {w}", "1. {w}",
    "    {w}", "> {w}", "> > > {w}", "```", "```python", "~~~", "$x^2$", "$$", "\\frac{{a}}{{b}}", "| a | b |",
    "|---|---|", "<!-- {w}", "-->", "---", "deck: {w}", "tags: [{w}]", "<!--SR:!2026-01-01,3,250-->",
    "<!--SR:{w}-->", "", "", "", "{w} {w} {w}", "*" * 7, "_" * 5, "[{w}]({w})", "![{w}](x.png)", "<div>",
    "</div>", "&nbsp;", "\\", "`{w}", "{long}",
]
WORDS = ["梯度消失", "ReLU", "dropout", "过拟合", "What is BN", "LSTM", "0", "", "  ", "**", "Q:", "#", "?", "？",
         "\u200b", "🙂", "a_b%c", "x" * 40, "１２３", "Ω", "\u202e", "é", "\ufeff"]


def _document(rng: random.Random) -> str:
    lines = []
    if rng.random() < 0.1:
        lines += ["---", f"deck: {rng.choice(WORDS)}", f"tags: {rng.choice(WORDS)}", "---"]
    for _ in range(rng.randint(0, 60)):
        piece = rng.choice(PIECES)
        lines.append(piece.format(w=rng.choice(WORDS), n=rng.randint(0, 999),
                                  long=rng.choice(WORDS) * rng.randint(1, 300)))
        if rng.random() < 0.05:
            lines.append("".join(chr(rng.randint(1, 0x2FFF)) for _ in range(rng.randint(1, 30))))
    newline = rng.choice(["\n", "\n", "\r\n", "\r"])
    return newline.join(lines)


def _check(text: str, index: int) -> None:
    result = parse_notes(text, source_file=f"fuzz{index}.md", default_deck="fuzz")
    line_count = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
    for draft in result.cards:
        assert draft.front.strip(), (index, draft)
        assert draft.deck.strip(), (index, draft)
        assert 1 <= draft.line <= line_count, (index, draft.line, line_count)


def _fuzz(count: int, seed: int) -> tuple[int, int, list[tuple[int, str]]]:
    rng = random.Random(seed)
    failed: list[tuple[int, str]] = []
    for index in range(count):
        text = _document(rng)
        try:
            _check(text, index)
        except Exception as exc:  # noqa: BLE001  (any exception is a finding, reported with its document)
            failed.append((index, f"{type(exc).__name__}: {exc}"))
    return count, count - len(failed), failed


def test_parser_survives_generated_documents():
    tried, survived, failed = _fuzz(300, seed=1)
    assert failed == []


@pytest.mark.slow
def test_parser_fuzz_at_volume():
    tried, survived, failed = _fuzz(25_000, seed=2026)
    print(f"\nparser fuzz: tried {tried}, survived {survived}, failed {len(failed)}")
    assert failed == [], failed[:5]


@pytest.mark.slow
def test_importing_generated_notes_succeeds_or_says_why(tmp_path):
    rng = random.Random(7)
    store = open_store(tmp_path / "fuzz.db")
    outcomes = {"imported": 0, "refused": 0}
    for index in range(60):
        path = tmp_path / f"fuzz{index}.md"
        path.write_text(_document(rng), encoding="utf-8", newline="")
        try:
            import_paths(store, [path])
            outcomes["imported"] += 1
        except UserError as exc:  # bad notes get a one-line reason naming the file
            assert str(path.name) in str(exc) and "\n" not in str(exc)
            outcomes["refused"] += 1
    store.close()
    print(f"\nimport fuzz: tried 60, {outcomes['imported']} imported, {outcomes['refused']} refused with a reason")
