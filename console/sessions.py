"""The web console's sign-in sessions, kept on the server: each has a cookie secret and a write key, ends after an
idle time, and can be ended at once (Log out). A viewer's session (opened with a viewer link) names its link, which
is checked again at each of its requests (console.viewer_access). Nothing here knows HTTP; console.security uses it.

Only a digest of each cookie secret is kept, so the table never holds a value a browser could present.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

DEFAULT_IDLE_TIMEOUT = 12 * 3600.0
MAX_SESSIONS = 1000  # signed-in browsers at once; the least recently used is ended past this


@dataclass
class Session:
    write_key: str
    last_seen: float
    viewer: int | None = None  # the viewer link it was opened with (console.core.viewers); None: the owner's


@dataclass(frozen=True)
class Connected:
    """The browsers signed in with one viewer link: how many, and seconds since the latest one's last request."""

    browsers: int
    idle_seconds: float


@dataclass(frozen=True)
class NewSession:
    """What a sign-in hands out: the cookie's secret (to the cookie) and the write key (to the page's origin)."""

    secret: str
    write_key: str


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class Sessions:
    """The signed-in browsers. Safe to use from many threads."""

    def __init__(self, idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.idle_timeout = idle_timeout
        self._clock = clock
        self._lock = threading.Lock()
        self._sessions: dict[str, Session] = {}

    def start(self, viewer: int | None = None) -> NewSession:
        """A new session (a viewer's, opened with that viewer link); the oldest sessions (and every expired one) are
        ended to make room."""
        new = NewSession(secrets.token_urlsafe(32), secrets.token_urlsafe(32))
        now = self._clock()
        with self._lock:
            self._drop_expired(now)
            while len(self._sessions) >= MAX_SESSIONS:
                oldest = min(self._sessions, key=lambda key: self._sessions[key].last_seen)
                del self._sessions[oldest]
            self._sessions[_digest(new.secret)] = Session(new.write_key, now, viewer)
        return new

    def find(self, secret: str) -> Session | None:
        """The live session the cookie secret names, its idle time restarted; None if unknown, ended or expired."""
        if not secret:
            return None
        key = _digest(secret)
        now = self._clock()
        with self._lock:
            session = self._sessions.get(key)
            if session is None:
                return None
            if now - session.last_seen > self.idle_timeout:
                del self._sessions[key]
                return None
            session.last_seen = now
            return session

    def end(self, secret: str) -> None:
        """End the session at once: its cookie and write key stop working."""
        with self._lock:
            self._sessions.pop(_digest(secret), None)

    def connected(self) -> dict[int, Connected]:
        """Each viewer link's live sessions."""
        now = self._clock()
        found: dict[int, Connected] = {}
        with self._lock:
            self._drop_expired(now)
            for session in self._sessions.values():
                if session.viewer is None:
                    continue
                before = found.get(session.viewer)
                idle = now - session.last_seen
                found[session.viewer] = Connected(1 + (before.browsers if before else 0),
                                                  min(idle, before.idle_seconds) if before else idle)
        return found

    def __len__(self) -> int:
        with self._lock:
            return len(self._sessions)

    def _drop_expired(self, now: float) -> None:
        for key in [key for key, s in self._sessions.items() if now - s.last_seen > self.idle_timeout]:
            del self._sessions[key]


def write_key_matches(session: Session, offered: str | None) -> bool:
    """Whether a request carries the session's write key; compared in constant time."""
    if not offered:
        return False
    return hmac.compare_digest(offered.encode(), session.write_key.encode())
