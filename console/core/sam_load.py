"""SAM templates served as folder functions (`serve --template`): each function of a template that can run here
becomes a folder function named by its logical id, with the template's settings and local layers, and is brought up
to date whenever the template file is saved.

- The functions a template made are recorded in the database (`template_functions`): reading the template again
  updates them and removes those the template no longer has, and never touches a function made by hand (one of the
  same name is left as it is, with a notice saying so).
- A local layer (`AWS::Serverless::LayerVersion` with a local ContentUri) is published as a layer version named by
  its logical id, from the folder zipped the same way every time (console.core.folders.write_zip): a new version only
  when the zip differs from the layer's newest one, so restarts and reloads do not pile up versions.
- The project's events (`events/*.json`, console.core.sam.project_events) are imported as saved events; a saved event
  of the same name is never replaced, so one the user edited keeps the user's JSON.
- The functions' Api and HttpApi events become the routes the API port serves (`ApiRoute`, as `sam local start-api`
  mounts them), read again with the template.
- What cannot run (the reader's not_runnable list, a layer that is not on this machine, a name taken by another
  function, a template that cannot be read any more) is kept as notices for the start-up output and the pages.
"""

from __future__ import annotations

import logging
import tempfile
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from console.core import event_transfer
from console.core.clock import now_iso
from console.core.folders import write_zip
from console.core.function_rules import CHECKS
from console.core.layers import LayerVersion
from console.core.sam import SamTemplate, TemplateError, TemplateFunction, project_events, read_template
from console.core.sam_apis import ApiSettings
from console.core.sam_local import EnvVars, EnvVarsError, read_env_vars
from console.core.watcher import FolderWatcher

if TYPE_CHECKING:
    from console.core.console import Console
    from console.core.functions import FunctionConfig

log = logging.getLogger(__name__)
routes_log = logging.getLogger("lambda_console.api_routes")  # said on serve's standard error, as at start
EXPECTED_SUFFIX = ".expected.json"
# How long loading waits for the template watch to start, so that a save right after start is not missed.
WATCH_START_SECONDS = 5.0


@dataclass(frozen=True)
class Notice:
    """Something of a template that does not run as written: a function (its logical id) or the whole template."""

    template: str  # the template's path
    logical_id: str  # "" when the notice is about the template as a whole
    reason: str
    runs: bool = False  # True for a note about a function that runs nonetheless

    def line(self) -> str:
        said = "Note" if self.runs else "Cannot run"
        return f"{said}: {self.logical_id or 'the template'} ({self.template}): {self.reason}"


@dataclass(frozen=True)
class ApiRoute:
    """A route of a template function's Api (REST API, payload 1.0) or HttpApi event (payload 2.0 unless its
    PayloadFormatVersion says 1.0), served at the root of the API port as `sam local start-api` serves it."""

    function: str
    kind: str  # "Api" or "HttpApi"
    path: str  # "/items/{id}", or "$default" for an HttpApi event without a Path
    method: str  # upper case, "ANY" for every method
    payload_version: str  # "1.0" or "2.0"
    api: ApiSettings  # its API's stage and CORS

    def link(self, base: str) -> str | None:
        """The URL a browser can open for a GET of this route (None when the path has parameters to fill in)."""
        if self.method not in ("GET", "ANY") or "{" in self.path or self.path == "$default":
            return None
        return base.rstrip("/") + self.path

    def line(self, base: str) -> str:
        """`Mounting HelloWorldFunction at http://127.0.0.1:3001/hello [GET]`, as sam local start-api says it."""
        path = "/ (every path: $default)" if self.path == "$default" else self.path
        kind = "REST API" if self.kind == "Api" else "HTTP API"
        return (f"Mounting {self.function} at {base.rstrip('/')}{path} [{self.method}] "
                f"({kind}, payload {self.payload_version})")


@dataclass(frozen=True)
class TemplateOptions:
    """What `serve --template` was given: the templates, --parameter-overrides and --env-vars."""

    paths: tuple[Path, ...]
    overrides: Mapping[str, str] = field(default_factory=dict)
    env_vars: Path | None = None


def read_templates(options: TemplateOptions, inline_dir: Path | None = None) -> tuple[list[SamTemplate],
                                                                                      EnvVars | None]:
    """Every template read, and the --env-vars file: TemplateError or EnvVarsError (with the file, line and column
    where the reader gives them) when one cannot be read at all."""
    env = read_env_vars(options.env_vars) if options.env_vars is not None else None
    return [read_template(path, options.overrides, inline_dir) for path in options.paths], env


