"""`studyapp sync` benchmarks against the real Anki sync server on 127.0.0.1.

Run with `python -m pytest tests/bench/test_bench_sync.py --benchmark-enable -s`. Targets
(issue 13), reported, never asserted: the first sync of 10,000 cards; a sync with nothing
to move under 1 s beyond importing `anki` (timed in-process, so the import is paid once,
and the import itself is measured apart); a sync that brings 200 phone reviews.
"""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import datetime, timezone

import pytest
from sqlmodel import select

pytest.importorskip("anki")

from anki_phone import PASSWORD, USER, Phone, SyncServer  # noqa: E402

from studyapp.anki.sync import SyncRequest, run_sync  # noqa: E402
from studyapp.anki.sync_login import log_in, save_login  # noqa: E402
from studyapp.anki.sync_shadow import open_shadow, sync_folder  # noqa: E402
from studyapp.notes.importer import bundled_deck_path, import_paths  # noqa: E402
from studyapp.store.database import open_store  # noqa: E402
from studyapp.store.tables import Card  # noqa: E402

CARDS = 10_000
PHONE_REVIEWS = 200


def _fill(store) -> None:
    """10,000 cards with the bundled deck's real texts, each made distinct by its number."""
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


CPU_S: list[float] = []  # this process's CPU time per sync: steadier than wall time on a shared machine


def _sync(store):
    started = time.process_time()
    try:
        return run_sync(store, SyncRequest(now=datetime.now(timezone.utc)))
    finally:
        CPU_S.append(time.process_time() - started)


def _cpu(rounds: int) -> str:
    return f"(CPU {sum(CPU_S[-rounds:]) / rounds:.2f} s)"


@pytest.fixture(scope="module")
def world(tmp_path_factory, request):
    """A server, a 10,000-card database logged in to it, and the first sync's time."""
    config = request.config
    if config.getoption("benchmark_disable") and not config.getoption("benchmark_enable"):
        pytest.skip("sync benchmarks: run with --benchmark-enable")
    folder = tmp_path_factory.mktemp("sync-bench")
    server = SyncServer(folder / "server")
    store = open_store(folder / "bench.db")
    _fill(store)
    with open_shadow(sync_folder(store.path)) as collection:
        save_login(sync_folder(store.path), log_in(collection, USER, PASSWORD, server.endpoint))
    started = time.perf_counter()
    report = _sync(store)
    first = time.perf_counter() - started
    assert report.went_out.added == CARDS and report.full == ["upload"]
    phone = Phone(folder / "phone", server.endpoint)
    phone.sync()
    yield store, phone, first
    phone.close()
    store.close()
    server.stop()


def test_first_sync_of_10k_cards(benchmark, world):
    store, _, first = world
    benchmark.extra_info["first_sync_s"] = round(first, 2)
    print(f"\nfirst sync of {CARDS} cards (notes added, full upload): {first:.2f} s {_cpu(1)}")
    benchmark.pedantic(lambda: None, rounds=1, iterations=1)  # the time is the fixture's, reported above


def test_sync_with_nothing_to_move(benchmark, world):
    store, _, _ = world
    report = benchmark.pedantic(_sync, args=(store,), rounds=5, iterations=1)
    assert not report.went_out.changed and report.came_in.reviews == 0
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import anki.collection"], check=True)
    importing = time.perf_counter() - started
    print(f"\nimporting anki (a fresh process): {importing:.2f} s; "
          f"a sync with nothing to move: mean {benchmark.stats.stats.mean:.3f} s beyond it {_cpu(5)}")


def test_sync_bringing_200_phone_reviews(benchmark, world):
    store, phone, _ = world
    with store.session() as session:
        ids = list(session.exec(select(Card.id).order_by(Card.id)))
    batches = iter([ids[i * PHONE_REVIEWS:(i + 1) * PHONE_REVIEWS] for i in range(3)])

    def phone_reviews():
        for card_id in next(batches):
            phone.review(card_id, 3)
        phone.sync()
        return (store,), {}

    report = benchmark.pedantic(_sync, setup=phone_reviews, rounds=3, iterations=1)
    assert report.came_in.reviews == PHONE_REVIEWS
    print(f"\na sync bringing {PHONE_REVIEWS} phone reviews (and sending their rebuilt schedules): "
          f"mean {benchmark.stats.stats.mean:.2f} s {_cpu(3)}")
