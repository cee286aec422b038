"""Cold-start probe: run `studyapp review` headless until the first card is visible.

Run as ``python tests/tui_probe.py [studyapp args...]``. Prints one JSON line (seconds
since the interpreter started, the card front, whether torch got imported, peak RSS)
and exits at once, so a caller timing the whole process measures cold start to first card.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import asyncio  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402


def peak_rss_mb() -> float:
    """This process's peak RSS. Linux's VmHWM belongs to the process image; ru_maxrss survives
    exec, so under a big parent (pytest with torch loaded) it reports the parent's size."""
    try:
        for line in open("/proc/self/status", encoding="ascii"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def _first_card(argv: list[str]) -> dict:
    from studyapp.cli.main import build_parser
    from studyapp.cli.review import make_app

    args = build_parser().parse_args(["review", *argv])
    app = make_app(args, straight_to_review=True)
    async with app.run_test(size=(100, 30)) as pilot:
        while type(app.screen).__name__ != "ReviewScreen" or not str(app.screen.query_one("#front").render()):
            await pilot.pause(0.001)
        return {
            "seconds": time.perf_counter() - STARTED,
            "front": str(app.screen.query_one("#front").render()),
            "torch_imported": "torch" in sys.modules,
            "rss_mb": peak_rss_mb(),
        }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(_first_card(sys.argv[1:])), ensure_ascii=False), flush=True)
    os._exit(0)  # skip teardown: the measurement ends when the card is on screen
