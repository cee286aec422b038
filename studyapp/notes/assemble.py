"""Markdown units in file order -> card drafts: the shapes interview notes use.

The notes are real interview notes, not a flashcard format, so the parser reads their
shapes (each line of a paragraph counts, since the notes rarely leave blank lines):

* a bold question line (``**如何...？**``, ``**解释...。**``), a plain short question line
  (``如何判断模型是否收敛``) or any line ending in ``?``/``？`` starts a question card; its
  answer is what follows, up to the next card or heading;
* a heading that asks (``## 12. What is X?``) takes its whole section as the answer:
  sub-headings, bold lead-ins, term bullets, code and formulas; a heading that names a
  topic is a deck (two levels deep) and a tag, and a concept card when text follows it;
* a bold term with nothing after it (``**过拟合Overfitting**``) starts a concept card; a
  generic label (``**结构**``) takes the nearest heading as context (``CNN · 结构``);
* ``**Term：** definition`` starts a term card whose answer begins with the definition, and
  a list of such terms gives one card per term;
* a list item that asks (``- 为什么引入非线性激励函数``) or names a bold term starts a card,
  unless the list is itself the answer to a question;
* a formula line (``$y = ...$``) starts a card asking for its left-hand side;
* the flashcard syntaxes (:mod:`studyapp.notes.flashcards`: ``Q:``/``A:``, ``问：``/``答：``,
  Obsidian ``::``/``:::``/``?``/``??``, clozes, question/answer tables, Anki notes laid out
  as headings, ``demo: ID``) and ``<details>`` answers, even when blank lines cut them;
* page furniture (:mod:`studyapp.notes.furniture`) is skipped, and said so in ``skipped``.

Fenced blocks without a language are prose and are unwrapped into the answer; fenced
blocks with a language stay code. ``$...$`` and ``$$...$$`` are kept verbatim.
"""

from __future__ import annotations

import re
from studyapp.notes import syntax
from studyapp.notes.drafts import CardDraft, Skipped
from studyapp.notes.fieldnotes import FieldNote, opens_note
from studyapp.notes.flashcards import CONTAINER_END, FlashcardSyntaxes
from studyapp.notes.furniture import furniture_line, is_furniture_heading, is_link_only
from studyapp.notes.opencard import DetailsBelow, OpenCard, answered_inside_its_list, joined, nested_questions
from studyapp.notes.units import Unit
from studyapp.notes.wording import (
    ANSWER_LABELS,
    GENERIC_LABELS,
    MAX_QUESTION_LINE,
    TRAILING_PUNCT,
    asks,
    clean_title,
    looks_like_question,
    opens_a_question,
)

DECK_DEPTH = 2  # headings deeper than this give context and tags, not decks
_DETAILS_START = re.compile(r"<details\b", re.I)
_DETAILS_END = re.compile(r"</details\s*>", re.I)
_TASK = re.compile(r"^(?:implement|write|design|create|build|derive|prove|compute|calculate|推导|实现|证明|计算)\b", re.I)
_QUOTED_ANSWER_LABEL = re.compile(r"^(\s*>\s*(?:[-*+]\s+)?)(?:\*\*)?(?:A|Answer|答案?)\s*[:：](?:\*\*)?\s*", re.I)
_FORMULA = re.compile(r"^\s*\$([^$=]+?)=([^$]+)\$\s*$")


