"""Email verification codes never ride on Kafka: identity publishes a request id, the notifier
derives the code from it with the deployment's `email-codes` key, and identity accepts exactly that
code (recomputed, never stored)."""

from __future__ import annotations

import asyncio
import re

import pytest

from services.identity.adapters.publication import to_public
from services.identity.domain.model import Account
from services.notifier.adapters.templates import EmailComposer
from services.notifier.application import NotifierApplication
from services.notifier.entrypoints.events import code_requested
from services.notifier.entrypoints.mailer import Mailer
from shared.events.envelope import CloudEvent
from shared.events.payloads import EmailVerificationRequested
from shared.kit.keys import verification_code
from shared.kit.migrations import migrate
from shared.kit.outbox import cloud_event
from tests.unit.identity.conftest import Identity
from tests.unit.notifier.conftest import RecordingSmtp

ADDRESS = "alice@example.com"


@pytest.fixture
def identity(tmp_path) -> Identity:
    """Identity without a development code once the account exists: only a real code binds."""
    return Identity(tmp_path)


def signed_up(identity: Identity, phone: str) -> dict:
    auth = identity.register(phone)
    identity.settings.dev_code = None
    return auth


def published_requests(identity: Identity) -> list[CloudEvent]:
    """The EmailVerificationRequested events as the relay puts them on Kafka (record
    values, parsed back)."""
    found = []
    for notification in identity.app.recorder.select_notifications(1, 1000):
        domain_event = identity.app.mapper.to_domain_event(notification)
        for public in to_public(domain_event):
            if isinstance(public.payload, EmailVerificationRequested):
                _, event = cloud_event("ipp/identity", domain_event, 0, public)
                found.append(CloudEvent.from_bytes(event.to_bytes()))
    return found


def mailed_code(tmp_path, identity: Identity, event: CloudEvent) -> str:
    """What the notifier (same deployment: same IPP_SECRET_KEY) mails for one consumed event."""
    notifier = NotifierApplication(
        env={
            "PERSISTENCE_MODULE": "eventsourcing_sqlalchemy",
            "SQLALCHEMY_URL": f"sqlite:///{tmp_path}/notifier-{event.id}.sqlite",
        },
        email_code_key=identity.settings.key("email-codes"),
    )
    migrate(notifier.engine, "notifier")
    payload = EmailVerificationRequested.model_validate(event.data)
    code_requested(notifier, None, payload, event)  # type: ignore[arg-type]
    smtp = RecordingSmtp()
    asyncio.run(Mailer(notifier, smtp, EmailComposer("IPP <no-reply@ipp.local>")).deliver_due())  # type: ignore[arg-type]
    [message] = smtp.accepted
    assert message["To"] == ADDRESS
    [code] = re.findall(r"\b[0-9]{6}\b", message.get_body(("plain",)).get_content())
    return code


def bind(identity: Identity, auth: dict, code: str):
    return identity.http.put("/v1/me/email", json={"email": ADDRESS, "code": code}, headers=auth)


def test_the_published_request_carries_no_code_and_the_mailed_code_is_the_one_identity_accepts(
    identity, tmp_path
):
    auth = signed_up(identity, "13800138501")
    assert (
        identity.http.post(
            "/v1/me/email/verification", json={"email": ADDRESS}, headers=auth
        ).status_code
        == 202
    )

    [event] = published_requests(identity)
    code = mailed_code(tmp_path, identity, event)

    assert "code" not in event.data and event.data["request_id"] and event.data["expires_at"]
    assert code.encode() not in event.to_bytes()
    wrong = bind(identity, auth, f"{(int(code) + 1) % 10**6:06d}")
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (422, "INVALID_CODE")
    assert bind(identity, auth, code).status_code == 200
    assert identity.http.get("/v1/me", headers=auth).json()["email"] == ADDRESS


def test_knowing_the_request_id_from_kafka_is_not_knowing_the_code(identity):
    auth = signed_up(identity, "13800138502")
    identity.http.post("/v1/me/email/verification", json={"email": ADDRESS}, headers=auth)
    [event] = published_requests(identity)

    for guessed_key in (
        b"",
        b"\x00" * 32,
        identity.settings.key("sms-codes"),
    ):  # not the email-codes key
        guess = verification_code(guessed_key, event.data["request_id"])
        if guess != verification_code(
            identity.settings.key("email-codes"), event.data["request_id"]
        ):
            assert bind(identity, auth, guess).status_code == 422
    assert identity.http.get("/v1/me", headers=auth).json()["email"] is None


def test_each_request_has_its_own_code_and_only_the_latest_counts(identity, tmp_path):
    auth = signed_up(identity, "13800138503")
    identity.http.post("/v1/me/email/verification", json={"email": ADDRESS}, headers=auth)
    identity.clock.advance(61)  # one request a minute
    assert (
        identity.http.post(
            "/v1/me/email/verification", json={"email": ADDRESS}, headers=auth
        ).status_code
        == 202
    )

    first, second = published_requests(identity)
    first_code, second_code = (
        mailed_code(tmp_path, identity, first),
        mailed_code(tmp_path, identity, second),
    )

    assert first.data["request_id"] != second.data["request_id"]
    if first_code != second_code:  # (one chance in a million that they coincide)
        assert bind(identity, auth, first_code).status_code == 422
    assert bind(identity, auth, second_code).status_code == 200


def test_an_account_whose_request_predates_request_ids_still_loads_and_its_code_still_counts(
    identity,
):
    """Events recorded before this change carry `code`: they replay, and are
    never published again."""
    auth = signed_up(identity, "13800138504")
    account_id = identity.http.get("/v1/me", headers=auth).json()["account_id"]
    account = identity.app.account(account_id)
    expires_at = "2999-01-01T00:00:00+00:00"
    account.request_email_verification(
        email=ADDRESS, expires_at=expires_at, code="135790"
    )  # the old event's shape
    identity.app.save(account)

    reloaded = identity.app.account(account_id)
    assert isinstance(reloaded, Account) and reloaded.pending_request_id is None
    assert published_requests(identity) == []
    assert bind(identity, auth, "135791").status_code == 422
    assert bind(identity, auth, "135790").status_code == 200
