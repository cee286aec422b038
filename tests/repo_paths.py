"""Paths into the repository that tests share (a module of its own: every conftest.py is 'conftest')."""

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BUNDLED = REPO / "content" / "deep-learning-interview-notes.md"
