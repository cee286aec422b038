"""Anki: .apkg export, two-way sync through a shadow collection, card HTML and review history for Anki, demo plots as PNG; imports store, runner and review."""
