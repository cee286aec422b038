"""The flashcard syntaxes people already write, line by line, and the clean-up of fronts.

* explicit questions and answers: ``Q:``, ``Q.``, ``Q1:``, ``Question:``, ``问：``, ``问题：``
  with ``A:``, ``A.``, ``Answer:``, ``答：``, ``答案：``;
* Obsidian Spaced Repetition: ``question::answer``, ``question:::answer`` (a reversed
  sibling too), a ``?`` / ``??`` line between a multi-line question and its answer,
  ``#flashcards/deck`` tags and ``<!--SR:!2024-01-31,12,250-->`` schedule comments;
* clozes: Anki's ``{{c1::part}}`` / ``{{c1::part::hint}}``, hashcards'
  ``C: text with [part]`` and, in a note tagged ``#flashcards``, Obsidian's ``==part==``
  (both rewritten to Anki's form, one number per deletion);
* YAML (``---``) or TOML (``+++``) front matter.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

QUESTION_PREFIX = re.compile(
    r"^\s*(?:\*\*)?\s*(?:Q\d*\s*[:：.)]|Question\s*\d*\s*[:：.]|问题?\s*\d*\s*[:：])\s*(?:\*\*)?\s*(.*)$", re.I)
QUESTION_LABEL = re.compile(r"^\s*Q\d+\s+(?=\S)")  # "Q1 决策树": a numbered question under a topic
ANSWER_PREFIX = re.compile(
    r"^\s*(?:\*\*)?\s*(?:A\d*\s*[:：.)]|Answer\s*[:：.]|(?:答案?|解析|解答|参考答案|参考回答)\s*[:：])\s*(?:\*\*)?\s*(.*)$", re.I)
CLOZE_PREFIX = re.compile(r"^\s*C\s*[:：]\s*(.+)$")
ANKI_CLOZE = re.compile(r"\{\{c(\d+)::([^{}]*?)\}\}")  # the hint, if any, is split off the part: linear
_HASHCARDS_DELETION = re.compile(r"(?<![!\]\\])\[([^\[\]]+)\](?!\()")
WORD_ANSWER_LABEL = re.compile(r"^\s*(?:\*\*)?\s*(?:Answer|答案?|解析|解答|参考答案|参考回答)\s*[:：]\s*(?:\*\*)?\s*", re.I)
CONTAINER = re.compile(r"^\s*:{3,}\s*([A-Za-z][\w-]*)?\s*(.*?)\s*$")  # VitePress/VuePress ::: details Title ... :::
_HIGHLIGHT = re.compile(r"==(?=\S)([^=\n]{1,500}?)(?<=\S)==")  # "a == b" (spaced) is code, not a highlight
_INLINE_CARD = re.compile(r"^(?P<q>.+?)\s*(?P<sep>:::|::)\s*(?P<a>.+)$")
SEPARATOR_LINES = {"?": False, "??": True}  # multi-line card separator -> reversed too
FLASHCARD_TAG = re.compile(r"(?:^|\s)#(flashcards?(?:/[\w\-/]+)?)(?=\s|$)", re.I)
SR_COMMENT = re.compile(r"<!--\s*SR:([^<>]*?)-->")
_SR_ENTRY = re.compile(r"!(\d{4}-\d{2}-\d{2}),(\d+),(\d+)")
_LINK = re.compile(r"!?\[([^\[\]]*)\]\([^)]*\)")
_BRACKETED_LINK = re.compile(r"\[\[[^\[\]]{0,40}\]\]\([^)]*\)")  # "[[src]](url)": a citation, as [[src](url)]
_CITATION = re.compile(r"\[\s*\[[^\[\]]*\]\([^)]*\)\s*\]")
_WIKILINK = re.compile(r"\[\[(?:[^\[\]|]*\|)?([^\[\]]*)\]\]")
_DIFFICULTY = re.compile(r"^\s*[\[(【（](?:E|M|H|Easy|Medium|Hard|简单|中等|困难)[\])】）]\s*", re.I)  # "[E] Why ...?"
_HTML_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")
_BREAK = re.compile(r"<br\s*/?>", re.I)
_WRAPPERS = re.compile(r"</?(?:details|p|div|span|center|font|b|strong|em|i)\b[^<>]*>", re.I)
_SUMMARY = re.compile(r"<summary\b[^<>]*>((?:(?!<summary\b).)*?)</summary>", re.I | re.S)  # linear


@dataclass(frozen=True)
class SRState:
    """One Obsidian Spaced Repetition schedule: next due date, interval in days, ease (250 = 2.5)."""

    due: date
    interval: int
    ease: int


def sr_states(comment_body: str) -> list[SRState]:
    """The schedules in an ``<!--SR:...-->`` comment, one per card of the note, in card order."""
    states = []
    for day, interval, ease in _SR_ENTRY.findall(comment_body):
        try:
            states.append(SRState(date.fromisoformat(day), int(interval), int(ease)))
        except ValueError:
            continue
    return states


def inline_card(line: str) -> tuple[str, str, bool] | None:
    """(question, answer, reversed) for an Obsidian ``question::answer`` line, else None.

    ``std::vector``-like code (no space anywhere around or beside the separator) and
    separators inside inline code are not cards.
    """
    if "::" not in line or ANKI_CLOZE.search(line) or line.lstrip().startswith(("|", "`", "::")):
        return None
    match = _INLINE_CARD.match(line.strip())
    if match is None:
        return None
    question, answer = match.group("q").strip(), match.group("a").strip()
    if line[: line.find("::")].count("`") % 2:
        return None
    raw = line.strip()
    sep_at = match.start("sep")
    spaced = raw[sep_at - 1: sep_at].isspace() or raw[match.end("sep"): match.end("sep") + 1].isspace()
    if not spaced and match.group("sep") == "::" and " " not in question and " " not in answer:
        return None  # std::vector, torch::nn::Linear
    if not question or not answer or answer.startswith(":"):
        return None
    return question, answer, match.group("sep") == ":::"


def hashcards_cloze(text: str) -> str:
    """``C: a [b] c [d]`` -> ``a {{c1::b}} c {{c2::d}}`` (links and images are left alone)."""
    counter = iter(range(1, 10_000))
    return _HASHCARDS_DELETION.sub(lambda m: f"{{{{c{next(counter)}::{m.group(1)}}}}}", text)


def highlight_cloze(text: str) -> str:
    """Obsidian Spaced Repetition's cloze: ``a ==b== c ==d==`` -> ``a {{c1::b}} c {{c2::d}}``."""
    counter = iter(range(1, 10_000))
    return _HIGHLIGHT.sub(lambda m: f"{{{{c{next(counter)}::{m.group(1)}}}}}", text)


