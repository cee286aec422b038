"""Child process of ``studyapp.anki.plot_png``: draw each requested plot to a PNG file.

Reads a JSON list of plots on stdin (``file``, ``title``, ``series`` as ``{label: [y]}``,
``x_label``, ``y_label``, ``log_y``, ``dark_file``) and writes one PNG per entry, and its
dark-mode twin when ``dark_file`` is given. It runs in its own
process so that matplotlib (slow to import, with a global state of its own) never loads
into the exporting process.
"""

from __future__ import annotations

import json
import sys

import matplotlib

matplotlib.use("Agg")  # no display: files only
import matplotlib.pyplot as plt  # noqa: E402

# Drawn for a phone: 630 px wide, shown at about 400 px, where 12-point ticks are still
# about 16 px tall. The legend sits under the axes so that it never covers a line.
WIDTH_IN, HEIGHT_IN, DPI = 4.2, 3.2, 150
FONT_PT = 12
# Each plot is drawn twice: dark ink on a transparent page, light ink on a transparent
# page; the note's CSS shows the one that matches Anki's mode (no white box in dark mode).
INK = {"light": "#1f2328", "dark": "#e6edf3"}
LINES = {"light": ["#0969da", "#cf222e", "#1a7f37", "#8250df", "#bc4c00", "#0550ae"],
         "dark": ["#58a6ff", "#ff7b72", "#3fb950", "#d2a8ff", "#ffa657", "#79c0ff"]}
# PNG metadata would otherwise carry the matplotlib version; keep bytes reproducible.
PNG_METADATA = {"Software": None}


def draw(plot: dict, file: str, mode: str) -> None:
    ink = INK[mode]
    with plt.rc_context({"font.size": FONT_PT, "text.color": ink, "axes.labelcolor": ink,
                         "axes.edgecolor": ink, "xtick.color": ink, "ytick.color": ink,
                         "axes.prop_cycle": plt.cycler(color=LINES[mode])}):
        figure, axes = plt.subplots(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
        for label, values in plot["series"].items():
            axes.plot(range(len(values)), values, label=label, linewidth=2.0)
        if plot.get("log_y"):
            axes.set_yscale("log")
        axes.set_xlabel(plot.get("x_label", ""))
        axes.set_ylabel(plot.get("y_label", ""))
        axes.set_title(plot.get("title", ""), fontsize=FONT_PT + 1)
        axes.grid(alpha=0.3, color=ink)
        axes.set_facecolor("none")
        if len(plot["series"]) > 1:
            axes.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.26),
                        ncol=2, fontsize=FONT_PT - 1)
        figure.tight_layout()
        figure.savefig(file, format="png", metadata=PNG_METADATA, transparent=True)
        plt.close(figure)


def main() -> int:
    for plot in json.load(sys.stdin):
        draw(plot, plot["file"], "light")
        if plot.get("dark_file"):
            draw(plot, plot["dark_file"], "dark")
    return 0


if __name__ == "__main__":
    sys.exit(main())
