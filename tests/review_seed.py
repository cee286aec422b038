"""Test data for the review tests: cards inserted directly, at chosen scheduling states."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest

from studyapp.store.database import Store, open_store
from studyapp.store.tables import REVIEW, Card

# A fixed moment for frozen-clock tests: 10:00 in Shanghai (the tests pin TZ=Asia/Shanghai).
NOW = datetime(2026, 3, 10, 2, 0, tzinfo=timezone.utc)


def add_cards(store: Store, count: int, deck: str = "DL::Basics", prefix: str = "c", **fields) -> list[str]:
    """Insert ``count`` cards (new unless ``fields`` say otherwise); returns their ids in order."""
    ids = [f"{prefix}{i:05d}" for i in range(count)]
    with store.transaction() as session:
        for position, card_id in enumerate(ids):
            session.add(Card(
                id=card_id, front=f"Question {card_id}?", back=f"Answer {card_id}.", deck=deck,
                source_file="notes.md", source_line=position + 1, position=position, **fields,
            ))
    return ids


def add_review_cards(store: Store, count: int, due: datetime, deck: str = "DL::Reviews",
                     prefix: str = "r", **fields) -> list[str]:
    """Cards in the review state, last seen ten days before ``due``."""
    return add_cards(
        store, count, deck=deck, prefix=prefix, state=REVIEW, stability=10.0, difficulty=5.0,
        due=due, last_review=due - timedelta(days=10), reps=3, **fields,
    )


def card(store: Store, card_id: str) -> Card:
    with store.session() as session:
        return session.get(Card, card_id)



@pytest.fixture
def store(db_path):
    """An empty database (no bundled deck), closed after the test."""
    opened = open_store(db_path)
    yield opened
    opened.close()


@pytest.fixture
def shanghai(monkeypatch):
    """Pin local time to UTC+8 (no DST) so day boundaries are predictable."""
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()
