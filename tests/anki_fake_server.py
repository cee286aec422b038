"""A tiny HTTP server on 127.0.0.1 that answers Anki's ``sync/meta`` request the way Anki's server does
in the cases the real one cannot be made to show: its clock off, or too old for the client.

What the client sends and wants back is in ankitects/anki rslib/src/sync: every request is a POST
with an ``anki-sync`` JSON header and a zstd body; the answer is a zstd body with its length in the
``anki-original-size`` header. ``server_meta`` (collection/meta.rs) answers a sync version it does
not know with HTTP 501 "Not Implemented" (which the client reads as ``ClientTooOld``); otherwise the
JSON ``SyncMeta``, whose ``ts`` the client compares with its own clock (``online_sync_status_check``
in collection/status.rs: more than 300 s apart is ``ClockIncorrect``).
"""

from __future__ import annotations

import json
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CLOCK_AHEAD, TOO_OLD = "clock-ahead", "too-old"
ZSTD_MAGIC = 0xFD2FB528
RAW_BLOCK_MAX = 1 << 17


def zstd_frame(data: bytes) -> bytes:
    """``data`` as one zstd frame of raw (stored) blocks: valid zstd, no compressor needed."""
    # Frame header descriptor 0xA0: single segment, a 4-byte content size, no checksum, no dictionary.
    frame = struct.pack("<IBI", ZSTD_MAGIC, 0xA0, len(data))
    starts = range(0, len(data), RAW_BLOCK_MAX) or [0]
    for start in starts:
        chunk = data[start:start + RAW_BLOCK_MAX]
        last = start + RAW_BLOCK_MAX >= len(data)
        frame += (int(last) | len(chunk) << 3).to_bytes(3, "little") + chunk  # block type 0: raw
    return frame


def meta_answer(clock_offset_s: int) -> dict:
    """``SyncMeta`` as the server serialises it (collection/meta.rs), for an empty collection."""
    return {"mod": 0, "scm": 0, "usn": 0, "ts": int(time.time()) + clock_offset_s, "msg": "", "cont": True,
            "hostNum": 0, "empty": True, "media_usn": 0}


class FakeSyncServer:
    """Answers every sync request as ``mode`` says; ``requests`` records the paths asked for."""

    def __init__(self, mode: str, clock_offset_s: int = 600):
        self.mode, self.clock_offset_s = mode, clock_offset_s
        self.requests: list[str] = []
        self.http = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.endpoint = f"http://127.0.0.1:{self.http.server_address[1]}/"
        self.thread = threading.Thread(target=self.http.serve_forever, daemon=True)
        self.thread.start()

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self._read_body()
                server.requests.append(self.path)
                if server.mode == TOO_OLD:
                    self._send(501, b"Not Implemented")  # (code, code.as_str()), sync/error.rs
                    return
                data = json.dumps(meta_answer(server.clock_offset_s)).encode()
                self._send(200, zstd_frame(data), {"anki-original-size": str(len(data))})

            def _read_body(self):
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    while True:
                        size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                        self.rfile.read(size + 2)  # the chunk and its CRLF
                        if size == 0:
                            return
                self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def _send(self, code: int, body: bytes, headers: dict | None = None):
                self.send_response(code)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        return Handler

    def stop(self) -> None:
        self.http.shutdown()
        self.http.server_close()
        self.thread.join(5)
