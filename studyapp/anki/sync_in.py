"""Sync, the way in: what Anki (the phone) did to our notes, into our database, in one transaction.

- Reviews: every revlog row of one of our cards whose id no review row of ours carries is a
  review made in Anki. It becomes a review-log row with that id (so the union is by revlog
  id and our own rows, which carry their id once sent, are skipped), and each card that got
  one has its FSRS state rebuilt from its whole merged log in time order.
- Suspends: a card suspended or unsuspended in Anki since the last sync (and not here) is
  suspended or unsuspended here.

A row that is one of our own reviews, carried into Anki by ``export anki --with-scheduling``
before the first sync, is recognised (same card, rating and millisecond) and not taken twice.
Only revlog rows of real reviews count (learning, review, relearning, with a button);
Anki's "set due date", "forget" and cram rows in filtered decks without rescheduling are
not reviews of the card's memory.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlmodel import col, select

from studyapp.anki.anki_notes import Slot, card_slots
from studyapp.anki.sync_shadow import ShadowNote, synced_cards_of, synced_rows
from studyapp.review.replay import replay_card
from studyapp.review.settings import load_settings
from studyapp.store.database import Store
from studyapp.store.tables import Card, ReviewLog

REVIEW_TYPES = (0, 1, 2)  # revlog.type: learning, review, relearning
BUTTONS = (1, 2, 3, 4)


@dataclass
class InReport:
    """What came in from Anki."""

    reviews: int = 0
    cards_rescheduled: list[str] = field(default_factory=list)
    suspended: list[str] = field(default_factory=list)
    unsuspended: list[str] = field(default_factory=list)


def our_cards_in_shadow(cards, shadow: dict[Slot, ShadowNote]) -> dict[str, ShadowNote]:
    """Our card id -> its card in the shadow collection, for the cards it has (``cards``: see card_slots)."""
    slots, _ = card_slots(cards, shadow)
    return {card_id: shadow[slot] for card_id, slot in slots.items() if slot in shadow}


def new_anki_reviews(collection, in_shadow: dict[str, ShadowNote], known: set[int],
                     since_usn: int | None = None) -> dict[str, list[ReviewLog]]:
    """Revlog rows of our cards that no review row of ours carries, as unsaved rows by card id.

    ``since_usn``: only the rows the server sent since the last completed sync (all when None).
    """
    by_anki_card = {note.card_id: card_id for card_id, note in in_shadow.items()}
    found: dict[str, list[ReviewLog]] = {}
    for revlog_id, anki_card_id, ease, taken, kind in collection.db.all(
            "select id, cid, ease, time, type from revlog where usn >= ?", -1 if since_usn is None else since_usn):
        if revlog_id in known or anki_card_id not in by_anki_card:
            continue
        if kind not in REVIEW_TYPES or ease not in BUTTONS:
            continue
        card_id = by_anki_card[anki_card_id]
        found.setdefault(card_id, []).append(ReviewLog(
            card_id=card_id, rating=ease, anki_revlog_id=revlog_id, duration_ms=max(0, taken),
            reviewed_at=datetime.fromtimestamp(revlog_id / 1000, timezone.utc)))
    return found


ADOPT_WITHIN_MS = 50  # an exported review's revlog id is its time in ms, bumped when taken


def _not_ours(rows: list[ReviewLog], mine: list[ReviewLog], session) -> list[ReviewLog]:
    """Anki's rows less those that are our own reviews, carried there by `export --with-scheduling`.

    Such a row has our review's time (ms) as its id and our rating: our row takes the id,
    and the review is not counted twice.
    """
    unsent = [log for log in mine if log.anki_revlog_id is None]
    if not unsent:
        return rows
    kept = []
    for row in rows:
        match = next((log for log in unsent if log.rating == row.rating and log.anki_revlog_id is None
                      and 0 <= row.anki_revlog_id - int(log.reviewed_at.timestamp() * 1000) < ADOPT_WITHIN_MS),
                     None)
        if match is None:
            kept.append(row)
        else:
            match.anki_revlog_id = row.anki_revlog_id
            session.add(match)
    return kept


def bring_in(store: Store, collection, shadow: dict[Slot, ShadowNote], since_usn: int | None = None) -> InReport:
    """Apply Anki's reviews and suspends to our database (one transaction); the shadow is only read.

    ``since_usn``: the shadow's usn when the last sync completed. Everything the server sent
    since has a usn at least that (Anki stamps each synced row with the server's usn), so only
    those cards and revlog rows are read; None (first sync, after a full sync): all of them.
    """
    report = InReport()
    if not shadow:  # the first sync: nothing of ours in Anki yet
        return report
    with store.transaction() as session:
        if since_usn is None:
            cards = session.exec(select(Card.id, Card.front, Card.kind, Card.sibling_key, Card.removed))
            in_shadow = our_cards_in_shadow(list(cards), shadow)
            synced = synced_rows(session)
        else:  # a card Anki changed since the last sync was placed there by a sync, which recorded it
            changed = {note.card_id: note for note in shadow.values() if note.usn >= since_usn}
            in_shadow = {card_id: changed[anki_id]
                         for anki_id, card_id in synced_cards_of(session, list(changed)).items()}
            synced = synced_rows(session, list(in_shadow))
        if not in_shadow:
            return report
        known = set(session.exec(select(ReviewLog.anki_revlog_id).where(col(ReviewLog.anki_revlog_id).is_not(None))))
        arrived = new_anki_reviews(collection, in_shadow, known, since_usn)
        if arrived:
            settings = load_settings(session)
            touched = sorted(arrived)
            cards = {card.id: card for card in session.exec(select(Card).where(col(Card.id).in_(touched)))}
            history: dict[str, list[ReviewLog]] = {}
            for log in session.exec(select(ReviewLog).where(col(ReviewLog.card_id).in_(touched))):
                history.setdefault(log.card_id, []).append(log)
            for card_id in touched:
                card, mine = cards[card_id], history.get(card_id, [])
                rows = _not_ours(arrived[card_id], mine, session)
                if not rows:
                    continue
                logs = mine + rows
                for step in replay_card(card, logs, settings):
                    if step.log.id is None:  # a row from Anki: made to look like one of ours
                        step.log.state_before = step.state_before
                        step.log.snapshot_before = json.dumps(step.snapshot_before)
                        session.add(step.log)
                card.updated_at = datetime.now(timezone.utc)
                session.add(card)
                report.reviews += len(rows)
                report.cards_rescheduled.append(card_id)
        for card_id, note in in_shadow.items():
            agreed = synced.get(card_id)
            if agreed is None or note.suspended == agreed.suspended:
                continue  # Anki did not change it
            card = session.get(Card, card_id)
            if card.removed or card.suspended != agreed.suspended:
                continue  # removed here, or changed here too: ours goes out
            card.suspended = note.suspended
            session.add(card)
            (report.suspended if note.suspended else report.unsuspended).append(card_id)
    return report
