"""Who is a trusted complainant in `hybrid` review mode."""

from __future__ import annotations

TRUST_WINDOW = 20
TRUST_SHARE = 0.9


def is_trusted(latest_first: list[bool]) -> bool:
    """Trusted when the complainant's last 20 decided complaints were at least 90% upheld.

    `latest_first` holds, newest first, whether each decided complaint was upheld. What counts:
    every verdict the complaints service gave the account (upheld or rejected, whether a
    reviewer or the checks decided, and whatever material failed). Withdrawn and still open
    complaints do not count. With fewer than 20 decided complaints there is no record yet, so
    nobody is trusted from the start.
    """
    window = latest_first[:TRUST_WINDOW]
    return len(window) == TRUST_WINDOW and sum(window) >= TRUST_SHARE * TRUST_WINDOW
