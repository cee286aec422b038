"""The Textual reviewer: deck list, review, done, stats and help screens."""
