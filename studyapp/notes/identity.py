"""Which card of the database each parsed card is: the rules that keep review histories.

A card is matched, in this order, to an unmatched card of the same notes file with

1. the same deck and normalised front, preferring the one whose content is identical
   (so cards with identical fronts keep their own ids however cards around them move);
   the rest of such a group pair up in file order;
2. the same normalised front and answer under another deck (the heading was renamed);
3. the most similar front in the same deck (a reworded question; at least
   ``REWORD_SIMILARITY`` alike);
4. a removed card of another file with the same deck and front (the card moved files).

Everything else is a new card. All of it is linear in the number of cards except the
reworded match, which compares only the leftovers of one deck with each other, and only
while that stays small (``REWORD_BUDGET`` comparisons per deck).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass

from studyapp.notes.drafts import CardDraft, normalise_front

REWORD_SIMILARITY = 0.75  # fronts at least this alike (same section) are one card edited
REWORD_BUDGET = 250_000  # similarity comparisons allowed per deck


@dataclass(slots=True)
class Known:
    """What matching needs to know of a card already in the database."""

    id: str
    front: str
    deck: str
    content_hash: str
    removed: bool
    back_hash: str = ""  # filled in only for cards that a renamed deck may have taken


def match(drafts: list[CardDraft], hashes: list[str], known: list[Known], back_hashes,
          moved: dict[tuple[str, str], Known]) -> list[Known | None]:
    """The known card each draft is (or None: a new card), one known card at most once.

    ``hashes`` are the drafts' content hashes; ``back_hashes(cards)`` fills ``back_hash`` of
    the cards given (read lazily, only when a deck rename is possible); ``moved`` maps
    (deck, normalised front) to removed cards of other files.
    """
    result: list[Known | None] = [None] * len(drafts)
    keys = [(draft.deck, normalise_front(draft.front)) for draft in drafts]
    groups: dict[tuple[str, str], list[Known]] = defaultdict(list)
    for card in known:
        groups[(card.deck, normalise_front(card.front))].append(card)
    taken: set[str] = set()
    # 1. same deck and front: identical content first, then file order within the group
    for index, key in enumerate(keys):
        group = groups.get(key)
        if group:
            exact = next((card for card in group if card.content_hash == hashes[index] and card.id not in taken), None)
            if exact is not None:
                result[index] = exact
                taken.add(exact.id)
    for index, key in enumerate(keys):
        if result[index] is None and groups.get(key):
            card = next((card for card in groups[key] if card.id not in taken), None)
            if card is not None:
                result[index] = card
                taken.add(card.id)
    left = [card for card in known if card.id not in taken]
    pending = [index for index in range(len(drafts)) if result[index] is None]
    if not left or not pending:
        return _moved(result, keys, moved)
    # 2. a renamed deck: same front and answer, another deck
    by_front: dict[str, list[Known]] = defaultdict(list)
    for card in left:
        by_front[normalise_front(card.front)].append(card)
    candidates = [card for index in pending for card in by_front.get(keys[index][1], [])]
    if candidates:
        back_hashes(candidates)
        for index in pending:
            wanted = back_hash(drafts[index].back)
            card = next((card for card in by_front.get(keys[index][1], [])
                         if card.id not in taken and card.back_hash == wanted), None)
            if card is not None:
                result[index] = card
                taken.add(card.id)
    # 3. a reworded question, same deck
    left_by_deck: dict[str, list[tuple[Known, str]]] = defaultdict(list)
    for card in left:
        if card.id not in taken:
            left_by_deck[card.deck].append((card, normalise_front(card.front)))
    pending_by_deck: dict[str, list[int]] = defaultdict(list)
    for index in pending:
        if result[index] is None and left_by_deck.get(drafts[index].deck):
            pending_by_deck[drafts[index].deck].append(index)
    for deck, indexes in pending_by_deck.items():
        if len(indexes) * len(left_by_deck[deck]) > REWORD_BUDGET:
            continue
        for index in indexes:
            card = _most_similar(keys[index][1], left_by_deck[deck], taken)
            if card is not None:
                result[index] = card
                taken.add(card.id)
    return _moved(result, keys, moved)


def _moved(result, keys, moved) -> list[Known | None]:
    if moved:
        used: set[str] = set()
        for index, key in enumerate(keys):
            card = moved.get(key)
            if result[index] is None and card is not None and card.id not in used:
                result[index] = card
                used.add(card.id)
    return result


def _most_similar(wanted: str, cards: list[tuple[Known, str]], taken: set[str]) -> Known | None:
    from difflib import SequenceMatcher  # here: only a reworded question needs it, not a first import

    best, best_score = None, REWORD_SIMILARITY
    for card, front in cards:
        if card.id in taken:
            continue
        matcher = SequenceMatcher(None, wanted, front)
        if matcher.real_quick_ratio() < best_score or matcher.quick_ratio() < best_score:
            continue
        score = matcher.ratio()
        if score >= best_score:
            best, best_score = card, score
    return best


def back_hash(back: str) -> str:
    """The digest that compares answers without keeping them in memory."""
    return hashlib.blake2b(back.encode("utf-8"), digest_size=12).hexdigest()
