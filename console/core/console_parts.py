"""What the Console's parts share: the stores, the engine and the settings that `Console.__init__` sets, and the
few operations one part calls on another. Each part (console_code, console_layers, console_settings, console_events,
console_remotes) inherits this, and `Console` inherits them all: one object, the one way in, in files about one thing
each.
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from console.config import Config
    from console.core.aliases import AliasStore
    from console.core.console import Console
    from console.core.discoveries import Discoveries
    from console.core.event_invoke import EventInvokeConfigs
    from console.core.events import EventStore
    from console.core.expectations import ExpectationStore
    from console.core.function_urls import FunctionUrlStore
    from console.core.functions import FunctionConfig, FunctionStore
    from console.core.history import History, InvocationRecord
    from console.core.layer_tree import LayerTrees
    from console.core.layers import LayerStore
    from console.core.packages import Package, PackageStore
    from console.core.sam_load import SamProjects
    from console.core.sam_local import EnvVars
    from console.core.sources import CodeSources
    from console.core.store import Store
    from console.core.tags import TagStore
    from console.core.test_runs import TestRuns
    from console.engine import Engine


class ConsoleParts:
    """The attributes and cross-part operations of a Console, declared for the parts that use them."""

    config: Config
    store: Store
    packages: PackageStore
    discoveries: Discoveries
    functions: FunctionStore
    layers: LayerStore
    layer_trees: LayerTrees
    events: EventStore
    tags: TagStore
    aliases: AliasStore
    expectations: ExpectationStore
    test_runs: TestRuns
    event_invoke_configs: EventInvokeConfigs
    history: History
    function_urls: FunctionUrlStore
    engine: Engine
    sources: CodeSources
    projects: SamProjects | None  # the SAM templates `serve --template` keeps functions of
    _env_vars: EnvVars | None  # `serve --env-vars`, over folder functions

    if TYPE_CHECKING:  # defined by Console and its parts

        def get_function(self, name: str, version: str = ...) -> FunctionConfig: ...

        def update_function_configuration(self, name: str, **changes: object) -> FunctionConfig: ...

        def publish_version(self, name: str, description: str | None = ..., *,
                            code_sha256: str | None = ...) -> FunctionConfig: ...

        def get_invocation(self, entry_id: int, function: str | None = ...) -> InvocationRecord: ...

        def upload_package(self, data: bytes | IO[bytes], filename: str = ...) -> Package: ...

    @property
    def console(self) -> Console:
        """This part as the whole Console it belongs to (for helpers that take the Console)."""
        return self  # type: ignore[return-value]  # every part is inherited by Console, and only by it
