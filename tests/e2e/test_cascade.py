"""The review cascade across five processes, observed on Kafka and in the SMTP
server the test runs."""

from __future__ import annotations

import time
import uuid

from tests.e2e.people import listing, new_holder
from tests.e2e.records import decisions_for, produce, read_all, wait_for_records

REVIEWS = "ipp.review-decided.v1"


def verdict_seen(complaint_id: str):
    return lambda records: any(
        d["data"]["material_type"] == "complaint" for d in decisions_for(records, complaint_id)
    )


def outcome_emails(platform, address: str, complaint_id: str) -> list:
    """Emails to this address about this complaint (the address also got its verification code)."""
    return [
        m
        for m in platform.smtp.messages()
        if address in m["To"] and complaint_id in m.get_body(("plain",)).get_content()
    ]


def test_the_seed_journey_ends_upheld_with_one_decision_per_material_and_one_email(platform):
    holder = new_holder(platform.client())
    complaint_id = holder.client.file_complaint(holder.right_id, [listing(1), listing(2)])
    records = wait_for_records(platform.kafka, [REVIEWS], verdict_seen(complaint_id))
    decisions = decisions_for(records, complaint_id)
    assert sorted(d["data"]["material_type"] for d in decisions) == [
        "complaint",
        "identity",
        "right",
    ]
    verdict = next(d for d in decisions if d["data"]["material_type"] == "complaint")
    others = [d for d in decisions if d is not verdict]
    assert verdict["time"] >= max(d["time"] for d in others), (
        "the verdict comes after the other decisions"
    )
    assert verdict["data"]["outcome"] == "approved"
    assert [t["action"] for t in verdict["data"]["verdict"]["targets"]] == ["takedown", "takedown"]
    assert holder.client.wait_for_verdict(complaint_id)["status"] == "upheld"

    deadline = time.monotonic() + 30
    while not outcome_emails(platform, holder.email, complaint_id) and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(2)  # a second email, if one were coming, would arrive in this time
    emails = outcome_emails(platform, holder.email, complaint_id)
    assert len(emails) == 1
    assert "投诉成立" in emails[0]["Subject"]


def test_an_identity_with_an_invalid_id_checksum_gets_a_rejected_verdict_with_reason_codes(
    platform,
):
    holder = new_holder(platform.client(), valid_id=False)
    complaint_id = holder.client.file_complaint(holder.right_id, [listing(3)])
    complaint = holder.client.wait_for_verdict(complaint_id)
    assert complaint["status"] == "rejected"
    codes = {r["code"] for r in complaint["reviews"]["complaint"]["reasons"]}
    assert {"IDENTITY_REJECTED", "RESIDENT_ID_CHECKSUM"} <= codes
    records = wait_for_records(platform.kafka, [REVIEWS], verdict_seen(complaint_id))
    verdict = next(
        d for d in decisions_for(records, complaint_id) if d["data"]["material_type"] == "complaint"
    )
    assert verdict["data"]["outcome"] == "rejected"
    assert {t["action"] for t in verdict["data"]["verdict"]["targets"]} == {"none"}


def test_a_malformed_complaint_record_is_dead_lettered_and_the_next_complaint_still_decided(
    platform,
):
    poison = f"not json {uuid.uuid4()}".encode()
    produce(
        platform.kafka,
        "ipp.complaint-filed.v1",
        poison,
        key=b"poison",
        headers=[("content-type", b"application/cloudevents+json")],
    )
    holder = new_holder(platform.client())
    complaint_id = holder.client.file_complaint(holder.right_id, [listing(4)])
    assert holder.client.wait_for_verdict(complaint_id)["status"] == "upheld"
    dead = wait_for_records(
        platform.kafka, ["ipp.dlq.ipp-complaints"], lambda rs: any(r.value == poison for r in rs)
    )
    letter = next(r for r in dead if r.value == poison)
    assert letter.headers["ipp-original-topic"] == b"ipp.complaint-filed.v1"
    assert b"not a CloudEvent" in letter.headers["ipp-error"]
    assert (
        letter.headers["content-type"] == b"application/cloudevents+json"
    )  # the original's headers kept


def test_every_record_is_a_cloud_event_keyed_by_its_subject(platform):
    holder = new_holder(platform.client())
    complaint_id = holder.client.file_complaint(holder.right_id, [listing(5)])
    holder.client.wait_for_verdict(complaint_id)
    topics = [
        "ipp.identity-submitted.v1",
        "ipp.right-registered.v1",
        "ipp.complaint-filed.v1",
        REVIEWS,
        "ipp.email-bound.v1",
        "ipp.email-verification-requested.v1",
    ]
    records = [r for r in read_all(platform.kafka, topics) if r.key != b"poison"]
    assert {r.topic for r in records} == set(topics)
    for record in records:
        event = record.json()
        assert record.headers["content-type"] == b"application/cloudevents+json"
        assert event["specversion"] == "1.0" and event["source"].startswith("ipp/")
        assert event["type"].startswith("ipp.") and event["datacontenttype"] == "application/json"
        assert record.key.decode() == event["subject"]
        uuid.UUID(event["id"])
