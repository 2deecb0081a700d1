"""SAM's Globals section merged into a resource's properties, by the rules of SAM's "Globals section" page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from console.core.sam_intrinsics import is_intrinsic


def merge_globals(globals_: Mapping[str, Any], properties: Mapping[str, Any]) -> dict[str, Any]:
    """A function's properties with Globals.Function merged in, by the rules of SAM's "Globals section" page:
    a primitive in the resource replaces the global, maps are merged (the resource's entries win), and lists are
    added to, the global entries first. An intrinsic function is a value, not a map: it replaces."""
    merged = dict(globals_)
    for key, value in properties.items():
        merged[key] = _merged(globals_[key], value) if key in globals_ else value
    return merged


def _merged(global_value: Any, value: Any) -> Any:
    if isinstance(global_value, dict) and isinstance(value, dict):
        if is_intrinsic(global_value) or is_intrinsic(value):
            return value
        return merge_globals(global_value, value)
    if isinstance(global_value, list) and isinstance(value, list):
        return global_value + value
    return value
