"""What every response carries for the browser's protection, which hosts we answer, and an
access log without personal data.

* :class:`SecurityHeadersMiddleware` — a Content-Security-Policy fit for our pages (scripts and
  styles from this server only; no CDN exists on these offline machines), no framing, nosniff,
  a same-origin referrer, HSTS when the request came over TLS (or ``GRIDGOV_HSTS``), and
  ``Cache-Control: no-store`` on every dynamic response (lists, records and pages carry
  residents' data; static files and responses that chose their own caching are left alone).
* :func:`allowed_hosts` — the ``Host`` values the app answers (``GRIDGOV_ALLOWED_HOSTS``):
  pages build asset URLs from the Host header, so an untrusted one is refused with 400 before
  it can be reflected.
* :class:`AccessLogMasker` — a logging filter for uvicorn's access logger: values of sensitive
  query parameters become ``***`` and ID or phone numbers anywhere in the path are masked.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from urllib.parse import parse_qsl, quote, unquote, urlencode

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gridgov.config import Mode, Settings
from gridgov.kit.crypto import mask_free_text

# Inline event handlers that templates still use; each is allowed by its hash only.
_ALLOWED_INLINE_HANDLERS = (
    "this.parentElement.hidden=true",  # map.html: close the panel
    "this.remove()",  # field/app.html: an image that failed to load
)


def _script_hash(source: str) -> str:
    digest = base64.b64encode(hashlib.sha256(source.encode()).digest()).decode()
    return f"'sha256-{digest}'"


_HANDLER_HASHES = " ".join(_script_hash(h) for h in _ALLOWED_INLINE_HANDLERS)
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; "
    f"script-src 'self' 'unsafe-hashes' {_HANDLER_HASHES}; "
    # Templates carry small <style> blocks and style attributes; styles cannot run code.
    "style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# Swagger UI (/docs) starts itself with an inline script (and a hash in the list would make the
# browser ignore 'unsafe-inline').
DOCS_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
    f"script-src 'self' 'unsafe-hashes' {_HANDLER_HASHES}", "script-src 'self' 'unsafe-inline'"
)
HSTS = b"max-age=31536000; includeSubDomains"


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, hsts: bool = False, static_prefix: str = "/static") -> None:
        self.app = app
        self.hsts = hsts
        self.static_prefix = static_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        policy = DOCS_CONTENT_SECURITY_POLICY if path == "/docs" else CONTENT_SECURITY_POLICY
        extra: list[tuple[bytes, bytes]] = [
            (b"content-security-policy", policy.encode()),
            (b"x-frame-options", b"DENY"),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
        ]
        if self.hsts or scope.get("scheme") == "https":
            extra.append((b"strict-transport-security", HSTS))
        dynamic = not path.startswith(self.static_prefix + "/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in extra if h[0] not in present)
                if dynamic and b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def allowed_hosts(settings: Settings) -> list[str]:
    """``GRIDGOV_ALLOWED_HOSTS`` (comma-separated, ``*.example.org`` allowed); unset: any host in
    demo and test mode, only this machine's names in production."""
    configured = [h.strip() for h in settings.allowed_hosts.split(",") if h.strip()]
    if configured:
        return configured
    if settings.mode in (Mode.DEMO, Mode.TEST):
        return ["*"]
    local = ["localhost", "127.0.0.1", "::1"]
    if settings.host not in ("0.0.0.0", "::", *local):
        local.append(settings.host)
    return local


# Query parameters whose values are personal data (search text, ID numbers, phones, names).
SENSITIVE_PARAMETERS = frozenset(
    {
        "q",
        "query",
        "search",
        "id_number",
        "id_no",
        "phone",
        "mobile",
        "name",
        "reporter_phone",
        "contact",
        "address",
        "token",
        "access_token",
        "password",
    }
)


# Characters a logged path keeps as they are (RFC 3986 pchar and "/"); the rest percent-encoded,
# so a decoded control character or newline never reaches the log line.
PATH_SAFE = "/:@!$&'()*+,;=-._~"


def mask_target(target: str) -> str:
    """A request target (path and query) fit for a log line."""
    path, sep, query = target.partition("?")
    if "%" in path:  # a client may percent-encode digits: mask what the app reads, re-encoded
        path = quote(mask_free_text(unquote(path)), safe=PATH_SAFE)
    else:
        path = mask_free_text(path)
    if not sep:
        return path
    pairs = [
        (key, "***" if key.lower() in SENSITIVE_PARAMETERS and value else mask_free_text(value))
        for key, value in parse_qsl(query, keep_blank_values=True)
    ]
    return path + "?" + urlencode(pairs, safe="*", quote_via=quote)


class AccessLogMasker(logging.Filter):
    """For ``uvicorn.access``: its record's args are (client, method, target, http, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], mask_target(args[2]), *args[3:])
        return True


def install_access_log_masking() -> None:
    logger = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, AccessLogMasker) for f in logger.filters):
        logger.addFilter(AccessLogMasker())
