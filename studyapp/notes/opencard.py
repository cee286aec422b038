"""The card the assembler is reading (:class:`OpenCard`) and the helpers that read its pieces."""

from __future__ import annotations

import re
from dataclasses import dataclass

from studyapp.notes import syntax
from studyapp.notes.drafts import CardDraft
from studyapp.notes.wording import asks, opens_a_question


@dataclass
class OpenCard:
    """The card being read: its draft and the answer pieces gathered so far."""

    draft: CardDraft
    pieces: list[tuple[int, str]]
    is_question: bool
    list_id: int = -1  # the list this card's front came from, if any
    section_level: int = 0  # a heading that asks: its section (deeper headings included) is the answer
    ends_at_blank: bool = False  # Obsidian cards end at the first blank line
    verbatim: bool = False  # an Obsidian multi-line answer: every line up to that blank line is answer
    last_line: int = 0  # 0-based line after the last unit added
    reversed: bool = False  # also give the reversed card (":::", "??")
    cloze: str = ""  # the cloze note text (Anki markup)
    reading: tuple | None = None  # (unit, text) of a "More reading" link right under the question
    prompt: bool = False  # a bold item heading a list entry (``- **1x1卷积的作用**``): nothing under it is no answer

    def one_line(self) -> str | None:
        """The answer so far when it is a single line, else None."""
        if len(self.pieces) != 1 or "\n" in self.pieces[0][1]:
            return None
        return self.pieces[0][1].rstrip()

    def term_line_done(self) -> bool:
        """A ``**L1**: sparse weights.`` line whose answer is said: a bold term item after it is
        the next term of the list (after ``**Optimisers**: two kinds:`` it is the answer the
        colon announces)."""
        line = self.one_line()
        return self.list_id < 0 and line is not None and not line.endswith(("：", ":"))

    def introduces_a_list(self) -> bool:
        """A topic heading whose only text is one line announcing what follows (``…及其解答：``)."""
        line = self.one_line()
        return (self.draft.kind == "concept" and self.draft.from_heading
                and line is not None and line.endswith(("：", ":")))


def answered_inside_its_list(current: OpenCard) -> bool:
    """A question from a list item whose whole answer so far lies in that list (indented under it)."""
    return (current.list_id >= 0 and current.is_question and bool(current.pieces)
            and all(block == current.pieces[0][0] for block, _ in current.pieces))


# " ([tutorialspoint.com][1], [aiml.com][7])": reference-style citations of a site, whose "[1]: url"
# definitions are at the page's end, so a card shows only the brackets
_SITE_REF = r"\[[\w.-]+\.[A-Za-z]{2,}\]\[\d+\]"
_SITE_CITATIONS = re.compile(rf"[ \t]*\(\s*{_SITE_REF}(?:\s*,\s*{_SITE_REF})*\s*\)")


def joined(pieces: list[tuple[int, str]]) -> str:
    """Answer pieces as markdown: lines of one paragraph or list on their own lines, blocks apart."""
    parts: list[str] = []
    last_block = None
    for block, text in pieces:
        parts.append(("\n" if block == last_block else "\n\n") + text if parts else text)
        last_block = block
    text = "".join(parts).strip()
    return _SITE_CITATIONS.sub("", text) if "][" in text else text


_NESTED_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.*)$")


def nested_questions(rest: str) -> list[tuple[int, str]]:
    """(line offset, text) of an item's nested items when they are all questions and nothing
    else is nested (no answers under them), else []."""
    found = []
    for offset, line in enumerate(rest.split("\n") if rest else []):
        if not line.strip():
            continue
        item = _NESTED_ITEM.match(line)
        if item is None or not (asks(item.group(1)) or opens_a_question(item.group(1))):
            return []
        found.append((offset, item.group(1)))
    return found


_ATX_HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t]|$)")
_DETAILS_START = re.compile(r"<details\b", re.I)


class DetailsBelow:
    """Whether a ``<details>`` (or ``::: details``) answer comes below a line before the next
    heading; each line is looked at once, so asking at every line of a section stays linear."""

    def __init__(self, lines: list[str]):
        self.lines = lines
        self.begin, self.stop, self.details = 0, -1, False  # the last range looked at and what ended it

    def found(self, start: int) -> bool:
        if not self.begin <= start <= self.stop:
            self.begin = self.stop = start
            self.details = False
            while self.stop < len(self.lines) and not _ATX_HEADING.match(self.lines[self.stop]):
                line = self.lines[self.stop]
                if _DETAILS_START.search(line) or syntax.CONTAINER.match(line.strip()):
                    self.details = True
                    break
                self.stop += 1
        return self.details
