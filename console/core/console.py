"""The Console: the one object the web views, the REST API and the command line call.

It owns the database, the package store, the functions, the saved events, the history and the engine, and does what
crosses them: a change of code or configuration retires the function's warm environments (hot reload), and every
invocation is recorded in the history. Plain Python, never imports flask.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from console.config import Config
from console.core.discoveries import Discoveries
from console.core.discovery import Discovery
from console.core.events import EventStore, SavedEvent, check_event
from console.core.function_layers import layer_version_users
from console.core.functions import LATEST, FunctionConfig, FunctionError, FunctionStore
from console.core.history import History, HistoryNotFound, InvocationRecord
from console.core.jobs import Job, JobNotFound, Jobs
from console.core.layer_tree import LayerTrees
from console.core.layers import LayerStore, LayerVersion, check_layer_fields
from console.core.packages import Package, PackageStore
from console.core.store import Store
from console.engine import Engine, FunctionSpec
from console.engine.invocation import DEFAULT_ACCOUNT, DEFAULT_REGION
from console.resources import samples_dir


@dataclass(frozen=True)
class FunctionSummary:
    """A function in the function list, with how its last invocation ended."""

    function: FunctionConfig
    last_status: str | None  # "succeeded", "failed", or None when it never ran
    last_at: str | None  # when it last ran

log = logging.getLogger("lambda_console.console")


class Console:
    """Everything the console can do, for any front end."""

    def __init__(self, config: Config, *, engine: Engine | None = None) -> None:
        self.config = config
        self.store = Store(config.database_path)
        self.packages = PackageStore(
            self.store,
            config.packages_dir,
            max_zip_bytes=config.max_zip_bytes,
            max_unzipped_bytes=config.max_unzipped_bytes,
        )
        self.discoveries = Discoveries(self.store)
        self.functions = FunctionStore(self.store, config.max_unzipped_bytes)
        self.layers = LayerStore(self.store)
        self.layer_trees = LayerTrees(config.packages_dir / "merged-layers")
        self.events = EventStore(self.store)
        self.history = History(self.store, keep=config.history_keep, log_limit=config.history_log_bytes)
        # Background jobs: as many at once as the engine can run and queue; more wait their turn on the pool.
        self.jobs = Jobs(self, retry_delay=config.event_retry_delay, workers=config.max_environments + config.max_queue)
        self.engine = engine or Engine(
            max_environments=config.max_environments, max_queue=config.max_queue, idle_timeout=config.idle_timeout
        )
        if config.load_samples:
            from console.core.samples import load_samples

            load_samples(self, samples_dir())

    def close(self) -> None:
        self.jobs.close()
        self.engine.close()  # ends the invocations that running jobs wait on
        # A job records its last attempt after its invocation ends; the store must outlive that write (a connection
        # closed under a thread that is using it can crash the process).
        if not self.jobs.wait_stopped(timeout=30):
            log.warning("Background invocations still running at shutdown; their results may not be kept.")
        self.packages.close()
        self.store.close()

    def release_connection(self) -> None:
        """Hand this thread's database connection back (at the end of each web request)."""
        self.store.release()

    def __enter__(self) -> Console:  # noqa: PYI034 (typing.Self needs Python 3.11)
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- packages -------------------------------------------------------------------------------------------------

    def upload_package(self, data: bytes | BinaryIO, filename: str = "") -> Package:
        """Check and store a deployment package (once per distinct content)."""
        return self.packages.add(data, filename)

    def discover_handlers(self, sha256: str) -> Discovery:
        """The handlers the package's files suggest (found once per package, then kept)."""
        return self.discoveries.get(sha256, self.packages.get(sha256).code_dir)

    # -- functions ------------------------------------------------------------------------------------------------

    def zipped_folder_warning(self, sha256: str, handler: str | None = None) -> str | None:
        """What to do when every file of the package is inside one folder, where Lambda does not look for the code;
        None when it is not, or when `handler` is one found in the package as it is."""
        discovery = self.discover_handlers(sha256)
        if discovery.folder_mistake and (handler is None or handler not in discovery.handlers):
            return discovery.folder_mistake
        return None

    def create_function(
        self, name: str, package: str | bytes | BinaryIO, handler: object, *, role: str | None = None,
        publish: bool = False, **config: Any,
    ) -> FunctionConfig:
        """Create a function from a stored package (its SHA-256) or from a zip's bytes or stream; with `publish`, its
        version 1 is returned. The function, its role and its version are written in one transaction."""
        _, checked = self.functions.check_new(name, handler, **config)  # a refused function stores no package
        sha256 = package if isinstance(package, str) else self.upload_package(package).sha256
        return self.functions.create(name, sha256, checked["handler"], role=role or "", publish=publish, **config)

    def update_function_code(self, name: str, package: str | bytes | BinaryIO) -> FunctionConfig:
        sha256 = package if isinstance(package, str) else self.upload_package(package).sha256
        function = self.functions.update_code(name, sha256)
        self.engine.retire(name, LATEST)  # hot reload: the next invocation runs the new code
        return function

    def update_function_configuration(self, name: str, **changes: object) -> FunctionConfig:
        """Change `$LATEST`'s settings (and its `role`) in one transaction; warm environments of the old ones retire."""
        function = self.functions.update_configuration(name, **changes)
        if set(changes) - {"role"}:
            self.engine.retire(name, LATEST)  # the role changes nothing the engine runs
        return function

    def delete_function(self, name: str) -> None:
        """Delete a function with its versions, saved events and history; its package stays stored."""
        self.functions.delete(name)
        self.engine.retire(name)

    def publish_version(
        self, name: str, description: str | None = None, *, code_sha256: str | None = None
    ) -> FunctionConfig:
        """`$LATEST` as the next version. With `code_sha256` (base64, as Lambda's CodeSha256), only when `$LATEST`
        still runs that code: FunctionError otherwise."""
        if code_sha256:
            current = self.packages.get(self.functions.get(name).package_sha256).code_sha256
            if code_sha256 != current:
                raise FunctionError(
                    f"CodeSHA256 ({code_sha256}) is different from current CodeSHA256 in $LATEST ({current}). "
                    "Please try again",
                    "code_sha256",
                )
        return self.functions.publish(name, description)

    def _spec(self, function: FunctionConfig, region: str, account: str) -> tuple[FunctionSpec, Package]:
        package = self.packages.get(function.package_sha256)
        spec = FunctionSpec(
            name=function.name,
            code_dir=package.code_dir,
            handler=function.handler,
            runtime=function.runtime,
            timeout=function.timeout,
            memory=function.memory,
            ephemeral_storage=function.ephemeral_storage,
            environment=function.environment,
            runtime_client=function.runtime_client,
            version=function.version,
            region=region,
            account=account,
            # A new upload or configuration changes the key, so warm environments of the old one retire.
            revision=f"{package.sha256}:{function.revision_id}",
            # Merged in this order, a later layer's files replacing an earlier one's: what Lambda's /opt holds.
            layers=(self.layer_trees.merged([self.packages.get(layer.package_sha256).code_dir
                                             for layer in function.layers]),) if function.layers else (),
        )
        return spec, package

    # -- layers ---------------------------------------------------------------------------------------------------

    def publish_layer_version(self, name: str, package: str | bytes | BinaryIO, **fields: object) -> LayerVersion:
        """The next version of a layer, from a stored package (its SHA-256) or a zip's bytes or stream; `fields` are
        description, compatible_runtimes, compatible_architectures and license_info. A refused one stores nothing."""
        check_layer_fields(name, **fields)
        sha256 = package if isinstance(package, str) else self.upload_package(package).sha256
        return self.layers.publish(sha256, name=name, **fields)

    def get_layer_version(self, name: str, version: int) -> LayerVersion:
        return self.layers.get(name, version)

    def list_layers(self, runtime: str | None = None, architecture: str | None = None) -> list[LayerVersion]:
        """Each layer's newest version (compatible with the runtime and architecture given), by name."""
        return self.layers.latest(runtime, architecture)

    def list_layer_versions(self, name: str, runtime: str | None = None,
                            architecture: str | None = None) -> list[LayerVersion]:
        """The layer's versions, newest first; none for a layer never published."""
        return self.layers.versions(name, runtime, architecture)

    def all_layer_versions(self) -> list[LayerVersion]:
        """Every stored layer version: layers by name, each one's versions newest first."""
        return [version for layer in self.layers.latest() for version in self.layers.versions(layer.name)]

    def layer_users(self) -> dict[tuple[str, int], list[str]]:
        """(layer, version) -> the functions and published versions that use it (deleted versions included)."""
        return layer_version_users(self.store.query)

    def add_function_layer(self, name: str, arn: str) -> FunctionConfig:
        """Add a layer version (its ARN) after `$LATEST`'s other layers, checked as Lambda checks a function's Layers."""
        current = [layer.arn() for layer in self.functions.get(name).layers]
        return self.update_function_configuration(name, layers=[*current, arn])

    def remove_function_layer(self, name: str, position: int) -> FunctionConfig:
        """Remove `$LATEST`'s layer at `position` (0 is the first); the others keep their order."""
        current = [layer.arn() for layer in self.functions.get(name).layers]
        if not 0 <= position < len(current):
            raise FunctionError(f"{name} has no layer number {position + 1}: it has {len(current)}. Reload the page.",
                                "layers")
        return self.update_function_configuration(name, layers=current[:position] + current[position + 1:])

    def move_function_layer_up(self, name: str, position: int) -> FunctionConfig:
        """Swap `$LATEST`'s layer at `position` with the one before it: its files then replace that one's."""
        current = [layer.arn() for layer in self.functions.get(name).layers]
        if not 0 < position < len(current):
            raise FunctionError(f"{name} has no layer number {position + 1} to move up: it has {len(current)}. "
                                "Reload the page.", "layers")
        current[position - 1], current[position] = current[position], current[position - 1]
        return self.update_function_configuration(name, layers=current)

    def delete_layer_version(self, name: str, version: int) -> bool:
        """Delete a layer version (False when there was none); functions using it keep it, as on Lambda."""
        return self.layers.delete(name, version)

    # -- invoking -------------------------------------------------------------------------------------------------

    def invoke(
        self,
        name: str,
        payload: bytes | str = b"{}",
        *,
        version: str = LATEST,
        source: str = "console",
        client_context: str | None = None,
        region: str = DEFAULT_REGION,
        account: str = DEFAULT_ACCOUNT,
        request_id: str | None = None,
    ) -> InvocationRecord:
        """Invoke the function with the event's JSON and record the invocation in the history."""
        data = payload.encode() if isinstance(payload, str) else payload
        spec, package = self._spec(self.functions.get(name, version), region, account)
        result = self.engine.invoke(spec, data or b"{}", client_context=client_context, request_id=request_id)
        return self.history.record(name, source, data.decode("utf-8", "replace"), result, package.code_sha256)

    def check_event(self, payload: bytes | str) -> None:
        """Refuse, with EventError, an event Lambda's Invoke refuses (not JSON, NaN or Infinity, over 6 MB, not UTF-8);
        Invoke's DryRun does only this."""
        check_event(payload)

    def test(
        self, name: str, event: str | None = None, *, payload: bytes | str | None = None, version: str = LATEST,
        source: str = "console",
    ) -> InvocationRecord:
        """Run the function once and wait: with a saved event (by name), the event's JSON, or `{}` when neither is
        given. The function is looked up before the event."""
        self.functions.get(name, version)
        if event:
            payload = self.events.get(name, event).payload
        return self.invoke(name, b"{}" if payload is None else payload, version=version, source=source)

    def start_test(self, name: str, body: str, *, source: str = "console", where: str = "Event JSON") -> Job:
        """The Test button: the event's JSON checked (EventError with its line and column), then run as a job."""
        self.functions.get(name)
        check_event(body, where)
        return self.jobs.start(name, body.encode("utf-8"), source=source)

    def start_saved_test(self, name: str, event: str, *, source: str = "console") -> tuple[Job, SavedEvent]:
        """Run a saved event of the function as a job (the presenter's buttons)."""
        saved = self.events.get(name, event)
        return self.jobs.start(name, saved.payload, source=source), saved

    def start_event_invocation(
        self, name: str, payload: bytes, *, version: str = LATEST, client_context: str | None = None,
        region: str = DEFAULT_REGION, account: str = DEFAULT_ACCOUNT,
    ) -> Job:
        """Invoke's Event type: queued in the database first, then run in the background with two retries."""
        return self.jobs.start(name, payload, version=version, source="event", retries=2,
                               client_context=client_context, region=region, account=account, durable=True)

    def rerun(self, entry_id: int, *, function: str | None = None, source: str = "console") -> Job:
        """Run a history entry's event again, on the same version, as a job. With `function`, the entry must be one of
        that function's (HistoryNotFound otherwise)."""
        entry = self.get_invocation(entry_id, function)
        return self.jobs.start(entry.function, entry.event.encode("utf-8"), version=entry.version, source=source)

    def get_job(self, job_id: str, function: str | None = None) -> Job:
        """A running or recently finished job; with `function`, JobNotFound unless it runs that function."""
        job = self.jobs.get(job_id)
        if function is not None and job.function != function:
            raise JobNotFound(f"No invocation {job_id} of {function} is running or recently finished")
        return job

    def cancel(self, job_id: str, function: str | None = None) -> Job:
        """Stop a running job: its invocation ends failed and no retry follows."""
        job = self.get_job(job_id, function)
        self.jobs.cancel(job_id)
        return job

    def resume_jobs(self) -> None:
        """At start: run the Event invocations that consoles stopped before finishing."""
        self.jobs.resume()

    # -- reading --------------------------------------------------------------------------------------------------

    def get_function(self, name: str, version: str = LATEST) -> FunctionConfig:
        return self.functions.get(name, version)

    def function_exists(self, name: str) -> bool:
        return self.functions.exists(name)

    def list_functions(self) -> list[FunctionConfig]:
        return self.functions.all()

    def list_versions(self, name: str) -> list[FunctionConfig]:
        """`$LATEST` and then every published version, oldest first."""
        return self.functions.versions(name)

    def get_package(self, sha256: str) -> Package:
        return self.packages.get(sha256)

    def list_packages(self) -> list[Package]:
        return self.packages.all()

    def delete_package(self, sha256: str) -> Package:
        """Delete a stored package no function or version runs (PackageInUse otherwise); the package is returned."""
        package = self.packages.get(sha256)
        self.packages.delete(sha256)
        self.layer_trees.forget(package.code_dir)  # merged layer folders that held its files
        return package

    def list_invocations(self, function: str, limit: int | None = None) -> list[InvocationRecord]:
        """The function's history, newest first (FunctionNotFound for a function that does not exist)."""
        self.functions.get(function)
        return self.history.for_function(function, limit)

    def last_invocation(self, function: str) -> InvocationRecord | None:
        return self.history.latest(function)

    def get_invocation(self, entry_id: int, function: str | None = None) -> InvocationRecord:
        entry = self.history.get(entry_id)
        if function is not None and entry.function != function:
            raise HistoryNotFound(f"No invocation {entry_id} of {function} in the history")
        return entry

    # -- events ---------------------------------------------------------------------------------------------------

    def list_events(self, function: str) -> list[SavedEvent]:
        return self.events.for_function(function)

    def get_event(self, function: str, name: str) -> SavedEvent:
        return self.events.get(function, name)

    def save_event(self, function: str, name: str, body: str) -> SavedEvent:
        self.functions.get(function)  # FunctionNotFound before anything else
        return self.events.save(function, name, body)

    def delete_event(self, function: str, name: str) -> None:
        self.events.delete(function, name)

    def export_events(self, function: str, folder: Path | None = None) -> str | list[Path]:
        """The function's events as one bundle's text, or (given `folder`) as a `<name>.json` file each."""
        self.functions.get(function)
        return self.events.export_bundle(function) if folder is None else self.events.export_folder(function, folder)

    def import_events(self, function: str, source: Path | bytes, *, replace: bool = False) -> list[SavedEvent]:
        """A bundle's bytes, or a folder of `<name>.json` files: all stored, or none."""
        self.functions.get(function)
        if isinstance(source, Path):
            return self.events.import_folder(function, source, replace=replace)
        return self.events.import_bundle(function, source, replace=replace)

    def summary(self) -> list[FunctionSummary]:
        """Each function with its last result, for the function list."""
        latest = self.history.latest_results()
        rows = []
        for function in self.functions.all():
            succeeded, when = latest.get(function.name, (None, None))
            status = None if succeeded is None else ("succeeded" if succeeded else "failed")
            rows.append(FunctionSummary(function, status, when))
        return rows