class SamProjects:
    """The templates a console serves: their functions kept in step with the files."""

    def __init__(self, console: Console, options: TemplateOptions, *, watch: bool = True) -> None:
        self._console = console
        self.options = options
        self._inline_dir = console.config.data_dir / "inline-code"
        self._lock = threading.Lock()
        self._notices: dict[str, list[Notice]] = {}
        self._layer_folders: dict[str, set[Path]] = {}  # each template's local layer folders
        self._routes: dict[str, list[ApiRoute]] = {}  # each template's API routes
        self._watcher = FolderWatcher(self._changed) if watch else None

    def load(self) -> list[Notice]:
        """Read every template (TemplateError, EnvVarsError when one cannot be read: nothing is changed then), bring
        their functions up to date, and watch the template files."""
        templates, env = read_templates(self.options, self._inline_dir)
        for template in templates:
            self._apply(template, env)
        if env is not None:
            known = [name for template in templates for name in
                     (*template.names, *(f.function_name for f in template.functions if f.function_name))]
            known += [function.name for function in self._console.list_functions() if function.code_folder]
            unused = "an --env-vars entry for a function no template or folder function has; it is not used"
            with self._lock:
                self._notices[str(env.path)] = [Notice(str(env.path), name, unused, runs=True)
                                                for name in env.unknown_functions(known)]
        self._watch()
        if self._watcher is not None:
            self._watcher.ready.wait(WATCH_START_SECONDS)
        return self.notices()

    def _watch(self) -> None:
        """Watch the templates' folders and their local layers' folders (which may be outside them)."""
        if self._watcher is None:
            return
        with self._lock:
            layers = {folder for folders in self._layer_folders.values() for folder in folders}
        folders = {path.parent for path in self._paths()}
        self._watcher.watch(folders | {layer for layer in layers if not any(f in layer.parents for f in folders)})

    def notices(self) -> list[Notice]:
        with self._lock:
            return [notice for template in sorted(self._notices) for notice in self._notices[template]]

    def routes(self) -> list[ApiRoute]:
        """Every served function's API routes, template by template in the order given."""
        with self._lock:
            return [route for template in self._routes for route in self._routes[template]]

    def close(self) -> None:
        if self._watcher is not None:
            self._watcher.close()

    def _paths(self) -> list[Path]:
        return [Path(path).resolve() for path in self.options.paths]

    # -- reading a template again on save -----------------------------------------------------------------------

    def _changed(self, folder: Path, paths: list[str]) -> None:
        """A template saved, or a file of one of its local layers: the template is read again."""
        changed = [folder / path for path in paths]
        for template in self._paths():
            with self._lock:
                layer_folders = self._layer_folders.get(str(template), set())
            if (template.parent == folder and template.name in paths) or any(
                    layer in path.parents for path in changed for layer in layer_folders):
                self.reload(template)
        self._console.release_connection()

    def reload(self, path: Path) -> None:
        """Read one template again and bring its functions up to date; a template that cannot be read leaves them as
        they are, with a notice saying why."""
        try:
            env = read_env_vars(self.options.env_vars) if self.options.env_vars is not None else None
            template = read_template(path, self.options.overrides, self._inline_dir)
        except (TemplateError, EnvVarsError) as exc:
            notice = Notice(str(path), "", f"{exc} The functions stay as they were until the template is fixed.")
            with self._lock:
                self._notices[str(path)] = [notice]
            log.warning("%s", notice.line())
            return
        with self._lock:
            before = set(self._routes.get(str(template.path), []))
        self._apply(template, env)
        self._watch()
        log.info("Read %s again: its functions are up to date", path)
        base = f"http://127.0.0.1:{self._console.api_port}" if self._console.api_port else ""
        with self._lock:
            after = self._routes.get(str(template.path), [])
        for route in after:
            if route not in before:
                routes_log.info("%s", route.line(base))
        for route in before - set(after):
            routes_log.info("Unmounted %s at %s%s [%s]", route.function, base, route.path, route.method)

    # -- bringing a template's functions up to date -------------------------------------------------------------

    def _apply(self, template: SamTemplate, env: EnvVars | None) -> None:
        where = str(template.path)
        notices = [Notice(where, skipped.logical_id, skipped.reason) for skipped in template.not_runnable]
        records = self._records()
        events = project_events(template)
        layers: dict[Path, LayerVersion] = {}
        for function in template.functions:
            try:
                notes = self._bring_up(where, function, env, records, layers)
                notes += self._import_events(function.logical_id,
                                             [event.path for event in events.get(function.logical_id, ())])
            except Exception as exc:  # one function's refusal must not stop the others: it is said beside it
                log.debug("Loading %s of %s failed", function.logical_id, where, exc_info=True)
                notices.append(Notice(where, function.logical_id, str(exc)))
                continue
            notices += [Notice(where, function.logical_id, note, runs=True) for note in notes]
        for name, (owner, logical_id) in records.items():
            if owner == where and logical_id not in template.names and self._console.function_exists(name):
                self._console.delete_function(name)  # its record goes with it (ON DELETE CASCADE)
                log.info("%s is no longer in %s: removed", name, where)
        served = {name for name, (owner, _) in self._records().items() if owner == where}
        routes = [ApiRoute(function.logical_id, event.kind, event.path, event.method, event.payload_version, event.api)
                  for function in template.functions if function.logical_id in served for event in function.events]
        with self._lock:
            self._notices[where] = notices
            self._layer_folders[where] = set(layers)
            self._routes[where] = routes

    def _records(self) -> dict[str, tuple[str, str]]:
        rows = self._console.store.query("SELECT function, template, logical_id FROM template_functions")
        return {row["function"]: (row["template"], row["logical_id"]) for row in rows}

    def _record(self, name: str, template: str, logical_id: str) -> None:
        with self._console.store.write() as conn:
            conn.execute("INSERT OR REPLACE INTO template_functions (function, template, logical_id, loaded_at)"
                         " VALUES (?, ?, ?, ?)", (name, template, logical_id, now_iso()))

    def _bring_up(self, where: str, function: TemplateFunction, env: EnvVars | None,
                  records: Mapping[str, tuple[str, str]], layers: dict[Path, LayerVersion]) -> list[str]:
        """Create or update the function; the notes to show beside it."""
        console, name = self._console, function.logical_id
        owner = records.get(name)
        if owner is not None and owner[0] != where and Path(owner[0]) in self._paths():
            return [(f"{owner[0]} defines a function {name} too, and that one is served: give the functions "
                    "different logical ids")]
        if owner is None and console.function_exists(name):
            taken = (f"a function named {name} exists already and was not made from this template, so it is left "
                     "as it is: rename or delete it to serve the template's function")
            return [taken]
        notes = list(function.warnings)
        arns = []
        for layer in function.layers:
            if layer.folder is None:
                notes.append(f"the layer {layer.arn} is not on this machine; the function runs without it (add its "
                             "content as a LayerVersion with a local ContentUri in the template)")
                continue
            if layer.folder not in layers:
                layers[layer.folder] = self._layer_version(layer.name, layer.folder, where)
            arns.append(layers[layer.folder].arn())
        environment = dict(function.environment)
        if env is not None:
            environment, ignored = env.apply([name] + ([function.function_name] if function.function_name else []),
                                             environment)
            if ignored:
                notes.append(f"--env-vars {env.path} sets {', '.join(ignored)}, which {name} does not declare; as "
                             "with sam local, only declared variables are set: declare them in the template's "
                             "Environment.Variables")
        settings: dict[str, Any] = {
            "runtime": function.runtime, "timeout": function.timeout, "memory": function.memory,
            "environment": environment, "description": function.description,
            "ephemeral_storage": function.ephemeral_storage,
        }
        if owner is None:
            self._create(name, function, settings, arns)
            self._record(name, where, name)
            return notes
        if owner[0] != where:  # made from a template no longer served (a project moved): this one takes it over
            self._record(name, where, name)
        current = console.get_function(name)
        self._update_code(current, function)
        changes = {key: value for key, value in {**settings, "handler": function.handler}.items()
                   if CHECKS[key](value) != getattr(current, key)}
        if [layer.arn() for layer in current.layers] != arns:
            changes["layers"] = arns
        if changes:
            console.update_function_configuration(name, **changes)
        return notes

    def _create(self, name: str, function: TemplateFunction, settings: dict[str, Any], arns: list[str]) -> None:
        if function.code_path.is_dir():
            self._console.create_folder_function(name, function.code_path, function.handler, layers=arns, **settings)
            return
        with open(function.code_path, "rb") as package:  # a CodeUri naming a .zip: stored as the function's package
            self._console.create_function(name, package, function.handler, layers=arns, **settings)

    def _update_code(self, current: FunctionConfig, function: TemplateFunction) -> None:
        console = self._console
        if function.code_path.is_dir():
            if current.code_folder != str(function.code_path):
                console.update_function_code_folder(current.name, function.code_path)
            return
        with open(function.code_path, "rb") as package:
            sha256 = console.upload_package(package).sha256
        if current.code_folder or current.package_sha256 != sha256:
            console.update_function_code(current.name, sha256)

    def _layer_version(self, name: str, folder: Path, where: str) -> LayerVersion:
        """The layer's newest version when it holds the folder's files as they are now; else a new version of them."""
        console = self._console
        measured = write_zip(folder)
        versions = console.list_layer_versions(name)
        if versions and versions[0].package_sha256 == measured.sha256:
            return versions[0]
        with tempfile.TemporaryFile() as out:
            write_zip(folder, out)
            out.seek(0)
            return console.publish_layer_version(name, out, description=f"{folder.name} of {Path(where).name}")

    def _import_events(self, name: str, files: Sequence[Path]) -> list[str]:
        """The project's event files whose names the function's saved events do not have yet, imported."""
        taken = {event.name.lower() for event in self._console.list_events(name)}
        new = [path for path in files if _event_name(path).lower() not in taken]
        if not new:
            return []
        try:
            event_transfer.import_files(self._console.events, name, new, "the project's events")
        except ValueError as exc:
            return [f"its project events were not imported: {exc}"]
        return []


def _event_name(path: Path) -> str:
    return path.name[: -len(EXPECTED_SUFFIX)] if path.name.lower().endswith(EXPECTED_SUFFIX) else path.stem
