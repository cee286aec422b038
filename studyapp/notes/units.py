"""Markdown-it tokens -> line-level units (paragraph lines, list items, blocks, headings).

Notes rarely leave blank lines, so every line of a paragraph is a unit of its own; a list
item carries its first line and its indented rest; a question/answer table is one unit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.common.utils import isMdAsciiPunct, isPunctChar, isWhiteSpace
from markdown_it.token import Token

from studyapp.notes.syntax import SEPARATOR_LINES

DEMO_LINE = re.compile(r"^\s*(?:<!--\s*)?demo\s*[:：]\s*([A-Za-z0-9_]+)\s*(?:-->)?\s*$", re.I)
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")


@dataclass(slots=True)
class Unit:
    """One line-level piece of the notes: a paragraph line, a list item, a block."""

    kind: str  # line | item | fence | block | heading | demo | separator | table
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
    end: int = 0  # 0-based line after the unit
    rows: list[list[str]] = field(default_factory=list)  # table: header row first


@lru_cache(maxsize=3)
def markdown(inline: bool = False, setext: bool = True) -> MarkdownIt:
    """The block parser skips inline parsing (most of the cost on big notes); lines that
    may start with bold are parsed inline one by one. ``setext=False`` leaves out setext
    headings (``Title`` over ``---``), for text with no line that could underline one."""
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    md = MarkdownIt("commonmark").use(dollarmath_plugin)
    if not setext:
        md.disable("lheading")
    return md if inline else md.disable("inline")


# A setext underline is "---" or "===" alone on its line, after indentation or blockquote marks.
_UNDERLINE_CANDIDATE = re.compile(r"^[ \t>]*[-=]+[ \t]*$", re.M)


def block_tokens(text: str) -> list[Token]:
    """markdown-it's block tokens for ``text``.

    The setext rule re-reads every paragraph to its end looking for an underline (as long
    again as the paragraph itself, on notes that rarely leave blank lines); where no line
    could be one it cannot match, so it is left out and the tokens are the same.
    """
    return markdown(setext=_UNDERLINE_CANDIDATE.search(text) is not None).parse(text)


def leading_bold(line: str) -> tuple[str, str]:
    """(bold text, rest as plain text) when a line starts with **bold**, else ("", "").

    A converter's escaped bold (``\\*\\*What is X?\\*\\*``) shows its stars but is meant as bold.
    """
    if line.lstrip().startswith(("\\*\\*", "\\_\\_")):
        line = re.sub(r"\\([*_])", r"\1", line)
    if not line.lstrip().startswith(("**", "__")):
        return "", ""
    line = line.strip()
    plain = _PLAIN_BOLD.fullmatch(line)
    if plain and _closes_plain_bold(plain.group(1), plain.group(2)):
        return plain.group(1), plain.group(2).strip()
    return _markdown_leading_bold(line)


# "**text** rest" with no character any inline rule but emphasis acts on, and no other "*":
# markdown-it gives exactly strong(text) + text(rest) when the closing "**" can close. Most
# bold lines are this shape, and an inline parse per line was a third of parsing big notes.
_PLAIN_BOLD = re.compile(r"\*\*([^*_`$\\<\[\]!&~\x00\r\n]+)\*\*([^*_`$\\<\[\]!&~\x00\r\n]*)")


def _closes_plain_bold(bold: str, rest: str) -> bool:
    """CommonMark's flanking rules for the opening "**" (at the line start) and the closing one."""
    after = rest[0] if rest else " "
    if isWhiteSpace(ord(bold[0])) or isWhiteSpace(ord(bold[-1])):
        return False
    return not _punct(bold[-1]) or isWhiteSpace(ord(after)) or _punct(after)


def _punct(ch: str) -> bool:
    return isMdAsciiPunct(ord(ch)) or isPunctChar(ch)


def _markdown_leading_bold(line: str) -> tuple[str, str]:
    children = markdown(inline=True).parseInline(line)[0].children or []
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


