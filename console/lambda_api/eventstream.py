"""AWS's event stream encoding (`application/vnd.amazon.eventstream`), as AWS documents it for streamed responses:
each message is a prelude (total length, headers length, both 4-byte big-endian, and the CRC32 of those 8 bytes), the
headers, the payload, and the CRC32 of everything before it. A header is its name's length (1 byte), the name, a
value type (7: a string), the value's length (2 bytes, big-endian) and the value."""

from __future__ import annotations

import struct
import zlib

_STRING = 7
_PRELUDE = struct.Struct(">II")
_CRC = struct.Struct(">I")


def _header(name: str, value: str) -> bytes:
    raw_name, raw_value = name.encode(), value.encode()
    return bytes([len(raw_name)]) + raw_name + bytes([_STRING]) + struct.pack(">H", len(raw_value)) + raw_value


def message(headers: dict[str, str], payload: bytes) -> bytes:
    """One event stream message with string headers."""
    encoded = b"".join(_header(name, value) for name, value in headers.items())
    total = _PRELUDE.size + _CRC.size + len(encoded) + len(payload) + _CRC.size
    prelude = _PRELUDE.pack(total, len(encoded))
    body = prelude + _CRC.pack(zlib.crc32(prelude)) + encoded + payload
    return body + _CRC.pack(zlib.crc32(body))


def event(event_type: str, payload: bytes, content_type: str = "application/octet-stream") -> bytes:
    """An event of the stream's union (`:event-type` names its member), as a service sends it."""
    return message({":event-type": event_type, ":content-type": content_type, ":message-type": "event"}, payload)