_HASHCARDS_END = re.compile(r"^\s*(?:Q\s*[:：]|C\s*[:：]|#{1,6}\s|-{3,}\s*$|\*{3,}\s*$)")
HASHCARDS_SPAN = 60  # lines; a hashcards cloze longer than this is not one


def hashcards_note(lines: list[str], start: int) -> tuple[str, int]:
    """A hashcards ``C:`` cloze whose text runs over lines and blank lines, up to the next card,
    heading or ``---``: (its text in Anki's form, the line after it), or ("", start) when the
    text has no ``[deletion]``."""
    end = start + 1
    while end < min(len(lines), start + HASHCARDS_SPAN) and not _HASHCARDS_END.match(lines[end]):
        end += 1
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    prefix = CLOZE_PREFIX.match(lines[start])
    text = "\n".join([prefix.group(1) if prefix else lines[start], *lines[start + 1: end]]).strip()
    return (hashcards_cloze(text), end) if _HASHCARDS_DELETION.search(text) else ("", start)


def cloze_cards(text: str) -> list[tuple[str, str]]:
    """(front, back) per deletion number of a cloze note, in number order.

    The front keeps its own deletions in Anki markup (``{{c2::part::hint}}``) and shows the
    others' text; the back is the whole text with this card's parts in bold.
    """
    numbers = sorted({int(m.group(1)) for m in ANKI_CLOZE.finditer(text)})
    cards = []
    for number in numbers:
        def front_part(m, number=number):
            return m.group(0) if int(m.group(1)) == number else _part(m)[0]

        def back_part(m, number=number):
            return f"**{_part(m)[0]}**" if int(m.group(1)) == number else _part(m)[0]

        cards.append((ANKI_CLOZE.sub(front_part, text), ANKI_CLOZE.sub(back_part, text)))
    return cards


