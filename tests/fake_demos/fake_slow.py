"""Test demo: streams a line every 0.2 s for a minute and starts a grandchild process."""

ID = "fake_slow"
TITLE = "Fake slow demo"
CLAIM = "Slow things are slow."
CARD_TERMS = [("zz-no-card-matches-this",)]

import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

from studyapp.demos._result import Result, no_progress  # noqa: E402


def run(device="cpu", seed=0, quick=True, progress=no_progress, ablate=False):
    helper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    pid_file = os.environ.get("FAKE_SLOW_PIDS")
    if pid_file:
        with open(pid_file, "w") as handle:
            handle.write(f"{os.getpid()} {helper.pid}\n")
    for step in range(300):
        progress(step / 300, f"tick {step}")
        time.sleep(0.2)
    return Result(claim=CLAIM, claim_holds=True, metrics={})
