"""Test demo: prints bare JSON values and two malformed events, then returns a claim that holds."""

ID = "fake_malformed"
TITLE = "Fake demo with malformed output"
CLAIM = "Stray lines do not break the caller."
CARD_TERMS = [("zz-no-card-matches-this",)]

from studyapp.demos._result import Result, no_progress  # noqa: E402


def run(device="cpu", seed=0, quick=True, progress=no_progress, ablate=False):
    progress(0.1, "before the noise")
    for line in ("0.25", "[1, 2]",
                 '{"event": "progress", "fraction": "half", "message": "m"}',
                 '{"event": "result", "claim_holds": true, "metrics": {}}'):
        print(line, flush=True)
    progress(0.9, "after the noise")
    return Result(claim=CLAIM, claim_holds=True, metrics={"x": 1.0})
