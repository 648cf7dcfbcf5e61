"""A service's subscriptions: one typed handler per contract event, and what it consumes read
off them."""

from types import SimpleNamespace

import pytest
from pydantic import BaseModel

from shared.events.payloads import EmailBound, RightExpiring
from shared.events.topics import topic_for
from shared.kit.inbox import Delivery
from shared.kit.subscriptions import Subscriptions

BOUND = EmailBound(account_id="a-1", email="holder@example.com", bound_at="2026-12-07T10:00:00Z")


def a_delivery(payload: BaseModel) -> Delivery:
    record = SimpleNamespace(topic=topic_for(type(payload)))
    return Delivery(record, SimpleNamespace(id="e-1"), payload)  # type: ignore[arg-type]


def test_each_payload_reaches_the_handler_of_its_type_with_the_bound_context():
    calls = []
    subscriptions = Subscriptions[str]("probe")

    @subscriptions.on(EmailBound)
    def bound(context, session, payload, event):
        calls.append((context, session, payload, event.id))

    handle = subscriptions.bind("the app")
    handle("session", a_delivery(BOUND))
    assert calls == [("the app", "session", BOUND, "e-1")]
    assert subscriptions.topics == ("ipp.email-bound.v1",)


def test_an_event_without_a_handler_is_not_the_services_business():
    subscriptions = Subscriptions[None]("probe")
    subscriptions.on(EmailBound)(lambda *_: pytest.fail("not an EmailBound"))
    expiring = RightExpiring(
        right_id="r-1",
        account_id="a-1",
        title="IPP",
        registration_number="12345678",
        valid_until="2027-01-01",
        days_left=30,
    )
    subscriptions.bind(None)(None, a_delivery(expiring))  # type: ignore[arg-type]


def test_a_second_handler_for_one_event_or_a_model_outside_the_contract_is_refused():
    subscriptions = Subscriptions[None]("probe")
    subscriptions.on(EmailBound)(lambda *_: None)
    with pytest.raises(ValueError, match="already handles EmailBound"):
        subscriptions.on(EmailBound)(lambda *_: None)

    class Gossip(BaseModel):
        text: str

    with pytest.raises(ValueError, match="not a contract event"):
        subscriptions.on(Gossip)
