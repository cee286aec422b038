"""How much of a model answer a typed answer covers: key terms matched by character n-grams.

The model answer is cut into key terms at spaces and punctuation (ASCII and CJK), markdown
and math markers dropped: a Latin word, or a run of CJK characters (a phrase: Chinese has
no spaces). A term counts as covered when at least ``COVERED_SHARE`` of its character
n-grams (bigrams for CJK, trigrams for Latin words, the whole term when it is shorter)
occur in the typed answer, so a paraphrase, a different word order or an inflected word
still counts, in Chinese as in English.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

COVERED_SHARE = 0.5
# Words too common to be key terms.
STOPWORDS = frozenset(
    "a an the of to in on at by for with and or is are was were be been it its as that this these those "
    "from into than then so if not no can will would should may do does did has have had which what when "
    "how why who there their they we you i".split()
)
_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TERM = re.compile(rf"[{_CJK}]+|[A-Za-z0-9][A-Za-z0-9'+\-]*[A-Za-z0-9+]|[A-Za-z]")
# Chinese function characters that split a phrase into shorter key terms.
_CJK_BREAKS = re.compile(r"[的了是在和与或及而就也都把被让对从于为以时即则但使]")
_MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$", re.DOTALL)


@dataclass(frozen=True)
class Term:
    """One key term of the model answer, where it is (character offsets) and whether it is covered."""

    text: str
    start: int
    end: int
    covered: bool


@dataclass(frozen=True)
class Coverage:
    """The key terms of a model answer against one typed answer."""

    terms: tuple[Term, ...]

    @property
    def share(self) -> float:
        """Covered terms over all terms (0 when the answer has none)."""
        return sum(t.covered for t in self.terms) / len(self.terms) if self.terms else 0.0

    @property
    def covered(self) -> int:
        return sum(t.covered for t in self.terms)


def _is_cjk(text: str) -> bool:
    return bool(re.match(rf"[{_CJK}]", text))


def ngrams(term: str) -> set[str]:
    """Bigrams of a CJK term, trigrams of a Latin one (lower case); the term itself when shorter."""
    size = 2 if _is_cjk(term) else 3
    term = term.lower()
    if len(term) <= size:
        return {term}
    return {term[i:i + size] for i in range(len(term) - size + 1)}


def key_terms(answer: str) -> list[tuple[str, int, int]]:
    """(term, start, end) for every key term of ``answer``, in order (markdown and math left out)."""
    found = []
    answer = _MATH.sub(lambda m: " " * len(m.group()), answer)  # same offsets, no formula symbols
    for match in _TERM.finditer(answer):
        text, start = match.group(), match.start()
        if _is_cjk(text):
            position = 0
            for piece in _CJK_BREAKS.split(text):
                if len(piece) >= 2:
                    offset = text.index(piece, position)
                    found.append((piece, start + offset, start + offset + len(piece)))
                    position = offset + len(piece)
        elif text.lower() not in STOPWORDS and len(text) >= 2 and not text.isdigit():
            found.append((text, start, match.end()))
    return found


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def measure(model_answer: str, typed: str) -> Coverage:
    """Which key terms of ``model_answer`` the ``typed`` answer covers."""
    typed_grams: set[str] = set()
    for match in _TERM.finditer(_normalise(typed)):  # whole runs: a paraphrase may join two terms
        typed_grams |= ngrams(match.group())
    terms = []
    for term, start, end in key_terms(model_answer):
        grams = ngrams(_normalise(term))
        covered = len(grams & typed_grams) >= COVERED_SHARE * len(grams)
        terms.append(Term(text=term, start=start, end=end, covered=covered))
    return Coverage(terms=tuple(terms))
