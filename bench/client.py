"""A tiny HTTP client on http.client, for 127.0.0.1 only, timing each exchange."""

import http.client
import json
import time
from dataclasses import dataclass

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes
    seconds: float  # from sending the request to the last byte of the body

    def json(self) -> object:
        return json.loads(self.body)

    def brief(self) -> str:
        return f"{self.status} {self.body[:200].decode('utf-8', 'replace')}"


def request(port: int, method: str, path: str, *, payload: object = None,
            headers: dict[str, str] | None = None, timeout: float = 30) -> Response:
    """One request on a fresh connection (gunicorn's sync workers close after each answer)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    sent_headers = {"Accept-Language": "fr", **(headers or {})}
    body = None
    if payload is not None:
        body = json.dumps(payload).encode()
        sent_headers["Content-Type"] = "application/json"
    try:
        started = time.perf_counter()
        connection.request(method, path, body=body, headers=sent_headers)
        answer = connection.getresponse()
        content = answer.read()
        elapsed = time.perf_counter() - started
    finally:
        connection.close()
    return Response(answer.status, {k.lower(): v for k, v in answer.getheaders()}, content,
                    elapsed)


def get(port: int, path: str, **kwargs) -> Response:
    return request(port, "GET", path, **kwargs)


def post_json(port: int, path: str, payload: object, **kwargs) -> Response:
    return request(port, "POST", path, payload=payload, **kwargs)
