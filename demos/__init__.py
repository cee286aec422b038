"""Concept demos: one self-contained PyTorch experiment per interview question.

Installed as ``studyapp.demos`` (see pyproject.toml). Every module here defines, at the
top, the plain-literal constants ``ID``, ``TITLE``, ``CLAIM`` and ``CARD_TERMS`` (read
without importing torch, by :mod:`studyapp.runner.catalog`) and a function
``run(device, seed, quick, progress, ablate=False) -> Result``.
"""
