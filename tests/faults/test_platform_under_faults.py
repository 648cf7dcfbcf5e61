"""One sharp run per fault, under steady load: kill -9 of each service mid-batch, a database that
stops answering for 30 s, a broker that loses everything, poison requests and records, forged
decisions, an event too large to publish. Then: every accepted complaint decided once, emailed once
(waiting past the mailer's lease), nothing forged obeyed."""

from __future__ import annotations

import json
import time
import uuid
from collections import defaultdict

from deploy.client import PNG, ApiFailure
from shared.events.envelope import CloudEvent
from tests.e2e.people import Holder, listing, new_holder
from tests.e2e.records import list_topics, produce, read_all, wait_for_records
from tests.faults.conftest import (
    MAIL_CLAIM_SECONDS,
    broker_lost,
    database_stopped,
    ipp,
    kill_mid_batch,
    readiness,
    restart,
)
from tests.faults.load import SteadyLoad

REVIEWS = "ipp.review-decided.v1"
NEVER_NAMED = "https://www.kwaixiaodian.com/item/99999999"
HEADERS = [("content-type", b"application/cloudevents+json")]


def forged_decision(complaint_id: str, material_type: str, material_id: str, source: str) -> bytes:
    """A ReviewDecided approving a material, claiming to come from `source`, as an attacker
    on Kafka writes it."""
    verdict = (
        {
            "targets": [
                {
                    "target_id": str(uuid.uuid4()),
                    "url": NEVER_NAMED,
                    "listing_id": "99999999",
                    "shop_id": None,
                    "action": "takedown",
                }
            ],
            "right_id": material_id,
            "right_type": "trademark",
        }
        if material_type == "complaint"
        else None
    )
    data = {
        "review_id": str(uuid.uuid4()),
        "complaint_id": complaint_id,
        "material_type": material_type,
        "material_id": material_id,
        "material_revision": 1,
        "outcome": "approved",
        "reasons": [],
        "decided_by": {"kind": "auto", "reviewer_id": None},
        "reused_decision_id": None,
        "decided_at": "2026-12-01T00:00:00Z",
        "verdict": verdict,
    }
    return CloudEvent(
        id=str(uuid.uuid4()),
        source=source,
        type="ipp.ReviewDecided.v1",
        subject=material_id,
        time="2026-12-01T00:00:00Z",
        correlationid=complaint_id,
        data=data,
    ).to_bytes()


def verdicts_of(kafka: dict, complaint_ids: set[str]) -> dict[str, set[str]]:
    """complaint id -> the distinct verdicts (review ids) on the decisions topic."""
    found: dict[str, set[str]] = defaultdict(set)
    for record in read_all(kafka, [REVIEWS]):
        data = record.json()["data"]
        if data["material_type"] == "complaint" and data["complaint_id"] in complaint_ids:
            found[data["complaint_id"]].add(data["review_id"])
    return found


def wait_decided(filed: dict[str, Holder], timeout: float) -> dict[str, str]:
    deadline, statuses = time.monotonic() + timeout, {}
    while time.monotonic() < deadline:
        for complaint_id, holder in filed.items():
            if statuses.get(complaint_id) not in ("upheld", "rejected"):
                statuses[complaint_id] = holder.client.complaint(complaint_id)["status"]
        if all(s in ("upheld", "rejected") for s in statuses.values()):
            break
        time.sleep(1.0)
    return statuses


def dead_letter_topics(platform) -> list[str]:
    return [t for t in list_topics(platform.kafka) if t.startswith("ipp.dlq.")]


def whereabouts(platform, undecided: dict[str, str], big: str) -> dict[str, dict]:
    """Where each undecided complaint stopped: on which topics its events are,
    dead-lettered or set aside."""
    topics = ["ipp.complaint-filed.v1", REVIEWS, *dead_letter_topics(platform)]
    seen: dict[str, list[str]] = defaultdict(list)
    for record in read_all(platform.kafka, topics):
        text = (record.value or b"").decode(errors="replace")
        for complaint_id in (c for c in undecided if c in text):
            reason = record.headers.get("ipp-reason", b"").decode()
            seen[complaint_id].append(
                f"{record.topic}{' ' + reason if reason else ''}: {text[:160]}"
            )
    stuck = json.loads(ipp(platform, "events", "stuck", "--json"))
    return {
        c: {
            "status": s,
            "big": c == big,
            "records": seen.get(c, []),
            "stuck": [e for e in stuck if e["subject"] == c],
        }
        for c, s in undecided.items()
    }


