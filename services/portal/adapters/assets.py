"""The portal's static files (its stylesheet and scripts): the CSP allows style and script
only from this site, so nothing is inline; pages link them by `asset(name)`, a URL that
names the file's content, so a browser may keep a file for long and still never runs an old
script with a new page."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

STATIC = Path(__file__).parent.parent / "static"
MEDIA_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}


@dataclass(frozen=True)
class Asset:
    content: bytes
    media_type: str
    version: str  # the first hex digits of the content's SHA-256


def load(directory: Path = STATIC) -> dict[str, Asset]:
    """Every file of the static directory, by name (read once: they change only
    with a new release)."""
    found = {}
    for path in sorted(directory.iterdir()):
        if path.is_file() and path.suffix in MEDIA_TYPES:
            content = path.read_bytes()
            found[path.name] = Asset(
                content, MEDIA_TYPES[path.suffix], hashlib.sha256(content).hexdigest()[:12]
            )
    return found


ASSETS = load()


def asset(name: str) -> str:
    """The URL of a static file, for templates; KeyError (a broken page in tests) for a file
    that is not there."""
    return f"/static/{name}?v={ASSETS[name].version}"
