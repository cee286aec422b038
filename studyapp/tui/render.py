"""Card text for the terminal: a light markdown renderer with LaTeX math turned into Unicode.

Cards are short, so this handles what the notes use (headings, lists, bold, inline code,
fenced code blocks, ``$...$`` and ``$$...$$`` math) and returns a ``CardText``: styled rich
``Text`` lines that wrap by cell width at whatever width they are drawn. Rich itself breaks
lines only at spaces, so a run of Chinese between two spaces counts as one long word and
jumps whole to the next line; ``CardText`` breaks between any two CJK characters and
between CJK and Latin too (never inside a Latin word, never before a closing ``，。）``),
so lines fill the width. Code block lines keep rich's own wrapping. Math becomes
readable Unicode (x², √x, ≤, α, a/b) rather than raw LaTeX. Nothing here imports Textual.
"""

from __future__ import annotations

import re
import unicodedata

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text

SYMBOLS = {
    # Greek
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ",
    "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ",
    "tau": "τ", "upsilon": "υ", "phi": "φ", "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
    "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ",
    "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
    # relations and operators
    "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "neq": "≠", "ne": "≠", "approx": "≈",
    "sim": "∼", "equiv": "≡", "propto": "∝", "ll": "≪", "gg": "≫", "in": "∈", "notin": "∉",
    "subset": "⊂", "subseteq": "⊆", "cup": "∪", "cap": "∩", "forall": "∀", "exists": "∃",
    "times": "×", "cdot": "·", "div": "÷", "pm": "±", "mp": "∓", "ast": "∗", "circ": "∘",
    "odot": "⊙", "otimes": "⊗", "oplus": "⊕", "infty": "∞", "partial": "∂", "nabla": "∇",
    "sum": "Σ", "prod": "Π", "int": "∫", "oint": "∮", "to": "→", "rightarrow": "→",
    "leftarrow": "←", "Rightarrow": "⇒", "Leftarrow": "⇐", "leftrightarrow": "↔",
    "Leftrightarrow": "⇔", "mapsto": "↦", "implies": "⇒", "iff": "⇔", "cdots": "⋯",
    "ldots": "…", "dots": "…", "vdots": "⋮", "ddots": "⋱", "prime": "′", "top": "ᵀ",
    "mid": "|", "vert": "|", "Vert": "‖", "|": "‖", "langle": "⟨", "rangle": "⟩",
    "lfloor": "⌊", "rfloor": "⌋", "lceil": "⌈", "rceil": "⌉", "emptyset": "∅", "neg": "¬",
    "land": "∧", "lor": "∨", "star": "⋆", "dagger": "†", "hbar": "ℏ", "ell": "ℓ",
    "mathbb{R}": "ℝ",
    # named functions keep their names
    **{name: name for name in (
        "log", "ln", "exp", "sin", "cos", "tan", "tanh", "sinh", "cosh", "max", "min", "arg",
        "argmax", "argmin", "lim", "sup", "inf", "det", "softmax", "sigmoid", "sgn", "Pr", "E",
    )},
    # spacing and escapes
    ",": " ", ";": " ", ":": " ", "!": "", " ": " ", "quad": "  ", "qquad": "    ",
    "{": "{", "}": "}", "%": "%", "$": "$", "#": "#", "&": "&", "_": "_",
}
BLACKBOARD = {"R": "ℝ", "N": "ℕ", "Z": "ℤ", "Q": "ℚ", "C": "ℂ", "E": "𝔼", "P": "ℙ"}
ACCENTS = {"hat": "\u0302", "widehat": "\u0302", "bar": "\u0304", "overline": "\u0305",
           "tilde": "\u0303", "widetilde": "\u0303", "vec": "\u20d7", "dot": "\u0307", "ddot": "\u0308"}
TEXT_COMMANDS = {"text", "mathrm", "mathbf", "mathit", "mathsf", "mathtt", "boldsymbol",
                 "operatorname", "textbf", "textit", "mathcal", "displaystyle", "bm"}
