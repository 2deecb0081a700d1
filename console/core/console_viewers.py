"""Viewer-link operations of the Console: read-only links for an audience (console.core.viewers).

A part of console.core.console.Console (which inherits it): the one way in stays one object.
"""

from __future__ import annotations

import time

from console.core.console_parts import ConsoleParts
from console.core.history import HistoryNotFound
from console.core.jobs import JobNotFound
from console.core.viewers import (
    VIEWER_SOURCES,
    NewViewer,
    Viewer,
    ViewerError,
    ViewerStore,
    check_expiry,
    check_label,
    refusal,
)


class ViewerOperations(ConsoleParts):
    """Viewer-link operations of the Console."""

    @property
    def viewers(self) -> ViewerStore:
        return ViewerStore(self.store)

    def create_viewer_link(self, label: str, *, function: str | None = None,
                           expires_in: float | None = None) -> NewViewer:
        """A new link for the presenter page of `function` (None: every function's); its token is only in the
        answer. ViewerError for a bad label or expiry, FunctionNotFound for a function that does not exist."""
        label = check_label(label)
        expires_in = check_expiry(expires_in)
        if function is not None:
            function = self.get_function(function).name
        return self.viewers.create(label, function, expires_in)

    def list_viewer_links(self, *, presenting: str | None = None) -> list[Viewer]:
        """Every viewer link, newest first, revoked and expired ones included (they say so); with `presenting`, only
        the active links that open that function's presenter page."""
        links = self.viewers.all()
        if presenting is None:
            return links
        now = time.time()
        return [v for v in links if v.state(now) == "active" and v.may_present(presenting)]

    def revoke_viewer_link(self, viewer_id: int) -> Viewer:
        """Revoke the link: its token and every session opened with it stop working at their next request."""
        return self.viewers.revoke(viewer_id)

    def open_viewer_link(self, token: str) -> Viewer:
        """The active viewer a link's token names, its use recorded; ViewerRefused when unknown, revoked or
        expired."""
        viewer = self.viewers.by_token(token) if token else None
        return self._in_use(viewer)

    def use_viewer_session(self, viewer_id: int) -> Viewer:
        """The viewer a session was opened with, checked again at each of its requests (so a revoke or an expiry
        takes effect at once) and its use recorded; ViewerRefused otherwise."""
        try:
            viewer: Viewer | None = self.viewers.get(viewer_id)
        except ViewerError:
            viewer = None  # deleted with its function
        return self._in_use(viewer)

    def viewer_may_see_entry(self, viewer: Viewer, function: str, entry_id: int) -> bool:
        """Whether a viewer may see a history entry's response (an HTML page or image the presenter page frames):
        only a presenter run of a function the link opens."""
        if not viewer.may_present(function):
            return False
        try:
            record = self.get_invocation(entry_id, function)
        except HistoryNotFound:
            return False
        return record.source in VIEWER_SOURCES

    def viewer_may_follow_job(self, viewer: Viewer, function: str, job_id: str) -> bool:
        """Whether a viewer may follow (or cancel) a running invocation: only a presenter run of a function the link
        opens, never the owner's Test-tab runs."""
        if not viewer.may_present(function):
            return False
        try:
            job = self.console.get_job(job_id, function)
        except JobNotFound:
            return False
        return job.source in VIEWER_SOURCES

    def _in_use(self, viewer: Viewer | None) -> Viewer:
        now = time.time()
        refused = refusal(viewer, now)
        if refused is not None:
            raise refused
        assert viewer is not None  # refusal() refuses a missing viewer
        self.viewers.used(viewer, now)
        return viewer
