"""The notifier as the runtime sees it: its wiring, and its operator route."""

from __future__ import annotations

from fastapi.testclient import TestClient

from services.notifier.main import bootstrap
from shared.kit.inbox import Delivery
from shared.kit.runtime import create_http_app
from shared.kit.settings import settings_for

COMPLAINT, ACCOUNT = "c0ffee00-1111-2222-3333-444455556666", "account-1"


def test_the_notifier_consumes_its_five_topics_and_runs_a_mailer_and_a_sweep(tmp_path):
    service = bootstrap(settings_for("notifier", data_dir=tmp_path))
    assert set(service.consumes) == {"ipp.email-verification-requested.v1", "ipp.email-bound.v1",
                                     "ipp.complaint-filed.v1", "ipp.review-decided.v1",
                                     "ipp.right-expiring.v1"}
    assert service.handler is not None and service.mapping is not None
    assert set(service.loops) == {"mailer", "waiting-sweep"}
    assert service.settings.port == 8084


def test_operators_list_the_notifications_of_a_complaint_with_masked_addresses(tmp_path, contract):
    service = bootstrap(settings_for("notifier", data_dir=tmp_path))
    for payload in (contract.complaint_filed(COMPLAINT, ACCOUNT), contract.email_bound(ACCOUNT, "alice@example.com"),
                    contract.review_decided(COMPLAINT)):
        service.handler(None, Delivery(None, contract.cloud_event(payload), payload))  # type: ignore[arg-type]
    client = TestClient(create_http_app(service))  # no lifespan: no broker needed

    response = client.get("/v1/notifications", params={"complaint_id": COMPLAINT})

    assert response.status_code == 200
    [notification] = response.json()
    assert (notification["kind"], notification["status"]) == ("verdict", "pending")
    assert notification["recipient"] == "a***@example.com"
    assert "alice@example.com" not in response.text
    assert client.get("/v1/notifications").status_code == 422
