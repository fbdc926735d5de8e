"""Login throttling with the `limits` library: in memory, or shared through Redis when configured."""

from __future__ import annotations

from fastapi import Request
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter, SlidingWindowCounterRateLimiter

from zabota.errors import DomainError


def client_address(request: Request) -> str:
    """Whom a public request counts against: the client's address (behind a proxy, the one
    uvicorn's proxy_headers took from X-Forwarded-For)."""
    return request.client.host if request.client else ""


class TooManyAttempts(DomainError):
    status = 429
    code = "rate_limited"


class LoginLimiter:
    def __init__(self, rate: str, redis_url: str | None) -> None:
        self.rate = parse(rate)
        storage = storage_from_string(redis_url if redis_url else "memory://")
        self.limiter = MovingWindowRateLimiter(storage)

    def check(self, ip: str, email: str) -> None:
        """Count one attempt per client address and per account; refuse beyond the rate."""
        ok_ip = self.limiter.hit(self.rate, "login-ip", ip)
        ok_account = self.limiter.hit(self.rate, "login-account", email.strip().lower())
        if not (ok_ip and ok_account):
            raise TooManyAttempts("Too many sign-in attempts; wait a minute and try again.")

    def reset(self) -> None:
        self.limiter.storage.reset()


class ActionLimiter:
    """A per-client rate for one public action, such as help center feedback.

    A sliding-window counter keeps two numbers per client, not every hit's time: a thousand
    open widgets would otherwise make the in-memory store's expiry sweep (every 10 ms) walk
    thousands of timestamps.
    """

    def __init__(self, name: str, rate: str, redis_url: str | None) -> None:
        self.name = name
        self.rate = parse(rate)
        self.limiter = SlidingWindowCounterRateLimiter(storage_from_string(redis_url if redis_url else "memory://"))

    def check(self, client: str) -> None:
        if not self.limiter.hit(self.rate, self.name, client):
            raise TooManyAttempts("Too many requests; wait a minute and try again.")
