"""Test demo: crashes half way."""

ID = "fake_crash"
TITLE = "Fake crashing demo"
CLAIM = "This demo never finishes."
CARD_TERMS = [("zz-no-card-matches-this",)]

from studyapp.demos._result import no_progress  # noqa: E402


def explode_deep_inside(value):
    raise ValueError(f"shapes do not match: {value}")


def run(device="cpu", seed=0, quick=True, progress=no_progress, ablate=False):
    progress(0.5, "about to fail")
    print("a stray print from the demo")
    explode_deep_inside(42)
