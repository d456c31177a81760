"""A local HTTP server that misbehaves on command, at the socket level where it must."""

from __future__ import annotations

import socket
import socketserver
import struct
import threading
import time

STATUS_TEXT = {200: "OK", 302: "Found", 304: "Not Modified", 404: "Not Found",
               406: "Not Acceptable", 429: "Too Many Requests", 500: "Internal Server Error",
               502: "Bad Gateway", 503: "Service Unavailable"}


class FaultyServer:
    """Serves `body` on every path; `mode` says how to misbehave:

    ok | status:<code> | status:<code>:retry-after[=<value>] (default 1) | reset (mid-body) |
    truncate (fewer bytes than Content-Length) | stall (headers, then silence) | trickle (the
    body one byte every `trickle_interval` seconds) | trickle-head (the headers so) |
    length:<text> (that Content-Length) | redirect:<location> (a 302 to it, sent as it is) |
    refuse (nothing listens). `trickled` counts the bytes trickled, and `hung_up` is set
    when the client closed the connection before a trickle was over.
    """

    def __init__(self, body: bytes = b"", content_type: str = "application/json") -> None:
        self.body, self.content_type, self.mode = body, content_type, "ok"
        self.requests = 0
        self.trickle_interval = 0.2
        self.trickled = 0
        self.hung_up = threading.Event()
        server = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                server.requests += 1
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = self.request.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                server.answer(self.request)

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        # Polled often: shutdown() waits for the next poll (half a second by default, in
        # every test that closes a server).
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,),
                                        daemon=True)
        self._thread.start()

    def url(self, path: str = "/api/daily_papers") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def answer(self, conn: socket.socket) -> None:
        mode, body = self.mode, self.body
        if mode.startswith("status:"):
            parts = mode.split(":", 2)
            code = int(parts[1])
            extra = ""
            if parts[2:]:
                extra = f"Retry-After: {parts[2].partition('=')[2] or '1'}\r\n"
            conn.sendall(self._head(code, len(b"error"), extra) + b"error")
        elif mode.startswith("length:"):  # the body under a Content-Length of this text
            conn.sendall(self._head(200, mode.partition(":")[2]) + body)
        elif mode.startswith("redirect:"):
            conn.sendall(self._head(302, 0, f"Location: {mode.partition(':')[2]}\r\n"))
        elif mode == "reset":
            conn.sendall(self._head(200, len(body)) + body[: len(body) // 2])
            # SO_LINGER 0: close() sends a TCP RST instead of an orderly FIN.
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        elif mode == "truncate":
            conn.sendall(self._head(200, len(body)) + body[: len(body) // 2])
        elif mode == "trickle":
            conn.sendall(self._head(200, len(body)))
            self._trickle(conn, body)
        elif mode == "trickle-head":
            self._trickle(conn, self._head(200, len(body)).replace(
                b"\r\n\r\n", b"\r\nX-Slow: " + b"." * 10_000 + b"\r\n\r\n") + body)
        elif mode == "stall":
            conn.sendall(self._head(200, len(body)))
            time.sleep(3)
        else:
            conn.sendall(self._head(200, len(body)) + body)
        conn.close()

    def _trickle(self, conn: socket.socket, data: bytes) -> None:
        try:
            for byte in data:
                conn.sendall(bytes([byte]))
                self.trickled += 1
                time.sleep(self.trickle_interval)
        except OSError:  # the client hung up: what a deadline should make it do
            self.hung_up.set()

    def _head(self, code: int, length: int | str, extra: str = "") -> bytes:
        return (f"HTTP/1.1 {code} {STATUS_TEXT.get(code, 'Status')}\r\n"
                f"Content-Type: {self.content_type}\r\nContent-Length: {length}\r\n"
                f"Connection: close\r\n{extra}\r\n").encode()

    def refuse(self) -> None:
        """Stop listening: connections are refused from now on."""
        self.close()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
