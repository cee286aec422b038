"""Demos: the catalog (read from the demo files without torch) and the child process that runs one; imports store."""
