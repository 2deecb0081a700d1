"""Layer operations of the Console: layer versions and each function's layers.

A part of console.core.console.Console (which inherits it): the one way in stays one object.
"""

from __future__ import annotations

from typing import BinaryIO

from console.core.console_parts import ConsoleParts
from console.core.function_layers import layer_version_users
from console.core.functions import FunctionConfig, FunctionError
from console.core.layers import LayerVersion, check_layer_fields


class LayerOperations(ConsoleParts):
    """Layer operations of the Console."""

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
