"""Deployment packages for the tests, made in memory."""

from __future__ import annotations

import io
import zipfile


def zip_bytes(files: dict[str, str], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A deployment package holding `files` (name -> source) at its top level."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()
