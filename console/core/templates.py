"""Event templates: the sample events of the Test tab, in the shapes AWS services send them to Lambda.

Each template is one file, `event_templates/<name>.json`, named as `sam local generate-event` names its events::

    {
      "title": "Kinesis Data Streams",          # what the template menu shows
      "service": "Kinesis",                     # the AWS service that sends the event
      "encode": {"Records.0.kinesis.data": "base64"},   # optional, see below
      "event": { ... }                          # the event itself
    }

Some services send part of an event encoded. So that the files stay readable, those parts are written decoded and
named in `encode`, by a dotted path (list items by index); loading encodes them:

- `base64`: a string's UTF-8 bytes, or an object's compact JSON, in base64 (Kinesis record data);
- `gzip+base64`: an object's compact JSON, gzipped, in base64 (CloudWatch Logs subscription data).

Gzip is written without a timestamp, so a template's text is the same on every load.
"""

from __future__ import annotations

import base64
import functools
import gzip
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

DEFAULT_TEMPLATE = "hello-world"  # the AWS console's default event
_FOLDER = "event_templates"


class TemplateNotFound(KeyError):
    """No template of that name; the message lists the known ones."""

    def __str__(self) -> str:
        return self.args[0] if self.args else "No such event template"


@dataclass(frozen=True)
class EventTemplate:
    """A sample event: `body` is its JSON text, pretty printed with a 2-space indent."""

    name: str
    title: str
    service: str
    body: str

    @property
    def value(self) -> object:
        return json.loads(self.body)


def list_templates() -> list[EventTemplate]:
    """Every template: hello-world first (the default), then by title."""
    return list(_templates().values())


def get_template(name: str) -> EventTemplate:
    try:
        return _templates()[name]
    except KeyError:
        known = ", ".join(sorted(_templates()))
        raise TemplateNotFound(f"No event template named {name!r}. The templates are: {known}.") from None


@functools.lru_cache(maxsize=1)
def _templates() -> dict[str, EventTemplate]:
    folder = resources.files("console.core").joinpath(_FOLDER)
    templates = [
        _load(entry.name.removesuffix(".json"), entry.read_text(encoding="utf-8"))
        for entry in folder.iterdir()
        if entry.name.endswith(".json")
    ]
    templates.sort(key=lambda template: (template.name != DEFAULT_TEMPLATE, template.title.casefold()))
    return {template.name: template for template in templates}


def _load(name: str, text: str) -> EventTemplate:
    source = json.loads(text)
    event = source["event"]
    for path, encoding in source.get("encode", {}).items():
        _encode_at(event, path.split("."), encoding, name)
    return EventTemplate(
        name=name,
        title=source["title"],
        service=source["service"],
        body=json.dumps(event, indent=2, ensure_ascii=False),
    )


def _encode_at(event: object, path: list[str], encoding: str, template: str) -> None:
    parent: Any = event  # nested dicts and lists of a parsed JSON document
    for step in path[:-1]:
        parent = parent[int(step)] if isinstance(parent, list) else parent[step]
    key: int | str = int(path[-1]) if isinstance(parent, list) else path[-1]
    parent[key] = _encode(parent[key], encoding, template)


def _encode(value: object, encoding: str, template: str) -> str:
    data = value.encode("utf-8") if isinstance(value, str) else json.dumps(value, separators=(",", ":")).encode()
    if encoding == "base64":
        return base64.b64encode(data).decode("ascii")
    if encoding == "gzip+base64":
        # mtime=0: the same bytes on every load, so the template's text never changes between runs.
        return base64.b64encode(gzip.compress(data, mtime=0)).decode("ascii")
    raise ValueError(f"event template {template}: unknown encoding {encoding!r} (use base64 or gzip+base64)")