def outcome_emails(platform, complaint_ids: set[str]) -> dict[str, list[str]]:
    """complaint id -> the Message-IDs of every copy of an email about it that
    reached the SMTP server."""
    found: dict[str, list[str]] = defaultdict(list)
    for message in platform.smtp.messages():
        text = message.get_body(("plain",)).get_content()
        for complaint_id in (c for c in complaint_ids if c in text):
            found[complaint_id].append(message["Message-ID"])
    return found


def test_nothing_accepted_is_lost_doubled_or_forged_while_everything_fails(rig) -> None:
    stack, platform = rig
    holders = [new_holder(platform.client()) for _ in range(4)]
    evidence = {
        h.phone: h.client.upload(h.client.urls.complaints, PNG + b"evidence") for h in holders
    }

    # an accepted complaint whose event is too large for complaints' record limit: set
    # aside, the rest go on
    big = file_when_known(holders[0], [listing(50_000 + i) for i in range(300)])
    stuck = wait_for_stuck(platform, big)
    assert stuck["topic"] == "ipp.complaint-filed.v1" and "MessageSizeTooLarge" in stuck["error"]

    load = SteadyLoad(holders, holders[0].client.urls.complaints, evidence).start()
    load.wait_for(10)

    # poison requests are refused at the door; a poison record and forged
    # decisions are dead-lettered
    poisons_refused(platform, holders[1])
    cheat = new_holder(platform.client(), valid_id=False)
    cheated = cheat.client.file_complaint(cheat.right_id, [listing(60_000)])
    forged = {
        "identity": forged_decision(cheated, "identity", cheat.identity_id, "ipp/notifier"),
        "right": forged_decision(cheated, "right", cheat.right_id, "ipp/complaints"),
        "complaint": forged_decision(cheated, "complaint", cheated, "ipp/identity"),
    }
    for value in forged.values():
        produce(platform.kafka, REVIEWS, value, key=cheated.encode(), headers=HEADERS)
    poison = f"not a cloud event {uuid.uuid4()}".encode()
    produce(platform.kafka, "ipp.complaint-filed.v1", poison, key=b"poison", headers=HEADERS)
    assert cheat.client.wait_for_verdict(cheated, 120)["status"] == "rejected", (
        "a forged approval was obeyed"
    )
    expected = {"ipp.dlq.ipp-complaints": 4, "ipp.dlq.ipp-notifier": 4, "ipp.dlq.ipp-identity": 1}
    letters = dead_letters(platform, expected)
    reasons = {r.headers["ipp-reason"] for r in letters["ipp.dlq.ipp-complaints"]}
    assert reasons == {b"NOT_THE_OWNER", b"NOT_A_CLOUD_EVENT"}, (
        "only what cannot be processed is dead-lettered"
    )

    # kill -9 each service in turn while a batch is in flight; complaints comes back with
    # the usual record limit
    caught = {}
    for name in ("identity", "rights", "complaints", "notifier"):
        caught[name] = kill_mid_batch(platform.services[name])
        restart(platform.services[name], IPP_KAFKA_MAX_REQUEST_BYTES=None)
    print(f"killed mid-batch: {caught}")

    # the database stops answering for 30 s: filing gets 503 with Retry-After, the cascade waits,
    # nothing dead-letters
    accepted_before = len(load.accepted)
    with database_stopped(stack, platform):
        time.sleep(20)
        outage_readiness = readiness(platform, "complaints")["status"]
        time.sleep(10)
    assert outage_readiness == "not_ready", "/readyz said ready while the database did not answer"
    assert load.statuses[503] >= 1 and load.retry_after == {"5"}
    load.wait_for(accepted_before + 10)

    # the broker loses everything; the relays give it their whole logs again, the consumers
    # drop what they applied
    broker_lost(stack)
    load.wait_for(len(load.accepted) + 10, timeout=180)

    # the set-aside complaint is published now that complaints has its usual limit, and decided
    assert ipp(platform, "events", "retry", "--service", "complaints").startswith(
        "1 event(s) will be retried"
    )
    load.stop()

    filed = {**load.accepted, big: holders[0]}
    accepted = list(filed)
    statuses = wait_decided(filed, timeout=300)
    undecided = {c: s for c, s in statuses.items() if s != "upheld"}
    assert undecided == {}, f"not decided: {whereabouts(platform, undecided, big)}"
    assert json.loads(ipp(platform, "events", "stuck", "--json")) == []
    late = read_all(
        platform.kafka, dead_letter_topics(platform)
    )  # the rebuilt broker had none to begin with
    assert [(r.topic, r.headers.get("ipp-reason")) for r in late] == [], (
        "accepted work was dead-lettered"
    )
    assert not load.failures, f"answers no client should get: {load.failures[:5]}"
    assert set(load.statuses) <= {201, 503, "no answer"}, load.statuses

    verdicts = verdicts_of(platform.kafka, {*accepted, cheated})
    assert {c: len(v) for c, v in verdicts.items() if len(v) != 1} == {}, (
        "a complaint got two different verdicts"
    )
    assert set(verdicts) == {*accepted, cheated}, "a verdict is missing from the decisions topic"

    deadline = time.monotonic() + 120
    while (
        len(outcome_emails(platform, set(accepted))) < len(accepted) and time.monotonic() < deadline
    ):
        time.sleep(1)
    time.sleep(
        MAIL_CLAIM_SECONDS + 5
    )  # a message whose "sent" was lost goes out again after the claim's lease
    emails = outcome_emails(platform, set(accepted))
    assert set(emails) == set(accepted), "a complainant heard nothing"
    assert {c: ids for c, ids in emails.items() if len(set(ids)) != 1} == {}, (
        "a complainant got two emails"
    )
    copies = {c: len(ids) for c, ids in emails.items() if len(ids) > 1}
    assert sum(copies.values()) - len(copies) <= 1, f"more than one resent copy: {copies}"
    never = [
        m for m in platform.smtp.messages() if NEVER_NAMED in m.get_body(("plain",)).get_content()
    ]
    assert never == [], "a forged verdict was emailed"
    deadline = time.monotonic() + 60
    while (
        unready := {
            n: r for n in platform.services if (r := readiness(platform, n))["status"] != "ready"
        }
    ) and time.monotonic() < deadline:
        time.sleep(2)
    assert unready == {}, "a service is not ready after the faults"


