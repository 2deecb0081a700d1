"""Remote operations of the Console: the named remotes, their Lambda clients, and saved events run there as tests.

A part of console.core.console.Console (which inherits it): the one way in stays one object.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from console.core.console_parts import ConsoleParts
from console.core.remotes import Remote, RemoteClients, RemoteStore, check_remote

if TYPE_CHECKING:
    from console.core.deploy import Deployed
    from console.core.history import InvocationRecord
    from console.core.remote_functions import Comparison, RemoteFunction, RemoteListing
    from console.core.remote_jobs import RemoteJob, RemoteJobs
    from console.core.test_runs import TestRun


class RemoteOperations(ConsoleParts):
    """Remote operations of the Console."""

    remote_jobs: RemoteJobs
    remote_clients: RemoteClients

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
        """The remote's boto3 Lambda client (RemoteError for a profile that is not configured), kept for the next
        call while the remote and its credentials' sources are unchanged."""
        return self.remote_clients.get(self.remotes.get(name))

    def run_remote_tests(self, remote: str, functions: Iterable[str] | None = None) -> TestRun:
        """The saved events with expectations run on the remote's functions of the same names."""
        from console.core.remote_tests import run_remote

        return run_remote(self.console, remote, functions)

    def deploy_function(self, name: str, remote: str, *, role: str | None = None, publish: bool = False,
                        progress: Callable[[str], None] = lambda line: None) -> Deployed:
        """Deploy the local function's code and configuration to the remote (console.core.deploy)."""
        from console.core.deploy import deploy

        return deploy(self.console, name, remote, role=role, publish=publish, progress=progress)

    def start_deploy(self, name: str, remote: str, *, role: str | None = None, publish: bool = False) -> RemoteJob:
        """Deploy in the background (the pages poll `get_remote_job`); the function, the remote and the role's form
        are checked first."""
        from console.core.deploy import check_role

        self.get_function(name)
        self.get_remote(remote)
        if role is not None:
            check_role(role)
        return self.remote_jobs.start("deploy", name, remote, lambda job: self.deploy_function(
            name, remote, role=role, publish=publish, progress=job.lines.append))

    def start_remote_test(self, remote: str, name: str, body: str, *, event_name: str = "") -> RemoteJob:
        """`invoke_remote` in the background: the event's JSON and the remote are checked first."""
        from console.core.events import check_event

        check_event(body, "Event JSON")
        self.get_remote(remote)
        return self.remote_jobs.start("test", name, remote, lambda job: self.invoke_remote(
            remote, name, body, event_name=event_name))

    def start_compare(self, remote: str, name: str, body: str, *, event_name: str = "") -> RemoteJob:
        """`compare_remote` in the background: the event's JSON, the remote and the local function are checked
        first."""
        from console.core.events import check_event

        check_event(body, "Event JSON")
        self.get_remote(remote)
        self.get_function(name)
        return self.remote_jobs.start("compare", name, remote, lambda job: self.compare_remote(
            remote, name, body, event_name=event_name))

    def get_remote_job(self, job_id: str, function: str | None = None, kinds: tuple[str, ...] = ()) -> RemoteJob:
        return self.remote_jobs.get(job_id, function, kinds)

    def list_remote_functions(self, remote: str, *, page_size: int | None = None) -> RemoteListing:
        """The remote's functions, every page of ListFunctions (`page_size` a page's MaxItems)."""
        from console.core.remote_functions import list_functions

        return list_functions(self.console, remote, page_size=page_size)

    def get_remote_function(self, remote: str, name: str) -> RemoteFunction:
        from console.core.remote_functions import get_function

        return get_function(self.console, remote, name)

    def invoke_remote(self, remote: str, name: str, body: str, *, event_name: str = "") -> InvocationRecord:
        """The event's JSON checked as a local Test checks it (EventError with line and column), then invoked on the
        remote's function with LogType Tail: the result as a local run's."""
        from console.core.events import check_event
        from console.core.remote_functions import invoke

        check_event(body, "Event JSON")
        return invoke(self.console, remote, name, body.encode("utf-8"), event_name=event_name)

    def compare_remote(self, remote: str, name: str, body: str, *, event_name: str = "") -> Comparison:
        """One event run on the local function and on the remote's function of the same name, side by side."""
        from console.core.events import check_event
        from console.core.remote_functions import compare

        check_event(body, "Event JSON")
        return compare(self.console, remote, name, body.encode("utf-8"), event_name=event_name)
