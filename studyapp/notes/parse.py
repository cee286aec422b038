"""Markdown notes -> card drafts: the entry point, file-wide steps around :class:`Assembler`.

Front matter and ``<!--SR:...-->`` comments are taken out first (blanked, so line numbers
stay the file's); the rest is cut into sections at headings, each section's markdown-it
tokens become units (:mod:`studyapp.notes.units`), and :class:`studyapp.notes.assemble.Assembler`
reads them into cards (the shapes it knows are listed there). The data types live in
:mod:`studyapp.notes.drafts` and are re-exported here.
"""

from __future__ import annotations

import bisect
import re
from pathlib import Path

from studyapp.notes import syntax
from studyapp.notes.assemble import Assembler
from studyapp.notes.drafts import CardDraft, ParseResult, Skipped, normalise_front
from studyapp.notes.units import block_tokens, units

__all__ = ["CardDraft", "ParseResult", "Skipped", "normalise_front", "parse_markdown", "parse_notes"]


def parse_notes(text: str, source_file: str = "<notes>", default_deck: str | None = None) -> ParseResult:
    """Turn notes into card drafts and the list of lines skipped as furniture. Never raises."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    matter_lines, meta = syntax.front_matter(lines)
    if matter_lines:  # blanked, not cut, so that line numbers stay the file's
        text = "\n" * (matter_lines - 1) + "\n" + "\n".join(lines[matter_lines:])
    del lines  # before the second split: two lists of every line at once were the parse's peak
    text, schedules = _take_schedules(text)
    lines = text.split("\n")
    del text  # the lines are the text from here on (the caller may have let go of it: then it is freed)
    title = next((str(meta[key]) for key in ("deck", "title", "name") if isinstance(meta.get(key), str)), "")
    deck = title or default_deck or Path(source_file).stem or "notes"
    tags = meta.get("tags", [])
    tags = tags.replace(",", " ").split() if isinstance(tags, str) else [str(t) for t in tags]
    named = meta.get("deck")  # an explicit deck names the sections under a page title too; a title does not
    parser = Assembler(source_file, deck, lines, [re.sub(r"\s+", "_", t.strip().lstrip("#")) for t in tags if t.strip()],
                       page_title=page_title_line(lines), named_deck=named if isinstance(named, str) else "")
    block_base = list_base = 0
    for offset, section in _sections(lines):
        found = units(block_tokens("\n".join(section)), section)
        for unit in found:  # section-local numbers made file-wide
            unit.start += offset
            unit.end += offset
            unit.block += block_base if unit.block > 0 else -offset
            unit.list_id += list_base if unit.list_id >= 0 else 0
            parser.feed(unit)
        block_base += max((u.block for u in found), default=0) + 1
        list_base += max((u.list_id for u in found), default=0) + 1
    parser.finish()
    _seed_schedules(parser.cards, schedules)
    return ParseResult(parser.cards, parser.skipped, parser.unanswered)


SECTION_LINES = 400  # sections of about this many lines are parsed one at a time (bounded memory)
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_HEADING_LINE = re.compile(r"^#{1,6}(?:\s|$)")


def _sections(lines: list[str]):
    """(first line, lines) of consecutive sections, cut only at a heading outside any fence.

    A heading at the start of a line ends every markdown block before it, so the sections
    parse exactly as the whole would, while markdown-it's tokens for only one section are
    alive at a time (notes of 60 MB would otherwise need gigabytes of tokens).
    """
    start, fence = 0, ""
    for number, line in enumerate(lines):
        marker = _FENCE.match(line)
        if marker:
            fence = "" if fence and marker.group(1) == fence else (fence or marker.group(1))
        elif not fence and number - start >= SECTION_LINES and _HEADING_LINE.match(line):
            yield start, lines[start:number]
            start = number
    yield start, lines[start:]


_ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]|$)")


def page_title_line(lines: list[str]) -> int:
    """The 0-based line of the page's title, or -1: the first heading, when it is the file's only
    ``#`` heading and other headings follow it (``# My ML interview notes`` over ``##`` sections)."""
    title, followed, fence = -1, False, ""
    for number, line in enumerate(lines):
        marker = _FENCE.match(line)
        if marker:
            fence = "" if fence and marker.group(1) == fence else (fence or marker.group(1))
            continue
        heading = None if fence else _ATX_HEADING.match(line)
        if heading is None:
            continue
        if len(heading.group(1)) > 1:
            if title < 0:
                return -1  # a "##" before any "#": no title on top
            followed = True
        elif title >= 0:
            return -1  # a second "#": the file's top headings are topics (decks), not a title
        else:
            title = number
    return title if followed else -1


def parse_markdown(text: str, source_file: str = "<notes>", default_deck: str | None = None) -> list[CardDraft]:
    """Turn notes into card drafts. Never raises on odd markdown; may return []."""
    return parse_notes(text, source_file, default_deck).cards


def _take_schedules(text: str) -> tuple[str, list[tuple[int, list[syntax.SRState]]]]:
    """The text without ``<!--SR:...-->`` comments, and each comment's (0-based line, schedules)."""
    if "<!--" not in text:
        return text, []
    schedules = []
    counted = [0, 0]  # (offset, line there): lines are counted once, left to right

    def take(match: re.Match) -> str:
        counted[1] += text.count("\n", counted[0], match.start())
        counted[0] = match.start()
        schedules.append((counted[1], syntax.sr_states(match.group(1))))
        return "\n" * match.group(0).count("\n")  # line numbers stay the file's

    return syntax.SR_COMMENT.sub(take, text), schedules


def _seed_schedules(cards: list[CardDraft], schedules: list[tuple[int, list[syntax.SRState]]]) -> None:
    """Each schedule comment belongs to the note just above it (a pair of reversed cards: one each)."""
    lines = [card.line - 1 for card in cards]
    for line, states in schedules:
        last = bisect.bisect_right(lines, line) - 1  # cards come in line order
        if last < 0 or not states:
            continue
        sibling = cards[last].sibling
        group = [cards[last]]
        while sibling and group[0] is not cards[0] and cards[last - len(group)].sibling == sibling:
            group.insert(0, cards[last - len(group)])
        for card, state in zip(group, states):
            card.sr = state
