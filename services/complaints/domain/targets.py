"""Target URLs: on the marketplace, with a listing id, at most 300 per complaint, duplicates merged."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit, urlunsplit

MAX_TARGETS = 300
_DIGITS = re.compile(r"[0-9]{6,}")


class InvalidTarget(ValueError):
    def __init__(self, url: str, why: str, row: int | None = None) -> None:
        super().__init__(f"{url}: {why}")
        self.url, self.why, self.row = url, why, row


class TooManyTargets(ValueError):
    """More distinct listings than one complaint may name."""


@dataclass(frozen=True)
class Target:
    url: str
    listing_id: str | None
    shop_id: str | None

    def as_dict(self, complaint_id: str) -> dict:
        target_id = str(uuid.uuid5(uuid.UUID(complaint_id), self.url))
        return {"target_id": target_id, "url": self.url, "listing_id": self.listing_id, "shop_id": self.shop_id}


def on_marketplace(host: str, marketplace_hosts: tuple[str, ...]) -> bool:
    host = host.lower().rstrip(".")
    return any(host == h or host.endswith("." + h) for h in marketplace_hosts)


def parse_target(url: str, marketplace_hosts: tuple[str, ...]) -> Target:
    """A listing on the marketplace, or InvalidTarget saying why not."""
    url = url.strip()
    if not url:
        raise InvalidTarget(url, "empty")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidTarget(url, "not an http(s) URL")
    if not on_marketplace(parts.hostname, marketplace_hosts):
        raise InvalidTarget(url, "not on the marketplace")
    query = parse_qs(parts.query)
    listing = (query.get("id") or query.get("itemId") or [None])[0]
    if listing is None:
        runs = _DIGITS.findall(parts.path)
        listing = runs[-1] if runs else None
    if not listing:
        raise InvalidTarget(url, "no listing id in the URL")
    shop = (query.get("shopId") or query.get("shop_id") or [None])[0]
    normal = urlunsplit((parts.scheme, parts.netloc.lower(), parts.path, parts.query, ""))
    return Target(url=normal, listing_id=listing, shop_id=shop)


def parse_rows(rows: Iterable[tuple[int, str]], marketplace_hosts: tuple[str, ...]) -> list[Target]:
    """Every (row number, URL) parsed; an invalid one names its row; listings named twice are merged,
    the first one kept."""
    targets: dict[str, Target] = {}
    for row, url in rows:
        try:
            target = parse_target(url, marketplace_hosts)
        except InvalidTarget as exc:
            raise InvalidTarget(exc.url, exc.why, row) from exc
        targets.setdefault(target.listing_id or target.url, target)
    if len(targets) > MAX_TARGETS:
        raise TooManyTargets(f"at most {MAX_TARGETS} targets per complaint, {len(targets)} given")
    return list(targets.values())


def parse_targets(urls: list[str], marketplace_hosts: tuple[str, ...]) -> list[Target]:
    """The URLs of a JSON filing (row = position from 1), parsed and merged."""
    return parse_rows(enumerate(urls, start=1), marketplace_hosts)
