"""`studyapp check`: what an import of these notes would make, without writing anything.

Every card (file:line, kind, front, the answer's first line, its demos and why), and the
warnings a user would want before importing: a question with no answer, identical fronts
in one deck, very long fronts, lines skipped as page furniture, unknown demo ids. A file
that cannot be read is an error.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

from studyapp.errors import UserError
from studyapp.notes.drafts import normalise_front
from studyapp.notes.parse import parse_notes
from studyapp.notes.reader import note_files, read_notes
from studyapp.runner.catalog import catalog, demo_links

LONG_FRONT = 200  # characters; a front longer than this is most likely a paragraph taken for a question


@dataclass
class CheckedCard:
    source: str  # file:line
    kind: str
    front: str
    answer: str  # its first line
    demos: dict[str, str]  # demo id -> why


@dataclass
class Finding:
    source: str  # file:line, or the file
    message: str


@dataclass
class CheckReport:
    """The cards and findings of a check; exit status 0 clean, 1 warnings, 2 errors."""

    cards: list[CheckedCard] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    errors: list[Finding] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 2 if self.errors else (1 if self.warnings else 0)

    def as_json(self) -> dict:
        return {"cards": [asdict(card) for card in self.cards],
                "warnings": [asdict(w) for w in self.warnings], "errors": [asdict(e) for e in self.errors],
                "counts": {"cards": len(self.cards), "warnings": len(self.warnings), "errors": len(self.errors)}}


def check_paths(paths: list[Path]) -> CheckReport:
    report = CheckReport()
    try:
        files = note_files(paths)
    except UserError as exc:
        report.errors.append(Finding(str(paths[0]) if paths else "", str(exc)))
        return report
    fronts: dict[tuple[str, str], list[str]] = defaultdict(list)
    known = catalog()
    for path in files:
        try:
            text = read_notes(path)
        except UserError as exc:
            report.errors.append(Finding(str(path), str(exc)))
            continue
        result = parse_notes(text, source_file=str(path), default_deck=path.stem)
        if not result.cards:
            report.warnings.append(Finding(str(path), "no cards found"))
        for card in result.cards:
            where = f"{path}:{card.line}"
            for demo in card.demos:
                if demo not in known:
                    report.warnings.append(Finding(f"{path}:{card.demo_lines.get(demo, card.line)}",
                                                   f"unknown demo {demo!r} (known: {', '.join(known)})"))
            links = demo_links(card.front, card.back, [d for d in card.demos if d in known])
            report.cards.append(CheckedCard(where, card.kind, card.front, card.back.split("\n")[0],
                                            {demo: why for demo, _, why in links}))
            fronts[(card.deck, normalise_front(card.front))].append(where)
            if len(card.front) > LONG_FRONT:
                report.warnings.append(Finding(where, f"very long front ({len(card.front)} characters)"))
        for missing in result.unanswered:
            report.warnings.append(Finding(f"{path}:{missing.line}", f"question with no answer: {missing.text}"))
        for skipped in result.skipped:
            report.warnings.append(Finding(f"{path}:{skipped.line}", f"skipped ({skipped.reason}): {skipped.text}"))
    for (deck, _), places in fronts.items():
        if len(places) > 1:
            report.warnings.append(Finding(places[0], f"identical fronts in deck {deck!r}: also at {', '.join(places[1:])}"))
    return report
