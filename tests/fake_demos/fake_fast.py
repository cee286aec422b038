"""Test demo: reports progress and a claim that holds."""

ID = "fake_fast"
TITLE = "Fake fast demo"
CLAIM = "Two plus two is four."
CARD_TERMS = [("zz-no-card-matches-this",)]

from studyapp.demos._result import Result, no_progress  # noqa: E402


def run(device="cpu", seed=0, quick=True, progress=no_progress, ablate=False):
    for step in range(3):
        progress(step / 3, f"step {step}")
    total = 2 + 2 + (1 if ablate else 0)
    return Result(claim=CLAIM, claim_holds=total == 4, metrics={"total": float(total), "nan": float("nan")},
                  series={"line": [1.0, 2.0, 3.0]}, y_label="value")
