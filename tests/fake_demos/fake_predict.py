"""Test demo: asks a question before it runs; the measured total decides the answer."""

ID = "fake_predict"
TITLE = "Fake predict demo"
CLAIM = "Two plus three is five."
CARD_TERMS = [("zz-no-card-matches-this",)]
PREDICT = {"question": "What is two plus three?", "choices": {"a": "four", "b": "five"}}

from studyapp.demos._result import Result, no_progress  # noqa: E402


def run(device="cpu", seed=0, quick=True, progress=no_progress, ablate=False):
    progress(0.5, "adding")
    total = 2 + 3 + (1 if ablate else 0)
    return Result(claim=CLAIM, claim_holds=total == 5, metrics={"total": float(total)},
                  series={"line": [1.0, 5.0]}, answer="b" if total == 5 else "a")