class Assembler(FlashcardSyntaxes):
    """Takes the units of one file in order (``feed``) and gathers its cards, skipped lines and unanswered questions."""

    def __init__(self, source_file: str, default_deck: str, lines: list[str], extra_tags: list[str], *,
                 page_title: int = -1, named_deck: str = ""):
        self.source_file = source_file
        self.default_deck = default_deck
        self.page_title = page_title  # 0-based line of the page's title heading (see parse.page_title_line), or -1
        self.named_deck = named_deck  # the front matter's deck: it names the deck under the page title too
        self.lines = lines
        self.extra_tags = extra_tags
        self.headings: list[tuple[int, str, bool]] = []  # (level, name, names a deck)
        self.cards: list[CardDraft] = []
        self.skipped: list[Skipped] = []
        self.unanswered: list[Skipped] = []
        self.open: OpenCard | None = None
        self.skip_level = 0  # inside a furniture section (contents, references): its heading level
        self.flash_deck = ""  # an Obsidian #flashcards/deck tag seen above
        self.in_details: re.Pattern | None = None  # inside a <details> (or ::: details) answer: its closing
        self.taken_until = 0  # lines before this one were read ahead into a card (a hashcards cloze)
        self._details_below = DetailsBelow(lines)
        self.indented_answers: dict[int, int] = {}  # list id -> its question items answered inside the list
        self.field_note: FieldNote | None = None  # an Anki note laid out as headings, being read
        self._context: tuple[str, list[str]] | None = None  # (deck, tags) until a heading or tag changes them

    # -- context -------------------------------------------------------------------
    def context(self) -> tuple[str, list[str]]:
        """(deck, tags) for a card starting here; computed once per heading, not once per card."""
        if self._context is None:
            self._context = (self.deck(), self.tags())
        return self._context

    def deck(self) -> str:
        if self.flash_deck:
            return self.flash_deck
        names = [name for level, name, is_deck in self.headings if level <= DECK_DEPTH and name and is_deck]
        return "::".join(names) or self.default_deck

    def tags(self) -> list[str]:
        tags = []
        for _, name, is_topic in self.headings:
            if not is_topic:  # a heading that asks is a card, not a tag
                continue
            tag = re.sub(r"\s+", "_", name.strip())
            if tag and tag not in tags:
                tags.append(tag)
        return tags + [tag for tag in self.extra_tags if tag not in tags]

    def context_front(self, label: str) -> str:
        if label.lower() in GENERIC_LABELS and self.headings:
            return f"{self.headings[-1][1]} · {label}"
        return label

    def skip(self, unit: Unit, reason: str) -> None:
        self.skipped.append(Skipped(unit.start + 1, unit.text.split("\n")[0][:120], reason))

    # -- cards ---------------------------------------------------------------------
    def start(self, front: str, line: int, kind: str, *, question: bool, list_id: int = -1, **options) -> OpenCard:
        if question and list_id >= 0 and self.open is not None and self.open.introduces_a_list():
            # "以下是一些常见问题及其解答：" over a list of questions: no card of its own
            self.skipped.append(Skipped(self.open.draft.line, self.open.draft.front[:120], "introduces the questions below"))
            self.open = None
        self.finish()
        deck, tags = self.context()
        draft = CardDraft(front=front, back="", deck=deck, tags=list(tags),
                          source_file=self.source_file, line=line + 1, kind=kind)
        self.open = OpenCard(draft, [], question, list_id, last_line=line + 1, **options)
        return self.open

    def add(self, block: int, text: str) -> None:
        if self.open is not None and text.strip():
            if self.open.is_question and not self.open.pieces:  # "解答：…" opens the answer: no label
                text = syntax.WORD_ANSWER_LABEL.sub("", text, count=1)
                if not text.strip():
                    return
            self.open.pieces.append((block, text.strip("\n")))

    def finish(self) -> None:
        if self.field_note is not None:  # the notes end inside a heading-laid Anki note
            self._end_field_note()
        current, self.open = self.open, None
        if current is None:
            return
        draft = current.draft
        if current.reading is not None:  # "_More reading: [..](..)_" under a question
            if current.pieces:
                self.skip(current.reading[0], "further reading link")
            else:
                current.pieces.append((current.reading[0].block, current.reading[1]))
        draft.back = joined(current.pieces)
        if answered_inside_its_list(current):
            self.indented_answers[current.list_id] = self.indented_answers.get(current.list_id, 0) + 1
        if current.cloze:
            self._clozes(draft, current.cloze)
        elif draft.front.strip() and not draft.back and (
                current.is_question or current.prompt
                or (draft.from_heading and _TASK.match(draft.front))):  # "#### Implement NMS."
            self.unanswered.append(Skipped(draft.line, draft.front[:120], "question with no answer"))
        elif draft.front.strip() and draft.back:
            self.cards.append(draft)
            if current.reversed:
                draft.sibling = f"{draft.line}"
                self.cards.append(CardDraft(
                    front=draft.back, back=draft.front, deck=draft.deck, tags=draft.tags,
                    source_file=draft.source_file, line=draft.line, kind=draft.kind, demos=list(draft.demos),
                    demo_lines=dict(draft.demo_lines), sibling=draft.sibling))

    def answering_a_question(self, list_id: int) -> bool:
        """A list inside a question's answer is the answer, not new cards."""
        return self.open is not None and self.open.is_question and self.open.list_id != list_id

    def in_section_answer(self) -> bool:
        return self.open is not None and self.open.section_level > 0

    # -- units ---------------------------------------------------------------------
    def feed(self, unit: Unit) -> None:
        if self.open is not None and self.open.ends_at_blank and unit.start > self.open.last_line:
            self.finish()  # an Obsidian card ends at the blank line after it
        if self.skip_level and unit.kind != "heading":
            self.skip(unit, "in a contents/references/credits section")
            return
        if unit.start < self.taken_until and unit.kind != "heading":
            return
        if self.field_note is not None and unit.kind != "heading":
            self.field_note.take(unit.text)
            return
        if self.in_details is not None and unit.kind in ("line", "item", "block", "fence", "table"):
            closing = self.in_details.search(unit.text)
            if closing and self.in_details is CONTAINER_END:
                self.in_details = None
                self.finish()  # the container held the whole answer
                return
            if closing:
                self.in_details = None
            self.add(unit.block, self._answer_text(unit.text))  # a bold lead-in or a list in it is answer
            return
        if self.open is not None and self.open.verbatim and unit.kind in ("line", "item", "block", "fence", "table"):
            self.add(unit.block, self._answer_text(unit.text))  # a line that asks is still this answer
            self.open.last_line = max(self.open.last_line, unit.end or unit.start + 1)
            return
        handler = getattr(self, f"_on_{unit.kind}")
        handler(unit)
        if self.open is not None:
            self.open.last_line = max(self.open.last_line, unit.end or unit.start + 1)

    def _on_heading(self, unit: Unit) -> None:
        title = clean_title(unit.text)
        if self.field_note is not None:
            if unit.level > self.field_note.level:  # "## Text", "## Back Extra": a field of the note
                self.field_note.current = title.casefold()
                return
            self._end_field_note()
        model = opens_note(title, self.lines, unit.start)
        if model:
            self.finish()
            self.field_note = FieldNote(model, unit.level, unit.start)
            return
        if self.open is not None and self.open.section_level and unit.level > self.open.section_level:
            self.add(unit.block, self.lines[unit.start].strip() if unit.start < len(self.lines) else unit.text)
            return
        self.headings = [entry for entry in self.headings if entry[0] < unit.level]
        self._context = None
        self.skip_level = 0
        if is_furniture_heading(title):
            self.finish()
            self.headings.append((unit.level, title, False))
            self.skip_level = unit.level
            self.skip(unit, "contents/references/credits heading")
            return
        # "#### Q5: Define precision and recall." is a question by its label, whatever its words
        section = asks(unit.text) or bool(syntax.QUESTION_PREFIX.match(unit.text))
        if unit.start == self.page_title and unit.level == 1 and not section:
            # the page's title names the file's deck, as its file name or front matter would: no card
            self.finish()
            self.headings.append((1, self.named_deck or clean_title(unit.text, page_title=True), True))
            return
        question = section or looks_like_question(title)
        self.headings.append((unit.level, title, not section and not syntax.QUESTION_LABEL.match(title)))
        kind = "question" if question else "concept"
        opened = self.start(title, unit.start, kind, question=question, section_level=unit.level if section else 0)
        opened.draft.from_heading = True

    def _on_line(self, unit: Unit) -> None:
        text = self._tags_taken(unit.text)
        if not text:
            return
        if text.startswith(":::") and syntax.CONTAINER.match(text):
            self._container(syntax.CONTAINER.match(text), unit)
            return
        if self._explicit(text, unit):
            return
        reason = furniture_line(text)
        if reason == "further reading link" and self.open is not None and self.open.is_question and not self.open.pieces:
            self.open.reading = (unit, text)  # the answer only if nothing else answers the question
            return
        if reason and not self._keeps_in_answer(text, reason):
            self.skip(unit, reason)
            return
        if self._closes_a_question_list(unit):
            self.finish()
            self.skip(unit, "closing remark after a list of answered questions")
            return
        if self.in_section_answer():
            self.add(unit.block, self._answer_text(text))
            return
        if unit.bold:
            label = clean_title(unit.bold)
            if looks_like_question(unit.bold) and not unit.after_bold:
                self.start(label, unit.start, "question", question=True)
            elif unit.after_bold:
                self.start(self.context_front(label), unit.start, "term", question=False)
                self.add(unit.block, unit.after_bold.lstrip(TRAILING_PUNCT + " "))
            else:
                self.start(self.context_front(label), unit.start, "concept", question=False)
            return
        formula = _FORMULA.match(text)
        if formula and (self.open is None or not (self.open.pieces or self.open.is_question)):
            # a formula under a bare heading asks for its left side; inside a derivation or as a
            # question's answer it is answer text
            self.start(f"${formula.group(1).strip()}$ = ?", unit.start, "formula", question=True)
            self.add(unit.block, text)
            return
        if ((len(text) <= MAX_QUESTION_LINE and looks_like_question(text) and "：" not in text[:-1]
                and text.lower() not in GENERIC_LABELS) or asks(text)) and not self._in_labelled_prompt(unit):
            self.start(clean_title(text.rstrip(TRAILING_PUNCT)), unit.start, "question", question=True)
            return
        self.add(unit.block, self._answer_text(text))

    def _closes_a_question_list(self, unit: Unit) -> bool:
        """A paragraph after a list whose questions each carry their answer indented under them
        (``1. **问题：…**`` / ``   解答：…``) is the author's closing remark, not the last answer."""
        current = self.open
        return (current is not None and unit.block > 0 and answered_inside_its_list(current)
                and current.pieces[0][0] != unit.block and self.indented_answers.get(current.list_id, 0) >= 1)

    def _keeps_in_answer(self, text: str, reason: str) -> bool:
        """An image or a link inside an answer is content, and so is a question's answer that
        speaks of "this list"; a table of contents never is."""
        if reason == "about the page":
            return self.open is not None and self.open.is_question
        return (reason == "link or image only" and self.open is not None and "](#" not in text
                and (self.open.pieces or self.open.is_question or self._a_task()))

    def _a_task(self) -> bool:
        """The open card is a task heading (``#### Implement a sparse matrix class.``): its answer
        may be only a link (``[[Answer]](url)``)."""
        return self.open.draft.from_heading and _TASK.match(self.open.draft.front) is not None

    def _in_labelled_prompt(self, unit: Unit) -> bool:
        """Under ``## Q6 SVM`` with a ``<details>`` answer below: the setup, the question line
        (``请问…？``) and its choices are all what the card asks (see ``_prompt_becomes_front``)."""
        current = self.open
        if (current is None or current.is_question or not current.pieces  # a question line right under it is the card
                or not syntax.QUESTION_LABEL.match(current.draft.front)):
            return False
        return self._details_below.found(unit.start + 1)

    @staticmethod
    def _answer_text(text: str) -> str:
        return syntax.strip_wrappers(text)[0] if "<" in text else text

    def _on_item(self, unit: Unit) -> None:
        first = self._tags_taken(unit.first_line)
        if self._explicit(first, unit, unit.rest, unit.list_id):
            return
        reason = furniture_line(first)
        if reason and (reason != "link or image only" or not self._keeps_in_answer(first, reason)):
            self.skip(unit, reason)
            return
        if self.in_section_answer():
            self.add(unit.block, unit.text)
            return
        nested = nested_questions(unit.rest)
        if nested:  # "2. Empirical risk minimization." over a list of questions: a topic, not an answer
            self.finish()
            for offset, question in ([(-1, first)] if looks_like_question(first) else []) + nested:
                self.unanswered.append(Skipped(unit.start + offset + 2, clean_title(question)[:120],
                                               "question with no answer"))
            return
        if unit.list_size == 1 and not unit.rest and not unit.bold and len(first) <= 20 and not asks(first):
            # a lone numbered label ("2. 激活函数") works as a sub-heading
            self._on_heading(Unit("heading", unit.start, first, unit.block, level=DECK_DEPTH + 4))
            return
        if asks(first) and not unit.bold:
            self.start(clean_title(first), unit.start, "question", question=True, list_id=unit.list_id)
            self.add(unit.block, unit.rest)
            return
        if not self.answering_a_question(unit.list_id):
            if unit.bold and not unit.after_bold:
                self.start(self.context_front(clean_title(unit.bold)), unit.start, "term",
                           question=looks_like_question(unit.bold), list_id=unit.list_id,
                           prompt=True)  # unanswered: said so
                self.add(unit.block, unit.rest)
                return
            if not unit.bold and ((len(first) <= MAX_QUESTION_LINE and looks_like_question(first))
                                  or opens_a_question(first)):
                # an item that opens like a question is one, however long (and the next item of a
                # list of questions is the next question, not this one's answer)
                self.start(clean_title(first), unit.start, "question", question=True, list_id=unit.list_id)
                self.add(unit.block, unit.rest)
                return
            next_term = (self.open is not None and self.open.draft.kind == "term"
                         and (self.open.list_id == unit.list_id or self.open.term_line_done()))
            if unit.bold and unit.after_bold and (self.open is None or not self.open.pieces or next_term):
                self.start(self.context_front(clean_title(unit.bold)), unit.start, "term",
                           question=False, list_id=unit.list_id)
                self.add(unit.block, unit.after_bold.lstrip(TRAILING_PUNCT + " ") + (
                    "\n" + unit.rest if unit.rest else ""))
                return
        self.add(unit.block, unit.text)

    def _prompt_becomes_front(self) -> None:
        """``## Q1 决策树``, the question's text (and its choices), then a ``<details>`` answer:
        the text is what the card asks, the heading names its topic."""
        current = self.open
        prompt = joined(current.pieces)
        topic = clean_title(syntax.QUESTION_LABEL.sub("", current.draft.front))
        current.draft.front = f"{topic}：{prompt}" if topic else prompt
        current.draft.kind, current.is_question, current.pieces = "question", True, []

    def _on_fence(self, unit: Unit) -> None:
        self.add(unit.block, unit.text)

    def _on_block(self, unit: Unit) -> None:
        if "<" not in unit.text:
            text = unit.text
            if self.open is not None and self.open.is_question and not self.open.pieces:
                text = _QUOTED_ANSWER_LABEL.sub(r"\1", text, count=1)  # "> * A: ..." opens the answer: no label
            self.add(unit.block, text)
            return
        text, label = syntax.strip_wrappers(unit.text)
        answer_label = label.casefold().rstrip("：:. ") in ANSWER_LABELS
        if label and not answer_label and looks_like_question(label) and not self.in_section_answer():
            self.start(clean_title(label), unit.start, "question", question=True)
        elif answer_label and self.open is not None and not self.open.is_question and self.open.pieces:
            self._prompt_becomes_front()
        if _DETAILS_START.search(unit.text) and not _DETAILS_END.search(unit.text):
            self.in_details = _DETAILS_END
        if is_link_only(text) and (self.open is None or not self.open.pieces):
            self.skip(unit, "link or image only")
            return
        self.add(unit.block, text)
