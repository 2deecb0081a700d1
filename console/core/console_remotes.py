"""Remote operations of the Console: the named remotes, their Lambda clients, and saved events run there as tests.

A part of console.core.console.Console (which inherits it): the one way in stays one object.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from console.core.console_parts import ConsoleParts
from console.core.remotes import Remote, RemoteStore, check_remote, lambda_client

if TYPE_CHECKING:
    from console.core.deploy import Deployed
    from console.core.test_runs import TestRun


class RemoteOperations(ConsoleParts):
    """Remote operations of the Console."""

    @property
    def remotes(self) -> RemoteStore:
        return RemoteStore(self.store)

    def add_remote(self, name: str, *, profile: str | None = None, region: str | None = None,
                   endpoint_url: str | None = None) -> Remote:
        """Store a remote: a profile and region, or an endpoint URL; RemoteError when it cannot be one."""
        return self.remotes.add(check_remote(name, profile=profile, region=region, endpoint_url=endpoint_url))

    def get_remote(self, name: str) -> Remote:
        return self.remotes.get(name)

    def list_remotes(self) -> list[Remote]:
        return self.remotes.all()

    def remove_remote(self, name: str) -> None:
        self.remotes.remove(name)

    def remote_client(self, name: str) -> Any:
        """The remote's boto3 Lambda client (RemoteError for a profile that is not configured)."""
        return lambda_client(self.remotes.get(name))

    def run_remote_tests(self, remote: str, functions: Iterable[str] | None = None) -> TestRun:
        """The saved events with expectations run on the remote's functions of the same names."""
        from console.core.remote_tests import run_remote

        return run_remote(self.console, remote, functions)

    def deploy_function(self, name: str, remote: str, *, role: str | None = None, publish: bool = False,
                        progress: Callable[[str], None] = lambda line: None) -> Deployed:
        """Deploy the local function's code and configuration to the remote (console.core.deploy)."""
        from console.core.deploy import deploy

        return deploy(self.console, name, remote, role=role, publish=publish, progress=progress)
