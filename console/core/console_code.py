"""Package, folder and SAM template operations of the Console: where each function's code comes from.

A part of console.core.console.Console (which inherits it): the one way in stays one object.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from console.core.code_changes import CodeChange
from console.core.code_files import CodeFile, CodeText, list_files, read_file
from console.core.discovery import Discovery, discover
from console.core.events import SavedEvent
from console.core.folders import FolderCode, write_zip
from console.core.functions import LATEST, FunctionConfig, FunctionError, FunctionNotFound
from console.core.packages import Package, PackageNotFound
from console.core.sources import Code, CodeState

if TYPE_CHECKING:
    from console.core.sam_load import ApiRoute, Notice

from typing import TYPE_CHECKING

from console.core.console_parts import ConsoleParts

if TYPE_CHECKING:
    from console.core.sam_load import ApiRoute, Notice


class CodeOperations(ConsoleParts):
    """Package, folder and SAM template operations of the Console."""

    def upload_package(self, data: bytes | IO[bytes], filename: str = "") -> Package:
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

    def serve_templates(self, paths: list[Path], overrides: dict[str, str] | None = None,
                        env_vars: Path | None = None) -> list[Notice]:
        """Serve the templates' functions as folder functions, kept in step with the template files (see
        console.core.sam_load); what cannot run is returned. TemplateError or EnvVarsError when a template or the
        --env-vars file cannot be read at all: nothing is changed then."""
        from console.core.sam_load import SamProjects, TemplateOptions

        if self.projects is not None:
            self.projects.close()
        self.projects = SamProjects(self.console, TemplateOptions(tuple(paths), overrides or {}, env_vars),
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

    def code_files(self, name: str) -> list[CodeFile]:
        """The files of the function's code (its package's, or its folder's as they are now), the handler's
        file first (FunctionError when its folder is gone)."""
        function = self.get_function(name)
        return list_files(self.sources.code(function).code_dir, function.handler)

    def read_code_file(self, name: str, path: str) -> CodeText:
        """One file of the function's code, read-only (CodePathError for a path that leaves the code or names
        no file of it; the text is None for a binary or very large file, with the reason)."""
        function = self.get_function(name)
        return read_file(self.sources.code(function).code_dir, path)

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

    def zipped_folder_warning(self, sha256: str, handler: str | None = None) -> str | None:
        """What to do when every file of the package is inside one folder, where Lambda does not look for the code;
        None when it is not, or when `handler` is one found in the package as it is."""
        if not sha256:
            return None  # a folder function: its folder is what Lambda's /var/task would be
        discovery = self.discover_handlers(sha256)
        if discovery.folder_mistake and (handler is None or handler not in discovery.handlers):
            return discovery.folder_mistake
        return None

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
