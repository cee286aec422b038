"""Keep wide (CJK) characters whole in overlays: notices, the key list, anything drawn on top.

Textual's compositor cuts every screen line at the edges of *all* widgets on it, also where an
overlay (a toast) covers them, and a double-width character that straddles such a cut is
replaced by two spaces: the suspend notice of '基础定义和应用' read '基  定义和应用' because the
review screen's answer bar ends under the toast, between 基 and 础 (Textual issue #6357, open).

``install()`` replaces ``Compositor._render_chops`` with a version that only divides a widget's
line where the widget that is painted changes: where one widget wins several neighbouring
chops, it gets them as one piece (the others become empty), so nothing of it is cut.
"""

from __future__ import annotations

from textual._compositor import Compositor
from textual.geometry import Region
from textual.strip import Strip

_EMPTY = Strip([], 0)


def _render_chops(self: Compositor, crop: Region, is_rendered_line) -> list[dict[int, Strip | None]]:
    """Same contract as Textual's: per line, {chop start: strip}; front-most render wins a chop."""
    cuts = self.cuts
    chops: list[dict[int, Strip | None]] = [dict.fromkeys(cut_set[:-1]) for cut_set in cuts]
    for region, clip, strips in self._get_renders(crop):
        render_region = region.intersection(clip)
        render_x = render_region.x
        first_cut, last_cut = render_region.column_span
        for y, strip in zip(render_region.line_range, strips):
            if not is_rendered_line(y):
                continue
            line = chops[y]
            starts = [cut for cut in cuts[y] if last_cut >= cut >= first_cut]
            if len(starts) < 2:
                continue
            free = [line.get(cut) is None for cut in starts[:-1]]
            # one piece per run of chops that are all free (this render paints them) or all taken
            run_ends = [i for i in range(len(free)) if i == len(free) - 1 or free[i] != free[i + 1]]
            pieces = strip.divide([starts[i + 1] - render_x for i in run_ends])
            run_start = 0
            for end, piece in zip(run_ends, pieces):
                if free[run_start]:
                    line[starts[run_start]] = piece
                    for index in range(run_start + 1, end + 1):
                        line[starts[index]] = _EMPTY
                run_start = end + 1
    return chops


def install() -> None:
    """Use the wide-character-safe chops in every Textual compositor of this process."""
    Compositor._render_chops = _render_chops
