"""Benchmarks for the foundation (run with `python -m pytest tests/bench --benchmark-enable`).

Targets (issue 3), reported, never asserted as timings:
* `studyapp cards --json` on a fresh database (imports the bundled deck) within 1.3x the
  floor `python -c "import sqlmodel, markdown_it"`, with no torch import on the path;
* a synthetic 10 MB notes file imports in under 5 s;
* re-importing unchanged notes costs no more than the first import.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from synthetic import synthetic_notes

from studyapp.notes.importer import import_paths
from studyapp.store.database import open_store


def _python(*args: str, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, check=True, env=env)


def test_floor_import_sqlmodel_markdown_it(benchmark):
    benchmark.pedantic(_python, args=("-c", "import sqlmodel, markdown_it"), rounds=5, iterations=1)


def test_cards_json_on_a_fresh_database(benchmark, tmp_path):
    counter = iter(range(1000))

    def fresh_db_cards():
        path = tmp_path / f"fresh{next(counter)}.db"
        return _python("-m", "studyapp", "--db", str(path), "cards", "--json")

    result = benchmark.pedantic(fresh_db_cards, rounds=5, iterations=1)
    assert result.stdout.startswith("[")


def test_no_torch_on_the_cards_path(tmp_path):
    code = ("import sys; from studyapp.cli.main import main; main(['--db', sys.argv[1], 'cards', '--json']); "
            "assert 'torch' not in sys.modules, 'torch imported'")
    _python("-c", code, str(tmp_path / "t.db"))


@pytest.fixture(scope="module")
def big_notes(tmp_path_factory):
    path = tmp_path_factory.mktemp("big") / "big.md"
    path.write_text(synthetic_notes(10_000_000), encoding="utf-8")
    return path


def test_import_10mb_first_time(benchmark, big_notes, tmp_path):
    counter = iter(range(1000))

    def first_import():
        store = open_store(tmp_path / f"first{next(counter)}.db")
        return import_paths(store, [big_notes])

    report = benchmark.pedantic(first_import, rounds=2, iterations=1)
    assert len(report.new) > 10_000


def test_reimport_10mb_unchanged(benchmark, big_notes, tmp_path):
    store = open_store(tmp_path / "again.db")
    import_paths(store, [big_notes])
    report = benchmark.pedantic(import_paths, args=(store, [big_notes]), rounds=2, iterations=1)
    assert not report.new and not report.updated
