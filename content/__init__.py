"""Bundled markdown decks, installed as the package data of ``studyapp.content``."""
