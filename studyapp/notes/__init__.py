"""Notes -> cards: markdown to card drafts (parse), reading note files, drafts into the database (identity, edits); imports store and runner.catalog."""
