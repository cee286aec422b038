"""The flashcard syntaxes, as the :class:`~studyapp.notes.assemble.Assembler` reads them.

``Q:``/``A:`` (and ``Q.``, ``问：``/``答：``, a first choice ``A.`` that is no answer label),
Obsidian Spaced Repetition (``::``, ``:::``, a ``?``/``??`` line between a multi-line
question and its answer, ``#flashcards/deck`` tags, ``==highlight==`` clozes in a note tagged
for flashcards), clozes (Anki's ``{{c1::...}}``, hashcards' ``C: ... [part]`` over one or
several lines), question/answer tables, Anki notes laid out as headings, and ``demo: ID``.
The line-level forms are in :mod:`studyapp.notes.syntax`; this mixin turns them into cards
with the assembler's ``start``/``add``/``finish``.
"""

from __future__ import annotations

import re

from studyapp.notes import syntax
from studyapp.notes.drafts import CardDraft
from studyapp.notes.units import DEMO_LINE, Unit
from studyapp.notes.wording import QA_TABLE_HEADERS, clean_title, looks_like_question

CONTAINER_END = re.compile(r"^\s*:{3,}\s*$")  # closes a ::: details container
_CHOICE = re.compile(r"^\s*([Aa])\s*[.)、．]")


class FlashcardSyntaxes:
    """Mixin of :class:`~studyapp.notes.assemble.Assembler`: the explicit card syntaxes."""

    def _clozes(self, draft: CardDraft, text: str) -> None:
        notes = syntax.cloze_cards(text)
        for front, back in notes:
            self.cards.append(CardDraft(
                front=front, back=back + (f"\n\n{draft.back}" if draft.back else ""), deck=draft.deck,
                tags=draft.tags, source_file=draft.source_file, line=draft.line, kind="cloze",
                demos=list(draft.demos), demo_lines=dict(draft.demo_lines),
                sibling=f"{draft.line}" if len(notes) > 1 else ""))

    def _end_field_note(self) -> None:
        note, self.field_note = self.field_note, None
        front, back = note.front_and_back()
        if not front:
            return
        if syntax.ANKI_CLOZE.search(front):
            self.start(syntax.cloze_prompt(front), note.line, "cloze", question=True, cloze=front)
        else:
            self.start(syntax.clean_front(front), note.line, "explicit", question=True)
        self.add(0, back)
        self.finish()

    def _on_separator(self, unit: Unit) -> None:
        """Obsidian multi-line card: the question lines above ``?``, the answer below."""
        question = self._take_question_lines(unit)
        if question:
            self.start(question, unit.start - len(question.split("\n")), "explicit", question=True,
                       ends_at_blank=True, verbatim=True, reversed=syntax.SEPARATOR_LINES[unit.text.strip()])
        else:
            self.add(unit.block, unit.text)

    def _take_question_lines(self, unit: Unit) -> str:
        """The lines of the paragraph above a separator, taken back from the card they went to."""
        lines = []
        number = unit.start - 1
        while number >= 0 and self.lines[number].strip() and self.lines[number].strip() not in syntax.SEPARATOR_LINES:
            line = syntax.FLASHCARD_TAG.sub("", self.lines[number]).strip()
            if line:
                lines.insert(0, line)
            number -= 1
        if not lines:
            return ""
        if self.open is not None and self.open.draft.line - 1 > number:
            self.open = None  # the question's first line was taken for a card of its own
        elif self.open is not None:
            wanted = set(lines)
            self.open.pieces = [(block, text) for block, text in self.open.pieces if text not in wanted]
        return "\n".join(syntax.clean_front(line) for line in lines)

    def _explicit(self, text: str, unit: Unit, rest: str = "", list_id: int = -1) -> bool:
        """The flashcard syntaxes; True when the line was one of them."""
        if "==" in text and any(tag.lower().startswith("flashcard") for tag in self.extra_tags):
            text = syntax.highlight_cloze(text)  # Obsidian's cloze, only in a note tagged for flashcards
        if ("{{" in text and syntax.ANKI_CLOZE.search(text)) or syntax.CLOZE_PREFIX.match(text):
            prefix = syntax.CLOZE_PREFIX.match(text)
            note = syntax.hashcards_cloze(prefix.group(1)) if prefix and not syntax.ANKI_CLOZE.search(text) else (
                prefix.group(1) if prefix else text)
            if prefix and not syntax.ANKI_CLOZE.search(note) and unit.kind == "line":
                note, self.taken_until = syntax.hashcards_note(self.lines, unit.start)  # a cloze over lines
                rest = ""
            if syntax.ANKI_CLOZE.search(note):
                self.start(syntax.cloze_prompt(note), unit.start, "cloze", question=True, ends_at_blank=True,
                           cloze=note, list_id=list_id)
                self.add(unit.block, rest)
                return True
        inline = syntax.inline_card(text)
        if inline:
            question, answer, reverse = inline
            self.start(syntax.clean_front(question), unit.start, "explicit", question=True, ends_at_blank=True,
                       reversed=reverse, list_id=list_id)
            self.add(unit.block, answer + (f"\n{rest}" if rest else ""))
            return True
        explicit_q = syntax.QUESTION_PREFIX.match(text)
        if explicit_q and explicit_q.group(1).strip():
            self.start(clean_title(explicit_q.group(1)), unit.start, "explicit", question=True, list_id=list_id)
            self.add(unit.block, rest)
            return True
        explicit_a = syntax.ANSWER_PREFIX.match(text)
        if explicit_a and self.open is not None and self.open.is_question and not self._a_choice(text, unit) and (
                self.open.draft.kind == "explicit" or not self.open.pieces):
            self.add(unit.block, explicit_a.group(1) + (f"\n{rest}" if rest else ""))
            return True
        return False

    def _a_choice(self, text: str, unit: Unit) -> bool:
        """``A.加入更多层`` before ``B.有维度更高的数据``: the first choice of a multiple-choice
        question, not an answer label (stripping it would leave the choices unlettered)."""
        letter = _CHOICE.match(text)
        if letter is None:
            return False
        second = "B" if letter.group(1) == "A" else "b"
        if re.search(rf"\s{second}\s*[.)、．]", text):
            return True
        following = next((line for line in self.lines[unit.start + 1: unit.start + 6] if line.strip()), "")
        return bool(re.match(rf"^\s*(?:[-*+]\s+)?{second}\s*[.)、．]", following))

    def _tags_taken(self, text: str) -> str:
        """Obsidian ``#flashcards/deck`` tags set the deck of the cards below; the text without them."""
        found = syntax.FLASHCARD_TAG.findall(text) if "#" in text else []
        if not found:
            return text
        path = found[-1].split("/")[1:]
        self.flash_deck = "::".join(part for part in path if part)
        self._context = None
        tag = found[-1]
        if tag not in self.extra_tags:
            self.extra_tags.append(tag)
        return syntax.FLASHCARD_TAG.sub("", text).strip()

    def _on_table(self, unit: Unit) -> None:
        header = unit.rows[0]
        if len(header) < 2 or clean_title(header[0]).casefold() not in QA_TABLE_HEADERS or self.in_section_answer():
            self.add(unit.block, unit.text)
            return
        self.finish()
        for offset, row in enumerate(unit.rows[1:], start=2):
            answer = [cell for cell in row[1:] if cell.strip()]
            if not row[0].strip() or not answer:
                continue
            if len(header) > 2:
                answer = [f"**{name}**: {cell}" for name, cell in zip(header[1:], row[1:]) if cell.strip()]
            self.start(clean_title(row[0]), unit.start + offset, "table", question=True)
            self.add(unit.block, "\n".join(syntax.strip_wrappers(cell)[0] for cell in answer))
            self.finish()

    def _on_demo(self, unit: Unit) -> None:
        match = DEMO_LINE.match(unit.text)
        target = self.open.draft if self.open is not None else (self.cards[-1] if self.cards else None)
        if target is not None and match and match.group(1) not in target.demos:
            target.demos.append(match.group(1))
            target.demo_lines[match.group(1)] = unit.start + 1

    def _container(self, marker: re.Match, unit: Unit) -> None:
        """VitePress/VuePress ``::: details 参考回答：为什么...？`` ... ``:::``: the title asks, the
        inside answers (like ``<details>``); other containers (``::: tip``) only lose their markers."""
        name, title = (marker.group(1) or "").lower(), marker.group(2)
        if name != "details":
            return
        label = syntax.ANSWER_PREFIX.match(title)
        question = label.group(1) if label else title
        if question and looks_like_question(question) and not self.in_section_answer():
            self.start(clean_title(question), unit.start, "question", question=True)
        elif not question and self.open is not None and not self.open.is_question and self.open.pieces:
            self._prompt_becomes_front()
        self.in_details = CONTAINER_END
