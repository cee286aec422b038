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

# Lines that neither start like a block (list, heading, quote, indented code) nor hold a
# character markdown or math acts on render to plain paragraphs: such text is escaped
# directly, exactly as markdown-it would render it. All card fronts and about half the
# answers of real notes are plain, and skipping the parser for them halves an export.
_PLAIN_LINE = re.compile(r"(?![\s#>+\-=*0-9|])[^\n\t\\`*_\[\]<>&!|~$]*")
_BLANK_LINES = re.compile(r"\n[ \t]*\n\s*")


def _math(content: str, options: dict) -> str:
    if options.get("display_mode"):
        return f"\\[{escapeHtml(content.strip())}\\]"
    return f"\\({escapeHtml(content)}\\)"


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "breaks": True})
    parser.enable(["table", "strikethrough"])
    # Setext headings ("text" over "---") and link reference definitions are not how the
    # notes are written; a "---" under a line stays a rule, and the parse gets faster.
    parser.disable(["lheading", "reference"])
    parser.use(dollarmath_plugin, allow_labels=False, double_inline=True, renderer=_math)
    return parser


def _plain_paragraphs(text: str) -> str | None:
    """The HTML of ``text`` when it is plain paragraphs, else None."""
    paragraphs = []
    for block in _BLANK_LINES.split(text):
        lines = [line.rstrip(" ") for line in block.split("\n")]
        if not all(_PLAIN_LINE.fullmatch(line) for line in lines):
            return None
        paragraphs.append("<p>" + "<br />\n".join(html.escape(line, quote=False) for line in lines) + "</p>")
    return "\n".join(paragraphs)


def render_markdown(text: str) -> str:
    """markdown-it's rendering of ``text`` (no fast path)."""
    return _parser().render(text).strip()


def markdown_to_html(text: str) -> str:
    """Render one field's markdown to HTML for Anki (MathJax delimiters, escaped code)."""
    text = text.strip()
    if not text:
        return ""
    plain = _plain_paragraphs(text)
    return plain if plain is not None else render_markdown(text)
