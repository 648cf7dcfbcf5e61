"""Automatic checks of a complaint's own materials."""

from __future__ import annotations

from services.complaints.domain.model import Complaint
from services.complaints.domain.targets import InvalidTarget, parse_target
from shared.events.vocabulary import INFRINGEMENT_TYPES
from shared.review.domain import Check

MIN_DESCRIPTION = 10


def complaint_checks(complaint: Complaint, marketplace_hosts: tuple[str, ...]) -> list[Check]:
    off_market = []
    for target in complaint.targets:
        try:
            parse_target(target["url"], marketplace_hosts)
        except InvalidTarget:
            off_market.append(target["url"])
    return [
        Check(
            "TARGETS_ON_MARKETPLACE",
            not off_market,
            f"These targets are not listings on the marketplace: {', '.join(off_market[:5])}",
        ),
        Check(
            "INFRINGEMENT_TYPE",
            complaint.infringement_type in INFRINGEMENT_TYPES[complaint.right_type],
            f"{complaint.infringement_type} does not apply to a {complaint.right_type}.",
        ),
        Check(
            "DESCRIPTION",
            len(complaint.description.strip()) >= MIN_DESCRIPTION,
            f"Describe the infringement in at least {MIN_DESCRIPTION} characters.",
        ),
    ]
