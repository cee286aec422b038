"""Test demo: as many metrics and series as the biggest real demos, to lay the panel out with."""

ID = "fake_many_metrics"
TITLE = "Fake demo with many metrics"
CLAIM = "Many numbers fit on any screen."
CARD_TERMS = [("zz-no-card-matches-this",)]

from studyapp.demos._result import Result, no_progress  # noqa: E402


def run(device="cpu", seed=0, quick=True, progress=no_progress, ablate=False):
    progress(0.5, "measuring")
    metrics = {f"layer_{i:02d}_gradient_norm": 10.0 ** (-i) for i in range(14)}
    series = {name: [(k + 1) * 0.5 ** (step / (k + 1)) for step in range(60)]
              for k, name in enumerate(("sigmoid", "relu_kaiming", "batchnorm", "residual"))}
    return Result(claim=CLAIM, claim_holds=not ablate, metrics=metrics, series=series, y_label="norm")
