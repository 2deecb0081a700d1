"""The Console: the one object the web views, the REST API and the command line call.

It owns the database, the package store, the functions, the saved events, the history and the engine, and does what
crosses them: a change of code or configuration retires the function's warm environments (hot reload), and every
invocation is recorded in the history. Plain Python, never imports flask.

Its operations are grouped by what they are about, one module each, and Console inherits them all:
console_code (packages, folders, SAM templates), console_layers, console_settings (tags, concurrency, aliases,
asynchronous invocation settings, function URLs) and console_events (saved events, expectations, Run all); this
module keeps the functions, their invocation and the engine's spec.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO

from console.config import Config
from console.core.aliases import AliasNotFound, AliasStore, is_alias_name
from console.core.code_changes import CodeChanges
from console.core.console_code import CodeOperations
from console.core.console_events import EventOperations
from console.core.console_layers import LayerOperations
from console.core.console_remotes import RemoteOperations
from console.core.console_settings import FunctionSettingsOperations
from console.core.console_viewers import ViewerOperations
from console.core.credentials import CredentialsError, HandedCredentials, ProfileCredentials, RoleCredentials
from console.core.discoveries import Discoveries
from console.core.event_invoke import EventInvokeConfig, EventInvokeConfigs
from console.core.events import EventNotFound, EventStore, SavedEvent, check_event
from console.core.expectations import (
    ExpectationStore,
)
from console.core.function_settings import engine_settings
from console.core.function_urls import (
    FunctionUrlStore,
)
from console.core.functions import LATEST, FunctionConfig, FunctionError, FunctionNotFound, FunctionStore
from console.core.history import History, HistoryNotFound, InvocationRecord
from console.core.jobs import Job, JobNotFound, Jobs
from console.core.layer_tree import LayerTrees
from console.core.layers import LayerStore
from console.core.packages import PackageStore
from console.core.remote_jobs import RemoteJobs
from console.core.remotes import RemoteClients
from console.core.sources import Code, CodeSources
from console.core.store import Store
from console.core.tags import TagStore, check_tags
from console.core.test_runs import LastRun, TestRuns
from console.engine import Engine, FunctionSpec
from console.engine.interpreters import Choice, Interpreters
from console.engine.invocation import DEFAULT_ACCOUNT, DEFAULT_REGION
from console.engine.runtime_libs import unavailable as unavailable_libraries
from console.resources import samples_dir

if TYPE_CHECKING:
    from console.core.sam_load import SamProjects
    from console.core.sam_local import EnvVars


@dataclass(frozen=True)
class FunctionSummary:
    """A function in the function list, with how its last invocation ended."""

    function: FunctionConfig
    last_status: str | None  # "succeeded", "failed", or None when it never ran
    last_at: str | None  # when it last ran
    last_test: LastRun | None = None  # its last run of saved events as tests

log = logging.getLogger("lambda_console.console")


class Console(CodeOperations, LayerOperations, FunctionSettingsOperations, EventOperations, RemoteOperations,
              ViewerOperations):
    """Everything the console can do, for any front end."""

    def __init__(self, config: Config, *, engine: Engine | None = None) -> None:
        self.config = config
        # A profile's credentials are resolved first: a profile that gives none stops the start (CredentialsError)
        # before anything is opened.
        if config.assume_role and not config.profile:
            raise CredentialsError("--assume-role: roles are assumed with a profile's credentials; add --profile NAME.")
        self._credentials = ProfileCredentials(config.profile) if config.profile else None
        self._roles = RoleCredentials(self._credentials) if config.assume_role and self._credentials else None
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
        self.tags = TagStore(self.store)
        self.aliases = AliasStore(self.store)
        self.expectations = ExpectationStore(self.store)
        self.test_runs = TestRuns(self)
        self.remote_jobs = RemoteJobs(self)
        self.remote_clients = RemoteClients()
        self.event_invoke_configs = EventInvokeConfigs(self.store)
        self.history = History(self.store, keep=config.history_keep, log_limit=config.history_log_bytes)
        self.function_urls = FunctionUrlStore(self.store)
        # The port function URLs are served on, once `serve` listens there (None: not served by this process).
        self.api_port: int | None = None
        # Background jobs: as many at once as the engine can run and queue; more wait their turn on the pool.
        self.jobs = Jobs(self, retry_delay=config.event_retry_delay, workers=config.max_environments + config.max_queue)
        self.engine = engine or Engine(
            max_environments=config.max_environments, max_queue=config.max_queue, idle_timeout=config.idle_timeout
        )
        # The Python each runtime runs on: the config's mapping, else what is installed, else the console's own.
        self.interpreters = Interpreters(config.interpreter_mapping)
        # Packages and folders (watched, reloaded on save, requirements.txt installed): what each function runs.
        self.sources = CodeSources(functions=self.functions, packages=self.packages, changes=CodeChanges(self.store),
                                   engine=self.engine, dependencies_dir=config.dependencies_dir,
                                   watch=config.watch_folders,
                                   python_for=lambda function: self.interpreter_for(function).interpreter.path)
        self.sources.refresh()
        self.projects: SamProjects | None = None  # the SAM templates `serve --template` keeps functions of
        self._env_vars: EnvVars | None = None  # `serve --env-vars`, over folder functions
        if config.functions:
            from console.core.configured import load_configured_functions

            try:
                load_configured_functions(self, config.functions)
            except BaseException:
                self.close()
                raise
        if config.load_samples:
            from console.core.samples import load_samples

            load_samples(self, samples_dir())

    def close(self) -> None:
        if self.projects is not None:
            self.projects.close()  # no template is read again while closing
        self.sources.close()  # no reload nor pip run starts on a closing engine
        self.jobs.close()
        self.engine.close()  # ends the invocations that running jobs wait on
        # A job records its last attempt after its invocation ends; the store must outlive that write (a connection
        # closed under a thread that is using it can crash the process).
        if not self.jobs.wait_stopped(timeout=30):
            log.warning("Background invocations still running at shutdown; their results may not be kept.")
        if not self.test_runs.wait_stopped(timeout=30):
            log.warning("Test runs still running at shutdown; their results may not be kept.")
        if not self.remote_jobs.wait_stopped(timeout=5):
            log.warning("Deploys or tests on remotes still running at shutdown: the remotes finish them on their own.")
        self.packages.close()
        self.store.close()

    def release_connection(self) -> None:
        """Hand this thread's database connection back (at the end of each web request)."""
        self.store.release()

    def __enter__(self) -> Console:  # noqa: PYI034 (typing.Self needs Python 3.11)
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- functions ------------------------------------------------------------------------------------------------

    def create_function(
        self, name: str, package: str | bytes | BinaryIO, handler: object, *, role: str | None = None,
        publish: bool = False, tags: dict[str, str] | None = None, **config: Any,
    ) -> FunctionConfig:
        """Create a function from a stored package (its SHA-256) or from a zip's bytes or stream; with `publish`, its
        version 1 is returned. The function, its role and its version are written in one transaction; its `tags`
        right after."""
        _, checked = self.functions.check_new(name, handler, **config)  # a refused function stores no package
        checked_tags = check_tags(tags) if tags is not None else {}
        sha256 = package if isinstance(package, str) else self.upload_package(package).sha256
        function = self.functions.create(name, sha256, checked["handler"], role=role or "", publish=publish, **config)
        if checked_tags:
            self.tags.tag(name, checked_tags)
        return function

    def update_function_code(self, name: str, package: str | bytes | BinaryIO) -> FunctionConfig:
        sha256 = package if isinstance(package, str) else self.upload_package(package).sha256
        was_folder = bool(self.functions.get(name).code_folder)
        function = self.functions.update_code(name, sha256)
        self.engine.retire(name, LATEST)  # hot reload: the next invocation runs the new code
        if was_folder:
            self.sources.refresh()
        return function

    def update_function_configuration(self, name: str, **changes: object) -> FunctionConfig:
        """Change `$LATEST`'s settings (and its `role`) in one transaction; warm environments of the old ones retire."""
        function = self.functions.update_configuration(name, **changes)
        if set(changes) - {"role"}:
            self.engine.retire(name, LATEST)  # the role changes nothing the engine runs
        return function

    def clone_function(self, name: str, new_name: str) -> FunctionConfig:
        """A new function with the code, configuration, layers and saved events (with their expectations) of `name`'s
        $LATEST; its history, versions and aliases start empty (FunctionExists when the new name is taken)."""
        from console.core.function_rules import CONFIG_FIELDS

        source = self.functions.get(name)
        config = {key: getattr(source, key) for key in CONFIG_FIELDS if key != "handler"}
        if source.settings:
            config["settings"] = source.settings  # Lambda's further settings (Architectures, LoggingConfig...)
        if source.code_folder:
            self.create_folder_function(new_name, source.code_folder, source.handler, role=source.role or None,
                                        **config)
        else:
            self.create_function(new_name, source.package_sha256, source.handler, role=source.role or None, **config)
        if source.layers:
            self.functions.update_configuration(new_name, layers=[layer.arn() for layer in source.layers])
        self.events.copy_all(name, new_name)
        return self.functions.get(new_name)

    def check_function_configuration(self, **changes: object) -> None:
        """Refuse, with FunctionErrors naming every field, settings that update_function_configuration would refuse;
        nothing is changed (a form with a field it could not read still shows every other refusal)."""
        from console.core.function_rules import check_each

        check_each({key: value for key, value in changes.items() if key not in ("layers", "settings")})

    def delete_function(self, name: str) -> None:
        """Delete a function with its versions, saved events and history; its package stays stored."""
        was_folder = bool(self.functions.get(name).code_folder)
        self.functions.delete(name)
        self.engine.retire(name)
        if was_folder:
            self.sources.refresh()

    def publish_version(
        self, name: str, description: str | None = None, *, code_sha256: str | None = None
    ) -> FunctionConfig:
        """`$LATEST` as the next version. With `code_sha256` (base64, as Lambda's CodeSha256), only when `$LATEST`
        still runs that code: FunctionError otherwise."""
        latest = self.functions.get(name)
        if code_sha256:
            current = self.sources.code(latest).code_sha256
            if code_sha256 != current:
                raise FunctionError(
                    f"CodeSHA256 ({code_sha256}) is different from current CodeSHA256 in $LATEST ({current}). "
                    "Please try again",
                    "code_sha256",
                )
        # A folder function's version runs a stored snapshot of the folder, so it never changes afterwards.
        snapshot = self.sources.snapshot(latest).sha256 if latest.code_folder else None
        return self.functions.publish(name, description, snapshot=snapshot)

    def handed_credentials(self, function: FunctionConfig | None = None) -> HandedCredentials | None:
        """The AWS credentials handlers get now (a profile's, refreshed when temporary; with `assume_role`, the
        function's Role's), or None. CredentialsError when the role cannot be assumed."""
        if self._credentials is None:
            return None
        if self._roles is not None and function is not None and function.role:
            return self._roles.for_role(function.role, function.name)
        return self._credentials.current()

    def accepted_credentials(self) -> list[HandedCredentials]:
        """Every set handed to handlers that the REST API accepts besides the console's own keys."""
        if self._credentials is None:
            return []
        try:
            own = [self._credentials.current()]
        except CredentialsError:
            own = []
        return [*own, *(self._roles.held() if self._roles is not None else [])]

    def interpreter_for(self, function: FunctionConfig) -> Choice:
        """The interpreter that runs the function, and why it is not its runtime's own when it is not."""
        return self.interpreters.choose(function.runtime, function.runtime_client)

    def missing_runtime_libraries(self, choice: Choice) -> dict[str, str]:
        """The runtime libraries (boto3, simplejson...) a worker on the chosen interpreter goes without, with why."""
        if choice.interpreter.version[:2] == self.interpreters.own.version[:2]:
            return {}
        return unavailable_libraries(choice.interpreter.version)

    def _spec(self, function: FunctionConfig, region: str, account: str) -> tuple[FunctionSpec, Code]:
        code = self.sources.ready_code(function)
        handed = self.handed_credentials(function)
        choice = self.interpreter_for(function)
        spec = FunctionSpec(
            name=function.name,
            code_dir=code.code_dir,
            code_extra=code.extra_dirs,
            handler=function.handler,
            runtime=function.runtime,
            timeout=function.timeout,
            memory=function.memory,
            ephemeral_storage=function.ephemeral_storage,
            environment=self._environment(function),
            runtime_client=function.runtime_client,
            version=function.version,
            region=region,
            account=account,
            # A new upload, a saved file or configuration changes the key, so warm environments of the old one retire.
            revision=f"{code.revision}:{function.revision_id}",
            credentials=handed.environment() if handed is not None else {},
            reserved_concurrency=self.tags.reserved_concurrency(function.name),
            # Merged in this order, a later layer's files replacing an earlier one's: what Lambda's /opt holds.
            layers=(self.layer_trees.merged([self.packages.get(layer.package_sha256).code_dir
                                             for layer in function.layers]),) if function.layers else (),
            interpreter=choice.interpreter,
            interpreter_note=choice.note,
            **engine_settings(function),
        )
        return spec, code

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
        trace_header: str | None = None,
        event_name: str = "",
    ) -> InvocationRecord:
        """Invoke the function with the event's JSON and record the invocation in the history (with the name of the
        saved event it ran, when it ran one); `trace_header` is the caller's X-Ray trace header, which the invocation
        continues."""
        data = payload.encode() if isinstance(payload, str) else payload
        spec, code = self._spec(self.functions.get(name, self._resolve(name, version, routed=True)), region, account)
        # Through an alias, the handler's context names the alias in its invoked ARN, as on Lambda.
        alias = version if is_alias_name(version) else None
        result = self.engine.invoke(spec, data or b"{}", client_context=client_context, request_id=request_id,
                                    trace_header=trace_header, qualifier=alias)
        return self.history.record(name, source, data.decode("utf-8", "replace"), result, code.code_sha256,
                                   event_name)

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
        self.get_function(name, version)
        if event:
            payload = self.events.get(name, event).payload
        return self.invoke(name, b"{}" if payload is None else payload, version=version, source=source,
                           event_name=event or "")

    def start_test(self, name: str, body: str, *, source: str = "console", where: str = "Event JSON",
                   version: str = LATEST, event_name: str = "") -> Job:
        """The Test button: the event's JSON checked (EventError with its line and column), then run as a job on
        `version` ($LATEST, a published version, or an alias, whose weights pick the version). The history names the
        saved event `event_name` when the JSON is that event's as saved (not once edited)."""
        self.get_function(name, version)
        check_event(body, where)
        if event_name:
            try:
                event_name = event_name if self.events.get(name, event_name).body == body else ""
            except EventNotFound:
                event_name = ""
        return self.jobs.start(name, body.encode("utf-8"), source=source, version=version, event_name=event_name)

    def start_saved_test(self, name: str, event: str, *, source: str = "console") -> tuple[Job, SavedEvent]:
        """Run a saved event of the function as a job (the presenter's buttons)."""
        saved = self.events.get(name, event)
        return self.jobs.start(name, saved.payload, source=source, event_name=saved.name), saved

    def start_event_invocation(
        self, name: str, payload: bytes, *, version: str = LATEST, client_context: str | None = None,
        region: str = DEFAULT_REGION, account: str = DEFAULT_ACCOUNT,
    ) -> Job:
        """Invoke's Event type: queued in the database first, then run in the background with the retries and the
        maximum age of the qualifier's EventInvokeConfig (Lambda's defaults, two retries and 6 hours, without one)."""
        settings = self.event_invoke_configs.find(name, version) or EventInvokeConfig(name, version, None, None)
        return self.jobs.start(name, payload, version=version, source="event", retries=settings.retries,
                               client_context=client_context, region=region, account=account, durable=True,
                               max_age=settings.max_age)

    def rerun(self, entry_id: int, *, function: str | None = None, source: str = "console") -> Job:
        """Run a history entry's event again, on the same version, as a job. With `function`, the entry must be one of
        that function's (HistoryNotFound otherwise)."""
        entry = self.get_invocation(entry_id, function)
        return self.jobs.start(entry.function, entry.event.encode("utf-8"), version=entry.version, source=source,
                               event_name=entry.event_name)

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
        """The function at a version, or at the version an alias points to."""
        return self.functions.get(name, self._resolve(name, version))

    def _resolve(self, name: str, qualifier: str, *, routed: bool = False) -> str:
        """The version a qualifier names (an alias's; with `routed`, the one its weights pick for an invocation)."""
        try:
            return self.aliases.resolve(name, qualifier, routed=routed)
        except AliasNotFound:
            raise FunctionNotFound(name, qualifier) from None

    def function_exists(self, name: str) -> bool:
        return self.functions.exists(name)

    def list_functions(self) -> list[FunctionConfig]:
        return self.functions.all()

    def list_versions(self, name: str) -> list[FunctionConfig]:
        """`$LATEST` and then every published version, oldest first."""
        return self.functions.versions(name)

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

    def summary(self) -> list[FunctionSummary]:
        """Each function with its last result, for the function list."""
        latest = self.history.latest_results()
        tests = self.last_test_runs()
        rows = []
        for function in self.functions.all():
            succeeded, when = latest.get(function.name, (None, None))
            status = None if succeeded is None else ("succeeded" if succeeded else "failed")
            rows.append(FunctionSummary(function, status, when, tests.get(function.name)))
        return rows
