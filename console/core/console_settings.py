"""The Console's operations on a function's own settings besides its code and configuration: tags, reserved concurrency, aliases and single versions, asynchronous invocation settings and function URLs.

A part of console.core.console.Console (which inherits it): the one way in stays one object.
"""

from __future__ import annotations

from typing import Any

from console.core.aliases import Alias, VersionInUse
from console.core.console_parts import ConsoleParts
from console.core.event_invoke import EventInvokeConfig
from console.core.function_urls import (
    FunctionUrl,
    check_auth_type,
    check_cors,
    check_invoke_mode,
    check_qualifier,
)
from console.engine.invocation import DEFAULT_REGION


class FunctionSettingsOperations(ConsoleParts):
    """The Console's operations on a function's own settings besides its code and configuration."""

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
