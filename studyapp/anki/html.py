"""Card markdown -> the HTML that goes into Anki fields.

Rendered by comrak (a CommonMark/GFM renderer in Rust, through its Python binding): it
renders ten thousand answers in a few hundredths of a second, which keeps an export close
to genanki's own writing time. Settings, and why:

- math: ``$...$`` and ``$$...$$`` are parsed *before* emphasis, so ``_`` and ``*`` inside
  math are never read as markdown, and come out in the delimiters Anki's built-in MathJax
  typesets, ``\\(...\\)`` inline and ``\\[...\\]`` for display math. Like pandoc, an opening
  ``$`` followed by a space, or a closing one followed by a digit, is a plain dollar sign,
  so "costs $5 and $6" stays text. A ```math fence is display math too;
- raw HTML in the notes is escaped (the notes are markdown: a stray ``<`` shows as itself),
  and so is code, in ``<pre><code>``; unsafe link targets (``javascript:``) are dropped;
- a single line break is a line break, as the notes are written;
- "text" over "---" is a paragraph and a rule, not a heading;
- emphasis next to CJK punctuation works (``**“引号”**``), which plain CommonMark refuses;
- GFM tables and strikethrough.
"""

from __future__ import annotations

import re
from functools import lru_cache

import comrak

# comrak marks math with a span, or for a ```math fence a code block; content is escaped.
_COMRAK_MATH = re.compile(
    r'<span data-math-style="(inline|display)">(.*?)</span>'
    r'|<pre><code class="language-math" data-math-style="display">(.*?)</code></pre>', re.DOTALL)
# A line holding only "$$" (inside a quote or a list item too) opens or closes display math.
_DOLLARS_LINE = re.compile(r"[ \t>]*\$\$[ \t]*")
_FENCE_LINE = re.compile(r"[ \t>]*(?:```|~~~)")


@lru_cache(maxsize=1)
def _options() -> tuple[comrak.ExtensionOptions, comrak.ParseOptions, comrak.RenderOptions]:
    extension = comrak.ExtensionOptions()
    extension.math_dollars = True
    extension.math_code = True  # the ```math fences made from $$ lines
    extension.table = True
    extension.strikethrough = True
    extension.cjk_friendly_emphasis = True
    parse = comrak.ParseOptions()
    parse.ignore_setext = True
    render = comrak.RenderOptions()
    render.hardbreaks = True
    render.escape = True
    return extension, parse, render


def _math_blocks_as_fences(text: str) -> str:
    """``$$`` lines around display math become a ```math fence.

    comrak reads ``$$...$$`` as inline math, so inside it a line such as ``+ c`` or ``> 0``
    would start a list or a quote and tear the formula apart; in a fence every line is
    literal. ``$$`` lines inside code blocks are code and stay as they are.
    """
    lines = text.split("\n")
    in_code = in_math = False
    dollar_lines = []
    for number, line in enumerate(lines):
        if not in_math and _FENCE_LINE.match(line):
            in_code = not in_code
        elif not in_code and _DOLLARS_LINE.fullmatch(line):
            in_math = not in_math
            dollar_lines.append(number)
    for opening, closing in zip(dollar_lines[0::2], dollar_lines[1::2]):
        lines[opening] = lines[opening].replace("$$", "```math")
        lines[closing] = lines[closing].replace("$$", "```")
    return "\n".join(lines)


def _mathjax(match: re.Match) -> str:
    kind, content, fenced = match.groups()
    if fenced is not None:
        return f'<div class="math block">\\[{fenced.strip()}\\]</div>'
    if kind == "display":
        return f'<span class="math block">\\[{content.strip()}\\]</span>'
    return f'<span class="math inline">\\({content}\\)</span>'


def markdown_to_html(text: str) -> str:
    """Render one field's markdown to HTML for Anki (MathJax delimiters, escaped code)."""
    text = text.strip()
    if not text:
        return ""
    if "$$" in text:
        text = _math_blocks_as_fences(text)
    return _COMRAK_MATH.sub(_mathjax, comrak.render_markdown(text, *_options()).strip())
