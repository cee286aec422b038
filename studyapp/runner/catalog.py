"""The demo catalog, read from the demo files' constants without importing torch.

Each module in ``studyapp.demos`` (the top-level ``demos/`` folder) declares plain
literals at its top: ``ID``, ``TITLE``, ``CLAIM`` and ``CARD_TERMS``, and optionally
``PREDICT``, a question about the run's outcome that the learner answers before it starts
(``{"question": str, "choices": {key: text, ...}}``; the run's ``Result.answer`` names the
choice its numbers make right). Reading them with ``ast`` keeps ``demo list``, card
linking and the TUI free of the torch import.

``$STUDYAPP_DEMOS_DIR`` names an extra folder of demo files (your own demos, kept outside
the package); they follow the same contract and may not reuse a built-in id. A user demo
file that cannot be read (unreadable, a syntax error, constants missing or of the wrong
type, a taken id) is left out of the catalog and listed by ``broken_demos()`` with what is
wrong, so one bad file never stops ``import``, ``demo list`` or the TUI.
"""

from __future__ import annotations

import ast
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

from studyapp.errors import UserError

REQUIRED = ("ID", "TITLE", "CLAIM", "CARD_TERMS")
OPTIONAL = ("PREDICT",)


@dataclass(frozen=True)
class Prediction:
    """A demo's question about its own outcome: the learner picks one of ``choices`` (key -> text)."""

    question: str
    choices: tuple[tuple[str, str], ...]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(key for key, _ in self.choices)

    def text_of(self, key: str) -> str:
        return dict(self.choices).get(key, key)

    def check(self, choice: str) -> str:
        """The choice, if it is one of the keys; else a UserError that lists them."""
        if choice not in self.keys:
            listed = ", ".join(f"{key} ({text})" for key, text in self.choices)
            raise UserError(f"{choice!r} is not one of this demo's choices: {listed}")
        return choice


def _prediction(value, filename: str) -> Prediction | None:
    """PREDICT as read from a demo file, checked: a question and at least two choices."""
    if value is None:
        return None
    question = value.get("question") if isinstance(value, dict) else None
    choices = value.get("choices") if isinstance(value, dict) else None
    well_formed = (isinstance(question, str) and question.strip() and isinstance(choices, dict)
                   and len(choices) >= 2 and all(isinstance(key, str) and key.strip() and isinstance(text, str)
                                                 for key, text in choices.items()))
    if not well_formed:
        raise UserError(f"{filename}: PREDICT must be {{'question': '...', 'choices': {{'a': '...', 'b': '...'}}}}"
                        " (a question and at least two choices)")
    return Prediction(question=question, choices=tuple(choices.items()))


@dataclass(frozen=True)
class DemoInfo:
    """What the app knows about a demo before running it.

    ``card_terms`` is a tuple of alternatives; each alternative is a tuple of terms that
    must all occur (case-insensitively) in a card's front or its deck path for the card
    to link to this demo.
    """

    id: str
    title: str
    claim: str
    card_terms: tuple[tuple[str, ...], ...]
    module: str  # importable name, e.g. "studyapp.demos.dying_relu"
    path: str | None = None  # the file, for demos from $STUDYAPP_DEMOS_DIR (not importable by name)
    predict: Prediction | None = None  # the question asked before a run, if the demo declares one


@dataclass(frozen=True)
class BrokenDemo:
    """A file in $STUDYAPP_DEMOS_DIR that is not a usable demo, and why."""

    path: str
    error: str


_IMPORT_LINE = re.compile(r"^(?:from|import) ", re.MULTILINE)


def _read_constants(source: str, filename: str) -> dict:
    """The REQUIRED literals. The demos put them above their imports, so the head of the file, up
    to its first import statement, is parsed first (every command that links cards pays for this);
    the whole file if need be."""
    found = {}
    for line in _IMPORT_LINE.finditer(source):
        try:
            found = _literals(ast.parse(source[:line.start()], filename))
            break
        except SyntaxError:  # that line is inside a string (a docstring saying "from ...") or brackets
            continue
    return found if all(key in found for key in REQUIRED) else _literals(ast.parse(source, filename))


