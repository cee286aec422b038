"""The cloze note's text and extra answer, rebuilt from its sibling cards (studyapp/anki/cloze.py)."""

from studyapp.anki.cloze import back_extra, cloze_number, note_text
from studyapp.notes.syntax import cloze_cards

TEXT = "Adam keeps {{c1::a mean}} and {{c2::a mean of squares::two moments}}, then {{c3::divides}} ($x_{t}$)."


def test_the_siblings_fronts_give_back_the_whole_text():
    fronts = [front for front, _ in cloze_cards(TEXT)]
    assert [cloze_number(front) for front in fronts] == [1, 2, 3]
    assert note_text(fronts) == TEXT
    assert note_text(list(reversed(fronts))) == TEXT
    assert note_text(fronts[1:]) == TEXT.replace("{{c1::a mean}}", "a mean")


def test_a_deletion_used_twice_and_fronts_that_disagree():
    twice = "{{c1::x}} and {{c1::y}} or {{c2::z}}"
    assert note_text([front for front, _ in cloze_cards(twice)]) == twice
    assert note_text(["a {{c1::b}} c", "a b d {{c2::e}}"]) is None


def test_the_extra_answer_is_what_follows_the_bold_text():
    (_, back), *_ = cloze_cards(TEXT)
    assert back_extra(TEXT, 1, back) == ""
    assert back_extra(TEXT, 1, back + "\n\nBecause it adapts.") == "Because it adapts."
    assert back_extra(TEXT, 2, "something else") == ""
