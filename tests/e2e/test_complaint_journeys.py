"""Complaint journeys on the real processes: bulk and CSV filing in auto mode, and in manual mode a
reviewer who decides the identity, the right and then the complaint through the reviewer API."""

from __future__ import annotations

import os
import subprocess
import sys

from deploy.stack import REPO
from tests.e2e.people import USED_NUMBERS, _serial, listing, new_holder
from tests.e2e.records import decisions_for, wait_for_records

REVIEWS = "ipp.review-decided.v1"


def the_verdict(platform, complaint_id: str) -> dict:
    """The complaint's ReviewDecided on Kafka, as a takedown system reads it."""

    def seen(records) -> bool:
        return any(
            d["data"]["material_type"] == "complaint" for d in decisions_for(records, complaint_id)
        )

    records = wait_for_records(platform.kafka, [REVIEWS], seen)
    [verdict] = [
        d["data"]
        for d in decisions_for(records, complaint_id)
        if d["data"]["material_type"] == "complaint"
    ]
    return verdict


def test_a_complaint_against_300_listings_is_upheld_with_a_takedown_for_each(platform):
    holder = new_holder(platform.client())
    urls = [listing(1000 + n) for n in range(300)] + [listing(1000)]  # the duplicate is merged
    complaint_id = holder.client.file_complaint(holder.right_id, urls)
    complaint = holder.client.wait_for_verdict(complaint_id)
    assert complaint["status"] == "upheld" and len(complaint["targets"]) == 300
    assert {(t["action"], t["status"]) for t in complaint["targets"]} == {
        ("takedown", "takedown_ordered")
    }
    assert complaint["statement"]["automated"] is True and complaint["statement"]["redress"]
    verdict = the_verdict(platform, complaint_id)
    assert len(verdict["verdict"]["targets"]) == 300
    assert verdict["reasons"][-1]["code"] == "STATEMENT_OF_REASONS"


def test_targets_uploaded_as_a_csv_file_are_filed_and_upheld(platform):
    holder = new_holder(platform.client())
    rows = "\r\n".join(["url", listing(2001), "", listing(2002) + "?shopId=77", listing(2001)])
    complaint_id = holder.client.file_complaint_csv(holder.right_id, ("\ufeff" + rows).encode())
    complaint = holder.client.wait_for_verdict(complaint_id)
    assert complaint["status"] == "upheld"
    assert [(t["listing_id"], t["shop_id"]) for t in complaint["targets"]] == [
        ("10002001", None),
        ("10002002", "77"),
    ]
    mine = holder.client.call(
        "GET",
        f"{holder.client.urls.complaints}/v1/complaints",
        params={"right_id": holder.right_id, "status": "upheld"},
    )
    assert [c["complaint_id"] for c in mine] == [complaint_id]


def new_reviewer(platform):
    """A reviewer account made with the operator CLI, signed in."""
    phone, password = f"136{next(_serial):08d}", "reviewer password"
    USED_NUMBERS.append(phone)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "services.cli",
            "reviewer",
            "create",
            "--phone",
            phone,
            "--password",
            password,
        ],
        cwd=REPO,
        env={**os.environ, **platform.env},
        check=True,
        capture_output=True,
        timeout=60,
    )
    reviewer = platform.client()
    reviewer.sign_in(phone, password)
    return reviewer


def test_in_manual_mode_reviewers_decide_identity_right_and_then_the_complaint(manual_platform):
    reviewer, holder = new_reviewer(manual_platform), new_holder(manual_platform.client())
    urls = reviewer.urls
    complaint_id = holder.client.file_complaint(holder.right_id, [listing(3001), listing(3002)])
    for service_url in (urls.identity, urls.rights):
        task = reviewer.wait_for_review_task(service_url, complaint_id)
        waiting = [c for t in reviewer.review_tasks(urls.complaints) for c in t["complaint_ids"]]
        assert complaint_id not in waiting, "the complaint waits for identity and right first"
        reviewer.decide_review(service_url, task["review_id"], "approved")
    task = reviewer.wait_for_review_task(urls.complaints, complaint_id)
    assert task["material_type"] == "complaint" and task["overdue"] is False
    assert holder.client.complaint(complaint_id)["status"] == "under_review"
    material = reviewer.call("GET", f"{urls.complaints}/v1/reviews/{task['review_id']}/complaint")
    assert [t["listing_id"] for t in material["targets"]] == ["10003001", "10003002"]

    reasons = [
        {"code": "EVIDENCE_INSUFFICIENT", "message": "The screenshots do not show the listings."}
    ]
    reviewer.decide_review(urls.complaints, task["review_id"], "rejected", reasons)

    complaint = holder.client.wait_for_verdict(complaint_id)
    assert complaint["status"] == "rejected"
    assert (
        complaint["statement"]["decided_by"]["kind"] == "reviewer"
        and complaint["statement"]["reasons"] == reasons
    )
    assert {t["action"] for t in complaint["targets"]} == {"none"}
    verdict = the_verdict(manual_platform, complaint_id)
    assert verdict["decided_by"]["kind"] == "reviewer" and verdict["reasons"][0] == reasons[0]
    records = wait_for_records(manual_platform.kafka, [REVIEWS], lambda rs: True)
    kinds = [
        (d["data"]["material_type"], d["data"]["decided_by"]["kind"])
        for d in decisions_for(records, complaint_id)
    ]
    assert sorted(kinds) == [
        ("complaint", "reviewer"),
        ("identity", "reviewer"),
        ("right", "reviewer"),
    ]