def cloze_prompt(front: str) -> str:
    """A cloze front as the learner sees it: each hidden part shown as ``[...]`` or ``[hint]``."""
    return ANKI_CLOZE.sub(lambda m: f"[{_part(m)[1] or '...'}]", front)


def _part(match: re.Match) -> tuple[str, str]:
    """(hidden part, hint) of one ``{{cN::part::hint}}``."""
    part, _, hint = match.group(2).partition("::")
    return part, hint


def front_matter(lines: list[str]) -> tuple[int, dict[str, object]]:
    """(number of lines the front matter takes, its keys) for YAML ``---`` or TOML ``+++``."""
    if not lines or lines[0].strip() not in ("---", "+++"):
        return 0, {}
    fence = lines[0].strip()
    try:
        end = next(i for i in range(1, min(len(lines), 200)) if lines[i].strip() in (fence, "..."))
    except StopIteration:
        return 0, {}
    meta: dict[str, object] = {}
    key = None
    for line in lines[1:end]:
        item = re.match(r"^\s*-\s+(.+)$", line)
        if item and key:
            meta.setdefault(key, [])
            if isinstance(meta[key], list):
                meta[key].append(_unquote(item.group(1)))
            continue
        pair = re.match(r"^([A-Za-z_][\w-]*)\s*[:=]\s*(.*)$", line)
        if not pair:
            continue
        key, value = pair.group(1).lower(), pair.group(2).strip()
        if value.startswith("[") and value.endswith("]"):
            meta[key] = [_unquote(v) for v in value[1:-1].split(",") if v.strip()]
        elif value:
            meta[key] = _unquote(value)
    return end + 1, meta


def _unquote(value: str) -> str:
    value = value.strip()
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"" else value


def strip_wrappers(text: str) -> tuple[str, str]:
    """(text without ``<details>``/``<summary>``/``<p>`` wrappers and ``<br/>``, the summary label)."""
    summary = _SUMMARY.search(text)
    label = _HTML_TAG.sub("", summary.group(1)).strip() if summary else ""
    text = _SUMMARY.sub("", text)
    text = _BREAK.sub("\n", text)
    return _WRAPPERS.sub("", text).strip(), label


def clean_front(text: str) -> str:
    """A front without link markup, HTML, difficulty emoji or a question prefix."""
    if "[" in text:  # each of these needs a bracket, or a tag's "<": most fronts have neither
        text = _CITATION.sub("", _BRACKETED_LINK.sub("", text))
        text = _WIKILINK.sub(lambda m: m.group(1), text)
        text = _LINK.sub(lambda m: m.group(1), text)
    if "<" in text:
        text = _BREAK.sub(" ", text)
        text = _HTML_TAG.sub("", text)
    prefix = QUESTION_PREFIX.match(text)
    if prefix and prefix.group(1).strip():
        text = prefix.group(1)
    return strip_symbols(_DIFFICULTY.sub("", text))


def strip_symbols(text: str) -> str:
    """Leading and trailing emoji and symbols (🟢 ⭐ 🔥 ✅) off a title."""
    start, end = 0, len(text)
    while start < end and not text[start].isalnum() and (_is_symbol(text[start]) or text[start].isspace()):
        start += 1
    while end > start and not text[end - 1].isalnum() and (_is_symbol(text[end - 1]) or text[end - 1].isspace()):
        end -= 1
    return text[start:end]


def _is_symbol(char: str) -> bool:
    return unicodedata.category(char) in ("So", "Cf") or char in "\ufe0f\u200d"
