"""The guard in front of every request: host check, access token, CSRF, body size, safety headers.

It is plain ASGI middleware so that no route can forget it: a state-changing request without the
page's CSRF token is refused before any endpoint runs, and so is a body past the size limit.
"""

from __future__ import annotations

import hashlib
import hmac
import http.cookies
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl, urlencode

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_BODY = 8 * 1024 * 1024  # under 10 MB: a spreadsheet or a scanned PDF fits, a dump does not
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
SESSION_COOKIE = "scd_session"
TOKEN_COOKIE = "scd_token"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "_csrf"
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; frame-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'self'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    # not "no-referrer": with it Chrome sends `Origin: null` on form posts, which the CSRF check refuses
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"cache-control", b"no-store"),
]


def is_loopback(host: str) -> bool:
    return host in LOOPBACK or host.startswith("127.")


def new_token() -> str:
    """Return a fresh access token (printed at start when `--token` is not given off loopback)."""
    return secrets.token_urlsafe(24)


class Guard:
    """Wrap `app`; `token` (None: none needed) is checked on every request when set."""

    def __init__(self, app: ASGIApp, *, token: str | None, hosts: set[str], max_body: int = MAX_BODY) -> None:
        self.app = app
        self.token = token
        self.hosts = {h.lower() for h in hosts}
        self.max_body = max_body
        self.secret = secrets.token_bytes(32)

    def csrf_for(self, session: str) -> str:
        return hmac.new(self.secret, session.encode(), hashlib.sha256).hexdigest()[:40]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        cookies = _cookies(headers.get("cookie", ""))
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        host = headers.get("host", "").rsplit(":", 1)[0].lower() if not headers.get("host", "").endswith("]") else headers["host"].lower()
        if self.hosts and host not in self.hosts:
            # A page on another site that resolves its own name to 127.0.0.1 (DNS rebinding) lands here.
            await _refuse(send, 400, "Error: this server answers only to the address it printed at start.")
            return
        extra: list[tuple[bytes, bytes]] = []
        if self.token is not None:
            given = dict(query).get("token")
            if given is not None and hmac.compare_digest(given, self.token):
                rest = urlencode([(k, v) for k, v in query if k != "token"])
                location = scope.get("path", "/") + (f"?{rest}" if rest else "")
                await _redirect(send, location, [_cookie(TOKEN_COOKIE, self.token)])
                return
            bearer = headers.get("authorization", "")
            ok = (bearer.startswith("Bearer ") and hmac.compare_digest(bearer[7:], self.token)) or hmac.compare_digest(
                cookies.get(TOKEN_COOKIE, ""), self.token
            )
            if not ok:
                await _refuse(send, 401, "Error: this workspace needs its access token: open the address printed when the server started.")
                return
        session = cookies.get(SESSION_COOKIE, "")
        if len(session) < 20:
            session = secrets.token_urlsafe(24)
            extra.append(_cookie(SESSION_COOKIE, session))
        csrf = self.csrf_for(session)
        scope.setdefault("state", {})["csrf"] = csrf
        if scope.get("method", "GET") not in SAFE_METHODS:
            sent = headers.get(CSRF_HEADER) or dict(query).get(CSRF_FIELD, "")
            origin = headers.get("origin")
            same_origin = origin is None or origin.split("://", 1)[-1].lower() == headers.get("host", "").lower()
            if not (sent and hmac.compare_digest(sent, csrf) and same_origin):
                await _refuse(send, 403, "Error: the page was out of date or came from another site (CSRF check failed); reload it and try again.")
                return
            length = headers.get("content-length")
            if length is not None and (not length.isdigit() or int(length) > self.max_body):
                await _refuse(send, 413, f"Error: the upload is larger than {self.max_body // (1024 * 1024)} MB, the limit.")
                return
            body = await _read_body(receive, self.max_body)
            if body is None:
                await _refuse(send, 413, f"Error: the upload is larger than {self.max_body // (1024 * 1024)} MB, the limit.")
                return
            receive = _replay(body, receive)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []), *[h for h in HEADERS if h[0] not in names], *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """Read the whole request body, or return None as soon as it passes `limit` bytes.

    Read before any endpoint runs, so a body sent without (or with a false) Content-Length is
    refused the same way as one that announces its size.
    """
    parts: list[bytes] = []
    seen = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        seen += len(chunk)
        if seen > limit:
            return None
        parts.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(parts)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def inner() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return inner


def _cookies(header: str) -> dict[str, str]:
    jar: http.cookies.SimpleCookie = http.cookies.SimpleCookie()
    try:
        jar.load(header)
    except http.cookies.CookieError:
        return {}
    return {k: m.value for k, m in jar.items()}


def _cookie(name: str, value: str) -> tuple[bytes, bytes]:
    return b"set-cookie", f"{name}={value}; Path=/; HttpOnly; SameSite=Strict".encode()


async def _redirect(send: Send, location: str, headers: list[tuple[bytes, bytes]]) -> None:
    await send({"type": "http.response.start", "status": 303,
                "headers": [(b"location", location.encode("latin-1", "replace")), *HEADERS, *headers]})
    await send({"type": "http.response.body", "body": b""})


async def _refuse(send: Send, status: int, text: str) -> None:
    body = text.encode() + b"\n"
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()), *HEADERS]})
    await send({"type": "http.response.body", "body": body})
