"""Sign-in throttling with a maintained limiter (``limits``): Redis when ``GRIDGOV_REDIS_URL`` is
set (shared by every worker), memory otherwise (per process).

Three rules, none of which lets a stranger lock a known user out:

* per address: at most ``signin_per_ip_per_minute`` attempts a minute, whatever the account;
* per account *and* address: after ``login_max_failures`` failures in ``login_lockout_minutes``
  that address may not try that account again until the window passes — the owner, from their
  own address, still can;
* per account, from everywhere: after 10 failures in 15 minutes (guessing from many addresses)
  attempts are paced to one per 10 seconds: a delay, never a lock — and never for an address
  the account signed in from successfully in the last 30 days (``KNOWN_FOR``): guessers who keep
  the pace's one slot busy would otherwise keep the owner out for as long as they guess.

Addresses are counted as the client's IPv4 address, or its IPv6 /64 (one subscriber's network):
a guesser with a whole IPv6 prefix is one address, not 2**64.

The app's :class:`ThrottleMiddleware` tells the sign-in code who is asking (the client address,
as uvicorn's ``--proxy-headers`` reports it behind a proxy) through a context variable; outside
a request (CLI, jobs) nothing is throttled.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from ipaddress import IPv6Address, ip_address, ip_network

from limits import RateLimitItem, parse, storage, strategies
from starlette.types import ASGIApp, Receive, Scope, Send

from gridgov.config import Settings
from gridgov.kit.errors import TooManyRequests

ACCOUNT_FAILURES = "10/15 minutes"
ACCOUNT_PACE = "1/10 seconds"
# An address from which the account signed in successfully is known to it for this long.
KNOWN_FOR = "1/30 days"


class SignInThrottled(TooManyRequests):
    code = "sign_in_throttled"
    keep_writes = True  # the refusal's trail entry stays


@dataclass
class Throttle:
    limiter: strategies.RateLimiter
    per_ip: RateLimitItem
    per_pair: RateLimitItem
    per_account: RateLimitItem
    pace: RateLimitItem
    known: RateLimitItem

    @classmethod
    def from_settings(cls, settings: Settings) -> Throttle:
        store = storage.storage_from_string(settings.redis_url or "memory://")
        return cls(
            limiter=strategies.MovingWindowRateLimiter(store),
            per_ip=parse(f"{settings.signin_per_ip_per_minute}/minute"),
            per_pair=parse(
                f"{settings.login_max_failures}/{settings.login_lockout_minutes} minutes"
            ),
            per_account=parse(ACCOUNT_FAILURES),
            pace=parse(ACCOUNT_PACE),
            known=parse(KNOWN_FOR),
        )

    def before(self, username: str, address: str) -> None:
        if not self.limiter.hit(self.per_ip, "signin-ip", address):
            raise SignInThrottled(
                "登录尝试过于频繁，请稍后再试", "Too many sign-in attempts from this address"
            )
        if not self.limiter.test(self.per_pair, "signin-fail", username, address):
            minutes = self.per_pair.get_expiry() // 60
            raise SignInThrottled(
                f"此账户在本地址登录失败次数过多，请 {minutes} 分钟内勿再尝试",
                f"Too many failed sign-ins to this account from this address; wait up to "
                f"{minutes} minutes",
            )
        if (
            not self.limiter.test(self.per_account, "signin-account", username)
            and self.limiter.test(self.known, "signin-known", username, address)  # not known
            and not self.limiter.hit(self.pace, "signin-pace", username)
        ):
            raise SignInThrottled(
                "此账户近期登录失败较多，请 10 秒后再试",
                "Many failed sign-ins to this account lately: try again in 10 seconds",
            )

    def failed(self, username: str, address: str) -> None:
        self.limiter.hit(self.per_pair, "signin-fail", username, address)
        self.limiter.hit(self.per_account, "signin-account", username)

    def succeeded(self, username: str, address: str) -> None:
        self.limiter.clear(self.per_pair, "signin-fail", username, address)
        self.limiter.hit(self.known, "signin-known", username, address)


@dataclass(frozen=True)
class _Caller:
    throttle: Throttle
    address: str


_caller: ContextVar[_Caller | None] = ContextVar("gridgov_signin_caller", default=None)


def counted_address(host: str) -> str:
    """The address a limit counts: IPv4 as it is, IPv6 by its /64; anything else as given."""
    try:
        address = ip_address(host)
    except ValueError:
        return host or "unknown"
    if isinstance(address, IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ip_network(f"{address}/64", strict=False))
    return str(address)


def _key(username: str) -> str:
    return username.strip().lower()[:64]


def before_sign_in(username: str) -> None:
    caller = _caller.get()
    if caller is not None:
        caller.throttle.before(_key(username), caller.address)


def sign_in_failed(username: str) -> None:
    caller = _caller.get()
    if caller is not None:
        caller.throttle.failed(_key(username), caller.address)


def sign_in_succeeded(username: str) -> None:
    caller = _caller.get()
    if caller is not None:
        caller.throttle.succeeded(_key(username), caller.address)


class ThrottleMiddleware:
    """Makes the app's throttle and the client address known to the sign-in code."""

    def __init__(self, app: ASGIApp, *, throttle: Throttle) -> None:
        self.app = app
        self.throttle = throttle

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        token = _caller.set(_Caller(self.throttle, counted_address(client[0] if client else "")))
        try:
            await self.app(scope, receive, send)
        finally:
            _caller.reset(token)
