"""Test demo: runs fine, but its claim does not hold."""

ID = "fake_fails"
TITLE = "Fake failing claim"
CLAIM = "Two plus two is five."
CARD_TERMS = [("zz-no-card-matches-this",)]

from studyapp.demos._result import Result, no_progress  # noqa: E402


def run(device="cpu", seed=0, quick=True, progress=no_progress, ablate=False):
    return Result(claim=CLAIM, claim_holds=2 + 2 == 5, metrics={"total": 4.0})
