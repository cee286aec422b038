"""What a parse gives: card drafts, skipped lines, and the identity-bearing form of a front."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from studyapp.notes import syntax


@dataclass(slots=True)  # no __dict__: an import holds every card of every file
class CardDraft:
    """A card as the notes state it, before it meets the database."""

    front: str
    back: str
    deck: str
    tags: list[str]
    source_file: str
    line: int  # 1-based line of the front in the source file
    kind: str  # question | concept | term | formula | explicit | cloze | table
    demos: list[str] = field(default_factory=list)  # named explicitly with "demo: ID"
    demo_lines: dict[str, int] = field(default_factory=dict)  # demo id -> 1-based line that names it
    sibling: str = ""  # cards of one note element share it (a reversed pair, the clozes of one text)
    from_heading: bool = False  # the front is a heading (it keeps the plain id when fronts collide)
    sr: syntax.SRState | None = None  # an Obsidian schedule to start from


@dataclass(slots=True)
class Skipped:
    """A line the parser left out as page furniture."""

    line: int  # 1-based
    text: str
    reason: str


@dataclass
class ParseResult:
    """Everything one parse found: the cards, and the furniture it skipped."""

    cards: list[CardDraft]
    skipped: list[Skipped]
    unanswered: list[Skipped] = field(default_factory=list)  # questions with nothing under them


def normalise_front(front: str) -> str:
    """The identity-bearing form of a front: case, width, spacing and punctuation folded."""
    text = unicodedata.normalize("NFKC", front).casefold()
    return "".join(ch for ch in text if ch.isalnum() or ch in "$\\^_+-=*/()")
