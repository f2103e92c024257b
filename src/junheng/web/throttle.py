"""A limit on failed logins per client address, on top of the per-name lockout.

The per-name lockout of :mod:`junheng.services.accounts` stops guessing one
account's password. This limit stops one address from guessing many names or
locking many accounts: after :data:`FAILURES_PER_ADDRESS` failed logins within
the window, the address is refused until the oldest failure leaves the window.
It counts with the ``limits`` package's moving window in memory.

NOTE: the counts live in the memory of one server process. With several
workers each counts on its own, so an address gets the limit once per worker,
and a restart forgets the counts. Behind a reverse proxy the client address is
the proxy's unless ``junheng serve --forwarded-allow-ips`` names the proxy.
"""

from __future__ import annotations

from limits import RateLimitItemPerMinute, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from junheng.errors import TooManyAttempts

FAILURES_PER_ADDRESS = 20
WINDOW_MINUTES = 15
_NAMESPACE = "login"


class LoginThrottle:
    """Failed logins per client address, within a moving window."""

    def __init__(
        self, failures: int = FAILURES_PER_ADDRESS, minutes: int = WINDOW_MINUTES
    ) -> None:
        self.item = RateLimitItemPerMinute(failures, minutes)
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    def check(self, address: str) -> None:
        """Raise :class:`TooManyAttempts` while ``address`` is over the limit."""
        if not self.limiter.test(self.item, _NAMESPACE, address):
            raise TooManyAttempts(
                f"too many failed logins from your network address; wait "
                f"{self.item.multiples} minutes and try again",
                zh=f"您所在网络地址的登录失败次数过多，请等待 {self.item.multiples} "
                "分钟后再试",
            )

    def failed(self, address: str) -> None:
        """Count a failed login from ``address``."""
        self.limiter.hit(self.item, _NAMESPACE, address)


class AddressLimit:
    """Requests per client address within a moving window, such as feedback
    submissions.

    ``rate`` is in the ``limits`` notation (``5/hour``, ``30/minute``); ``none``
    lifts the limit, which load tests use. The same NOTE as for logins applies:
    counts live in one process's memory.
    """

    def __init__(self, rate: str, namespace: str) -> None:
        self.item = None if rate.strip().lower() == "none" else parse(rate)
        self.namespace = namespace
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    def test(self, address: str) -> bool:
        """Return whether one more request from ``address`` is within the limit,
        without counting it."""
        if self.item is None:
            return True
        return self.limiter.test(self.item, self.namespace, address)

    def hit(self, address: str) -> bool:
        """Count a request from ``address``; return ``False`` when it is over
        the limit (and is then not counted)."""
        if self.item is None:
            return True
        return self.limiter.hit(self.item, self.namespace, address)
