"""Every syntax the README lists, from a fixture written in those styles (tests/notes/fixtures/styles.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from studyapp.notes.parse import parse_markdown, parse_notes
from studyapp.notes.syntax import cloze_prompt

STYLES = Path(__file__).parent / "fixtures" / "styles.md"


@pytest.fixture(scope="module")
def styles():
    return parse_notes(STYLES.read_text(encoding="utf-8"), str(STYLES))


def card(result, front):
    found = [c for c in result.cards if c.front == front]
    assert found, f"no card {front!r}; fronts: {[c.front for c in result.cards]}"
    return found[0]


def test_a_heading_that_asks_takes_its_whole_section(styles):
    overfit = card(styles, "What is overfitting?")
    assert overfit.kind == "question" and overfit.back.startswith("A model that fits noise")
    assert "#### Signs" in overfit.back and "**Validation loss**: rises" in overfit.back
    assert "```python\nmodel.fit(x, y)\n```" in overfit.back
    assert overfit.deck == "Machine Learning Interview Questions::Basics"  # the question is not a deck
    assert "What_is_overfitting?" not in overfit.tags
    assert card(styles, "为什么要做归一化？").back == "让特征处于同一尺度。"  # "3.4.1 " numbering stripped


def test_leading_digits_of_a_name_stay_numbering_goes():
    fronts = [c.front for c in parse_markdown("## 3D卷积\n看深度。\n\n## 1x1 convolution\nMixes channels.\n\n"
                                                "## 100% recall\nNo misses.\n\n## 12. What is X?\nA thing.\n\n"
                                                "## Topic\n#### 7) Why Y?\nBecause.\n")]
    assert fronts == ["3D卷积", "1x1 convolution", "100% recall", "What is X?", "Why Y?"]


def test_list_items_that_ask_with_answers_indented(styles):
    assert card(styles, "What does dropout do at test time?").back.startswith("Nothing: it is switched off")
    assert card(styles, "Why does batch norm allow higher learning rates?").back == "It keeps activations in a stable range."


def test_q_lines_details_answers_and_clean_fronts(styles):
    bv = card(styles, "What is the bias-variance trade-off?")  # no "Q.", no emoji, no [[src](url)]
    assert bv.back == "Error = bias² + variance + noise."  # no <details>, no "Answer" label
    assert card(styles, "什么是梯度消失？").back == "梯度在反传时逐层变小。"
    assert card(styles, "Why use ReLU?").back == "Cheap, and it does not saturate for positive inputs."


def test_obsidian_cards_reversed_siblings_tags_and_schedules(styles):
    assert card(styles, "Capital of ML").back == "Gradient descent"
    forward, backward = card(styles, "Adam"), card(styles, "Adaptive moment estimation")
    assert (forward.back, backward.back) == ("Adaptive moment estimation", "Adam")
    assert forward.sibling and forward.sibling == backward.sibling
    assert (forward.sr.interval, forward.sr.ease, backward.sr.interval) == (12, 250, 4)
    multi = card(styles, "What are the two kinds of error?")
    assert multi.back == "Bias and variance." and multi.sr.interval == 30
    pooling = card(styles, "What does a pooling layer do?")
    assert pooling.deck == "dl::cnn" and "flashcards/dl/cnn" in pooling.tags
    assert all("SR:" not in c.back and "#flashcards" not in c.front for c in styles.cards)


def test_clozes_one_card_per_deletion_siblings_of_one_note(styles):
    hashcards = [c for c in styles.cards if c.kind == "cloze" and "encoder" in c.back]
    assert [cloze_prompt(c.front) for c in hashcards] == [
        "The [...] maps the input to a latent code.", "The encoder maps the input to a [...]."]
    assert len({c.sibling for c in hashcards}) == 1
    anki = [c for c in styles.cards if c.kind == "cloze" and "softmax" in c.back]
    assert [cloze_prompt(c.front) for c in anki] == [
        "The [...] turns logits into probabilities.", "The softmax turns logits into [what?]."]
    assert anki[1].back == "The softmax turns logits into **probabilities**."


def test_question_answer_tables_give_one_card_per_row(styles):
    assert card(styles, "What is a logit?").back == "An unnormalised log-probability"
    assert card(styles, "What is an epoch?").kind == "table"


def test_front_matter_is_never_a_card_and_gives_deck_and_tags(styles):
    assert all("title" not in c.front for c in styles.cards)
    assert {"interview", "ml"} <= set(card(styles, "Why use ReLU?").tags)
    (first,) = parse_markdown("+++\ndeck = \"Mine\"\ntags = [\"a\"]\n+++\n**What is X?**\nY.\n")
    assert (first.deck, first.tags, first.line) == ("Mine", ["a"], 5)


def test_furniture_never_becomes_a_card(styles):
    fronts = " ".join(c.front for c in styles.cards)
    for junk in ["TOC", "Contents", "Basics](#", "write more cards", "References", "Deep Learning Book",
                 "Contributors", "Thanks to everyone"]:
        assert junk not in fronts
    reasons = {s.reason for s in styles.skipped}
    assert {"table of contents marker", "TODO checklist", "contents/references/credits heading"} <= reasons


def test_a_list_of_terms_gives_one_card_per_term():
    notes = "# 框架\n1. **TensorFlow：** 谷歌的。\n2. **PyTorch：** Meta 的。\n3. **JAX：** 函数式。\n"
    cards = parse_markdown(notes)
    assert [(c.front, c.back) for c in cards] == [("TensorFlow", "谷歌的。"), ("PyTorch", "Meta 的。"), ("JAX", "函数式。")]


def test_questions_after_an_answer_are_cards_of_their_own():
    notes = "1. What is A?\n\nA is a letter.\n\n2. What is B?\n\nB is another.\n"
    assert [(c.front, c.back) for c in parse_markdown(notes)] == [("What is A?", "A is a letter."),
                                                                   ("What is B?", "B is another.")]


def test_code_with_double_colons_is_not_a_card():
    (only,) = parse_markdown("**How do I make a vector?**\nstd::vector\n")
    assert only.back == "std::vector"