def file_when_known(holder: Holder, urls: list[str], timeout: float = 60.0) -> str:
    """File once complaints has heard of the right (a platform just started is still
    joining its groups)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return holder.client.file_complaint(holder.right_id, urls)
        except ApiFailure as failure:
            if failure.code != "RIGHT_NOT_USABLE" or time.monotonic() > deadline:
                raise


def wait_for_stuck(platform, complaint_id: str, timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        stuck = [
            e
            for e in json.loads(ipp(platform, "events", "stuck", "--json"))
            if e["subject"] == complaint_id
        ]
        if stuck or time.monotonic() > deadline:
            assert stuck, "the complaint too large to publish was not set aside"
            return stuck[0]
        time.sleep(0.5)


def dead_letters(platform, wanted: dict[str, int]) -> dict[str, list]:
    found = {}
    for topic, count in wanted.items():
        found[topic] = wait_for_records(
            platform.kafka, [topic], lambda rs, n=count: len(rs) >= n, timeout=60
        )
        assert len(found[topic]) >= count, f"{topic}: {len(found[topic])} letters, expected {count}"
    return found


def poisons_refused(platform, holder) -> None:
    """What a service could not publish is refused before it is accepted."""
    deep: dict = {}
    for _ in range(600):
        deep = {"x": deep}
    body = {**holder.client.trademark_body(holder.identity_id), "details": deep}
    answer = holder.client.http.post(
        f"{holder.client.urls.rights}/v1/rights",
        json=body,
        headers={"Authorization": f"Bearer {holder.client.token}"},
    )
    assert answer.status_code == 422, answer.text[:300]
    huge = [
        {"url": f"https://www.kwaixiaodian.com/item/{70_000_000 + i}?t={'商品' * 1000}"}
        for i in range(300)
    ]
    answer = holder.client.http.post(
        f"{holder.client.urls.complaints}/v1/complaints",
        json={
            "right_id": holder.right_id,
            "infringement_type": "counterfeit_goods",
            "targets": huge,
        },
        headers={"Authorization": f"Bearer {holder.client.token}"},
    )
    assert answer.status_code in (413, 422), answer.text[:300]
