"""Card markdown -> the HTML that goes into Anki fields.

Math is parsed by the dollarmath plugin *before* the markdown rules see it, so ``_`` and
``*`` inside ``$...$`` are never read as emphasis; it comes out in the delimiters Anki's
built-in MathJax typesets: ``\\(...\\)`` inline and ``\\[...\\]`` for display math. Raw HTML
in the notes is escaped (the notes are markdown, and a stray ``<`` must show as itself);
code blocks become escaped ``<pre><code>``. A single line break is a line break, as the
notes are written.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from mdit_py_plugins.dollarmath import dollarmath_plugin

# Text free of every character markdown or math could act on is only escaped: most card
# fronts are one plain line, and skipping the parser for them halves an export's time.
_PLAIN = re.compile(r"[^\\`*_\[\]<>&!#+\-=|~$\n\t:.)0-9]*")


def _math(content: str, options: dict) -> str:
    if options.get("display_mode"):
        return f"\\[{escapeHtml(content.strip())}\\]"
    return f"\\({escapeHtml(content)}\\)"


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "breaks": True})
    parser.enable(["table", "strikethrough"])
    parser.use(dollarmath_plugin, allow_labels=False, double_inline=True, renderer=_math)
    return parser


def markdown_to_html(text: str) -> str:
    """Render one field's markdown to HTML for Anki (MathJax delimiters, escaped code)."""
    text = text.strip()
    if not text:
        return ""
    if _PLAIN.fullmatch(text):
        return f"<p>{html.escape(text, quote=False)}</p>"
    return _parser().render(text).strip()