DROPPED = {"left", "right", "big", "Big", "bigg", "Bigg", "limits", "nolimits", "displaystyle"}
SUPERSCRIPT = dict(zip("0123456789+-=()nixTtk", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱˣᵀᵗᵏ"))
SUBSCRIPT = dict(zip("0123456789+-=()aeiojklmnprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑᵢₒⱼₖₗₘₙₚᵣₛₜᵤᵥₓ"))

_ENVIRONMENT = re.compile(r"\\(begin|end)\{[a-z*]+\}")
_SIMPLE = re.compile(r"^[\w.′∂∇]+$")
# A letter-like symbol followed by a letter reads as a product, so the space goes (∂L, αx).
_ORDINARY = re.compile(r"^[^\W\d_]$|^[∂∇]$")


def _read_argument(src: str, i: int) -> tuple[str, int]:
    """The LaTeX argument starting at src[i] ({group}, \\command or one character)."""
    while i < len(src) and src[i] == " ":
        i += 1
    if i >= len(src):
        return "", i
    if src[i] == "{":
        depth, j = 0, i
        while j < len(src):
            depth += {"{": 1, "}": -1}.get(src[j], 0)
            if depth == 0:
                return src[i + 1:j], j + 1
            j += 1
        return src[i + 1:], len(src)
    if src[i] == "\\":
        match = re.match(r"\\([A-Za-z]+|.)", src[i:])
        return match.group(0), i + len(match.group(0))
    return src[i], i + 1


def _script(body: str, table: dict[str, str], marker: str) -> str:
    if body and all(ch in table for ch in body):
        return "".join(table[ch] for ch in body)
    return f"{marker}({body})" if len(body) > 1 else f"{marker}{body}"


def _grouped(body: str) -> str:
    return body if _SIMPLE.match(body) else f"({body})"


def latex_to_unicode(src: str) -> str:
    """Best-effort readable Unicode for a LaTeX math expression."""
    src = _ENVIRONMENT.sub("", src).replace("&", "")
    out: list[str] = []
    i = 0
    while i < len(src):
        ch = src[i]
        if ch in "^_":
            arg, i = _read_argument(src, i + 1)
            body = latex_to_unicode(arg)
            out.append(_script(body, SUPERSCRIPT, "^") if ch == "^" else _script(body, SUBSCRIPT, "_"))
        elif ch == "{":
            arg, i = _read_argument(src, i)
            out.append(latex_to_unicode(arg))
        elif ch == "}":
            i += 1
        elif ch == "~":
            out.append(" ")
            i += 1
        elif ch == "\\":
            i = _command(src, i, out)
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _command(src: str, i: int, out: list[str]) -> int:
    """Convert the command at src[i] ('\\\\name' or '\\\\x'), appending to ``out``; returns the new index."""
    if src.startswith("\\\\", i):
        out.append("\n")
        return i + 2
    match = re.match(r"\\([A-Za-z]+|.)", src[i:])
    name, i = match.group(1), i + len(match.group(0))
    if name == "frac" or name in ("dfrac", "tfrac"):
        top, i = _read_argument(src, i)
        bottom, i = _read_argument(src, i)
        out.append(f"{_grouped(latex_to_unicode(top))}/{_grouped(latex_to_unicode(bottom))}")
    elif name == "sqrt":
        degree = ""
        if i < len(src) and src[i] == "[":
            end = src.index("]", i)
            degree, i = _script(src[i + 1:end], SUPERSCRIPT, ""), end + 1
        body, i = _read_argument(src, i)
        out.append(f"{degree}√{_grouped(latex_to_unicode(body))}")
    elif name in ACCENTS:
        body, i = _read_argument(src, i)
        # precomposed where Unicode has it (ŷ), which terminals draw more reliably
        out.append(unicodedata.normalize("NFC", latex_to_unicode(body) + ACCENTS[name]))
    elif name == "mathbb":
        body, i = _read_argument(src, i)
        out.append("".join(BLACKBOARD.get(ch, ch) for ch in body))
    elif name in TEXT_COMMANDS:
        if name != "displaystyle":
            body, i = _read_argument(src, i)
            out.append(latex_to_unicode(body))
    elif name in DROPPED:
        pass
    else:
        symbol = SYMBOLS.get(name, name)
        out.append(symbol)
        after = len(src[i:]) - len(src[i:].lstrip(" "))
        if _ORDINARY.match(symbol) and src[i + after:i + after + 1].isalnum():
            i += after  # juxtaposed like a product: \partial L -> ∂L
    return i


# ---------------------------------------------------------------- markdown

_INLINE = re.compile(r"\$([^$]+)\$|\*\*(.+?)\*\*|`([^`]+)`")
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_BULLET = re.compile(r"^(\s*)[-*+]\s+(.*)$")
_NUMBERED = re.compile(r"^(\s*)(\d+)[.)]\s+(.*)$")


def _inline(line: str, base: str = "") -> Text:
    text = Text(style=base)
    position = 0
    for match in _INLINE.finditer(line):
        text.append(line[position:match.start()])
        math, bold, code = match.groups()
        if math is not None:
            text.append(latex_to_unicode(math), style="italic")
        elif bold is not None:
            text.append_text(_inline(bold, "bold"))
        else:
            text.append(code, style="bold cyan")
        position = match.end()
    text.append(line[position:])
    return text


def render_markdown(source: str) -> "CardText":
    """Card markdown as styled lines that wrap CJK text at any width they are drawn at."""
    lines = source.expandtabs(4).strip("\n").splitlines()  # the wrapping counts cells; a tab is none
    out: list[tuple[Text, bool]] = []  # (line, is code)
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith("```"):
            end = next((j for j in range(i + 1, len(lines)) if lines[j].strip().startswith("```")), len(lines))
            for code_line in lines[i + 1:end]:
                out.append((Text("  " + code_line, style="on grey15"), True))
            i = end + 1
            continue
        if stripped.startswith("$$"):
            end = i if stripped.endswith("$$") and len(stripped) > 4 else next(
                (j for j in range(i + 1, len(lines)) if lines[j].strip().endswith("$$")), len(lines) - 1)
            body = "\n".join(lines[i:end + 1]).strip().strip("$")
            for math_line in latex_to_unicode(body).splitlines():
                if math_line.strip():
                    out.append((Text("    " + " ".join(math_line.split()), style="italic"), False))
            i = end + 1
            continue
        # inline math may hold a line break (\\); each piece wraps on its own
        out.extend((piece, False) for piece in _markdown_line(line).split("\n", allow_blank=True))
        i += 1
    while out and not out[-1][0].plain.strip():
        out.pop()
    if out:
        out[-1][0].rstrip()
    return CardText(out)


def _markdown_line(line: str) -> Text:
    if match := _HEADING.match(line):
        return _inline(match.group(2), "bold underline")
    if match := _BULLET.match(line):
        return Text(match.group(1) + "• ").append_text(_inline(match.group(2)))
    if match := _NUMBERED.match(line):
        return Text(f"{match.group(1)}{match.group(2)}. ").append_text(_inline(match.group(3)))
    return _inline(line)


# ---------------------------------------------------------------- wrapping

# A line may not start with these (they stay with the character before them) ...
_CLOSING = set("，。、：；！？）」』》〉】〕〗”’…—·～%,.;:!?)]}")
# ... nor end with these (they stay with the character after them).
_OPENING = set("（「『《〈【〔〖“‘([{")


def _wide(ch: str) -> bool:
    """CJK ideographs, kana, hangul and full-width punctuation: a line may break around them."""
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _atoms(plain: str) -> list[tuple[int, int]]:
    """Spans that must stay on one line: a Latin word or a single CJK character, with the
    spaces after it (and leading indentation on the first). A line breaks only between them."""
    atoms: list[tuple[int, int]] = []
    i, n = 0, len(plain)
    while i < n and plain[i].isspace():
        i += 1
    start = 0  # the indentation belongs to the first atom
    while i < n:
        if _wide(plain[i]):
            i += 1
        else:
            while i < n and not plain[i].isspace() and not _wide(plain[i]):
                i += 1
        while i < n and plain[i].isspace():
            i += 1
        previous = plain[atoms[-1][1] - 1] if atoms else ""
        glued = atoms and not previous.isspace() and (plain[start] in _CLOSING or previous in _OPENING)
        if glued:
            atoms[-1] = (atoms[-1][0], i)
        else:
            atoms.append((start, i))
        start = i
    return atoms


def _break_offsets(plain: str, width: int) -> list[int]:
    """Where to break ``plain`` so that no line is wider than ``width`` cells: greedy, at atom
    boundaries; an atom wider than a whole line (a very long word) is folded by characters."""
    offsets: list[int] = []
    used = 0  # cells on the current line, trailing spaces included
    for start, end in _atoms(plain):
        atom = plain[start:end]
        body = atom.rstrip()
        body_width = cell_len(body)
        if used and used + body_width > width:
            offsets.append(start)
            used = 0
        if body_width <= width - used:
            used += cell_len(atom)
            continue
        position = start
        for ch in body:
            ch_width = cell_len(ch)
            if used and used + ch_width > width:
                offsets.append(position)
                used = 0
            used += ch_width
            position += 1
        used += cell_len(atom) - body_width
    return offsets


def wrap_cjk(line: Text, width: int) -> list[Text]:
    """One line of text as lines of at most ``width`` cells, broken around CJK characters and
    at spaces; spaces at a break are dropped."""
    if width <= 0 or cell_len(line.plain) <= width:
        return [line]
    pieces = list(line.divide(_break_offsets(line.plain, width)))
    for piece in pieces:
        piece.rstrip()
    return pieces


class CardText:
    """Card text as a rich renderable that wraps at the width it is given each time it is drawn
    (so a resized terminal re-wraps it). ``str()`` is the plain text."""

    def __init__(self, lines: list[tuple[Text, bool]]) -> None:
        self.lines = lines  # (line without its newline, is a code line)

    @property
    def plain(self) -> str:
        return "\n".join(line.plain for line, _ in self.lines)

    def __str__(self) -> str:
        return self.plain

    def wrap(self, console: Console, width: int) -> list[Text]:
        """The lines as drawn ``width`` cells wide: code lines as rich wraps them, the rest CJK-aware."""
        wrapped: list[Text] = []
        for line, code in self.lines:
            wrapped.extend(line.wrap(console, width) if code else wrap_cjk(line, width))
        return wrapped

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in self.wrap(console, options.max_width):
            line = line.copy()
            line.end = "\n"
            line.no_wrap = True  # already fits; stop rich from wrapping it again at spaces
            yield line

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        widest = max((cell_len(line.plain) for line, _ in self.lines), default=0)
        longest_atom = max((cell_len(line.plain[start:end].rstrip())
                            for line, _ in self.lines for start, end in _atoms(line.plain)), default=0)
        return Measurement(longest_atom, widest).clamp(max_width=options.max_width)
