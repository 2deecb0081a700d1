"""textkit: a tiny pure-Python text helper, vendored into the package the way `pip install --target .` would."""

import re
import unicodedata

__version__ = "1.0.0"


def slugify(text: str) -> str:
    """'Ada Lovelace: Notes!' -> 'ada-lovelace-notes'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def word_count(text: str) -> int:
    return len(text.split())
