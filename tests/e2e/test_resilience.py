"""Crashes and scale-out: nothing accepted is lost, nothing is decided or emailed twice."""

from __future__ import annotations

import time
from collections import Counter

from deploy.processes import ServiceProcess
from tests.conftest import free_port
from tests.e2e.people import listing, new_holder
from tests.e2e.records import read_all

REVIEWS = "ipp.review-decided.v1"


def wait_for_verdicts(client, complaint_ids: list[str], timeout: float = 180.0) -> dict[str, str]:
    deadline = time.monotonic() + timeout
    statuses: dict[str, str] = {}
    while time.monotonic() < deadline:
        for complaint_id in complaint_ids:
            if statuses.get(complaint_id) not in ("upheld", "rejected"):
                statuses[complaint_id] = client.complaint(complaint_id)["status"]
        if all(s in ("upheld", "rejected") for s in statuses.values()):
            break
        time.sleep(0.5)
    return statuses


def assert_one_decision_per_material(kafka: dict, complaint_ids: list[str]) -> None:
    """Every (complaint, material) decided once on the feed. A status can read `upheld` before the
    relay has published the verdict (the outbox is asynchronous, and a replica's commits wait for
    the lease holder's relay), so the feed gets a minute to catch up."""
    wanted = set(complaint_ids)
    deadline = time.monotonic() + 60
    while True:
        records = [r.json()["data"] for r in read_all(kafka, [REVIEWS])]
        reviews = {
            (d["complaint_id"], d["material_type"], d["review_id"])
            for d in records
            if d["complaint_id"] in wanted
        }
        per_material = Counter((c, m) for c, m, _ in reviews)
        if len(per_material) == 3 * len(complaint_ids) or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert len(per_material) == 3 * len(complaint_ids), "a complaint is missing a decision"
    assert set(per_material.values()) == {1}, "a (complaint, material) got two different decisions"


def assert_one_email_per_verdict(platform, complaint_ids: list[str]) -> None:
    deadline = time.monotonic() + 60

    def mentioned() -> Counter:
        bodies = Counter()
        for message in platform.smtp.messages():
            text = message.get_body(("plain",)).get_content()
            for complaint_id in complaint_ids:
                if complaint_id in text:
                    bodies[complaint_id] += 1
        return bodies

    while len(mentioned()) < len(complaint_ids) and time.monotonic() < deadline:
        time.sleep(0.5)
    time.sleep(2)
    counts = mentioned()
    assert set(counts) == set(complaint_ids), "a complainant heard nothing"
    assert set(counts.values()) == {1}, "a complainant got a second email"


def test_kill_9_of_a_consuming_service_mid_stream_loses_and_doubles_nothing(platform):
    holder = new_holder(platform.client())
    complaints = platform.services["complaints"]
    filed = [holder.client.file_complaint(holder.right_id, [listing(100 + i)]) for i in range(25)]
    complaints.kill()  # SIGKILL while the cascade of the first 25 is in flight
    complaints.start().wait_ready(120)
    filed += [holder.client.file_complaint(holder.right_id, [listing(200 + i)]) for i in range(25)]
    identity = platform.services["identity"]
    identity.kill()  # and a material reviewer, too
    identity.start().wait_ready(120)
    statuses = wait_for_verdicts(holder.client, filed)
    assert set(statuses.values()) == {"upheld"}
    assert_one_decision_per_material(platform.kafka, filed)
    assert_one_email_per_verdict(platform, filed)


def test_two_complaints_replicas_in_one_group_lose_and_double_no_verdict(platform, data_dir):
    holder = new_holder(platform.client())
    holder.client.wait_for_verdict(
        holder.client.file_complaint(holder.right_id, [listing(299)])
    )  # right known
    env = {**platform.env, "IPP_COMPLAINTS_PORT": str(free_port())}
    replica = ServiceProcess(
        "complaints", env, data_dir / "logs" / "complaints-replica.log"
    ).start()
    try:
        replica.wait_ready(
            120
        )  # the group rebalances now; filing goes on, the cascade waits for it
        first = platform.client()
        first.token = holder.client.token
        second = platform.client()
        second.token = holder.client.token
        second.urls.complaints = replica.url
        filed = [
            (first if i % 2 else second).file_complaint(holder.right_id, [listing(300 + i)])
            for i in range(30)
        ]
        statuses = wait_for_verdicts(holder.client, filed)
        assert set(statuses.values()) == {"upheld"}
        assert_one_decision_per_material(platform.kafka, filed)
        assert_one_email_per_verdict(platform, filed)
    finally:
        replica.terminate()
