"""Child process of ``studyapp.anki.plot_png``: draw each requested plot to a PNG file.

Reads a JSON list of plots on stdin (``file``, ``title``, ``series`` as ``{label: [y]}``,
``x_label``, ``y_label``, ``log_y``) and writes one PNG per entry. It runs in its own
process so that matplotlib (slow to import, with a global state of its own) never loads
into the exporting process.
"""

from __future__ import annotations

import json
import sys

import matplotlib

matplotlib.use("Agg")  # no display: files only
import matplotlib.pyplot as plt  # noqa: E402

WIDTH_IN, HEIGHT_IN, DPI = 6.4, 3.6, 110
# PNG metadata would otherwise carry the matplotlib version; keep bytes reproducible.
PNG_METADATA = {"Software": None}


def draw(plot: dict) -> None:
    figure, axes = plt.subplots(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
    for label, values in plot["series"].items():
        axes.plot(range(len(values)), values, label=label, linewidth=1.6)
    if plot.get("log_y"):
        axes.set_yscale("log")
    axes.set_xlabel(plot.get("x_label", ""))
    axes.set_ylabel(plot.get("y_label", ""))
    axes.set_title(plot.get("title", ""))
    axes.grid(alpha=0.3)
    if len(plot["series"]) > 1:
        axes.legend(frameon=False)
    figure.tight_layout()
    figure.savefig(plot["file"], format="png", metadata=PNG_METADATA)
    plt.close(figure)


def main() -> int:
    for plot in json.load(sys.stdin):
        draw(plot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
