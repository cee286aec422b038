"""One Anki Cloze note for the sibling cards of one cloze note in the notes.

The importer makes one card per deletion number of a cloze text: card N's front keeps its own
deletions as ``{{cN::part::hint}}`` and shows the others' parts as plain text; its back is the
whole text with card N's parts in bold, then the note's extra answer, if any. Anki's Cloze note
type wants the opposite: one note whose Text holds every deletion, and a card per number (card
ordinal N-1). The note's text is rebuilt here from the siblings' fronts, and its Back Extra from a
back. Anki never needs to know the texts we make for ourselves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CLOZE = re.compile(r"\{\{c(\d+)::([^{}]*?)\}\}")  # the notes' own pattern (notes/syntax.py), linear


def cloze_number(front: str) -> int | None:
    """The deletion number a cloze card asks for (its front's first ``{{cN::``), None if it has none."""
    match = CLOZE.search(front)
    return int(match.group(1)) if match else None


def _part(match: re.Match) -> str:
    return match.group(2).partition("::")[0]


def _plain_and_spans(front: str) -> tuple[str, list[tuple[int, int, str]]]:
    """``front`` with its deletions as plain text, and where each deletion sits in that text."""
    pieces, spans, at, last = [], [], 0, 0
    for match in CLOZE.finditer(front):
        before, part = front[last:match.start()], _part(match)
        at += len(before)
        spans.append((at, at + len(part), match.group(0)))
        pieces += [before, part]
        at += len(part)
        last = match.end()
    pieces.append(front[last:])
    return "".join(pieces), spans


def note_text(fronts: list[str]) -> str | None:
    """The cloze text with every sibling's deletions, from the siblings' fronts.

    None when they do not agree on the text around their deletions, or their deletions overlap
    (the notes changed under one of them): such cards are sent one note each.
    """
    plain, spans = None, []
    for front in fronts:
        text, own = _plain_and_spans(front)
        if plain is None:
            plain = text
        elif text != plain:
            return None
        spans += own
    spans.sort()
    rebuilt, at = [], 0
    for start, end, markup in spans:
        if start < at:
            return None
        rebuilt += [plain[at:start], markup]
        at = end
    rebuilt.append(plain[at:])
    return "".join(rebuilt)


def back_extra(text: str, number: int, back: str) -> str:
    """The note's extra answer: ``back`` (card ``number``'s) less the bold rendering of ``text``."""
    shown = CLOZE.sub(lambda m: f"**{_part(m)}**" if int(m.group(1)) == number else _part(m), text)
    return back[len(shown):].strip() if back.startswith(shown) else ""


@dataclass
class ClozeGroup:
    """Our sibling cloze cards that make one Anki note: card id -> deletion number."""

    key: str  # the cards' sibling key: the note's GUID and id derive from it
    numbers: dict[str, int]
