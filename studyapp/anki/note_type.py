"""Our Anki note type and the ids Anki matches on, derived from our names, never from field content.

The note type id comes from a constant, deck ids from deck names, note GUIDs from card ids:
a second export (or sync) of edited notes updates the notes a learner has instead of duplicating them.
"""

from __future__ import annotations

import hashlib

import genanki

NOTE_TYPE_NAME = "studyapp Q&A"
# The fields are designed once. Anki matches an incoming note type on its id and field
# list: adding, removing or renaming a field later makes Anki see a conflicting schema,
# and re-imports then create a second note type and stop updating the notes learners
# already have. Put new information inside an existing field (Source, Demo) instead.
FIELDS = ("Front", "Back", "Demo", "Source", "CardId")

QUESTION = '<div class="front">{{Front}}</div>'
ANSWER = """\
<div class="front">{{Front}}</div>
<hr id="answer">
<div class="back">{{Back}}</div>
{{#Demo}}<div class="demo">{{Demo}}</div>{{/Demo}}
{{#Source}}<div class="source">{{Source}}</div>{{/Source}}"""

# Light colours by default; Anki desktop marks dark mode with .nightMode and AnkiDroid
# with .night_mode, so both selectors switch the same variables.
CSS = """\
.card {
  --fg: #1f2328; --muted: #656d76; --bg: #ffffff; --code-bg: #f3f4f6; --rule: #d0d7de;
  --accent: #0969da; --link: #0550ae; --shade: rgba(0, 0, 0, 0.28);
  font-family: -apple-system, "Segoe UI", "PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif;
  font-size: 19px; line-height: 1.55; text-align: left;
  color: var(--fg); background: var(--bg);
  max-width: 46em; margin: 0 auto; padding: 0 0.6em;
}
.card.nightMode, .nightMode .card, .card.night_mode, .night_mode .card {
  --fg: #e6edf3; --muted: #9198a1; --bg: #1e1e1e; --code-bg: #2d333b; --rule: #444c56;
  --accent: #4493f8; --link: #79c0ff; --shade: rgba(255, 255, 255, 0.3);
}
.front { font-weight: 600; font-size: 1.1em; }
hr#answer { border: none; border-top: 1px solid var(--rule); margin: 0.9em 0; }
pre { color: var(--fg); padding: 0.6em 0.8em; border-radius: 6px; font-size: 0.85em; line-height: 1.4; }
code { font-family: "JetBrains Mono", Menlo, Consolas, monospace; background: var(--code-bg);
       padding: 0.05em 0.3em; border-radius: 4px; }
pre code { padding: 0; background: none; }
table { border-collapse: collapse; }
th, td { border: 1px solid var(--rule); padding: 0.2em 0.5em; }
a { color: var(--link); text-decoration: underline; }
/* A formula or code block wider than the screen scrolls sideways; shadows at the edges that
   have more (drawn behind the content, covered by the --bg strips once scrolled to an end)
   show that it does. */
.math.block, pre {
  display: block; overflow-x: auto; scrollbar-width: thin;
  background:
    linear-gradient(to right, var(--box, var(--bg)) 30%, transparent) left center / 2em 100% no-repeat local,
    linear-gradient(to left, var(--box, var(--bg)) 30%, transparent) right center / 2em 100% no-repeat local,
    radial-gradient(farthest-side at 0 50%, var(--shade), transparent) left center / 0.7em 100% no-repeat scroll,
    radial-gradient(farthest-side at 100% 50%, var(--shade), transparent) right center / 0.7em 100% no-repeat scroll,
    var(--box, var(--bg));
}
pre { --box: var(--code-bg); }
.demo { margin-top: 1em; padding-top: 0.6em; border-top: 1px dashed var(--rule); }
.demo img { max-width: 100%; height: auto; }
/* Each plot comes drawn twice, for a light and a dark page: no white box in dark mode. */
.demo img.dark { display: none; }
.nightMode .demo img.light, .night_mode .demo img.light { display: none; }
.nightMode .demo img.dark, .night_mode .demo img.dark { display: inline; }
.demo .command { color: var(--muted); font-size: 0.8em; }
.source { margin-top: 1em; color: var(--muted); font-size: 0.7em; }
"""

ID_SPACE = (1 << 30, 1 << 31)  # genanki's recommended range for model and deck ids


def stable_id(kind: str, name: str) -> int:
    """An id in genanki's range, the same for the same (kind, name) on every export."""
    digest = int.from_bytes(hashlib.sha256(f"studyapp:{kind}:{name}".encode()).digest()[:8], "big")
    low, high = ID_SPACE
    return low + digest % (high - low)


_BASE91 = "".join(genanki.util.BASE91_TABLE)


def note_guid(card_id: str) -> str:
    """Anki's note GUID for one of our cards: from the card id only, never its text.

    The same string as ``genanki.guid_for("studyapp", card_id)`` (a test holds them equal),
    computed 3x faster: the export makes one per card.
    """
    value = int.from_bytes(hashlib.sha256(f"studyapp__{card_id}".encode()).digest()[:8], "big")
    digits = []
    while value:
        value, digit = divmod(value, 91)
        digits.append(_BASE91[digit])
    return "".join(reversed(digits))


NOTE_TYPE = genanki.Model(
    stable_id("note-type", NOTE_TYPE_NAME), NOTE_TYPE_NAME,
    fields=[{"name": name} for name in FIELDS],
    templates=[{"name": "Card 1", "qfmt": QUESTION, "afmt": ANSWER}],
    css=CSS, sort_field_index=0,
)


CLOZE_NOTE_TYPE_NAME = "studyapp Cloze"
# Anki's Cloze note type (model type 1): the first field holds the {{c1::...}} text. In the
# .apkg export each of our cloze cards is one note with one deletion, so one note keeps one card
# and its schedule; `studyapp sync` makes one note of a cloze text's siblings (sync_plan.py).
CLOZE_FIELDS = ("Text", "Back Extra", "Demo", "Source", "CardId")
CLOZE_QUESTION = '<div class="front">{{cloze:Text}}</div>'
CLOZE_ANSWER = """\
<div class="front">{{cloze:Text}}</div>
{{#Back Extra}}<hr id="answer"><div class="back">{{Back Extra}}</div>{{/Back Extra}}
{{#Demo}}<div class="demo">{{Demo}}</div>{{/Demo}}
{{#Source}}<div class="source">{{Source}}</div>{{/Source}}"""

CLOZE_CSS = CSS + ".cloze { font-weight: 700; color: var(--accent); }\n"

CLOZE_NOTE_TYPE = genanki.Model(
    stable_id("note-type", CLOZE_NOTE_TYPE_NAME), CLOZE_NOTE_TYPE_NAME,
    fields=[{"name": name} for name in CLOZE_FIELDS],
    templates=[{"name": "Cloze", "qfmt": CLOZE_QUESTION, "afmt": CLOZE_ANSWER}],
    css=CLOZE_CSS, sort_field_index=0,
    model_type=genanki.Model.CLOZE,
)
