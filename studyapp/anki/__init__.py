"""Anki: the .apkg export, card HTML for Anki, review history for Anki, demo plots as PNG; imports store and runner."""
