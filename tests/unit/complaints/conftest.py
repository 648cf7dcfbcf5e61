"""The complaints service's HTTP app over a throwaway SQLite store, without a broker: rights and the
other services' decisions arrive as contract payloads through the service's own event handler."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from types import SimpleNamespace
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from deploy.client import PNG
from services.complaints.adapters.publication import to_public
from services.complaints.application import ComplaintsApplication
from services.complaints.entrypoints.events import subscriptions
from services.complaints.main import bootstrap
from shared.events.payloads import ReviewDecided, RightRegistered
from shared.kit.auth import TokenSigner, TokenVerifier
from shared.kit.http.app import create_http_app
from shared.kit.inbox import Delivery
from shared.kit.settings import Settings
from tests.unit.databases import migrated

DESCRIPTION = "这些商品假冒我们的注册商标，请下架。"


def listing(n: int) -> str:
    return f"https://www.kwaixiaodian.com/item/{10_000_000 + n}"


class Complaints:
    """A TestClient of the complaints API with the steps every test needs."""

    def __init__(self, tmp_path, review_mode: str = "auto") -> None:
        self.settings = migrated(
            Settings(
                service="complaints",
                data_dir=tmp_path,
                review_mode=review_mode,
                review_deadline_hours=1,
            )
        )
        self.app = ComplaintsApplication(self.settings)
        self.service = bootstrap(self.settings, self.app)
        self.handle = subscriptions.bind(self.app)
        self.signer = TokenSigner(tmp_path / "jwt.pem")
        self.service.verifier = TokenVerifier(public_key=self.signer.public_key)
        self.http = TestClient(create_http_app(self.service))  # no lifespan: no broker needed

    def token(self, account_id: str, roles: tuple[str, ...] = ("holder",)) -> dict:
        token, _ = self.signer.issue(account_id, list(roles), 5)
        return {"Authorization": f"Bearer {token}"}

    def deliver(self, payload) -> None:
        with self.app.transaction() as session:
            event = SimpleNamespace(id=str(uuid.uuid4()))
            self.handle(session, Delivery(None, event, payload))  # type: ignore[arg-type]

    def right(
        self, account_id: str, right_type: str = "trademark", valid_until: str | None = "2034-12-31"
    ) -> str:
        """A right complaints has heard of (RightRegistered), not yet reviewed."""
        right_id = str(uuid.uuid4())
        self.deliver(
            RightRegistered(
                right_id=right_id,
                account_id=account_id,
                identity_id=str(uuid.uuid4()),
                revision=1,
                right_type=right_type,
                title="快手好物",
                registration_number="12345678",
                holder_name="张三",
                valid_from="2020-01-01",
                valid_until=valid_until,
                details={},
                documents=[],
                submitted_at=datetime.now(timezone.utc),
            )
        )
        return right_id

    def holder(self, n: int) -> tuple[dict, str]:
        """(bearer header, right_id) of a new holder with a usable trademark."""
        account_id = f"acc-{n}-{uuid.uuid4().hex[:8]}"
        return self.token(account_id), self.right(account_id)

    def evidence(self, auth: dict) -> str:
        response = self.http.post(
            "/v1/files", files={"file": ("e.png", PNG + b"evidence")}, headers=auth
        )
        assert response.status_code == 201, response.text
        return response.json()["blob_id"]

    def body(self, right_id: str, urls: list[str], **changes) -> dict:
        return {
            "right_id": right_id,
            "infringement_type": "counterfeit_goods",
            "targets": [{"url": u} for u in urls],
            "description": DESCRIPTION,
            "evidence": [],
            **changes,
        }

    def file(self, auth: dict, right_id: str, urls: list[str] | None = None) -> str:
        response = self.http.post(
            "/v1/complaints", json=self.body(right_id, urls or [listing(1)]), headers=auth
        )
        assert response.status_code == 201, response.text
        return response.json()["complaint_id"]

    def materials_decided(
        self, complaint_id: str, identity: str = "approved", right: str = "approved"
    ) -> None:
        """The cascade up to the complaint's own review: ComplaintFiled, then identity
        and right decided."""
        [filed] = [
            p.payload for p in to_public(next(iter(self.app.events.get(UUID(complaint_id)))))
        ]
        self.deliver(filed)
        for material, outcome in (("identity", identity), ("right", right)):
            reasons = [] if outcome == "approved" else [{"code": "OTHER", "message": "no"}]
            self.deliver(
                ReviewDecided(
                    review_id=str(uuid.uuid4()),
                    complaint_id=complaint_id,
                    material_type=material,
                    material_id=filed.identity_id if material == "identity" else filed.right_id,
                    material_revision=1,
                    outcome=outcome,
                    reasons=reasons,
                    decided_by={"kind": "auto", "reviewer_id": None},
                    reused_decision_id=None,
                    decided_at=datetime.now(timezone.utc),
                )
            )


@pytest.fixture
def complaints(tmp_path) -> Complaints:
    return Complaints(tmp_path)


@pytest.fixture
def manual(tmp_path) -> Complaints:
    return Complaints(tmp_path, review_mode="manual")
