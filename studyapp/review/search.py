"""Card search, an Anki-like subset, turned into one SQL condition (no Textual here).

The browser (`b` in the TUI) and ``studyapp cards --search`` both use it::

    relu                 front or back contains "relu" (quote phrases: "dying relu")
    deck:CNN             deck CNN or below it (``*`` is a wildcard: deck:深度*)
    tag:leech            a tag (``*`` wildcard)
    is:new|due|learn|review|suspended|buried|leech|removed
    prop:r<0.8           retrievability now (FSRS) below 0.8; also prop:s, prop:d, prop:ivl,
                         prop:lapses, prop:reps with < <= > >= = !=
    rated:7  rated:7:1   answered in the last 7 study days (with rating 1 = Again)
    -term                not term;  a or b  either (``or`` binds tighter than the implicit and)

Everything is decided by SQLite (retrievability too: ``R < x`` is rewritten as a bound on the
days since the last review, linear in stability), so 100k cards are searched without loading them.
Removed cards are left out unless the search asks for ``is:removed``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Optional

from sqlalchemy import and_, exists, false, func, not_, or_, true
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from studyapp.errors import UserError
from studyapp.review.memory import fsrs_decay, make_scheduler, recall_at
from studyapp.review.queue import LEARN_AHEAD, next_day_start, study_day_start
from studyapp.review.settings import Settings
from studyapp.store.queries import IMPORT_ORDER, deck_filter, unindexed
from studyapp.store.tables import ANSWERED, LEARNING, NEW, RELEARNING, REVIEW, Card, ReviewLog

IS_VALUES = ("new", "due", "learn", "review", "suspended", "buried", "leech", "removed")
PROPS = ("r", "s", "d", "ivl", "lapses", "reps")
SORTS = ("notes", "due", "retrievability", "stability", "lapses", "reviews")
LEECH_TAG = "leech"

_TOKEN = re.compile(r'-?(?:[\w]+:)?"[^"]*"?|\S+')
_PROP = re.compile(r"^(r|s|d|ivl|lapses|reps)(<=|>=|!=|<|>|=)(-?\d+(?:\.\d+)?)$")


@dataclass(frozen=True)
class Term:
    """One search word: ``key`` is '' for free text, else deck | tag | is | prop | rated."""

    key: str
    value: str
    negated: bool = False


def parse_search(text: str) -> list[list[Term]]:
    """The query as an AND of OR-groups of terms; UserError on a term that cannot mean anything."""
    groups: list[list[Term]] = []
    join_next = False
    for token in _TOKEN.findall(text or ""):
        if token.lower() == "or":
            if not groups or join_next:
                raise UserError(f"search {text!r}: 'or' needs a term on each side")
            join_next = True
            continue
        term = _term(token, text)
        if join_next:
            groups[-1].append(term)
            join_next = False
        else:
            groups.append([term])
    if join_next:
        raise UserError(f"search {text!r}: 'or' needs a term on each side")
    return groups


def _term(token: str, text: str) -> Term:
    negated = token.startswith("-") and len(token) > 1
    if negated:
        token = token[1:]
    key, sep, value = token.partition(":")
    key = key.lower()
    if not sep or key not in ("deck", "tag", "is", "prop", "rated"):
        return Term("", _unquote(token), negated)  # "Q:" or "https://..." is text too
    value = _unquote(value)
    if not value:
        raise UserError(f"search {text!r}: {key}: needs a value")
    if key == "is" and value.lower() not in IS_VALUES:
        raise UserError(f"search {text!r}: unknown is:{value} (use is:{'|'.join(IS_VALUES)})")
    if key == "prop" and not _PROP.match(value.lower()):
        raise UserError(f"search {text!r}: prop:{value} is not PROP OP NUMBER "
                        f"(PROP one of {', '.join(PROPS)}; OP one of < <= > >= = !=), e.g. prop:r<0.8")
    if key == "rated" and not re.fullmatch(r"[1-9]\d*(:[1-4])?", value):
        raise UserError(f"search {text!r}: rated:{value} is not DAYS or DAYS:RATING (e.g. rated:7, rated:7:1)")
    return Term(key, value.lower() if key in ("is", "prop") else value, negated)


def _unquote(value: str) -> str:
    return value[1:].removesuffix('"') if value.startswith('"') else value


def mentions_removed(groups: list[list[Term]]) -> bool:
    """True when the search asks for removed cards (else they are left out)."""
    return any(term.key == "is" and term.value == "removed" and not term.negated for group in groups for term in group)


def _like(value: str) -> str:
    """A LIKE pattern for ``value`` with ``*`` as the wildcard (``\\`` escapes % and _)."""
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped.replace("*", "%")


class _Builder:
    """Builds the SQL condition of parsed terms at one moment, with one FSRS decay."""

    def __init__(self, now: datetime, settings: Settings) -> None:
        self.now = now
        self.settings = settings
        self.decay = fsrs_decay(settings)

    def days_since_last_review(self) -> ColumnElement:
        # py-fsrs counts whole days (timedelta.days, at least 0): floor of the fractional count
        elapsed = func.julianday(_iso(self.now)) - func.julianday(col(Card.last_review))
        return func.max(0, func.floor(elapsed))

    def condition(self, groups: list[list[Term]]) -> ColumnElement:
        return and_(true(), *(or_(*(self.term(t) for t in group)) for group in groups))

    def term(self, term: Term) -> ColumnElement:
        clause = getattr(self, f"_{term.key or 'text'}")(term.value)
        return not_(clause) if term.negated else clause

    def _text(self, value: str) -> ColumnElement:
        pattern = f"%{_like(value)}%"
        return or_(col(Card.front).like(pattern, escape="\\"), col(Card.back).like(pattern, escape="\\"))

    def _deck(self, value: str) -> ColumnElement:
        if "*" not in value:
            # the range [deck, deck + ":;") holds the deck and every "deck::..." below it, and lets
            # SQLite read the deck index; deck_filter keeps the match exact inside it
            return and_(col(Card.deck) >= value, col(Card.deck) < value + ":;", deck_filter(value))
        pattern = _like(value)
        return or_(col(Card.deck).like(pattern, escape="\\"), col(Card.deck).like(pattern + "::%", escape="\\"))

    def _tag(self, value: str) -> ColumnElement:
        return (" " + col(Card.tags) + " ").like(f"% {_like(value)} %", escape="\\")

    def _is(self, value: str) -> ColumnElement:
        # a state matches a quarter of the cards or more: its index would win over the deck's
        # or the due one's (SQLite has no statistics), so it is read from the row instead
        state = unindexed(Card.state)
        if value == "new":
            return state == NEW
        if value == "learn":
            return state.in_((LEARNING, RELEARNING))
        if value == "review":
            return state.in_((REVIEW, RELEARNING))
        if value == "due":
            day_end = next_day_start(self.now, self.settings.day_start_hour)
            return or_(and_(state == REVIEW, col(Card.due) < day_end),
                       and_(state.in_((LEARNING, RELEARNING)), col(Card.due) <= self.now + LEARN_AHEAD))
        if value == "suspended":
            return col(Card.suspended).is_(True)
        if value == "buried":
            return col(Card.buried_until) > self.now
        if value == "leech":
            return self._tag(LEECH_TAG)
        return col(Card.removed).is_(True)  # removed

    def _prop(self, value: str) -> ColumnElement:
        name, op, number = _PROP.match(value).groups()
        bound = float(number)
        if name == "r":
            return self._retrievability(op, bound)
        column = {
            "s": col(Card.stability), "d": col(Card.difficulty), "lapses": col(Card.lapses), "reps": col(Card.reps),
            "ivl": func.round(func.julianday(col(Card.due)) - func.julianday(col(Card.last_review))),
        }[name]
        if name == "ivl":  # a review card's interval; learning steps (minutes) are not intervals
            return and_(col(Card.state) == REVIEW, _compare(column, op, bound))
        return _compare(column, op, bound)

    def _retrievability(self, op: str, bound: float) -> ColumnElement:
        """R = (1 + F·t/S)^decay falls as t/S grows, so ``R OP x`` is ``t OP' k·S`` with R(k·S) = x."""
        reviewed = and_(col(Card.stability).is_not(None), col(Card.last_review).is_not(None),
                        col(Card.state) != NEW)
        if bound <= 0:  # R is always above 0
            return and_(reviewed, true() if op in (">", ">=", "!=") else false())
        factor = 0.9 ** (1 / self.decay) - 1
        k = (bound ** (1 / self.decay) - 1) / factor  # 0 at x = 1 (t = 0), negative above 1
        flipped = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "!=": "!="}[op]
        return and_(reviewed, _compare(self.days_since_last_review(), flipped, k * col(Card.stability)))

    def _rated(self, value: str) -> ColumnElement:
        days, _, rating = value.partition(":")
        since = study_day_start(self.now, self.settings.day_start_hour) - timedelta(days=int(days) - 1)
        logs = select(ReviewLog.id).where(ReviewLog.card_id == Card.id, ReviewLog.reviewed_at >= since, ANSWERED)
        if rating:
            logs = logs.where(ReviewLog.rating == int(rating))
        return exists(logs)


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat()


