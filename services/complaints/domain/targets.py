"""Target URLs: on the marketplace, with a listing id, at most 300 per complaint, duplicates merged.

A target becomes a link in the reviewer console and in emails, so it is read the way a browser reads
it (the WHATWG URL Standard, `ada_url`), and anything a browser and a Python reader (RFC 3986) could
see differently is refused: a backslash, a user name (`user@`), a port, a percent-encoded or
IP-address host, a host that normalises to another one (fullwidth dots…). What is stored is the
browser's href (without its fragment), its percent-encoded non-ASCII characters shown as characters:
a browser given the stored text goes to exactly that href.

A URL is at most 2048 bytes of UTF-8 with no whitespace, control character, quote or backslash, so
it is the same number of bytes inside an event's JSON; listing and shop ids are at most 64
unreserved characters. The largest ComplaintFiled event is therefore 300 targets × (36 target id +
2048 URL + 2 × 64 ids + 55 of JSON) ≈ 680 KB, plus a 5000-character description (≤ 6 bytes a
character escaped: 30 KB), 20 evidence documents (≈ 5 KB) and the envelope (≈ 1 KB): ≈ 716 KB, well
under Kafka's 1 MB record.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import SplitResult, parse_qs, unquote, urlsplit

from ada_url import URL, HostType, idna_to_unicode

MAX_TARGETS = 300
MAX_URL_BYTES = 2048
SHOWN_CHARS = 200  # an error shows this much of a URL, never a huge one whole
_DIGITS = re.compile(r"[0-9]{6,}")
_ID = re.compile(r"[A-Za-z0-9._~-]{1,64}")  # RFC 3986 unreserved: never escaped in JSON
_ASCII_BLANK = re.compile(r"[\x00-\x20\x7f]")
_BLANK_OR_CONTROL = {
    "Cc",
    "Cf",
    "Cs",
    "Zs",
    "Zl",
    "Zp",
}  # Unicode spaces, controls, format marks, surrogates
_ENCODED_NON_ASCII = re.compile(r"(?:%[89A-Fa-f][0-9A-Fa-f])+")
DEFAULT_PORTS = {"http": 80, "https": 443}
NOT_AN_ID = "not a listing: its {} is not 1 to 64 letters, digits, '-', '_', '.' or '~'"


def shown(url: str) -> str:
    """A bounded, printable prefix of a URL, to quote in an error."""
    prefix = url if len(url) <= SHOWN_CHARS else url[:SHOWN_CHARS] + "…"
    return prefix.encode("utf-8", "replace").decode()


class InvalidTarget(ValueError):
    def __init__(self, url: str, why: str, row: int | None = None) -> None:
        url = shown(url)
        super().__init__(f"{url}: {why}")
        self.url = url
        self.why = why
        self.row = row


class TooManyTargets(ValueError):
    """More distinct listings than one complaint may name."""


@dataclass(frozen=True)
class Target:
    url: str
    listing_id: str | None
    shop_id: str | None

    def as_dict(self, complaint_id: str) -> dict:
        target_id = str(uuid.uuid5(uuid.UUID(complaint_id), self.url))
        return {
            "target_id": target_id,
            "url": self.url,
            "listing_id": self.listing_id,
            "shop_id": self.shop_id,
        }


def on_marketplace(host: str, marketplace_hosts: tuple[str, ...]) -> bool:
    host = host.lower().rstrip(".")
    return any(host == h or host.endswith("." + h) for h in marketplace_hosts)


def byte_length(url: str) -> int:
    return len(
        url.encode("utf-8", "surrogatepass")
    )  # a lone surrogate counts, and is refused after


def blank_or_control(url: str) -> bool:
    """A space, control or format character, or a lone surrogate, anywhere in the text."""
    if _ASCII_BLANK.search(url):
        return True
    return any(unicodedata.category(c) in _BLANK_OR_CONTROL for c in set(url) if not c.isascii())


def text_problem(url: str) -> str | None:
    """Why this text cannot be a URL as it stands, or None."""
    if not url:
        return "empty"
    if byte_length(url) > MAX_URL_BYTES:
        return "too long"
    if blank_or_control(url):
        return "contains spaces or control characters"
    if (
        '"' in url or "\\" in url
    ):  # never bare in a URL (RFC 3986); browsers read a backslash as "/"
        return "contains quotes or backslashes"
    return None


def split(url: str) -> SplitResult:
    """The URL's parts, its host and port read here so a malformed one is an InvalidTarget,
    not a ValueError."""
    try:
        parts = urlsplit(url)
        usable = parts.scheme in ("http", "https") and bool(parts.hostname) and parts.port != 0
    except (
        ValueError
    ) as exc:  # an unclosed or invalid [IPv6] host, a port that is not a number up to 65535
        raise InvalidTarget(url, "not an http(s) URL (malformed host or port)") from exc
    if not usable:
        raise InvalidTarget(url, "not an http(s) URL")
    return parts


def listing_of(url: str, parts: SplitResult) -> tuple[str, str | None]:
    """(listing id, shop id or None): the query's id or itemId, else the path's last
    run of 6+ digits."""
    query = parse_qs(parts.query)
    listing = (query.get("id") or query.get("itemId") or [None])[0]
    if listing is None:
        runs = _DIGITS.findall(parts.path)
        listing = runs[-1] if runs else None
    if not listing:
        raise InvalidTarget(url, "no listing id in the URL")
    if not _ID.fullmatch(listing):
        raise InvalidTarget(url, NOT_AN_ID.format("listing id"))
    shop = (query.get("shopId") or query.get("shop_id") or [None])[0]
    if shop is not None and not _ID.fullmatch(shop):
        raise InvalidTarget(url, NOT_AN_ID.format("shop id"))
    return listing, shop


def as_browsers_read(url: str, parts: SplitResult) -> URL:
    """The URL as a browser reads it, refused where that reading could differ from what the text
    shows (or from `parts`, the RFC 3986 reading the rest of the platform would make)."""
    if "@" in parts.netloc:
        raise InvalidTarget(url, "contains a user name or password (user@)")
    if parts.port is not None and parts.port != DEFAULT_PORTS[parts.scheme]:
        raise InvalidTarget(url, "names a port: marketplace listings use the default one")
    shown_host = parts.hostname or ""
    if "%" in shown_host:
        raise InvalidTarget(url, "has a percent-encoded host")
    try:
        parsed = URL(url)
    except ValueError as exc:
        raise InvalidTarget(url, "not an http(s) URL a browser can open") from exc
    if parsed.protocol != f"{parts.scheme}:" or parsed.username or parsed.password or parsed.port:
        raise InvalidTarget(url, "a browser reads its scheme, user or port differently")
    if parsed.host_type != HostType.DEFAULT:
        raise InvalidTarget(url, "has an IP address for a host, not the marketplace's name")
    if shown_host not in (parsed.hostname, idna_to_unicode(parsed.hostname)):
        raise InvalidTarget(url, f"a browser reads its host as {shown(parsed.hostname)}")
    return parsed


def displayed(href: str) -> str:
    """The href with its percent-encoded non-ASCII characters shown as characters (never spaces,
    controls or format marks), as long as a browser reads the result back to the same href."""

    def decoded(run: re.Match[str]) -> str:
        try:
            text = unquote(run.group(), errors="strict")
        except UnicodeDecodeError:
            return run.group()
        return run.group() if blank_or_control(text) else text

    shown_text = _ENCODED_NON_ASCII.sub(decoded, href)
    try:
        same = URL(shown_text).href == href
    except ValueError:
        same = False
    return shown_text if same else href


def parse_target(url: str, marketplace_hosts: tuple[str, ...]) -> Target:
    """A listing on the marketplace, or InvalidTarget saying why not."""
    url = url.strip()
    why = text_problem(url)
    if why:
        raise InvalidTarget(url, why)
    parsed = as_browsers_read(url, split(url))
    if not on_marketplace(parsed.hostname, marketplace_hosts):
        raise InvalidTarget(url, "not on the marketplace")
    href = parsed.href.partition("#")[
        0
    ]  # the fragment never reaches the marketplace (an href's first # starts it)
    listing, shop = listing_of(url, urlsplit(href))
    normal = displayed(href)
    if (
        byte_length(normal) > MAX_URL_BYTES
    ):  # a browser's reading can be longer (punycode, percent-encoding)
        raise InvalidTarget(url, "too long")
    return Target(url=normal, listing_id=listing, shop_id=shop)


def parse_rows(rows: Iterable[tuple[int, str]], marketplace_hosts: tuple[str, ...]) -> list[Target]:
    """Every (row number, URL) parsed; an invalid one names its row; listings named twice are
    merged, the first one kept."""
    targets: dict[str, Target] = {}
    for row, url in rows:
        try:
            target = parse_target(url, marketplace_hosts)
        except InvalidTarget as exc:
            raise InvalidTarget(url.strip(), exc.why, row) from exc
        targets.setdefault(target.listing_id or target.url, target)
    if len(targets) > MAX_TARGETS:
        raise TooManyTargets(f"at most {MAX_TARGETS} targets per complaint, {len(targets)} given")
    return list(targets.values())


def parse_targets(urls: list[str], marketplace_hosts: tuple[str, ...]) -> list[Target]:
    """The URLs of a JSON filing (row = position from 1), parsed and merged."""
    return parse_rows(enumerate(urls, start=1), marketplace_hosts)
