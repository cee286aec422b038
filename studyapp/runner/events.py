"""The lines a demo child prints, read as events: well-formed ones, plain output, malformed ones.

The child speaks one JSON object per line (see :mod:`studyapp.runner.child`), but the demo it
runs shares that stdout: any ``print`` of the demo or of a library lands there too. So a line
is an event only when it is a JSON object whose ``event`` is one of ours; anything else (text,
``0.25``, ``[1, 2]``, an object of someone else's) is output to show. An event whose fields are
not what the runner needs (a progress fraction that is no number, a result without its claim)
is reported as malformed: it is shown as output saying what is wrong, and the run ends as an
error.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

KINDS = ("start", "progress", "result", "error")
MAX_SHOWN = 300  # characters of a malformed line quoted back


@dataclass
class RunEvent:
    """One line from the child: kind is start | progress | result | error | output.

    A malformed event comes as output (so every caller shows it) with ``malformed`` set.
    """

    kind: str
    data: dict

    @property
    def fraction(self) -> float:
        return float(self.data.get("fraction", 0.0))

    @property
    def message(self) -> str:
        return str(self.data.get("message", ""))

    @property
    def malformed(self) -> bool:
        return self.kind == "output" and self.data.get("malformed") is True


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _text(value) -> bool:
    return isinstance(value, str)


def _metric(value) -> bool:  # the child sends NaN and infinities as text
    return _number(value) or isinstance(value, (str, bool)) or value is None


# For each kind: field -> (check, required). Other fields are allowed and passed on.
_FIELDS = {
    "start": {"device": (_text, False), "torch_version": (_text, False)},
    "progress": {"fraction": (_number, True), "message": (_text, False)},
    "result": {
        "claim": (_text, True),
        "claim_holds": (lambda v: isinstance(v, bool), True),
        "metrics": (lambda v: isinstance(v, dict) and all(_text(k) and _metric(x) for k, x in v.items()), True),
        "series": (lambda v: isinstance(v, dict) and all(
            _text(k) and isinstance(x, list) and all(_metric(y) for y in x) for k, x in v.items()),
            False),
        "x_label": (_text, False), "y_label": (_text, False), "log_y": (lambda v: isinstance(v, bool), False),
        "seconds": (_number, False), "device": (_text, False), "torch_version": (_text, False),
    },
    "error": {"message": (_text, True), "traceback": (_text, False)},
}


def _problem(kind: str, data: dict) -> str | None:
    """What is wrong with this event's fields, or None."""
    for name, (check, required) in _FIELDS[kind].items():
        if name not in data:
            if required:
                return f"no {name!r}"
        elif not check(data[name]):
            return f"bad {name!r}: {json.dumps(data[name], ensure_ascii=False)[:60]}"
    return None


def parse_line(line: str) -> RunEvent | None:
    """The event a line of child output is (None for a blank line)."""
    line = line.strip()
    if not line:
        return None
    try:
        data = json.loads(line)
    except (json.JSONDecodeError, RecursionError):
        data = None
    if not isinstance(data, dict) or data.get("event") not in KINDS:
        return RunEvent("output", {"message": line})
    kind = data.pop("event")
    problem = _problem(kind, data)
    if problem:
        shown = line if len(line) <= MAX_SHOWN else line[:MAX_SHOWN] + "…"
        return RunEvent("output", {"message": f"malformed {kind} event ({problem}): {shown}", "malformed": True})
    return RunEvent(kind, data)
