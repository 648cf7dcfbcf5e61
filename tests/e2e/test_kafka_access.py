"""Who may do what on Kafka. On the production stack every service is a SCRAM principal of its own
whose ACLs come from the topic registry, a takedown system reads the verdicts and nothing else, and
a client without credentials gets nowhere. The embedded stack's broker (Tansu) has no
authentication: the tests that need it are skipped there, the others hold on both stacks."""

from __future__ import annotations

import asyncio
import json
import time
import uuid

import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.errors import (
    GroupAuthorizationFailedError,
    KafkaConnectionError,
    KafkaError,
    TopicAuthorizationFailedError,
)

from tests.conftest import STACK
from tests.e2e.people import listing, new_holder
from tests.e2e.records import produce, read_all

REVIEWS = "ipp.review-decided.v1"
SERVICES = ("identity", "rights", "complaints", "notifier")
needs_auth = pytest.mark.skipif(
    STACK != "production",
    reason="the embedded stack's Tansu has no authentication or ACLs: any client may "
    "write any topic there",
)


def forged_verdict() -> bytes:
    return f'{{"forged": "{uuid.uuid4()}"}}'.encode()


def assert_never_on(platform, topic: str, value: bytes) -> None:
    """The record is not on the topic, read as the admin (who reads everything)."""
    time.sleep(1)  # a write that slipped through would be readable by now (acks=all)
    assert value not in [r.value for r in read_all(platform.kafka, [topic])]


async def first_verdict(
    options: dict, group: str, complaint_id: str, timeout: float = 60.0
) -> dict | None:
    """Follow the verdicts in consumer group `group` as a takedown system does;
    commit what was read."""
    consumer = AIOKafkaConsumer(
        REVIEWS, **options, group_id=group, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                await consumer.commit()
                for record in records:
                    data = json.loads(record.value or b"null")["data"]
                    if (
                        data["complaint_id"] == complaint_id
                        and data["material_type"] == "complaint"
                    ):
                        return data
        return None
    finally:
        await consumer.stop()


def test_a_takedown_system_follows_the_verdicts_in_a_group_of_its_own(platform):
    holder = new_holder(platform.client())
    complaint_id = holder.client.file_complaint(holder.right_id, [listing(41)])
    assert holder.client.wait_for_verdict(complaint_id)["status"] == "upheld"
    group = f"takedown-{uuid.uuid4().hex[:8]}"
    verdict = asyncio.run(first_verdict(platform.kafka_as("takedown"), group, complaint_id))
    assert verdict is not None, "the takedown principal did not see the verdict"
    assert verdict["outcome"] == "approved"
    assert [t["action"] for t in verdict["verdict"]["targets"]] == ["takedown"]


def test_the_services_environment_names_each_services_own_principal_and_never_the_admins(platform):
    admin_password = platform.admin_env.get("IPP_KAFKA_SASL_PASSWORD")
    assert "IPP_KAFKA_SASL_PASSWORD" not in platform.env
    assert admin_password is None or admin_password not in platform.env.values()
    if STACK == "production":
        assert admin_password and platform.env["IPP_KAFKA_SECURITY_PROTOCOL"] == "SASL_PLAINTEXT"
        assert {platform.env[f"IPP_{s.upper()}_KAFKA_SASL_USERNAME"] for s in SERVICES} == {
            f"ipp-{s}" for s in SERVICES
        }


@needs_auth
def test_a_client_without_credentials_cannot_produce_a_verdict(platform):
    forged = forged_verdict()
    anonymous = {"bootstrap_servers": platform.bootstrap, "request_timeout_ms": 5000}
    with pytest.raises(
        KafkaConnectionError
    ):  # the SASL listener closes a connection that skips SASL
        produce(anonymous, REVIEWS, forged, key=b"forged")
    wrong_password = {**platform.kafka_as("takedown"), "sasl_plain_password": "not-the-password"}
    with pytest.raises(KafkaError):
        produce(wrong_password, REVIEWS, forged, key=b"forged")
    assert_never_on(platform, REVIEWS, forged)


@needs_auth
def test_the_takedown_principal_may_read_the_verdicts_but_not_write_them(platform):
    forged = forged_verdict()
    with pytest.raises(TopicAuthorizationFailedError):
        produce(platform.kafka_as("takedown"), REVIEWS, forged, key=b"forged")
    assert_never_on(platform, REVIEWS, forged)


@needs_auth
def test_the_takedown_principal_reads_no_other_topic_and_joins_no_services_group(platform):
    async def consume(topic: str, group: str) -> None:
        consumer = AIOKafkaConsumer(
            topic, **platform.kafka_as("takedown"), group_id=group, auto_offset_reset="earliest"
        )
        await consumer.start()
        try:
            for _ in range(20):
                await consumer.getmany(timeout_ms=500)
        finally:
            await consumer.stop()

    with pytest.raises(TopicAuthorizationFailedError):
        asyncio.run(consume("ipp.complaint-filed.v1", f"takedown-{uuid.uuid4().hex[:8]}"))
    with pytest.raises(GroupAuthorizationFailedError):
        asyncio.run(consume(REVIEWS, "ipp-complaints"))


@needs_auth
def test_a_service_cannot_write_a_topic_another_service_publishes(platform):
    forged = forged_verdict()
    with pytest.raises(TopicAuthorizationFailedError):
        produce(platform.kafka_as("rights"), "ipp.complaint-filed.v1", forged, key=b"forged")
    assert_never_on(platform, "ipp.complaint-filed.v1", forged)
