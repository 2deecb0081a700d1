"""Viewer links: read-only access for an audience, when the console requires authentication.

A viewer link is a URL with a random token of its own. Whoever opens it may open the presenter page of one function
(or of every function) and run its saved events there, and nothing else: no configuration, no code, no uploads, no
function created or deleted, no saved event changed, no history, no REST API. The console's owner labels a link
("Customer demo"), may give it an expiry, sees when it was last used, and revokes it; a revoked or expired link stops
working at the next request of every browser that opened it.

Only a SHA-256 digest of each token is stored (the `viewers` table), so the database never holds a value that opens
anything; the token itself is shown once, when the link is made.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import time
from dataclasses import dataclass

from console.core.store import Store

MAX_LABEL_LENGTH = 80
# Expiries a link may be given, in seconds: from a minute to a year.
MIN_EXPIRY_SECONDS = 60
MAX_EXPIRY_SECONDS = 366 * 24 * 3600
# How stale the stored "last used" may be: each use within this many seconds of the last one recorded is not written,
# so a viewer's every request does not become a write.
LAST_USED_RESOLUTION_SECONDS = 30.0
# The history entries a viewer may see the response of (an HTML or image answer, shown in a frame): presenter runs.
VIEWER_SOURCES = frozenset({"presenter"})


class ViewerError(Exception):
    """A viewer link that cannot be made, found or used; the message says what was wrong and what to do."""


class ViewerNotFound(ViewerError):
    pass


class ViewerRefused(ViewerError):
    """A token or session that no longer opens anything: `reason` is "unknown", "revoked" or "expired"."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Viewer:
    """A viewer link as stored: never its token. `function` is None for a link to every function's presenter page.
    Times are seconds since the epoch."""

    id: int
    label: str
    function: str | None
    created_at: float
    expires_at: float | None = None
    revoked_at: float | None = None
    last_used_at: float | None = None

    def state(self, now: float | None = None) -> str:
        """"active", "revoked" or "expired"."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and (time.time() if now is None else now) >= self.expires_at:
            return "expired"
        return "active"

    def may_present(self, function: str) -> bool:
        """Whether this link opens that function's presenter page."""
        return self.function is None or self.function == function


@dataclass(frozen=True)
class NewViewer:
    """A link just made: the stored viewer and its token, which is never shown again."""

    viewer: Viewer
    token: str


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def check_label(label: str) -> str:
    """The label as stored (trimmed), or ViewerError saying what a label must be."""
    label = " ".join(label.split())
    if not label:
        raise ViewerError("Give the viewer link a label that says who it is for, like Customer demo.")
    if len(label) > MAX_LABEL_LENGTH:
        raise ViewerError(f"The label is {len(label)} characters long: keep it to {MAX_LABEL_LENGTH}.")
    if not label.isprintable():
        raise ViewerError("The label has control characters: use plain words, like Customer demo.")
    return label


def check_expiry(expires_in: float | None) -> float | None:
    """Seconds until the link expires (None: never), or ViewerError when out of range."""
    if expires_in is None:
        return None
    if not MIN_EXPIRY_SECONDS <= expires_in <= MAX_EXPIRY_SECONDS:
        raise ViewerError(f"A viewer link expires after {MIN_EXPIRY_SECONDS // 60} minute to 366 days, or never: "
                          f"{expires_in:g} seconds is out of that range.")
    return float(expires_in)


def refusal(viewer: Viewer | None, now: float | None = None) -> ViewerRefused | None:
    """Why a token or session of this viewer opens nothing (None when it is active)."""
    if viewer is None:
        return ViewerRefused("That viewer link is not valid: check that the whole address was copied, or ask the "
                             "presenter for the link again.", "unknown")
    state = viewer.state(now)
    if state == "revoked":
        return ViewerRefused(f"The viewer link {viewer.label!r} was revoked by the console's owner: ask the presenter "
                             "for a new link.", "revoked")
    if state == "expired":
        return ViewerRefused(f"The viewer link {viewer.label!r} has expired: ask the presenter for a new link.",
                             "expired")
    return None


def _viewer(row: sqlite3.Row) -> Viewer:
    return Viewer(id=row["id"], label=row["label"], function=row["function"], created_at=row["created_at"],
                  expires_at=row["expires_at"], revoked_at=row["revoked_at"], last_used_at=row["last_used_at"])


class ViewerStore:
    """The viewer links in the database."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def create(self, label: str, function: str | None, expires_in: float | None) -> NewViewer:
        token = secrets.token_urlsafe(32)
        now = time.time()
        expires_at = None if expires_in is None else now + expires_in
        with self.store.write() as conn:
            cursor = conn.execute(
                "INSERT INTO viewers (token_sha256, label, function, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                (token_digest(token), label, function, now, expires_at))
            viewer_id = cursor.lastrowid
        return NewViewer(Viewer(int(viewer_id or 0), label, function, now, expires_at), token)

    def get(self, viewer_id: int) -> Viewer:
        # Ids are SQLite INTEGERs (64-bit signed): a larger number names no link, and SQLite could not take it.
        row = (self.store.query_one("SELECT * FROM viewers WHERE id = ?", (viewer_id,))
               if -(2**63) <= viewer_id < 2**63 else None)
        if row is None:
            raise ViewerNotFound(f"There is no viewer link {viewer_id}: it may have been deleted with its function.")
        return _viewer(row)

    def by_token(self, token: str) -> Viewer | None:
        row = self.store.query_one("SELECT * FROM viewers WHERE token_sha256 = ?", (token_digest(token),))
        return None if row is None else _viewer(row)

    def all(self) -> list[Viewer]:
        """Every link, newest first."""
        return [_viewer(row) for row in self.store.query("SELECT * FROM viewers ORDER BY created_at DESC, id DESC")]

    def revoke(self, viewer_id: int) -> Viewer:
        """Revoke the link (a second revoke keeps the first time); ViewerNotFound when there is none."""
        self.get(viewer_id)
        with self.store.write() as conn:
            conn.execute("UPDATE viewers SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                         (time.time(), viewer_id))
        return self.get(viewer_id)

    def used(self, viewer: Viewer, now: float | None = None) -> None:
        """Record that the link was used now (to LAST_USED_RESOLUTION_SECONDS)."""
        now = time.time() if now is None else now
        if viewer.last_used_at is not None and now - viewer.last_used_at < LAST_USED_RESOLUTION_SECONDS:
            return
        with self.store.write() as conn:
            conn.execute("UPDATE viewers SET last_used_at = ? WHERE id = ?", (now, viewer.id))
