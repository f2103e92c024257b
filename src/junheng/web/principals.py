"""A short-lived cache of the principals of API tokens.

Checking a Bearer token reads the token row and its user from the store. A
client that sends many requests with one token would pay for those reads on
each of them, so a valid token's principal is kept for
:data:`TOKEN_CACHE_SECONDS`. Revoking a token on the account page clears the
cache of the process that handled it. Other worker processes, and a user
deactivated directly in the store, see the change once the cached entry
expires, at most :data:`TOKEN_CACHE_SECONDS` later.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable

from junheng.services.access import Principal

TOKEN_CACHE_SECONDS = 5.0
"""How long a token's principal is reused before the store is read again."""

MAX_ENTRIES = 4096


class PrincipalCache:
    """Principals of recently checked tokens, keyed by the token's SHA-256.

    Only valid tokens are stored, so a revoked or mistyped token is checked
    against the store on every request. ``clock`` returns seconds and exists so
    tests can move time forward.
    """

    def __init__(
        self,
        seconds: float = TOKEN_CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.seconds = seconds
        self.clock = clock
        self._entries: dict[str, tuple[float, Principal]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _key(token: str) -> str:
        return hashlib.sha256(token.encode("utf-8")).hexdigest()

    def get(self, token: str) -> Principal | None:
        """Return the cached principal of ``token``, or ``None`` if absent or old."""
        with self._lock:
            entry = self._entries.get(self._key(token))
        if entry is None or entry[0] <= self.clock():
            return None
        return entry[1]

    def put(self, token: str, principal: Principal) -> None:
        """Keep ``principal`` as the owner of ``token`` for :attr:`seconds`."""
        now = self.clock()
        with self._lock:
            if len(self._entries) >= MAX_ENTRIES:
                live = {k: v for k, v in self._entries.items() if v[0] > now}
                self._entries = live if len(live) < MAX_ENTRIES else {}
            self._entries[self._key(token)] = (now + self.seconds, principal)

    def clear(self) -> None:
        """Forget every cached principal."""
        with self._lock:
            self._entries.clear()
