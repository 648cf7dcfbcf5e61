"""The notifier as the runtime sees it: its wiring, and its operator route."""

from __future__ import annotations

import dataclasses

import pytest
from fastapi.testclient import TestClient

from services.notifier.main import bootstrap
from shared.kit.auth import TokenSigner, TokenVerifier
from shared.kit.http.app import create_http_app
from shared.kit.inbox import Delivery
from shared.kit.settings import settings_for
from tests.unit.databases import migrated

COMPLAINT, ACCOUNT = "c0ffee00-1111-2222-3333-444455556666", "account-1"


def test_the_notifier_consumes_its_five_topics_and_runs_a_mailer_and_a_sweep(tmp_path):
    service = bootstrap(migrated(settings_for("notifier", data_dir=tmp_path)))
    assert set(service.consumes) == {
        "ipp.email-verification-requested.v1",
        "ipp.email-bound.v1",
        "ipp.complaint-filed.v1",
        "ipp.review-decided.v1",
        "ipp.right-expiring.v1",
    }
    assert service.handler is not None and service.mapping is not None
    assert set(service.loops) == {"mailer", "waiting-sweep"}
    assert service.settings.port == 8084


def notifier_http(tmp_path, contract) -> tuple[TestClient, TokenSigner]:
    """The notifier's routes after a complaint by ACCOUNT was filed and decided, with a
    signer of tokens."""
    signer = TokenSigner(tmp_path / "jwt.pem")
    service = bootstrap(migrated(settings_for("notifier", data_dir=tmp_path)))
    service = dataclasses.replace(service, verifier=TokenVerifier(public_key=signer.public_key))
    for payload in (
        contract.complaint_filed(COMPLAINT, ACCOUNT),
        contract.email_bound(ACCOUNT, "alice@example.com"),
        contract.review_decided(COMPLAINT),
    ):
        service.handler(None, Delivery(None, contract.cloud_event(payload), payload))  # type: ignore[arg-type]
    return TestClient(create_http_app(service)), signer  # no lifespan: no broker needed


def bearer(signer: TokenSigner, account_id: str, *roles: str) -> dict:
    token, _ = signer.issue(account_id, list(roles or ("holder",)), 5)
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize(
    ("account_id", "roles"),
    [("reviewer-1", ("reviewer",)), ("admin-1", ("admin",)), (ACCOUNT, ("holder",))],
)
def test_reviewers_admins_and_the_complainant_list_its_notifications_with_masked_addresses(
    tmp_path, contract, account_id, roles
):
    client, signer = notifier_http(tmp_path, contract)

    response = client.get(
        "/v1/notifications",
        params={"complaint_id": COMPLAINT},
        headers=bearer(signer, account_id, *roles),
    )

    assert response.status_code == 200
    [notification] = response.json()
    assert (notification["kind"], notification["status"]) == ("verdict", "pending")
    assert notification["recipient"] == "a***@example.com"
    assert "alice@example.com" not in response.text
    assert (
        client.get("/v1/notifications", headers=bearer(signer, account_id, *roles)).status_code
        == 422
    )


def test_without_a_token_or_as_another_account_the_notifications_of_a_complaint_are_not_there(
    tmp_path, contract
):
    client, signer = notifier_http(tmp_path, contract)
    url = "/v1/notifications"

    anonymous = client.get(url, params={"complaint_id": COMPLAINT})
    forged = client.get(
        url, params={"complaint_id": COMPLAINT}, headers={"Authorization": "Bearer x.y.z"}
    )
    other = client.get(url, params={"complaint_id": COMPLAINT}, headers=bearer(signer, "account-2"))
    unknown = client.get(url, params={"complaint_id": "nope"}, headers=bearer(signer, "account-2"))

    assert anonymous.status_code == forged.status_code == 401
    assert "a***@example.com" not in anonymous.text + forged.text + other.text
    assert (other.status_code, other.json()) == (
        unknown.status_code,
        unknown.json(),
    )  # as if there were none
    assert (other.status_code, other.json()["error"]["code"]) == (404, "COMPLAINT_NOT_FOUND")
