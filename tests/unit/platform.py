"""The identity, rights and complaints applications wired by an in-memory bus, for cascade tests.

Public events travel exactly as on Kafka (outbox mapping -> CloudEvent -> contract payload ->
inbox), only without a broker: the inbox's transaction and deduplication are the real ones.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from services.complaints.main import bootstrap as complaints
from services.identity.application import IdentityApplication
from services.identity.main import bootstrap as identity
from services.rights.main import bootstrap as rights
from shared.events.topics import BY_TYPE
from shared.kit.inbox import Delivery, Inbox
from shared.kit.outbox import cloud_event
from shared.kit.settings import Settings
from tests.unit.databases import migrated
from tests.unit.passwords import CHEAP_ARGON2

DOC = {
    "blob_id": "0" * 64,
    "sha256": "0" * 64,
    "media_type": "image/png",
    "size": 10,
    "purpose": "x",
}


class Platform:
    def __init__(self, data_dir: Path, mode: str = "auto") -> None:
        self.services = {}
        for name, bootstrap in (
            ("identity", identity),
            ("rights", rights),
            ("complaints", complaints),
        ):
            settings = migrated(
                Settings(service=name, data_dir=data_dir, review_mode=mode, dev_code="000000")
            )
            # identity's argon2 made cheap: the cascade is tested here, argon2's cost elsewhere
            app = IdentityApplication(settings, hasher=CHEAP_ARGON2) if name == "identity" else None
            self.services[name] = bootstrap(settings, app)
        self.positions = dict.fromkeys(self.services, 0)
        self.published: list = []

    def app(self, name: str):
        return self.services[name].app

    def pump(self, deliver_twice: bool = False) -> None:
        """Relay every service's new public events to every subscriber until nothing moves."""
        moved = True
        while moved:
            moved = False
            for name, service in self.services.items():
                notifications = service.app.recorder.select_notifications(
                    self.positions[name] + 1, 1000
                )
                for notification in notifications:
                    self.positions[name] = notification.id
                    domain_event = service.app.mapper.to_domain_event(notification)
                    for index, public in enumerate(service.mapping(domain_event)):
                        topic, event = cloud_event(
                            service.settings.source, domain_event, index, public
                        )
                        self.published.append((topic, event))
                        self.deliver(topic, event, times=2 if deliver_twice else 1)
                        moved = True

    def deliver(self, topic: str, event, times: int = 1) -> None:
        payload = BY_TYPE[event.type].model.model_validate(event.data)
        for service in self.services.values():
            if topic in service.consumes:
                inbox = Inbox(service.app, None, {}, "test", service.consumes, service.handler)
                for _ in range(times):
                    inbox.apply([Delivery(SimpleNamespace(topic=topic), event, payload)])

    def decisions(self, complaint_id: str) -> list:
        return [
            e
            for t, e in self.published
            if t == "ipp.review-decided.v1" and e.data["complaint_id"] == complaint_id
        ]

    def holder(self, phone: str, id_number: str) -> tuple[str, str]:
        """A registered account with a bound email and a submitted identity:
        (account_id, identity_id)."""
        app = self.app("identity")
        account_id = app.register(phone, "correct horse battery", "000000")
        app.bind_email(account_id, f"holder-{phone[-4:]}@example.com", "000000")
        person = app.party("individual", "张三", "resident_id", id_number, [DOC, DOC])
        return account_id, app.submit_identity(account_id, "holder", person, None, None)

    def trademark(
        self, account_id: str, identity_id: str, valid_until: str | None = "2034-12-31"
    ) -> str:
        doc = {**DOC, "purpose": "registration_certificate"}
        right_id = self.app("rights").register(
            account_id,
            identity_id=identity_id,
            right_type="trademark",
            title="快手好物",
            registration_number="12345678",
            holder_name="张三",
            valid_from="2020-01-01",
            valid_until=valid_until,
            details={"nice_classes": [25]},
            documents=[doc],
        )
        self.pump()
        return right_id

    def complain(
        self,
        account_id: str,
        right_id: str,
        urls: tuple[str, ...] = ("https://kuaishou.com/item/1234567",),
        description: str = "假冒注册商标的商品，请下架。",
    ) -> str:
        app = self.app("complaints")
        right = app.usable_right(account_id, right_id)
        return app.file(account_id, right, "counterfeit_goods", list(urls), description, [DOC])

    def decision(self, complaint_id: str, material: str) -> dict:
        """The one ReviewDecided of this material for this complaint (fails if there are
        none or several)."""
        [decided] = [
            d.data for d in self.decisions(complaint_id) if d.data["material_type"] == material
        ]
        return decided

    def task_for(self, service: str, complaint_id: str) -> dict:
        """The pending task of a service's queue that this complaint waits on."""
        [task] = [t for t in self.review_tasks(service) if complaint_id in t["complaint_ids"]]
        return task

    def reviewers_approve(self, complaint_id: str, *services: str) -> None:
        """Reviewers approve what the complaint waits on in each service, in order."""
        for service in services:
            self.reviewer_decides(
                service, self.task_for(service, complaint_id)["review_id"], "approved"
            )

    def review_tasks(self, service: str) -> list[dict]:
        """The pending tasks of a service's reviewer queue (manual and hybrid review)."""
        return self.app(service).review_queue.tasks("pending")

    def reviewer_decides(
        self, service: str, task_id: str, outcome: str, reasons: list[dict] | None = None
    ) -> dict:
        decided = self.app(service).review_queue.decide(
            task_id, "reviewer-1", outcome, reasons or []
        )
        self.pump()
        return decided
