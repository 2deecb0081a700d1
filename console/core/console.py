"""The Console: the one object the web views, the REST API and the command line call.

It owns the database, the package store, the functions, the saved events, the history and the engine, and does what
crosses them: a change of code or configuration retires the function's warm environments (hot reload), and every
invocation is recorded in the history. Plain Python, never imports flask.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO

from console.config import Config
from console.core.aliases import Alias, AliasNotFound, AliasStore, VersionInUse
from console.core.code_changes import CodeChange, CodeChanges
from console.core.credentials import CredentialsError, HandedCredentials, ProfileCredentials, RoleCredentials
from console.core.discoveries import Discoveries
from console.core.discovery import Discovery, discover
from console.core.event_invoke import EventInvokeConfig, EventInvokeConfigs
from console.core.events import EventNotFound, EventStore, SavedEvent, check_event
from console.core.expectations import (
    Expectation,
    ExpectationError,
    ExpectationStore,
    check_expectation,
    expectation_from,
    same_json,
)
from console.core.folders import FolderCode, write_zip
from console.core.function_settings import engine_settings
from console.core.function_urls import (
    FunctionUrl,
    FunctionUrlStore,
    check_auth_type,
    check_cors,
    check_invoke_mode,
    check_qualifier,
)
from console.core.functions import LATEST, FunctionConfig, FunctionError, FunctionNotFound, FunctionStore
from console.core.history import History, HistoryNotFound, InvocationRecord
from console.core.jobs import Job, JobNotFound, Jobs
from console.core.layer_tree import LayerTrees
from console.core.layers import LayerStore, LayerVersion, check_layer_fields
from console.core.packages import Package, PackageNotFound, PackageStore
from console.core.sources import Code, CodeSources, CodeState
from console.core.store import Store
from console.core.tags import TagStore, check_tags
from console.core.test_runs import LastRun, TestRun, TestRuns, last_runs
from console.core.test_runs import run as run_test_suite
from console.engine import Engine, FunctionSpec
from console.engine.interpreters import Choice, Interpreters
from console.engine.invocation import DEFAULT_ACCOUNT, DEFAULT_REGION
from console.engine.runtime_libs import unavailable as unavailable_libraries
from console.resources import samples_dir

if TYPE_CHECKING:
    from console.core.sam_load import ApiRoute, Notice, SamProjects
    from console.core.sam_local import EnvVars


@dataclass(frozen=True)
class FunctionSummary:
    """A function in the function list, with how its last invocation ended."""

    function: FunctionConfig
    last_status: str | None  # "succeeded", "failed", or None when it never ran
    last_at: str | None  # when it last ran
    last_test: LastRun | None = None  # its last run of saved events as tests

log = logging.getLogger("lambda_console.console")


class Console:
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

    def discover_folder_handlers(self, folder: object) -> Discovery:
        """The handlers a folder's files suggest (FunctionError when it is not a folder the console can read)."""
        return discover(self.sources.check_folder(folder))

    def function_handlers(self, function: FunctionConfig) -> tuple[str, ...]:
        """The handlers the function's code suggests: its package's, or its folder's as they are now."""
        if function.code_folder:
            return discover(Path(function.code_folder)).handlers
        return self.discover_handlers(function.package_sha256).handlers

    # -- SAM templates ------------------------------------------------------------------------------------------

    def serve_templates(self, paths: list[Path], overrides: dict[str, str] | None = None,
                        env_vars: Path | None = None) -> list[Notice]:
        """Serve the templates' functions as folder functions, kept in step with the template files (see
        console.core.sam_load); what cannot run is returned. TemplateError or EnvVarsError when a template or the
        --env-vars file cannot be read at all: nothing is changed then."""
        from console.core.sam_load import SamProjects, TemplateOptions

        if self.projects is not None:
            self.projects.close()
        self.projects = SamProjects(self, TemplateOptions(tuple(paths), overrides or {}, env_vars),
                                    watch=self.config.watch_folders)
        return self.projects.load()

    def use_env_vars(self, path: Path) -> None:
        """SAM's --env-vars file (EnvVarsError when it cannot be used) over folder functions' `$LATEST` from now on:
        as `sam local` does, it sets only the variables a function declares. What is stored does not change."""
        from console.core.sam_local import read_env_vars

        self._env_vars = read_env_vars(path)

    def _environment(self, function: FunctionConfig) -> dict[str, str]:
        if self._env_vars is None or not function.code_folder:
            return function.environment
        return self._env_vars.apply(function.name, function.environment)[0]

    def api_routes(self, function: str | None = None) -> list[ApiRoute]:
        """The served templates' Api and HttpApi routes (only `function`'s when given), for the API port."""
        routes = self.projects.routes() if self.projects is not None else []
        return [route for route in routes if function is None or route.function == function]

    def template_notices(self) -> list[Notice]:
        """What the served templates hold that does not run (a function with its reason, a template unreadable)."""
        return self.projects.notices() if self.projects is not None else []

    def handler_warning(self, function: FunctionConfig) -> str | None:
        """What to say when the function's handler is none of those its code suggests (it may still be right: a
        handler written another way is not found), with the ones found; None when it is one of them."""
        try:
            found = self.function_handlers(function)
        except (PackageNotFound, FunctionError):
            return None  # no code to look in: the Code section says so
        if function.handler in found:
            return None
        listed = ", ".join(found[:5]) + (" …" if len(found) > 5 else "") if found else "none"
        return (f"The handler {function.handler} matches no function found in the code (a file "
                f"{function.handler.rpartition('.')[0].replace('.', '/')}.py defining "
                f"{function.handler.rpartition('.')[2]}(event, context)). Handlers found: {listed}.")

    # -- functions ------------------------------------------------------------------------------------------------

    def zipped_folder_warning(self, sha256: str, handler: str | None = None) -> str | None:
        """What to do when every file of the package is inside one folder, where Lambda does not look for the code;
        None when it is not, or when `handler` is one found in the package as it is."""
        if not sha256:
            return None  # a folder function: its folder is what Lambda's /var/task would be
        discovery = self.discover_handlers(sha256)
        if discovery.folder_mistake and (handler is None or handler not in discovery.handlers):
            return discovery.folder_mistake
        return None

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

    def create_folder_function(self, name: str, folder: object, handler: object, *, role: str | None = None,
                               publish: bool = False, **config: Any) -> FunctionConfig:
        """Create a function that runs from a folder on this machine, watched and reloaded on save (FunctionError,
        field "code", when the folder does not exist or cannot be read); a requirements.txt in it is installed."""
        _, checked = self.functions.check_new(name, handler, **config)
        path = self.sources.check_folder(folder)
        function = self.functions.create(name, None, checked["handler"], role=role or "", code_folder=str(path),
                                         **config)
        self.sources.refresh()
        return self.publish_version(name) if publish else function

    def update_function_code_folder(self, name: str, folder: object) -> FunctionConfig:
        """Make a folder the function's code, in place of its package or other folder."""
        path = self.sources.check_folder(folder)
        function = self.functions.update_code_folder(name, str(path))
        self.engine.retire(name, LATEST)
        self.sources.refresh()
        return function

    def function_code(self, function: FunctionConfig) -> Code:
        """What the function version runs, with Lambda's CodeSha256 and CodeSize (a folder's as a zip of its files)."""
        return self.sources.code(function)

    def write_folder_zip(self, name: str, out: IO[bytes]) -> FolderCode:
        """A folder function's code as the zip its CodeSha256 describes (FunctionNotFound for any other function)."""
        function = self.functions.get(name)
        if not function.code_folder:
            raise FunctionNotFound(name)
        return write_zip(Path(function.code_folder), out)

    def function_state(self, function: FunctionConfig) -> CodeState:
        """Lambda's State and LastUpdateStatus: Pending while a folder's requirements.txt installs, Failed if it failed."""
        return self.sources.state(function)

    def code_changes(self, name: str, limit: int | None = None) -> list[CodeChange]:
        """Reloads and dependency installs of the function's folder, newest first."""
        self.functions.get(name)
        return self.sources.changes.for_function(name, limit)

    def last_code_change(self, name: str) -> CodeChange | None:
        return self.sources.changes.latest(name)

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

    def tag_function(self, name: str, tags: dict[str, str]) -> dict[str, str]:
        """Add or replace the function's tags; its tags after."""
        return self.tags.tag(name, tags)

    def untag_function(self, name: str, keys: list[str]) -> None:
        self.tags.untag(name, keys)

    def function_tags(self, name: str) -> dict[str, str]:
        return self.tags.tags(name)

    def reserved_concurrency(self, name: str) -> int | None:
        return self.tags.reserved_concurrency(name)

    def reserve_concurrency(self, name: str, value: int | None) -> int | None:
        """Reserve concurrent executions for the function (0 throttles every invocation), or none with None."""
        return self.tags.reserve_concurrency(name, value)

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
        trace_header: str | None = None,
        event_name: str = "",
    ) -> InvocationRecord:
        """Invoke the function with the event's JSON and record the invocation in the history (with the name of the
        saved event it ran, when it ran one); `trace_header` is the caller's X-Ray trace header, which the invocation
        continues."""
        data = payload.encode() if isinstance(payload, str) else payload
        spec, code = self._spec(self.functions.get(name, self._resolve(name, version, routed=True)), region, account)
        result = self.engine.invoke(spec, data or b"{}", client_context=client_context, request_id=request_id,
                                    trace_header=trace_header)
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

    # -- asynchronous invocation settings (EventInvokeConfig) ---------------------------------------------------------

    def put_event_invoke_config(self, name: str, qualifier: str, *, replace: bool = True,
                                **settings: Any) -> EventInvokeConfig:
        """Set the asynchronous invocation settings of a function's qualifier ($LATEST, a version or an alias);
        `replace` resets what is not given (Put), otherwise only what is given changes (Update)."""
        self.get_function(name, qualifier)  # FunctionNotFound for a qualifier that names nothing
        return self.event_invoke_configs.put(name, qualifier, replace=replace, **settings)

    def get_event_invoke_config(self, name: str, qualifier: str) -> EventInvokeConfig:
        self.functions.get(name)
        return self.event_invoke_configs.get(name, qualifier)

    def list_event_invoke_configs(self, name: str) -> list[EventInvokeConfig]:
        self.functions.get(name)
        return self.event_invoke_configs.all(name)

    def delete_event_invoke_config(self, name: str, qualifier: str) -> None:
        self.functions.get(name)
        self.event_invoke_configs.delete(name, qualifier)

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

    # -- aliases and single versions ---------------------------------------------------------------------------------

    def create_alias(self, function: str, name: str, version: str, description: str = "",
                     weights: dict[str, float] | None = None) -> Alias:
        return self.aliases.create(function, name, version, description, weights)

    def get_alias(self, function: str, name: str) -> Alias:
        self.functions.get(function)
        return self.aliases.get(function, name)

    def list_aliases(self, function: str, version: str | None = None) -> list[Alias]:
        self.functions.get(function)
        return self.aliases.all(function, version)

    def update_alias(self, function: str, name: str, **changes: Any) -> Alias:
        return self.aliases.update(function, name, **changes)

    def delete_alias(self, function: str, name: str) -> None:
        self.functions.get(function)
        self.aliases.delete(function, name)
        self.event_invoke_configs.forget(function, name)  # its asynchronous invocation settings go with it

    def delete_version(self, name: str, version: str) -> None:
        """Delete one published version; VersionInUse when aliases point to it."""
        held_by = self.aliases.holding(name, version)
        if held_by:
            raise VersionInUse(held_by)
        self.functions.delete_version(name, version)
        self.event_invoke_configs.forget(name, version)
        self.engine.retire(name, version)

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

    # -- function URLs --------------------------------------------------------------------------------------------

    def create_function_url(self, name: str, qualifier: str | None = None, *, auth_type: object,
                            cors: object = None, invoke_mode: object = "BUFFERED",
                            region: str = DEFAULT_REGION) -> FunctionUrl:
        """Give the function (or its `$LATEST`) a URL; FunctionUrlExists when it has one."""
        self.functions.get(name)
        return self.function_urls.create(name, check_qualifier(qualifier), auth_type=check_auth_type(auth_type),
                                         cors=check_cors(cors), invoke_mode=check_invoke_mode(invoke_mode or
                                                                                              "BUFFERED"),
                                         region=region)

    def get_function_url(self, name: str, qualifier: str | None = None) -> FunctionUrl:
        self.functions.get(name)
        return self.function_urls.get(name, check_qualifier(qualifier))

    def update_function_url(self, name: str, qualifier: str | None = None, **changes: object) -> FunctionUrl:
        """Change `auth_type`, `cors` (None removes it) or `invoke_mode`; what is not given stays."""
        checks = {"auth_type": check_auth_type, "cors": check_cors, "invoke_mode": check_invoke_mode}
        self.functions.get(name)
        checked: dict[str, object] = {key: checks[key](value) for key, value in changes.items()}
        return self.function_urls.update(name, check_qualifier(qualifier), checked)

    def delete_function_url(self, name: str, qualifier: str | None = None) -> None:
        self.functions.get(name)
        self.function_urls.delete(name, check_qualifier(qualifier))

    def list_function_urls(self, name: str) -> list[FunctionUrl]:
        self.functions.get(name)
        return self.function_urls.for_function(name)

    def find_function_url(self, url_id: str) -> FunctionUrl | None:
        """The URL a request's host names, or None."""
        return self.function_urls.by_id(url_id)

    # -- events ---------------------------------------------------------------------------------------------------

    def list_events(self, function: str) -> list[SavedEvent]:
        return self.events.for_function(function)

    def get_event(self, function: str, name: str) -> SavedEvent:
        return self.events.get(function, name)

    def save_event(self, function: str, name: str, body: str, *, replace: bool = True) -> SavedEvent:
        """Save the event under `name`. With replace=False an event already saved under that name (ignoring case) is
        kept and EventExists names it, so that the person is asked before it is replaced."""
        self.functions.get(function)  # FunctionNotFound before anything else
        if not replace:
            return self.events.create(function, name, body)
        return self.events.save(function, name, body)

    def rename_event(self, function: str, name: str, new_name: str) -> SavedEvent:
        """Give a saved event a new name; its expectation goes with it (EventExists when the name is taken)."""
        self.functions.get(function)
        return self.events.rename(function, name, new_name)

    def duplicate_event(self, function: str, name: str, new_name: str) -> SavedEvent:
        """Save a copy of a saved event, with its expectation, under a new name."""
        self.functions.get(function)
        return self.events.duplicate(function, name, new_name)

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

    def import_project_events(self, function: str, template: Path, logical_id: str, *,
                              replace: bool = False) -> list[SavedEvent]:
        """A SAM project's events for the template's function `logical_id` (`events/*.json`, then
        `events/<logical_id>/*.json`, see console.core.sam.project_events) stored as `function`'s saved events:
        all of them, or none."""
        from console.core import event_transfer
        from console.core.sam import project_events, read_template

        self.functions.get(function)
        parsed = read_template(template)
        parsed.function(logical_id)  # a TemplateError for a function the template lacks or cannot run
        files = [event.path for event in project_events(parsed)[logical_id]]
        return event_transfer.import_files(self.events, function, files, f"{template}'s events", replace=replace)

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

    # -- saved events as tests ------------------------------------------------------------------------------------

    def get_expectation(self, function: str, event: str) -> Expectation | None:
        """The saved event's expectation, or None (EventNotFound for an event that does not exist)."""
        self.events.get(function, event)
        return self.expectations.get(function, event)

    def list_expectations(self, function: str) -> dict[str, Expectation]:
        """The function's expectations by event name."""
        self.functions.get(function)
        return self.expectations.for_function(function)

    def set_expectation(self, function: str, event: str, response: str | None, outcome: str = "any",
                        max_duration: str | float | None = None) -> Expectation:
        """An expectation written by hand, checked (ExpectationError with its field), on a saved event."""
        self.events.get(function, event)
        return self.expectations.set(function, event, check_expectation(response, outcome, max_duration))

    def clear_expectation(self, function: str, event: str) -> bool:
        """Remove the saved event's expectation; False when it had none."""
        self.events.get(function, event)
        return self.expectations.clear(function, event)

    def save_as_expected(self, function: str, entry_id: int, event: str) -> tuple[SavedEvent, Expectation]:
        """"Save as expected": a history entry's result becomes the expectation of the saved event `event`, which is
        created from the entry's event when the function has none of that name. A saved event whose JSON differs
        from the entry's is refused (ExpectationError): the result did not come from it."""
        entry = self.get_invocation(entry_id, function)
        expectation = expectation_from(entry)
        saved = self.events.for_function(function)
        existing = next((item for item in saved if item.name == event), None)
        if existing is None:
            existing = self.events.create(function, event, entry.event)
        elif not same_json(existing.body, entry.event):
            raise ExpectationError(f"The saved event {event!r} holds other JSON than the event this result came "
                                   "from: choose another name to save that event with its result, or run the saved "
                                   "event and save its result.", "event")
        return existing, self.expectations.set(function, event, expectation)

    def saved_event_for(self, function: str, event: str) -> str | None:
        """The name of the function's saved event holding this JSON (formatting aside), or None."""
        return next((saved.name for saved in self.events.for_function(function) if same_json(saved.body, event)),
                    None)

    def run_tests(self, functions: list[str] | None = None, *, source: str = "console",
                  concurrency: int | None = None) -> TestRun:
        """Run the saved events with expectations of the functions (all when None) and wait for the results."""
        return run_test_suite(self, functions, source=source, concurrency=concurrency)

    def start_test_run(self, functions: list[str] | None = None) -> TestRun:
        """Run all: the same as `run_tests`, in the background; the page polls `get_test_run`."""
        return self.test_runs.start(functions)

    def get_test_run(self, run_id: str) -> TestRun:
        return self.test_runs.get(run_id)

    def last_test_runs(self) -> dict[str, LastRun]:
        """Each function's last test run, by function name."""
        return last_runs(self)
