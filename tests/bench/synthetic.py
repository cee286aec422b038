"""Synthetic notes for benchmarks: the bundled deck repeated under distinct headings."""

from __future__ import annotations

from pathlib import Path

BUNDLED = Path(__file__).resolve().parents[2] / "content" / "deep-learning-interview-notes.md"


def synthetic_notes(target_bytes: int) -> str:
    """About target_bytes of notes whose cards all have distinct deck paths."""
    base = BUNDLED.read_text(encoding="utf-8")
    copies = max(1, target_bytes // len(base.encode("utf-8")))
    parts = []
    for copy in range(copies):
        # a distinct top heading per copy makes every deck path (so every card id) unique
        parts.append(base.replace("\n# ", f"\n# 第{copy}册 ").replace("# 一、", f"# 第{copy}册 一、", 1))
    return "\n".join(parts)


def synthetic_notes_with_cards(cards: int) -> str:
    """Synthetic notes with at least ``cards`` cards (as many copies of the bundled deck as that takes)."""
    from studyapp.notes.parse import parse_notes

    base = BUNDLED.read_text(encoding="utf-8")
    per_copy = len(parse_notes(base).cards)
    copies = -(-cards // per_copy)
    return synthetic_notes(copies * len(base.encode("utf-8")))