def _literals(tree: ast.Module) -> dict:
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and (target.id in REQUIRED or target.id in OPTIONAL):
                found[target.id] = ast.literal_eval(node.value)
    return found


def _info(entry, module_prefix: str, with_path: bool) -> DemoInfo | None:
    """The demo a file declares; None for a helper module (none of the constants); ValueError if broken."""
    try:
        source = entry.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read it ({getattr(exc, 'strerror', None) or exc})") from None
    try:
        constants = _read_constants(source, entry.name)
    except SyntaxError as exc:
        raise ValueError(f"line {exc.lineno}: {exc.msg}") from None
    except (ValueError, TypeError, MemoryError, RecursionError):
        raise ValueError(f"{', '.join(REQUIRED)} must be plain literals") from None
    missing = [key for key in REQUIRED if key not in constants]
    if len(missing) == len(REQUIRED):
        return None
    if missing:
        raise ValueError(f"no {', '.join(missing)} (a demo declares {', '.join(REQUIRED)})")
    for key in ("ID", "TITLE", "CLAIM"):
        if not isinstance(constants[key], str) or not constants[key].strip():
            raise ValueError(f"{key} must be a non-empty string")
    groups = constants["CARD_TERMS"]
    if not isinstance(groups, (list, tuple)) or not all(
            isinstance(group, (list, tuple)) and group and all(isinstance(term, str) for term in group)
            for group in groups):
        raise ValueError("CARD_TERMS must be a list of tuples of strings, e.g. [('ReLU', 'dying')]")
    try:
        predict = _prediction(constants.get("PREDICT"), entry.name)
    except UserError as exc:
        raise ValueError(str(exc).removeprefix(f"{entry.name}: ")) from None
    return DemoInfo(
        id=constants["ID"], title=constants["TITLE"], claim=constants["CLAIM"],
        card_terms=tuple(tuple(group) for group in groups),
        module=f"{module_prefix}{entry.name[:-3]}", path=str(entry) if with_path else None, predict=predict,
    )


def _demo_files(folder) -> list:
    return [entry for entry in sorted(folder.iterdir(), key=lambda e: e.name)
            if entry.name.endswith(".py") and not entry.name.startswith("_")]


def _user_demos(taken: set[str]) -> tuple[list[DemoInfo], list[BrokenDemo]]:
    """$STUDYAPP_DEMOS_DIR's demos, and its files that are not usable demos."""
    extra = os.environ.get("STUDYAPP_DEMOS_DIR")
    if not extra:
        return [], []
    from pathlib import Path

    folder = Path(extra).expanduser()
    try:
        entries = _demo_files(folder)
    except OSError as exc:
        return [], [BrokenDemo(str(folder), f"STUDYAPP_DEMOS_DIR: cannot list this folder ({exc.strerror})")]
    found: list[DemoInfo] = []
    broken: list[BrokenDemo] = []
    for entry in entries:
        try:
            info = _info(entry, "studyapp_user_demos.", with_path=True)
        except ValueError as exc:
            broken.append(BrokenDemo(str(entry), str(exc)))
            continue
        if info is None:
            continue
        if info.id in taken:
            broken.append(BrokenDemo(str(entry), f"demo id {info.id!r} is already taken"))
            continue
        taken.add(info.id)
        found.append(info)
    return found, broken


def _builtin_demos() -> dict[str, DemoInfo]:
    demos = {}
    for entry in _demo_files(files("studyapp.demos")):
        info = _info(entry, "studyapp.demos.", with_path=False)  # ours: a broken one is a bug, let it show
        if info is not None:
            demos[info.id] = info
    return demos


@lru_cache(maxsize=1)
def catalog() -> dict[str, DemoInfo]:
    """All usable demos, by id: the built-in ones in file-name order, then $STUDYAPP_DEMOS_DIR's."""
    demos = _builtin_demos()
    extra, _ = _user_demos(set(demos))
    demos.update((info.id, info) for info in extra)
    return demos


def broken_demos() -> list[BrokenDemo]:
    """The files of $STUDYAPP_DEMOS_DIR left out of the catalog, each with what is wrong with it."""
    return _user_demos(set(_builtin_demos()))[1]


