"""Render demo series to PNG files, with matplotlib in a child process.

matplotlib is imported only by ``studyapp.anki.plot_png_child``, run with the same Python:
the caller stays light (the TUI and the exporter never import matplotlib) and one child
draws every plot of an export, so its start-up cost is paid once.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from studyapp.errors import UserError

CHILD_MODULE = "studyapp.anki.plot_png_child"
TIMEOUT_S = 120


@dataclass
class Plot:
    """One figure: lines ``{label: [y values]}`` against their index."""

    file: str  # absolute path of the PNG to write
    title: str
    series: dict[str, list[float]]
    x_label: str = "step"
    y_label: str = ""
    log_y: bool = False
    dark_file: str = ""  # the same plot for a dark page, when wanted


def render_pngs(plots: list[Plot]) -> None:
    """Write every plot to its ``file``; raise ``UserError`` naming what failed."""
    if not plots:
        return
    try:
        done = subprocess.run(
            [sys.executable, "-m", CHILD_MODULE],
            input=json.dumps([asdict(plot) for plot in plots]),
            capture_output=True, text=True, timeout=TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        raise UserError(f"drawing {len(plots)} demo plot(s) took longer than {TIMEOUT_S} s")
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise UserError(f"drawing demo plots failed ({last}); is matplotlib installed? "
                        "(pip install matplotlib, or export with --no-plots)")
    missing = [file for plot in plots for file in (plot.file, plot.dark_file) if file and not Path(file).is_file()]
    if missing:
        raise UserError(f"the plot renderer wrote no file for {', '.join(missing)}")
