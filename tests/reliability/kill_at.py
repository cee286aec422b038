"""Run a studyapp command and SIGKILL it just before its K-th SQL statement (K=0: run it whole).

    python kill_at.py K studyapp-args...

Every statement any connection of the process runs counts (SQLite's trace hook), so K from 1 to
the count of a K=0 run kills the command at every step it takes: creating the schema, each
statement of an import, the commit of a rating. A K=0 run prints every statement on stderr,
one ``statement: SQL`` line each (newlines folded), then ``statements N``.
"""

from __future__ import annotations

import os
import signal
import sys

import studyapp.store.database as database
from studyapp.cli.main import main

kill_at = int(sys.argv[1])
seen = 0
statements: list[str] = []
_connect = database._on_connect


def _count(statement: str) -> None:
    global seen
    seen += 1
    if not kill_at:
        statements.append(" ".join(statement.split()))
    if seen == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)  # no cleanup, no rollback, no atexit


def _traced(conn, record) -> None:
    conn.set_trace_callback(_count)
    _connect(conn, record)


database._on_connect = _traced
code = main(sys.argv[2:])
for statement in statements:
    print(f"statement: {statement}", file=sys.stderr)
print(f"statements {seen}", file=sys.stderr)
sys.exit(code)
