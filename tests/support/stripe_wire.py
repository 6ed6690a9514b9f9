"""Stripe's wire formats, for the local Stripe-compatible server: bodies, errors, signatures.

The official `stripe` library sends form-encoded bodies with bracketed keys
(`line_items[0][price_data][unit_amount]=9000`, `metadata[booking]=…`); Stripe answers JSON,
errors as `{"error": {"type", "message", "code", "param"}}`, and signs webhooks with
`Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<payload>")>`.
"""

import hashlib
import hmac
import re
import time
from urllib.parse import parse_qsl

_KEY_PART = re.compile(r"\[([^\]]*)\]")

# Status → Stripe's error type, as its API documents them.
ERROR_TYPES = {
    400: "invalid_request_error",
    401: "invalid_request_error",
    402: "card_error",
    404: "invalid_request_error",
    409: "idempotency_error",
    429: "rate_limit_error",
}


class StripeError(Exception):
    """An error answer: status and Stripe's error object."""

    def __init__(self, status: int, message: str, *, code: str | None = None,
                 param: str | None = None, error_type: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.body = {"error": {"type": error_type or ERROR_TYPES.get(status, "api_error"),
                               "message": message}}
        if code:
            self.body["error"]["code"] = code
        if param:
            self.body["error"]["param"] = param


def _listify(node):
    """Dicts whose keys are all 0, 1, 2 … become lists (how Stripe reads `items[0][…]`)."""
    if not isinstance(node, dict):
        return node
    node = {key: _listify(value) for key, value in node.items()}
    if node and all(key.isdigit() for key in node):
        return [node[key] for key in sorted(node, key=int)]
    return node


def decode_form(body: str) -> dict:
    """`a[b][0][c]=1&d=2` → {"a": {"b": [{"c": "1"}]}, "d": "2"} (values stay strings)."""
    root: dict = {}
    for raw_key, value in parse_qsl(body, keep_blank_values=True):
        head = raw_key.split("[", 1)[0]
        parts = [head, *_KEY_PART.findall(raw_key[len(head):])]
        node = root
        for index, part in enumerate(parts):
            if index == len(parts) - 1:
                if part == "":  # `expand[]=x`: a list of values
                    node.setdefault("", []).append(value)
                else:
                    node[part] = value
            else:
                node = node.setdefault(part, {})
    return _unblank(_listify(root))


def _unblank(node):
    if isinstance(node, dict):
        if set(node) == {""}:
            return node[""]
        return {key: _unblank(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_unblank(item) for item in node]
    return node


def signature_header(payload: str, secret: str, timestamp: int | None = None) -> str:
    """Stripe's `Stripe-Signature` header for `payload`, at `timestamp` (default: now)."""
    stamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{stamp}.{payload}".encode(), hashlib.sha256)
    return f"t={stamp},v1={digest.hexdigest()}"


def integer(params: dict, name: str, *, minimum: int = 0) -> int:
    """A non-negative integer parameter, or Stripe's 400 for a bad one."""
    raw = params.get(name)
    if raw is None or not str(raw).isdigit() or int(raw) < minimum:
        raise StripeError(400, f"Invalid integer: {raw}", code="parameter_invalid_integer",
                          param=name)
    return int(raw)


def required(params: dict, name: str, *, param: str | None = None):
    value = params.get(name)
    if value in (None, "", {}, []):
        raise StripeError(400, f"Missing required param: {param or name}.",
                          code="parameter_missing", param=param or name)
    return value
