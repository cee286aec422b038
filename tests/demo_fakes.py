"""Where the fake demos live (tiny, fast demo files put in the catalog through $STUDYAPP_DEMOS_DIR), and a liveness probe."""

import os
from pathlib import Path

FAKE_DEMOS = Path(__file__).parent / "fake_demos"


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead for our purposes
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except FileNotFoundError:
        return False