def get_demo(demo_id: str) -> DemoInfo:
    """The demo with this id, or a UserError that lists the known ids."""
    demos = catalog()
    if demo_id not in demos:
        known = ", ".join(demos) or "none"
        raise UserError(f"unknown demo {demo_id!r} (known: {known})")
    return demos[demo_id]


_OPENING = re.compile(r"^(.{0,80}?)(?:[。！？!?\n]|[.;；:：](?:\s|$)|$)", re.S)
_INSIDE_WORD_GAP = re.compile(r"(?<=\w)[-\s_]+(?=\w)")


def fold_words(text: str) -> str:
    """Text folded for term matching: case, width and the hyphens and spaces inside words
    (``Over-fitting``, ``batch norm`` and ``BatchNorm`` are one form)."""
    import unicodedata

    return _INSIDE_WORD_GAP.sub("", unicodedata.normalize("NFKC", text).casefold())


def answer_opening(back: str) -> str:
    """The first sentence of an answer (at most 80 characters): what the answer says it is about."""
    match = _OPENING.match(back.lstrip("#*- \t"))
    return match.group(1) if match else ""


_folded: tuple[dict, _FoldedTerms] | None = None  # (the catalog it was made from, its folded terms)


@dataclass(frozen=True)
class _FoldedTerms:
    """Per demo: its card-term groups as (term as written, folded) pairs, folded once per catalog;
    and two patterns that tell at C speed whether a card can link anything at all."""

    demos: tuple[tuple[str, tuple[tuple[tuple[str, str], ...], ...], frozenset[str]], ...]  # + its folded terms
    every: frozenset[str]  # every folded term of every demo
    any_term: re.Pattern  # searches a folded front for any term of any group
    any_single_prefix: re.Pattern  # matches a folded answer opening that starts with a one-term group


def _alternation(terms: set[str]) -> re.Pattern:
    return re.compile("|".join(map(re.escape, sorted(terms))) if terms else "(?!)")


def _folded_terms() -> _FoldedTerms:
    global _folded
    demos = catalog()
    if _folded is None or _folded[0] is not demos:
        folded = []
        for info in demos.values():
            groups = tuple(tuple((term, fold_words(term)) for term in group) for group in info.card_terms)
            folded.append((info.id, groups, frozenset(f for group in groups for _, f in group)))
        every = frozenset(f for *_, own in folded for f in own)
        singles = {group[0][1] for _, groups, _ in folded for group in groups if len(group) == 1}
        _folded = (demos, _FoldedTerms(tuple(folded), every, _alternation(every), _alternation(singles)))
    return _folded[1]


def demo_links(front: str, back: str, named: list[str]) -> list[tuple[str, bool, str]]:
    """(demo id, named explicitly, why) for every demo a card links to.

    A demo is linked when the notes name it (``demo: ID``), or when one of its card-term
    groups occurs entirely in the card's front, or, for a front that names no demo, when
    the answer opens with one of its terms (``梯度消失：...``, ``Vanishing gradients are ...``).
    The deck path alone never links: a heading is a topic, not the card's words.
    """
    links = [(demo_id, True, "named in the notes") for demo_id in named]
    haystack = fold_words(front)
    terms = _folded_terms()
    if terms.any_term.search(haystack):  # most cards name no term: one search instead of every group
        present = {folded for folded in terms.every if folded in haystack}
        for demo_id, groups, own in terms.demos:
            if own.isdisjoint(present):
                continue
            group = next((group for group in groups if all(folded in present for _, folded in group)), None)
            if group is not None and demo_id not in named:
                links.append((demo_id, False, f"front: {' + '.join(repr(term) for term, _ in group)}"))
    if len(links) == len(named):  # a front that names nothing: the answer's opening words may
        opening = fold_words(answer_opening(back))
        if terms.any_single_prefix.match(opening):
            for demo_id, groups, _ in terms.demos:
                term = next((group[0][0] for group in groups if len(group) == 1 and opening.startswith(group[0][1])),
                            None)
                if term is not None and demo_id not in named:
                    links.append((demo_id, False, f"answer opens with {term!r}"))
    return sorted(links, key=lambda link: (not link[1], link[0]))
