"""Markdown notes -> card drafts, from markdown-it-py tokens.

The notes are real interview notes, not a flashcard format, so the parser reads their
shapes (each line of a paragraph counts, since the notes rarely leave blank lines):

* a bold question line (``**如何...？**``, ``**解释...。**``) or a plain short question line
  (``如何判断模型是否收敛``) starts a question card; its answer is what follows, up to the
  next card or heading;
* a bold term with nothing after it (``**过拟合Overfitting**``) or a heading with text
  under it (``### LSTM``) starts a concept card; a generic label (``**结构**``) takes the
  nearest heading as context (``CNN · 结构``);
* ``**Term：** definition`` starts a term card whose answer begins with the definition;
* a list item that asks (``- 为什么引入非线性激励函数``) or names a bold term starts a card,
  unless the list is itself the answer to a question;
* a formula line (``$y = ...$``) starts a card asking for its left-hand side;
* explicit ``Q: ...`` / ``A: ...`` lines, and ``demo: ID`` (or ``<!-- demo: ID -->``) to
  link a card to a runnable demo.

Fenced blocks without a language are prose and are unwrapped into the answer; fenced
blocks with a language stay code. ``$...$`` and ``$$...$$`` are kept verbatim.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

QUESTION_STARTS = ("如何", "为什么", "为何", "怎么", "怎样", "什么是", "什么", "是否", "哪些", "哪个",
                   "解释", "简述", "说明", "比较", "描述", "请", "how ", "why ", "what ", "when ",
                   "explain ", "describe ", "compare ")
QUESTION_WORDS = ("缺点", "不足", "优缺点", "区别", "是什么", "有什么", "有哪些", "吗")
QUESTION_ENDS = ("？", "?")
GENERIC_LABELS = {
    "结构", "应用", "优点", "缺点", "问题", "分类", "原理", "特点", "定义", "作用", "步骤", "总结",
    "方法", "概念", "区别", "解决", "解决方法", "原因", "示例", "例子", "优势", "基本原理", "用途",
    "介绍", "简介", "公式", "实现", "代码", "注意", "注意事项", "场景", "应用场景", "overview",
    "structure", "usage", "applications", "pros", "cons", "summary", "example",
}
MAX_QUESTION_LINE = 60  # a plain line longer than this is prose, not a question
DECK_DEPTH = 2  # headings deeper than this give context and tags, not decks

_NUMBERING = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.．]|\d+(?:\.\d+)*[、.．)]?|[（(]\d+[）)])\s*")
_DEMO_LINE = re.compile(r"^\s*(?:<!--\s*)?demo\s*[:：]\s*([A-Za-z0-9_]+)\s*(?:-->)?\s*$", re.I)
_EXPLICIT_Q = re.compile(r"^\s*Q\s*[:：]\s*(.*)$", re.I)
_EXPLICIT_A = re.compile(r"^\s*A\s*[:：]\s*(.*)$", re.I)
_FORMULA = re.compile(r"^\s*\$([^$=]+?)=([^$]+)\$\s*$")
_TRAILING_PUNCT = "：:，,;；"


@dataclass
class CardDraft:
    """A card as the notes state it, before it meets the database."""

    front: str
    back: str
    deck: str
    tags: list[str]
    source_file: str
    line: int  # 1-based line of the front in the source file
    kind: str  # question | concept | term | formula | explicit
    demos: list[str] = field(default_factory=list)  # named explicitly with "demo: ID"
    demo_lines: dict[str, int] = field(default_factory=dict)  # demo id -> 1-based line that names it


@dataclass
class _Unit:
    """One line-level piece of the notes: a paragraph line, a list item, a block."""

    kind: str  # line | item | fence | block | heading | demo
    start: int  # 0-based source line
    text: str  # answer text this unit contributes
    block: int  # units of the same paragraph share a block number
    first_line: str = ""  # item: first line, plain text
    rest: str = ""  # item: remaining lines (dedented)
    bold: str = ""  # the leading bold text of a line/item, if it starts with one
    after_bold: str = ""  # text after the leading bold
    level: int = 0  # heading level
    list_id: int = -1  # items of one list share it
    list_size: int = 0


@dataclass
class _Open:
    draft: CardDraft
    pieces: list[tuple[int, str]]
    is_question: bool
    list_id: int = -1  # the list this card's front came from, if any


@lru_cache(maxsize=2)
def _markdown(inline: bool = False) -> MarkdownIt:
    """The block parser skips inline parsing (most of the cost on big notes); lines that
    may start with bold are parsed inline one by one."""
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    md = MarkdownIt("commonmark").use(dollarmath_plugin)
    return md if inline else md.disable("inline")


def clean_title(text: str) -> str:
    """Heading/bold text without markup, numbering or trailing colons."""
    text = text.replace("**", "").replace("__", "").strip()
    text = _NUMBERING.sub("", text, count=1).strip()
    return text.rstrip(_TRAILING_PUNCT).strip()


def looks_like_question(text: str) -> bool:
    lowered = text.strip().lower()
    if not lowered:
        return False
    return (lowered.endswith(QUESTION_ENDS) or lowered.startswith(QUESTION_STARTS)
            or any(word in lowered for word in QUESTION_WORDS))


def _leading_bold(line: str) -> tuple[str, str]:
    """(bold text, rest as plain text) when a line starts with **bold**, else ("", "")."""
    if not line.lstrip().startswith(("**", "__")):
        return "", ""
    children = _markdown(inline=True).parseInline(line.strip())[0].children or []
    tokens = [t for t in children if not (t.type == "text" and not t.content.strip())]
    if not tokens or tokens[0].type != "strong_open":
        return "", ""
    depth, bold, rest, closed = 0, [], [], False
    for token in tokens:
        if closed:
            rest.append(token)
            continue
        if token.type == "strong_open":
            depth += 1
        elif token.type == "strong_close":
            depth -= 1
            closed = depth == 0
        else:
            bold.append(token)
    return _plain(bold), _plain(rest).strip()


def _plain(tokens: list[Token]) -> str:
    out = []
    for token in tokens:
        if token.type == "code_inline":
            out.append(f"`{token.content}`")
        elif token.type == "math_inline":
            out.append(f"${token.content}$")
        elif token.children:
            out.append(_plain(token.children))
        else:
            out.append(token.content)
    return "".join(out)


def _units(tokens: list[Token], lines: list[str]) -> list[_Unit]:
    """Flatten top-level blocks into line-level units, in source order."""
    units: list[_Unit] = []
    i, block, list_id = 0, 0, 0
    while i < len(tokens):
        token = tokens[i]
        block += 1
        if token.level != 0:
            i += 1
            continue
        start, end = token.map or (0, 0)
        if token.type == "heading_open":
            units.append(_Unit("heading", start, tokens[i + 1].content, block, level=int(token.tag[1])))
            i += 3
        elif token.type == "paragraph_open":
            for offset, content in enumerate(tokens[i + 1].content.split("\n")):
                raw = lines[start + offset] if start + offset < end else content
                bold, after = _leading_bold(content)
                kind = "demo" if _DEMO_LINE.match(raw) else "line"
                units.append(_Unit(kind, start + offset, raw.strip(), block, bold=bold, after_bold=after))
            i += 3
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            list_id += 1
            close = token.type.replace("_open", "_close")
            j, items = i + 1, []
            while not (tokens[j].type == close and tokens[j].level == 0):
                item = tokens[j]
                if item.type == "list_item_open" and item.level == 1:
                    items.extend(_list_item(tokens, j, lines, block, list_id))
                j += 1
            for unit in items:
                unit.list_size = sum(1 for u in items if u.kind == "item")
            units.extend(items)
            i = j + 1
        elif token.type == "fence":
            if token.info.strip():
                units.append(_Unit("fence", start, "\n".join(lines[start:end]).strip("\n"), block))
            else:  # prose the author fenced to keep it verbatim: part of the answer text
                units.append(_Unit("fence", start, token.content.strip("\n"), block))
            i += 1
        elif token.type == "html_block" and _DEMO_LINE.match(token.content.strip()):
            units.append(_Unit("demo", start, token.content.strip(), block))
            i += 1
        elif token.type == "hr":
            i += 1
        else:  # math_block, html_block, code_block, table ...: keep the source verbatim
            text = "\n".join(lines[start:end]).strip("\n") if token.map else token.content
            units.append(_Unit("block", start, text, block))
            i += 1
            while i < len(tokens) and tokens[i].level > 0:
                i += 1
            if token.type.endswith("_open"):
                i += 1
    return units


def _list_item(tokens: list[Token], index: int, lines: list[str], block: int, list_id: int) -> list[_Unit]:
    """A list item, followed by its unindented "lazy" lines as paragraph lines of their own.

    Markdown folds an unindented line after an item into the item, but in notes such a
    line (``- 无监督学习`` then ``**应用：**``) is nearly always the author's next paragraph.
    """
    item = tokens[index]
    start, end = item.map
    raw_lines = lines[start:end]
    first = raw_lines[0] if raw_lines else ""
    marker = re.match(r"^\s*(?:[-*+]|\d+[.)])\s*", first)
    indent = len(marker.group(0)) if marker else 0
    rest, lazy = [], []
    for offset, line in enumerate(raw_lines[1:], start=1):
        if lazy or (line.strip() and not line[:1].isspace()):
            lazy.append((start + offset, line))
        else:
            rest.append(line[indent:] if line[:indent].strip() == "" else line.lstrip())
    first_text = first[indent:].strip()
    paragraph = tokens[index + 1] if index + 1 < len(tokens) else None
    bold, after = _leading_bold(first_text) if paragraph is not None and paragraph.type == "paragraph_open" else ("", "")
    text = "\n".join(raw_lines[: len(raw_lines) - len(lazy)]).strip("\n")
    units = [_Unit("item", start, text, block, first_line=first_text, rest="\n".join(rest).strip("\n"),
                   bold=bold, after_bold=after, list_id=list_id)]
    for number, line in lazy:
        bold, after = _leading_bold(line)
        units.append(_Unit("demo" if _DEMO_LINE.match(line) else "line", number, line.strip(), -number,
                           bold=bold, after_bold=after))
    return units


class _Parser:
    def __init__(self, source_file: str, default_deck: str):
        self.source_file = source_file
        self.default_deck = default_deck
        self.headings: list[tuple[int, str]] = []
        self.cards: list[CardDraft] = []
        self.open: _Open | None = None

    # -- context -------------------------------------------------------------------
    def deck(self) -> str:
        names = [name for level, name in self.headings if level <= DECK_DEPTH and name]
        return "::".join(names) or self.default_deck

    def tags(self) -> list[str]:
        tags = []
        for _, name in self.headings:
            tag = re.sub(r"\s+", "_", name.strip())
            if tag and tag not in tags:
                tags.append(tag)
        return tags

    def context_front(self, label: str) -> str:
        if label.lower() in GENERIC_LABELS and self.headings:
            return f"{self.headings[-1][1]} · {label}"
        return label

    # -- cards ---------------------------------------------------------------------
    def start(self, front: str, line: int, kind: str, *, question: bool, list_id: int = -1) -> None:
        self.finish()
        draft = CardDraft(front=front, back="", deck=self.deck(), tags=self.tags(),
                          source_file=self.source_file, line=line + 1, kind=kind)
        self.open = _Open(draft, [], question, list_id)

    def add(self, block: int, text: str) -> None:
        if self.open is not None and text.strip():
            self.open.pieces.append((block, text.strip("\n")))

    def finish(self) -> None:
        current, self.open = self.open, None
        if current is None:
            return
        parts: list[str] = []
        last_block = None
        for block, text in current.pieces:
            parts.append(("\n" if block == last_block else "\n\n") + text if parts else text)
            last_block = block
        current.draft.back = "".join(parts).strip()
        if current.draft.front.strip() and current.draft.back:
            self.cards.append(current.draft)

    def answering_a_question(self, list_id: int) -> bool:
        """A list inside a question's answer is the answer, not new cards."""
        return self.open is not None and self.open.is_question and self.open.list_id != list_id

    # -- units ---------------------------------------------------------------------
    def feed(self, unit: _Unit) -> None:
        handler = getattr(self, f"_on_{unit.kind}")
        handler(unit)

    def _on_heading(self, unit: _Unit) -> None:
        title = clean_title(unit.text)
        self.headings = [(level, name) for level, name in self.headings if level < unit.level]
        self.headings.append((unit.level, title))
        kind = "question" if looks_like_question(title) else "concept"
        self.start(title, unit.start, kind, question=kind == "question")

    def _on_line(self, unit: _Unit) -> None:
        explicit_q = _EXPLICIT_Q.match(unit.text)
        if explicit_q:
            self.start(explicit_q.group(1).strip(), unit.start, "explicit", question=True)
            return
        explicit_a = _EXPLICIT_A.match(unit.text)
        if explicit_a and self.open is not None and self.open.draft.kind == "explicit":
            self.add(unit.block, explicit_a.group(1))
            return
        if unit.bold:
            label = clean_title(unit.bold)
            if looks_like_question(unit.bold) and not unit.after_bold:
                self.start(label, unit.start, "question", question=True)
            elif unit.after_bold:
                self.start(self.context_front(label), unit.start, "term", question=False)
                self.add(unit.block, unit.after_bold.lstrip(_TRAILING_PUNCT + " "))
            else:
                self.start(self.context_front(label), unit.start, "concept", question=False)
            return
        formula = _FORMULA.match(unit.text)
        if formula:
            self.start(f"${formula.group(1).strip()}$ = ?", unit.start, "formula", question=True)
            self.add(unit.block, unit.text)
            return
        text = unit.text
        if (len(text) <= MAX_QUESTION_LINE and looks_like_question(text) and "：" not in text[:-1]
                and text.lower() not in GENERIC_LABELS):
            self.start(text.rstrip(_TRAILING_PUNCT), unit.start, "question", question=True)
            return
        self.add(unit.block, text)

    def _on_item(self, unit: _Unit) -> None:
        if unit.list_size == 1 and not unit.rest and not unit.bold and len(unit.first_line) <= 20:
            # a lone numbered label ("2. 激活函数") works as a sub-heading
            self._on_heading(_Unit("heading", unit.start, unit.first_line, unit.block, level=DECK_DEPTH + 4))
            return
        if not self.answering_a_question(unit.list_id):
            if unit.bold and not unit.after_bold:
                self.start(self.context_front(clean_title(unit.bold)), unit.start, "term",
                           question=False, list_id=unit.list_id)
                self.add(unit.block, unit.rest)
                return
            first = unit.first_line
            if not unit.bold and len(first) <= MAX_QUESTION_LINE and looks_like_question(first):
                self.start(clean_title(first), unit.start, "question", question=True, list_id=unit.list_id)
                self.add(unit.block, unit.rest)
                return
            if unit.bold and unit.after_bold and (self.open is None or not self.open.pieces):
                self.start(self.context_front(clean_title(unit.bold)), unit.start, "term",
                           question=False, list_id=unit.list_id)
                self.add(unit.block, unit.after_bold.lstrip(_TRAILING_PUNCT + " ") + (
                    "\n" + unit.rest if unit.rest else ""))
                return
        self.add(unit.block, unit.text)

    def _on_fence(self, unit: _Unit) -> None:
        self.add(unit.block, unit.text)

    def _on_block(self, unit: _Unit) -> None:
        self.add(unit.block, unit.text)

    def _on_demo(self, unit: _Unit) -> None:
        match = _DEMO_LINE.match(unit.text)
        if self.open is not None and match and match.group(1) not in self.open.draft.demos:
            self.open.draft.demos.append(match.group(1))
            self.open.draft.demo_lines[match.group(1)] = unit.start + 1


def parse_markdown(text: str, source_file: str = "<notes>", default_deck: str | None = None) -> list[CardDraft]:
    """Turn notes into card drafts. Never raises on odd markdown; may return []."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    deck = default_deck or Path(source_file).stem or "notes"
    lines = text.split("\n")
    parser = _Parser(source_file, deck)
    for unit in _units(_markdown().parse(text), lines):
        parser.feed(unit)
    parser.finish()
    return parser.cards


def normalise_front(front: str) -> str:
    """The identity-bearing form of a front: case, width, spacing and punctuation folded."""
    text = unicodedata.normalize("NFKC", front).casefold()
    return "".join(ch for ch in text if ch.isalnum() or ch in "$\\^_+-=*/()")
