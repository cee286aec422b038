"""Shared fixtures: a fresh database file per test and a real `studyapp` subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture
def db_path(tmp_path, monkeypatch) -> Path:
    """A database path in a fresh folder; also exported as STUDYAPP_DB for subprocesses."""
    path = tmp_path / "study.db"
    monkeypatch.setenv("STUDYAPP_DB", str(path))
    return path


@pytest.fixture
def run_cli(db_path):
    """Run the real `python -m studyapp ...` in a subprocess against db_path."""

    def run(*args: str, input: str | None = None, timeout: float = 120, env: dict | None = None):
        full_env = {**os.environ, "STUDYAPP_DB": str(db_path), **(env or {})}
        return subprocess.run([sys.executable, "-m", "studyapp", *args], capture_output=True, text=True,
                              input=input, timeout=timeout, env=full_env)

    return run


@pytest.fixture
def fake_demos(monkeypatch):
    """The fake demos (tests/fake_demos) in the catalog instead of the real ones."""
    from demo_fakes import FAKE_DEMOS

    from studyapp.runner.catalog import catalog

    monkeypatch.setenv("STUDYAPP_DEMOS_DIR", str(FAKE_DEMOS))
    catalog.cache_clear()
    yield
    monkeypatch.delenv("STUDYAPP_DEMOS_DIR")
    catalog.cache_clear()
