"""Learner settings (scheduler, daily limits, FSRS parameters) kept in the ``Setting`` table.

Each setting has a spec: its default, how text typed on the command line becomes a value,
and what values are allowed. Values are stored as JSON; a key never set reads as its
default, so adding a setting needs no migration.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Callable, Optional

from studyapp.errors import UserError

if TYPE_CHECKING:  # the specs and defaults are read without the database (`studyapp --help`, `check`)
    from sqlmodel import Session

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_UNIT_MINUTES = {"m": 1, "h": 60, "d": 1440}
RESET_WORD = "default"
NORMAL, REDUCED, MINIMUM = "normal", "reduced", "minimum"  # Easy Days loads
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Settings:
    """Every setting with its value; the defaults are Anki's and py-fsrs's."""

    desired_retention: float = 0.9
    learning_steps: tuple[int, ...] = (1, 10)  # minutes
    relearning_steps: tuple[int, ...] = (10,)  # minutes
    maximum_interval: int = 36500  # days
    fuzz: bool = True
    new_per_day: int = 20
    reviews_per_day: int = 200
    day_start_hour: int = 4  # local time
    # Anki's sibling burying (siblings: cards of one note element, see Card.sibling_key), off by default as in Anki
    bury_new: bool = False
    bury_reviews: bool = False
    bury_interday_learning: bool = False
    leech_lapses: int = 8
    load_balancer: bool = True  # Anki 24.11+: pick the least busy day within the fuzz range
    easy_days: tuple[str, ...] = (NORMAL,) * 7  # Monday to Sunday: normal / reduced / minimum
    fsrs_parameters: Optional[tuple[float, ...]] = None  # None: py-fsrs defaults
    interview_date: Optional[str] = None  # ISO date, e.g. "2026-04-01"
    interview_mode: bool = False  # let the queue prepare for interview_date
    interview_target: float = 0.9  # recall on the day a card should reach
    mock_counts_as_review: bool = True  # a graded mock answer is a review of the card


@dataclass(frozen=True)
class Spec:
    """How one setting is parsed from text, checked, and described."""

    parse: Callable[[str], Any]
    check: Callable[[Any], Optional[str]]  # returns a complaint or None
    help: str
    expects: Optional[str] = None  # e.g. "a number between 0.7 and 0.99": the whole message when set


def _parse_bool(text: str) -> bool:
    word = text.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ValueError("expected on/off (or true/false, yes/no, 1/0)")


def _parse_steps(text: str) -> tuple[int, ...]:
    """'1m 10m', '1,10' or '1h' -> minutes; an empty text means no steps."""
    steps = []
    for token in text.replace(",", " ").split():
        unit = token[-1].lower() if token[-1].isalpha() else "m"
        number = token[:-1] if token[-1].isalpha() else token
        if unit not in _UNIT_MINUTES or not number.isdigit():
            raise ValueError(f"{token!r} is not a step like 1m, 10m, 1h or 1d")
        steps.append(int(number) * _UNIT_MINUTES[unit])
    return tuple(steps)


def _parse_parameters(text: str) -> tuple[float, ...]:
    body = text.strip().strip("[]")
    try:
        return tuple(float(part) for part in body.replace(",", " ").split())
    except ValueError:
        raise ValueError("expected 21 numbers separated by commas or spaces")


def _parse_date(text: str) -> str:
    from datetime import date

    try:
        return date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise ValueError("expected a date like 2026-04-01")


def _parse_easy_days(text: str) -> tuple[str, ...]:
    """'normal normal normal normal normal reduced minimum' (or 'n n n n n r m') -> 7 loads."""
    words = {"n": NORMAL, "r": REDUCED, "m": MINIMUM, NORMAL: NORMAL, REDUCED: REDUCED, MINIMUM: MINIMUM}
    tokens = text.replace(",", " ").lower().split()
    if len(tokens) != 7 or any(token not in words for token in tokens):
        raise ValueError("expected 7 words, Monday to Sunday, each normal, reduced or minimum (or n, r, m)")
    return tuple(words[token] for token in tokens)


def _check_parameters(values: tuple[float, ...]) -> Optional[str]:
    from fsrs import Scheduler

    try:
        Scheduler(parameters=values)
    except ValueError as exc:
        return str(exc).replace("\n", "; ")
    return None


def _between(low: float, high: float) -> Callable[[Any], Optional[str]]:
    return lambda v: None if low <= v <= high else f"must be between {low} and {high}"


def _number(low: float, high: float, help: str) -> Spec:
    """A decimal setting: any text that is not a number in [low, high] gets the same message."""
    return Spec(float, _between(low, high), help, expects=f"a number between {low} and {high}")


def _whole(low: int, high: int, help: str) -> Spec:
    """A whole-number setting: any text that is not an integer in [low, high] gets the same message."""
    return Spec(int, _between(low, high), help, expects=f"a whole number between {low} and {high}")


MAX_STEP_MINUTES = 365 * 24 * 60  # a learning step is at most a year: the scheduler adds it to dates
MAX_STEPS = 20


def _steps_ok(steps: tuple[int, ...]) -> Optional[str]:
    if not all(0 < s <= MAX_STEP_MINUTES for s in steps):
        return "every step must be between 1 minute and 365 days (1m ... 365d)"
    return None if len(steps) <= MAX_STEPS else f"at most {MAX_STEPS} steps"


SPECS: dict[str, Spec] = {
    "desired_retention": _number(0.7, 0.99, "share of reviews you want to recall (0.7-0.99)"),
    "learning_steps": Spec(_parse_steps, _steps_ok, "steps for new cards, e.g. '1m 10m'"),
    "relearning_steps": Spec(_parse_steps, _steps_ok, "steps after a lapse, e.g. '10m'"),
    "maximum_interval": _whole(1, 36500, "longest interval in days"),
    "fuzz": Spec(_parse_bool, lambda v: None, "spread review intervals a little (on/off)"),
    "new_per_day": _whole(0, 9999, "new cards introduced per day"),
    "reviews_per_day": _whole(0, 99999, "daily cap on reviews (new cards count too)"),
    "day_start_hour": _whole(0, 23, "local hour at which a new study day starts"),
    "bury_new": Spec(_parse_bool, lambda v: None, "answering a card hides its new siblings until tomorrow (on/off)"),
    "bury_reviews": Spec(_parse_bool, lambda v: None, "answering a card hides its review siblings until tomorrow (on/off)"),
    "bury_interday_learning": Spec(
        _parse_bool, lambda v: None, "answering a card hides its siblings in day-long learning steps until tomorrow (on/off)"),
    "load_balancer": Spec(_parse_bool, lambda v: None,
                          "spread reviews evenly: each interval (up to 90 days) lands on a light day of its fuzz range"),
    "easy_days": Spec(_parse_easy_days, lambda v: None,
                      "Easy Days, Monday to Sunday: n normal, r reduced, m minimum (e.g. 'n n n n n r m'); "
                      "the load balancer puts fewer reviews on r days and almost none on m days"),
    "leech_lapses": _whole(1, 999, "lapses after which a card is tagged leech and suspended"),
    "fsrs_parameters": Spec(_parse_parameters, _check_parameters, "21 FSRS weights ('default' = built in)"),
    "interview_date": Spec(_parse_date, lambda v: None, "day of your interview, e.g. 2026-04-01 (studyapp interview)"),
    "interview_mode": Spec(_parse_bool, lambda v: None, "queue prepares every card for interview_date (on/off)"),
    "interview_target": _number(0.5, 0.99, "recall on the interview day each card should reach"),
    "mock_counts_as_review": Spec(_parse_bool, lambda v: None, "a graded mock-interview answer is a review (on/off)"),
}


def _to_json(value: Any) -> str:
    return json.dumps(list(value) if isinstance(value, tuple) else value)


def _from_json(text: str) -> Any:
    value = json.loads(text)
    return tuple(value) if isinstance(value, list) else value


def load_settings(session: Session) -> Settings:
    """The stored settings, defaults for any key never set."""
    from sqlmodel import select

    from studyapp.store.tables import Setting

    stored = {row.key: row.value for row in session.exec(select(Setting))}
    values = {name: _from_json(stored[name]) for name in SPECS if name in stored}
    return replace(Settings(), **values)


def parse_value(key: str, text: str) -> Any:
    """Turn ``text`` into a valid value for ``key``; UserError names what is wrong."""
    spec = SPECS.get(key)
    if spec is None:
        raise UserError(f"unknown setting {key!r}; settings are: {', '.join(SPECS)}")
    if text.strip().lower() == RESET_WORD:
        return getattr(Settings(), key)
    try:
        value = spec.parse(text)
    except ValueError as exc:
        complaint = str(exc)
    else:
        complaint = spec.check(value)
    if complaint and spec.expects:
        raise UserError(f"{key} must be {spec.expects}, got {text!r}")
    if complaint:
        raise UserError(f"{key} {text!r}: {complaint}")
    return value


def set_setting(session: Session, key: str, value: Any) -> None:
    """Store an already-valid value (from ``parse_value`` or the optimizer); None resets."""
    if key not in SPECS:
        raise UserError(f"unknown setting {key!r}")
    from studyapp.store.tables import Setting

    row = session.get(Setting, key)
    if value is None or value == getattr(Settings(), key):
        if row is not None:
            session.delete(row)
        return
    if row is None:
        session.add(Setting(key=key, value=_to_json(value)))
    else:
        row.value = _to_json(value)
        session.add(row)


def format_value(key: str, value: Any) -> str:
    """A setting's value as the user would type it."""
    if value is None:
        return RESET_WORD
    if key == "easy_days":
        return " ".join(load[0] for load in value)  # 'n n n n n r m'; the words are accepted too
    if key.endswith("_steps"):
        return " ".join(_format_minutes(m) for m in value) or "(none)"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, tuple):
        return ", ".join(f"{v:.4f}" for v in value)
    return str(value)


def _format_minutes(minutes: int) -> str:
    for unit, size in (("d", 1440), ("h", 60)):
        if minutes % size == 0:
            return f"{minutes // size}{unit}"
    return f"{minutes}m"

