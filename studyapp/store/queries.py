"""Read-side queries over cards, shaped as plain dicts for the CLI and exports."""

from __future__ import annotations

from collections import defaultdict

from typing import Optional

from sqlalchemy import literal_column
from sqlmodel import col, func, or_, select

from studyapp.errors import UserError
from studyapp.store.database import Store
from studyapp.store.tables import STATE_NAMES, Card, CardDemo


def live_card(session, card_id: str) -> Card:
    """The card ``card_id`` as the notes still have it; UserError when it is unknown or removed."""
    card = session.get(Card, card_id)
    if card is None:
        raise UserError(f"card {card_id}: no such card (see `studyapp due --json` or `studyapp cards` for ids)")
    if card.removed:
        raise UserError(f"card {card_id} was removed from the notes (it is listed by "
                        "`studyapp cards --removed`); removed cards cannot be reviewed")
    return card


# SQLite rowid is import order, which follows the notes: new cards and decks come in that order,
# and ordering by it costs no sort.
IMPORT_ORDER = literal_column("card.rowid")


def unindexed(attribute):
    """``+card.column``: same value, but SQLite will not pick that column's index.

    Without ANALYZE statistics SQLite may pick the index on ``removed`` (nearly every row
    matches) or ``state`` (a quarter of them) and sort tens of thousands of rows; steering it
    to the one index that fits each query (due order for reviews, the deck for a deck search)
    keeps 100k cards fast.
    """
    column = col(attribute)
    return literal_column(f"+card.{column.key}", column.type)


def in_deck(deck: Optional[str]):
    """``deck_filter(deck)``, or no condition at all when ``deck`` is empty (every deck)."""
    return deck_filter(deck) if deck else True


def deck_filter(deck: str):
    """Cards in ``deck`` or any deck below it, matched literally and case for case.

    Not LIKE: there ``_`` and ``%`` are wildcards and ASCII letters match either case.
    """
    prefix = deck + "::"
    return or_(Card.deck == deck, func.substr(Card.deck, 1, len(prefix)) == prefix)


def demo_links(session) -> dict[str, list[str]]:
    links: dict[str, list[str]] = defaultdict(list)
    for card_id, demo_id in session.exec(select(CardDemo.card_id, CardDemo.demo_id)):
        links[card_id].append(demo_id)
    return links


def card_rows(store: Store, deck: str | None = None, where=None, include_removed: bool = False) -> list[dict]:
    """Cards in notes order, as JSON-ready dicts (the `cards --json` contract); ``where`` is an
    extra SQL condition (a compiled search, which decides about removed cards itself)."""
    query = select(Card)
    if where is not None:
        query = query.where(where)
    elif not include_removed:
        query = query.where(Card.removed == False)  # noqa: E712  (SQL comparison)
    if deck:
        query = query.where(deck_filter(deck))
    query = query.order_by(Card.source_file, Card.position)
    with store.session() as session:
        links = demo_links(session)
        reasons = demo_reasons(session)
        return [{**card_dict(card, links.get(card.id, [])), "demo_reasons": reasons.get(card.id, {})}
                for card in session.exec(query)]


def demo_reasons(session) -> dict[str, dict[str, str]]:
    """card id -> {demo id: why the card links it}."""
    reasons: dict[str, dict[str, str]] = defaultdict(dict)
    for card_id, demo_id, reason in session.exec(select(CardDemo.card_id, CardDemo.demo_id, CardDemo.reason)):
        reasons[card_id][demo_id] = reason
    return reasons


def card_dict(card: Card, demos: list[str]) -> dict:
    return {
        "id": card.id,
        "front": card.front,
        "back": card.back,
        "deck": card.deck,
        "tags": card.tag_list,
        "source": card.source,
        "demos": sorted(demos),
        "state": STATE_NAMES[card.state],
        "due": card.due.isoformat() if card.due else None,
        "suspended": card.suspended,
        "removed": card.removed,
        "kind": card.kind,
        "reps": card.reps,
        "lapses": card.lapses,
    }
