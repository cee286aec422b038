"""The TUI's screens, one module each: deck list, review, done, stats, help, demos."""
