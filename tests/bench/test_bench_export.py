"""Anki export benchmarks (run with `python -m pytest tests/bench/test_bench_export.py --benchmark-enable`).

Targets (issue 6), reported, never asserted as timings: exporting 10,000 cards without
plots within 3 s, and within 1.5x of genanki writing the same notes by itself.

Like with like: the export is timed whole (database read, markdown rendering, GUIDs,
genanki notes, the .apkg written through a temporary file). The baseline is handed what
the export produced (the final field HTML, tags and GUIDs of every note, and the deck
names) and times only genanki: building the same notes in the same decks and writing them.
The rendering benchmark shows how much of the difference is markdown.
"""

from __future__ import annotations

import genanki
import pytest
from sqlmodel import select

from studyapp.anki.export import ExportRequest, build_package, export_anki, select_cards
from studyapp.anki.html import markdown_to_html
from studyapp.anki.note_type import NOTE_TYPE, note_guid, stable_id
from studyapp.notes.importer import bundled_deck_path, import_paths
from studyapp.store.database import open_store
from studyapp.store.tables import Card

CARDS = 10_000
ROUNDS = 5


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


@pytest.fixture(scope="module")
def exported_cards(big_store):
    with big_store.session() as session:
        return select_cards(session, None)


def test_export_10k_cards_without_plots(benchmark, big_store, tmp_path):
    out = tmp_path / "big.apkg"
    request = ExportRequest(out=out, force=True, plots=False)
    report = benchmark.pedantic(export_anki, args=(big_store, request), rounds=ROUNDS, iterations=1)
    assert report.notes == CARDS and out.stat().st_size > 0


def test_genanki_alone_writing_the_same_notes(benchmark, exported_cards, tmp_path):
    package, deck_names, _ = build_package(exported_cards, {})
    ready = [(deck.name, [(note.fields, note.tags, note.guid, note.cards[0].suspend) for note in deck.notes])
             for deck in package.decks]

    def genanki_only():
        decks = []
        for name, notes in ready:
            deck = genanki.Deck(stable_id("deck", name), name)
            for fields, tags, guid, suspend in notes:
                note = genanki.Note(model=NOTE_TYPE, fields=fields, tags=tags, guid=guid)
                note.cards[0].suspend = suspend
                deck.add_note(note)
            decks.append(deck)
        genanki.Package(decks).write_to_file(str(tmp_path / "genanki.apkg"))

    benchmark.pedantic(genanki_only, rounds=ROUNDS, iterations=1)
    assert sum(len(notes) for _, notes in ready) == CARDS and [name for name, _ in ready] == deck_names
    assert note_guid(exported_cards[0].id) in {guid for _, notes in ready for _, _, guid, _ in notes}


def test_render_fields_of_10k_cards(benchmark, exported_cards):
    def render_all():
        return [(markdown_to_html(card.front), markdown_to_html(card.back)) for card in exported_cards]

    fields = benchmark.pedantic(render_all, rounds=ROUNDS, iterations=1)
    assert len(fields) == CARDS and all(back.startswith("<") for _, back in fields)
