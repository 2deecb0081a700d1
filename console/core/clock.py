"""The console's clock and its two timestamp formats, written once.

- Lambda's LastModified, `2026-11-22T12:00:00.000+0000`: functions, versions, events, history entries.
- Microseconds with a Z, `2026-11-22T12:00:00.123456Z`: when a package was stored (its order is the upload order).
- Milliseconds with a Z, `2026-11-22T12:00:00.123Z`: the platform's own lines in a function's log (a timeout...).
"""

from __future__ import annotations

from datetime import datetime, timezone


def now_iso() -> str:
    """UTC time as Lambda writes LastModified: 2026-11-22T12:00:00.000+0000."""
    now = datetime.now(timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}+0000"


def precise_iso(timestamp: float | None = None) -> str:
    """UTC time (now, or a POSIX timestamp) to the microsecond: 2026-11-22T12:00:00.123456Z."""
    moment = datetime.now(timezone.utc) if timestamp is None else datetime.fromtimestamp(timestamp, timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def log_line_time() -> str:
    """UTC time as Lambda stamps its platform lines in a function's log: 2026-11-22T12:00:00.123Z."""
    now = datetime.now(timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"
