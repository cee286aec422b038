"""Anki notes laid out as headings, as some exports and note-taking templates write them::

    # Note
    model: Cloze

    ## Text
    A {{c1::ensemble}} combines {{c2::base predictors}}.

    ## Back Extra
    (optional)

``# Note`` with a ``model:`` line under it opens a note; its sub-headings name the fields
(``Text``/``Back Extra`` for a cloze, ``Front``/``Back`` for a basic card); the note ends at
the next heading as high as ``# Note``. None of these headings or the ``model:`` line is a card.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_MODEL_LINE = re.compile(r"^\s*model\s*:\s*(\S.*?)\s*$", re.I)
_FRONT_FIELDS = ("text", "front", "question")
_BACK_FIELDS = ("back extra", "extra", "back", "answer")


def opens_note(title: str, lines: list[str], heading_line: int) -> str:
    """The model name when the heading ``title`` at ``heading_line`` opens a heading-laid note, else ""."""
    if title.strip().casefold() != "note":
        return ""
    following = next((line for line in lines[heading_line + 1: heading_line + 4] if line.strip()), "")
    model = _MODEL_LINE.match(following)
    return model.group(1) if model else ""


@dataclass
class FieldNote:
    """One note being read: its fields' lines, by field name, in file order."""

    model: str
    level: int  # the ``# Note`` heading's level
    line: int  # 0-based line of that heading
    fields: dict[str, list[str]] = field(default_factory=dict)
    current: str = ""

    def take(self, text: str) -> None:
        if self.current and text.strip() and not _MODEL_LINE.match(text):
            self.fields.setdefault(self.current, []).append(text.strip("\n"))

    def front_and_back(self) -> tuple[str, str]:
        """(the cloze text or the question, the back or its extra); empty parts when a field is missing."""
        front = next((self._text(name) for name in _FRONT_FIELDS if name in self.fields), "")
        back = next((self._text(name) for name in _BACK_FIELDS if name in self.fields), "")
        return front, back

    def _text(self, name: str) -> str:
        return "\n\n".join(self.fields[name]).strip()
