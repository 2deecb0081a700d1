"""First run: the sample handlers in `handlers/` become ready functions with working saved events.

Each `handlers/<name>/` is zipped as a user would (the folder's contents at the top of the zip), stored, and created as
function `<name>` with the settings of `<name>.function.json` (CreateFunction's field names) and the events of
`<name>.events/*.json`. It happens once per data folder: a sample the user deleted stays deleted.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from console.core.console import Console

LOADED_KEY = "samples_loaded"
_FIXED_TIME = (2026, 1, 1, 0, 0, 0)  # the same folder always zips to the same bytes, so it is stored once


def zip_folder(folder: Path) -> bytes:
    """The folder's files at the top of a zip, in a stable order and with stable timestamps."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                info = zipfile.ZipInfo(path.relative_to(folder).as_posix(), _FIXED_TIME)
                info.external_attr = 0o644 << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, path.read_bytes())
    return buffer.getvalue()


def sample_folders(handlers_dir: Path) -> list[Path]:
    if not handlers_dir.is_dir():
        return []
    return [
        folder for folder in sorted(handlers_dir.iterdir())
        if folder.is_dir() and _settings_file(folder).is_file()
    ]


def _settings_file(folder: Path) -> Path:
    # Not with_suffix: the events folder `<name>.events` would map onto `<name>.function.json` too.
    return folder.parent / f"{folder.name}.function.json"


def load_samples(console: Console, handlers_dir: Path) -> list[str]:
    """Create the sample functions on a new data folder; return the names created."""
    store = console.store
    if store.get_meta(LOADED_KEY) is not None or console.functions.all():
        return []
    created = []
    for folder in sample_folders(handlers_dir):
        settings = json.loads(_settings_file(folder).read_text())
        if console.functions.exists(folder.name):
            continue
        package = console.upload_package(zip_folder(folder), f"{folder.name}.zip")
        console.functions.create(
            folder.name,
            package.sha256,
            settings["Handler"],
            runtime=settings.get("Runtime"),
            timeout=settings.get("Timeout", 3),
            memory=settings.get("MemorySize", 128),
            environment=settings.get("Environment", {}).get("Variables", {}),
            description=settings.get("Description", ""),
        )
        events_dir = folder.parent / f"{folder.name}.events"
        for event in sorted(events_dir.glob("*.json")) if events_dir.is_dir() else ():
            console.events.save(folder.name, event.stem, event.read_text())
        created.append(folder.name)
    store.set_meta(LOADED_KEY, "1")
    return created
