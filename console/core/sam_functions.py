"""One function resource of a SAM template, read into what the console runs: its code, handler and configuration.

`AWS::Serverless::Function` properties follow the SAM specification (with Globals.Function merged in first, see
merge_globals); `AWS::Lambda::Function` follows CloudFormation's resource reference, with `Code` given as a local
path as `sam` and `aws cloudformation package` accept it. A function that cannot run locally raises CannotRun with
the reason; a doubt that does not stop it running becomes one of its warnings.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from console.core.function_rules import RUNTIMES, FunctionError, check_environment, check_handler, check_name
from console.core.limits import (
    MAX_EPHEMERAL_STORAGE,
    MAX_FUNCTION_NAME,
    MAX_MEMORY,
    MAX_TIMEOUT,
    MIN_EPHEMERAL_STORAGE,
    MIN_MEMORY,
    MIN_TIMEOUT,
)
from console.core.sam_apis import ApiProblem, ApiReader, ApiSettings
from console.core.sam_intrinsics import MissingParameter, Resolver, Unresolved, is_intrinsic, short_form

SERVERLESS_FUNCTION = "AWS::Serverless::Function"
LAMBDA_FUNCTION = "AWS::Lambda::Function"
LAYER_TYPES = {"AWS::Serverless::LayerVersion": "ContentUri", "AWS::Lambda::LayerVersion": "Content"}
# Runtime families Lambda offers besides Python: named so that "not Python" and "not a runtime" read differently.
OTHER_RUNTIMES = re.compile(r"(nodejs|java|dotnet|go|ruby|provided)")
RUNTIME_LIST = f"{RUNTIMES[0]} to {RUNTIMES[-1]}"


class CannotRun(Exception):
    """Why a function of the template cannot run on this machine. The message is complete."""


@dataclass(frozen=True)
class HttpEvent:
    """An Api (API Gateway REST, payload 1.0) or HttpApi (payload 2.0) event of a function, kept for an HTTP front."""

    name: str
    kind: str  # "Api" or "HttpApi"
    path: str  # "/hello", or "$default" for an HttpApi event without a Path (every route)
    method: str  # upper case; "ANY" for every method
    payload_version: str  # "1.0" or "2.0"
    api: ApiSettings  # its API's stage and CORS (console.core.sam_apis)


@dataclass(frozen=True)
class TemplateLayer:
    """A layer of a function: a LayerVersion of the same template with its local folder, or an ARN."""

    name: str  # the layer resource's logical id, or the ARN
    folder: Path | None = None  # the absolute folder that becomes /opt (python/ inside it), for a local layer
    arn: str | None = None


@dataclass(frozen=True)
class TemplateFunction:
    """A function of the template that can run locally, as `sam local invoke` would run it."""

    logical_id: str  # the function's name, as `sam local invoke` names it
    resource_type: str
    code_path: Path  # absolute: the code folder (or a .zip)
    handler: str
    runtime: str
    timeout: int = 3
    memory: int = 128
    environment: Mapping[str, str] = field(default_factory=dict)
    description: str = ""
    architectures: tuple[str, ...] = ("x86_64",)
    ephemeral_storage: int = 512
    logging_config: Mapping[str, Any] = field(default_factory=dict)
    layers: tuple[TemplateLayer, ...] = ()
    events: tuple[HttpEvent, ...] = ()
    warnings: tuple[str, ...] = ()
    inline: bool = False  # the code was the template's InlineCode, written to code_path
    function_name: str | None = None  # the FunctionName property, when the template gives one

    @property
    def local_layers(self) -> tuple[Path, ...]:
        """The folders of the function's local layers, in the template's order (Lambda's order at /opt)."""
        return tuple(layer.folder for layer in self.layers if layer.folder is not None)


class FunctionReader:
    """Reads the function resources of one template."""

    def __init__(self, template_dir: Path, resolver: Resolver, resources: Mapping[str, Any],
                 inline_dir: Path | None = None, apis: ApiReader | None = None) -> None:
        self.template_dir = template_dir
        self.resolver = resolver
        self.resources = resources
        self.inline_dir = inline_dir
        self.apis = apis

    def read(self, logical_id: str, resource_type: str, properties: Mapping[str, Any]) -> TemplateFunction:
        """The function, or CannotRun saying why it cannot run here."""
        warnings: list[str] = []
        try:
            check_name(logical_id)
        except FunctionError:
            # CloudFormation allows 255 alphanumeric characters; Lambda's function names stop at 64.
            problem = (f"longer than the {MAX_FUNCTION_NAME} characters of" if len(logical_id) > MAX_FUNCTION_NAME
                       else "not")
            warnings.append(f"the logical id is {problem} a Lambda function name, so the console cannot store the "
                            "function under it")
        if self._text(properties.get("PackageType", "Zip"), "PackageType") == "Image":
            raise CannotRun("PackageType Image: a container image function; the console runs a folder of Python "
                            "code (PackageType Zip with CodeUri)")
        runtime = self._runtime(properties)
        handler = self._required_text(properties, "Handler", "the module and function Lambda calls, app.handler")
        try:
            check_handler(handler)
        except FunctionError as exc:
            raise CannotRun(f"Handler {handler!r}: {exc}") from None
        if resource_type == SERVERLESS_FUNCTION:
            code_path, inline = self._serverless_code(properties, handler, warnings)
        else:
            code_path, inline = self._lambda_code(properties, handler, warnings)
        layers = self._layers(properties, warnings)
        if not inline and code_path.is_dir():
            warnings.extend(_handler_warnings(handler, code_path, layers))
        environment = self._environment(properties, warnings)
        storage = properties.get("EphemeralStorage") or {}
        logging_config = self._optional(properties.get("LoggingConfig") or {}, "LoggingConfig", {}, warnings)
        architectures = self._optional(properties.get("Architectures") or ["x86_64"], "Architectures", ["x86_64"],
                                       warnings)
        if not isinstance(architectures, list) or not all(isinstance(item, str) for item in architectures):
            raise CannotRun(f"Architectures: {short_form(properties.get('Architectures'))} is not a list of names "
                            "(x86_64 or arm64)")
        return TemplateFunction(
            logical_id=logical_id,
            resource_type=resource_type,
            code_path=code_path,
            handler=handler,
            runtime=runtime,
            timeout=self._number(properties, "Timeout", 3, MIN_TIMEOUT, MAX_TIMEOUT, "seconds"),
            memory=self._number(properties, "MemorySize", 128, MIN_MEMORY, MAX_MEMORY, "MB"),
            environment=environment,
            description=self._text(properties.get("Description", ""), "Description"),
            architectures=tuple(architectures),
            ephemeral_storage=self._number(storage if isinstance(storage, dict) else {}, "Size", 512,
                                           MIN_EPHEMERAL_STORAGE, MAX_EPHEMERAL_STORAGE, "MB", "EphemeralStorage.Size"),
            logging_config=logging_config if isinstance(logging_config, dict) else {},
            layers=layers,
            events=self._events(properties.get("Events") if resource_type == SERVERLESS_FUNCTION else None, warnings),
            warnings=tuple(warnings),
            inline=inline,
            function_name=self._optional_text(properties.get("FunctionName"), "FunctionName", warnings),
        )

    # --- the fields ------------------------------------------------------------------------------------------

    def _text(self, value: Any, where: str) -> str:
        try:
            return self.resolver.text(value)
        except Unresolved as exc:
            raise CannotRun(f"{where}: {exc}") from None

    def _required_text(self, properties: Mapping[str, Any], name: str, what: str) -> str:
        if properties.get(name) in (None, ""):
            raise CannotRun(f"no {name}: the function needs one ({what})")
        return self._text(properties[name], name)

    def _runtime(self, properties: Mapping[str, Any]) -> str:
        runtime = self._required_text(properties, "Runtime", f"a Python runtime, {RUNTIME_LIST}")
        if runtime in RUNTIMES:
            return runtime
        if OTHER_RUNTIMES.match(runtime):
            raise CannotRun(f"Runtime {runtime}: not a Python runtime; the console runs Python functions only")
        raise CannotRun(f"Runtime {runtime!r}: not a runtime Lambda knows; name a Python runtime, {RUNTIME_LIST}")

    def _number(self, properties: Mapping[str, Any], name: str, default: int, low: int, high: int, unit: str,
                where: str | None = None) -> int:
        where = where or name
        if properties.get(name) is None:
            return default
        text = self._text(properties[name], where)
        try:
            value = int(text)
        except ValueError:
            raise CannotRun(f"{where} {text!r}: not a whole number of {unit}") from None
        if not low <= value <= high:
            raise CannotRun(f"{where} {value}: out of Lambda's range, {low} to {high} {unit}")
        return value

    def _optional_text(self, value: Any, where: str, warnings: list[str]) -> str | None:
        if value is None:
            return None
        try:
            return self.resolver.text(value)
        except Unresolved as exc:
            warnings.append(f"{where}: {exc}; left out")
            return None

    def _optional(self, value: Any, where: str, default: Any, warnings: list[str]) -> Any:
        try:
            return self.resolver.resolve(value)
        except Unresolved as exc:
            warnings.append(f"{where}: {exc}; left out")
            return default

    def _environment(self, properties: Mapping[str, Any], warnings: list[str]) -> dict[str, str]:
        environment = properties.get("Environment") or {}
        variables = environment.get("Variables") if isinstance(environment, dict) else None
        if variables is None:
            return {}
        if not isinstance(variables, dict):
            raise CannotRun(f"Environment.Variables: {short_form(variables)} is not a map of names to values")
        result = {}
        for name, value in variables.items():
            try:
                result[str(name)] = "" if value is None else self.resolver.text(value)
            except MissingParameter as exc:
                raise CannotRun(f"Environment variable {name}: {exc}") from None
            except Unresolved as exc:
                # As `sam local` does: the variable exists, empty, and --env-vars can give it a value.
                result[str(name)] = ""
                warnings.append(f"Environment variable {name}: {exc}; it is empty here (give it a value with "
                                "--env-vars)")
        try:
            return check_environment(result)  # what Lambda would refuse to deploy (reserved names, over 4 KB)
        except FunctionError as exc:
            raise CannotRun(f"Environment.Variables: {exc}") from None

    # --- the code --------------------------------------------------------------------------------------------

    def _serverless_code(self, properties: Mapping[str, Any], handler: str,
                         warnings: list[str]) -> tuple[Path, bool]:
        if properties.get("InlineCode") is not None:
            return self._inline(self._text(properties["InlineCode"], "InlineCode"), handler, warnings), True
        if properties.get("CodeUri") is None:
            raise CannotRun("no CodeUri: SAM needs CodeUri (the folder of the function's code, relative to the "
                            "template; CodeUri: . for the template's own folder) or InlineCode")
        if isinstance(properties["CodeUri"], dict) and "Bucket" in properties["CodeUri"]:
            raise CannotRun("CodeUri is an S3 location: the code is not on this machine; point CodeUri at the "
                            "local folder (or run sam build and pass .aws-sam/build/template.yaml)")
        return self._local_path(self._text(properties["CodeUri"], "CodeUri"), "CodeUri"), False

    def _lambda_code(self, properties: Mapping[str, Any], handler: str, warnings: list[str]) -> tuple[Path, bool]:
        code = properties.get("Code")
        if code is None:
            raise CannotRun("no Code: the function needs one (a local folder, or ZipFile with the code)")
        if isinstance(code, dict) and not is_intrinsic(code):
            if code.get("ZipFile") is not None:
                return self._inline(self._text(code["ZipFile"], "Code.ZipFile"), handler, warnings), True
            if code.get("ImageUri") is not None:
                raise CannotRun("Code.ImageUri: a container image function; the console runs a folder of Python code")
            if "S3Bucket" in code:
                raise CannotRun("Code is an S3 location (S3Bucket, S3Key): the code is not on this machine; give "
                                "Code as the local folder's path")
        return self._local_path(self._text(code, "Code"), "Code"), False

    def _local_path(self, uri: str, where: str) -> Path:
        if uri.startswith("s3://"):
            raise CannotRun(f"{where} {uri}: the code is in S3, not on this machine; point {where} at the local "
                            "folder (or run sam build and pass .aws-sam/build/template.yaml)")
        path = (self.template_dir / uri).resolve()
        if path.is_dir() or (path.is_file() and path.suffix.lower() == ".zip"):
            return path
        what = "a file, not a folder or .zip" if path.exists() else "no such folder"
        raise CannotRun(f"{where} {uri}: {what} ({path}); {where} is the function's code folder, relative to the "
                        "template's folder")

    def _inline(self, code: str, handler: str, warnings: list[str]) -> Path:
        """Python InlineCode written to index.py in a folder named by the code's hash, as Lambda writes ZipFile code
        to a file named index (CloudFormation's AWS::Lambda::Function Code.ZipFile)."""
        import hashlib  # only for inline code: not part of every template's read

        base = self.inline_dir or Path(tempfile.gettempdir()) / f"lambda-console-inline-{_user_id()}"
        folder = base / hashlib.sha256(code.encode()).hexdigest()[:32]
        if not (folder / "index.py").is_file():
            base.mkdir(parents=True, exist_ok=True)
            # Written beside, then renamed into place: a reader never sees half the file.
            staging = Path(tempfile.mkdtemp(dir=base, prefix=".inline-"))
            (staging / "index.py").write_text(code)
            try:
                staging.rename(folder)
            except OSError:  # another reader put the same code there first
                (staging / "index.py").unlink()
                staging.rmdir()
        if handler.rsplit(".", 1)[0] != "index":
            warnings.append(f"Handler {handler}: inline code is the module index, so the handler should be "
                            f"index.{handler.rsplit('.', 1)[-1]}")
        return folder

    # --- layers and events -----------------------------------------------------------------------------------

    def _layers(self, properties: Mapping[str, Any], warnings: list[str]) -> tuple[TemplateLayer, ...]:
        items = properties.get("Layers") or []
        if not isinstance(items, list):
            raise CannotRun(f"Layers: {short_form(items)} is not a list")
        layers = []
        for item in items:
            target = item.get("Ref") if isinstance(item, dict) and set(item) == {"Ref"} else None
            resource = self.resources.get(target) if isinstance(target, str) else None
            content_key = LAYER_TYPES.get(str(resource.get("Type"))) if isinstance(resource, dict) else None
            if content_key is None or not isinstance(resource, dict):
                arn = self._text(item, "Layers")
                layers.append(TemplateLayer(arn, arn=arn))
                continue
            content = (resource.get("Properties") or {}).get(content_key)
            if content is None or (isinstance(content, dict) and not is_intrinsic(content)):
                raise CannotRun(f"Layers: the layer {target} has no local {content_key} folder (its content is "
                                "in S3 or missing)")
            folder = self._local_path(self._text(content, f"{target}.{content_key}"), f"{target}'s {content_key}")
            if not folder.is_dir():
                raise CannotRun(f"Layers: the layer {target}'s {content_key} is a .zip; unzip it into a folder")
            if not any((folder / part).is_dir() for part in ("python", "lib", "bin")):
                # Lambda's guide, "Packaging your layer content": Python code goes in python/ (or
                # python/lib/python3.X/site-packages/); nothing else of a layer is on sys.path.
                warnings.append(f"Layer {target}: {folder} has no python/ folder, so nothing in it can be imported; "
                                "put the layer's modules in python/ inside it")
            layers.append(TemplateLayer(str(target), folder=folder))
        return tuple(layers)

    def _events(self, events: Any, warnings: list[str]) -> tuple[HttpEvent, ...]:
        found = []
        for name, event in (events or {}).items() if isinstance(events, dict) else ():
            kind = event.get("Type") if isinstance(event, dict) else None
            if kind not in ("Api", "HttpApi"):
                continue
            props = event.get("Properties") or {}
            if not isinstance(props, dict):
                warnings.append(f"Event {name}: its Properties are not a mapping; the event is left out")
                continue
            try:
                path = self.resolver.text(props["Path"], "Path") if "Path" in props else None
                method = self.resolver.text(props["Method"], "Method") if "Method" in props else None
                version = self.resolver.text(props.get("PayloadFormatVersion", "2.0"), "PayloadFormatVersion")
            except Unresolved as exc:
                warnings.append(f"Event {name}: {exc}; the event is left out")
                continue
            if kind == "HttpApi" and version not in ("1.0", "2.0"):
                # SAM's HttpApi event: PayloadFormatVersion is "1.0" or "2.0" (the default).
                warnings.append(f"Event {name}: PayloadFormatVersion {version!r} is not 1.0 or 2.0; the event is "
                                "left out")
                continue
            if path is not None and not path.startswith("/"):
                # SAM's Api and HttpApi events: "Path ... Must start with /".
                warnings.append(f"Event {name}: Path {path!r} must start with /; the event is left out")
                continue
            if kind == "Api" and (path is None or method is None):
                warnings.append(f"Event {name}: an Api event needs Path and Method; the event is left out")
                continue
            api = ApiSettings.implicit(kind)
            if self.apis is not None:
                try:
                    api = self.apis.settings(kind, props.get("RestApiId" if kind == "Api" else "ApiId"))
                except ApiProblem as exc:
                    warnings.append(f"Event {name}: {exc}; the event is served without its API's settings")
            found.append(HttpEvent(str(name), kind, path or "$default", (method or "ANY").upper(),
                                   "1.0" if kind == "Api" else version, api))
        return tuple(found)


def _handler_warnings(handler: str, code_dir: Path, layers: tuple[TemplateLayer, ...]) -> list[str]:
    """A warning when the handler's module is not in the code folder (nor a local layer), with the handlers there."""
    module = handler.rsplit(".", 1)[0]
    relative = module.replace(".", "/")
    roots = [code_dir, *(layer.folder / "python" for layer in layers if layer.folder is not None)]
    if any((root / f"{relative}.py").is_file() or (root / relative / "__init__.py").is_file() for root in roots):
        return []
    from console.core.discovery import discover

    found = discover(code_dir).handlers
    there = f"the handlers found there: {', '.join(found[:5])}" if found else "no Python file there defines a handler"
    return [f"Handler {handler}: there is no {relative}.py in {code_dir}; {there}"]


def _user_id() -> str:
    return str(os.getuid()) if hasattr(os, "getuid") else os.environ.get("USERNAME", "user")
