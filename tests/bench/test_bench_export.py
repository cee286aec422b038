"""Anki export benchmarks (run with `python -m pytest tests/bench/test_bench_export.py --benchmark-enable`).

Targets (issue 6), reported, never asserted as timings: exporting 10,000 cards without
plots within 3 s, and within 1.5x of genanki writing the same notes by itself (the
baseline gets the finished field HTML, so it measures genanki alone).
"""

from __future__ import annotations

import genanki
import pytest
from sqlmodel import select

from studyapp.export_anki import NOTE_TYPE, ExportRequest, build_package, export_anki, note_guid, stable_id
from studyapp.importer import bundled_deck_path, import_paths
from studyapp.models import Card
from studyapp.store import open_store

CARDS = 10_000


@pytest.fixture(scope="module")
def big_store(tmp_path_factory):
    """10,000 cards with the bundled deck's real texts, each made distinct by its number."""
    folder = tmp_path_factory.mktemp("export-bench")
    store = open_store(folder / "bench.db")
    import_paths(store, [bundled_deck_path()])
    with store.session() as session:
        real = list(session.exec(select(Card)))
    with store.transaction() as session:
        for card in real:
            session.delete(card)
    with store.transaction() as session:
        session.add_all(
            Card(id=f"bench-{i}", front=f"{card.front} （{i}）", back=f"{card.back}\n\n第{i}张", deck=card.deck,
                 tags=card.tags, source_file=card.source_file, source_line=card.source_line, position=i)
            for i, card in ((i, real[i % len(real)]) for i in range(CARDS)))
    yield store
    store.close()


def test_export_10k_cards_without_plots(benchmark, big_store, tmp_path):
    out = tmp_path / "big.apkg"
    request = ExportRequest(out=out, force=True, plots=False)
    report = benchmark.pedantic(export_anki, args=(big_store, request), rounds=3, iterations=1)
    assert report.notes == CARDS and out.stat().st_size > 0


def test_genanki_alone_writing_the_same_notes(benchmark, big_store, tmp_path):
    with big_store.session() as session:
        cards = list(session.exec(select(Card).order_by(Card.deck, Card.source_file, Card.position)))
    package, _ = build_package(cards, {})
    ready = [(deck.name, [(note.fields, note.tags, note.guid) for note in deck.notes]) for deck in package.decks]

    def genanki_only():
        decks = []
        for name, notes in ready:
            deck = genanki.Deck(stable_id("deck", name), name)
            for fields, tags, guid in notes:
                deck.add_note(genanki.Note(model=NOTE_TYPE, fields=fields, tags=tags, guid=guid))
            decks.append(deck)
        genanki.Package(decks).write_to_file(str(tmp_path / "genanki.apkg"))

    benchmark.pedantic(genanki_only, rounds=3, iterations=1)
    assert sum(len(notes) for _, notes in ready) == CARDS
    assert note_guid(cards[0].id) in {guid for _, notes in ready for *_, guid in notes}
