"""Read-side queries over cards, shaped as plain dicts for the CLI and exports."""

from __future__ import annotations

from collections import defaultdict
from typing import Optional

from sqlalchemy import literal_column
from sqlalchemy import select as sa_select
from sqlmodel import col, func, or_, select

from studyapp.errors import UserError
from studyapp.store.database import Store
from studyapp.store.tables import STATE_NAMES, Card, CardDemo, source_label


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
    extra SQL condition (a compiled search, which decides about removed cards itself).

    Plain Core selects of the rows, not ORM objects: the listing needs no identity map, and
    skipping the mapper setup of a first ORM query is most of what a fresh ``cards`` costs here.
    """
    cards, demos = Card.__table__, CardDemo.__table__
    query = sa_select(cards)
    if where is not None:
        query = query.where(where)
    elif not include_removed:
        query = query.where(cards.c.removed == False)  # noqa: E712  (SQL comparison)
    if deck:
        query = query.where(deck_filter(deck))
    query = query.order_by(cards.c.source_file, cards.c.position)
    with store.session() as session:
        connection = session.connection()
        reasons: dict[str, dict[str, str]] = defaultdict(dict)  # card id -> {demo id: why the card links it}
        for card_id, demo_id, reason in connection.execute(sa_select(demos.c.card_id, demos.c.demo_id, demos.c.reason)):
            reasons[card_id][demo_id] = reason
        return [{**card_dict(row, reasons.get(row.id, {})), "demo_reasons": reasons.get(row.id, {})}
                for row in connection.execute(query)]


def card_dict(card, demos) -> dict:
    """One row of the card table as the `cards --json` object; ``demos``: its demo ids."""
    return {
        "id": card.id,
        "front": card.front,
        "back": card.back,
        "deck": card.deck,
        "tags": card.tags.split(),
        "source": source_label(card.source_file, card.source_line),
        "demos": sorted(demos),
        "state": STATE_NAMES[card.state],
        "due": card.due.isoformat() if card.due else None,
        "suspended": card.suspended,
        "removed": card.removed,
        "kind": card.kind,
        "reps": card.reps,
        "lapses": card.lapses,
    }
