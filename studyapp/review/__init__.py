"""Reviewing: FSRS scheduling, settings, the daily queue, the review session, stats and optimize; imports store."""
