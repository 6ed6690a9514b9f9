"""A real HTTP server on 127.0.0.1 (port 0) that serves calendars to the import tests."""

import contextlib
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

CALENDARS = Path(__file__).parent / "calendars"


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    etag: str = ""  # answers 304 to a matching If-None-Match
    stall: threading.Event | None = None  # waits on it before answering (timeouts)
    length: bool = True  # False: no Content-Length, the body ends when the connection closes


class CalendarServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append((self.path, dict(self.headers)))
                route = server.routes.get(self.path, Route(status=404, body=b"not found"))
                if route.stall is not None:
                    route.stall.wait(5)
                if route.etag and self.headers.get("If-None-Match") == route.etag:
                    self.send_response(304)
                    self.send_header("ETag", route.etag)
                    self.end_headers()
                    return
                self.send_response(route.status)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                if route.etag:
                    self.send_header("ETag", route.etag)
                if route.length:
                    self.send_header("Content-Length", str(len(route.body)))
                else:
                    self.close_connection = True
                self.end_headers()
                # The client may give up on purpose (the size cap).
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(route.body)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def serve(self, path: str, body: bytes | str = b"", **kwargs) -> str:
        if isinstance(body, str):
            body = (CALENDARS / body).read_bytes()
        self.routes[path] = Route(body=body, **kwargs)
        return self.url(path)

    def count(self, path: str) -> int:
        return sum(1 for requested, _headers in self.requests if requested == path)

    def __enter__(self) -> "CalendarServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        for route in self.routes.values():
            if route.stall is not None:
                route.stall.set()
        self.httpd.shutdown()
        self.httpd.server_close()
