"""The `studyapp` command: argparse and one module per command group; may import every package (and Textual, for the TUI)."""
