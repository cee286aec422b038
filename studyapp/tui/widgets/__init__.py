"""Widgets the screens share, one module each."""
