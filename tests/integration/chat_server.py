"""A loopback Google Chat incoming webhook: keeps every card posted, and can be told to hang
(accept the connection, never answer) or to refuse, like a Chat having a bad day."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


class FakeChatServer:
    def __init__(self) -> None:
        self.cards: list[dict[str, Any]] = []
        self.threads: list[str] = []  # each post's threadKey, in order
        self.hanging = threading.Event()  # set: accept posts and never answer
        self.status = 200
        self._released = threading.Event()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1/spaces/SPACE/messages?key=chat-key&token=chat-token"

    def __enter__(self) -> FakeChatServer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._released.set()
        self._server.shutdown()
        self._server.server_close()

    def texts(self) -> list[str]:
        """Each card as one text (title, subtitle and every widget), for assertions."""
        with self._lock:
            return [json.dumps(card) for card in self.cards]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        chat = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                query = parse_qs(urlsplit(self.path).query)
                with chat._lock:
                    chat.cards.append(body)
                    chat.threads.append(query.get("threadKey", [""])[0])
                if chat.hanging.is_set():
                    chat._released.wait(120)
                    return
                payload = b"{}"
                self.send_response(chat.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        return Handler