def _compare(left, op: str, right) -> ColumnElement:
    return {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right,
            "=": left == right, "!=": left != right}[op]


@dataclass(frozen=True)
class CardSearch:
    """A parsed search, ready to run at ``now``: ``where`` is its SQL condition (removed cards
    left out unless asked for)."""

    text: str
    where: ColumnElement
    includes_removed: bool


def compile_search(text: str, now: datetime, settings: Settings, include_removed: bool = False) -> CardSearch:
    """Parse ``text`` (UserError when it cannot be read) into one SQL condition."""
    groups = parse_search(text)
    condition = _Builder(now, settings).condition(groups)
    removed = include_removed or mentions_removed(groups)
    if not removed:  # nearly every card matches: a scan beats the index on removed
        condition = and_(unindexed(Card.removed).is_(False), condition)
    return CardSearch(text=text, where=condition, includes_removed=removed)


def _order(sort: str, descending: bool, now: datetime):
    """ORDER BY for a browser column; ties (and cards without the value) fall back to notes order."""
    if sort not in SORTS:
        raise UserError(f"sort {sort!r}: expected one of {', '.join(SORTS)}")
    # import order is notes order (as in the daily queue) and needs no sorting: a page costs a page
    if sort == "notes":
        return [IMPORT_ORDER.desc() if descending else IMPORT_ORDER]
    if sort == "retrievability":  # lower R = more days per unit of stability
        elapsed = func.julianday(_iso(now)) - func.julianday(col(Card.last_review))
        key = elapsed / col(Card.stability)
        primary = key.asc() if descending else key.desc()
    else:
        column = {"due": col(Card.due), "stability": col(Card.stability),
                  "lapses": col(Card.lapses), "reviews": col(Card.reps)}[sort]
        primary = column.desc() if descending else column.asc()
    return [primary.nulls_last(), IMPORT_ORDER]


@dataclass(frozen=True)
class CardRow:
    """One line of the browser: the card and its retrievability now (None for a new card)."""

    card: Card
    retrievability: Optional[float]


def search_cards(session: Session, search: CardSearch, settings: Settings, now: datetime, sort: str = "notes",
                 descending: bool = False, limit: Optional[int] = None, offset: int = 0) -> list[CardRow]:
    """Matching cards in ``sort`` order, one page (``limit`` rows from ``offset``)."""
    query = select(Card).where(search.where).order_by(*_order(sort, descending, now)).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    scheduler = make_scheduler(settings)
    return [CardRow(card, recall_at(card, scheduler, now) if card.state != NEW else None)
            for card in session.exec(query)]


def count_cards(session: Session, search: CardSearch) -> int:
    """How many cards match."""
    return session.exec(select(func.count()).select_from(Card).where(search.where)).one()