def table_rows(lines: list[str]) -> list[list[str]]:
    """The cells of a pipe table (header first), or [] when the lines are not one."""
    if len(lines) < 2 or "|" not in lines[0] or not _TABLE_RULE.match(lines[1]):
        return []
    rows = []
    for line in [lines[0], *lines[2:]]:
        cells = re.split(r"(?<!\\)\|", line.strip().strip("|"))
        rows.append([cell.strip().replace("\\|", "|") for cell in cells])
    return rows


def units(tokens: list[Token], lines: list[str]) -> list[Unit]:
    """Flatten top-level blocks into line-level units, in source order."""
    found: list[Unit] = []
    i, block, list_id = 0, 0, 0
    while i < len(tokens):
        token = tokens[i]
        block += 1
        if token.level != 0:
            i += 1
            continue
        start, end = token.map or (0, 0)
        if token.type == "heading_open":
            found.append(Unit("heading", start, tokens[i + 1].content, block, level=int(token.tag[1]), end=end))
            i += 3
        elif token.type == "paragraph_open":
            found.extend(_paragraph(tokens[i + 1].content.split("\n"), lines, start, end, block))
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
            size = sum(1 for unit in items if unit.kind == "item")  # once per list: per item was quadratic
            for unit in items:
                unit.list_size = size
            found.extend(items)
            i = j + 1
        elif token.type == "fence":
            if token.info.strip():
                found.append(Unit("fence", start, "\n".join(lines[start:end]).strip("\n"), block, end=end))
            else:  # prose the author fenced to keep it verbatim: part of the answer text
                found.append(Unit("fence", start, token.content.strip("\n"), block, end=end))
            i += 1
        elif token.type == "html_block" and DEMO_LINE.match(token.content.strip()):
            found.append(Unit("demo", start, token.content.strip(), block, end=end))
            i += 1
        elif token.type == "hr":
            i += 1
        else:  # math_block, html_block, code_block ...: keep the source verbatim
            text = "\n".join(lines[start:end]).strip("\n") if token.map else token.content
            found.append(Unit("block", start, text, block, end=end))
            i += 1
            while i < len(tokens) and tokens[i].level > 0:
                i += 1
            if token.type.endswith("_open"):
                i += 1
    return found


def _paragraph(contents: list[str], lines: list[str], start: int, end: int, block: int) -> list[Unit]:
    raws = [lines[start + offset] if start + offset < end else content for offset, content in enumerate(contents)]
    rows = table_rows(raws)
    if rows:
        return [Unit("table", start, "\n".join(raws), block, end=end, rows=rows)]
    found = []
    for offset, (content, raw) in enumerate(zip(contents, raws)):
        if raw.strip() in SEPARATOR_LINES:
            kind, bold, after = "separator", "", ""
        else:
            bold, after = leading_bold(content)
            kind = "demo" if DEMO_LINE.match(raw) else "line"
        found.append(Unit(kind, start + offset, raw.strip(), block, bold=bold, after_bold=after,
                          end=start + offset + 1))
    return found


def _list_item(tokens: list[Token], index: int, lines: list[str], block: int, list_id: int) -> list[Unit]:
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
    bold, after = leading_bold(first_text) if paragraph is not None and paragraph.type == "paragraph_open" else ("", "")
    text = "\n".join(raw_lines[: len(raw_lines) - len(lazy)]).strip("\n")
    found = [Unit("item", start, text, block, first_line=first_text, rest="\n".join(rest).strip("\n"),
                  bold=bold, after_bold=after, list_id=list_id, end=end - len(lazy))]
    for number, line in lazy:
        kind = "separator" if line.strip() in SEPARATOR_LINES else ("demo" if DEMO_LINE.match(line) else "line")
        bold, after = leading_bold(line) if kind == "line" else ("", "")
        found.append(Unit(kind, number, line.strip(), -number, bold=bold, after_bold=after, end=number + 1))
    return found
