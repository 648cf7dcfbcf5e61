"""Document-number reservations protect real owners without locking them out (issue 12): few pending
identities per account, rejected or lapsed reservations are free again, a holder may have several
agents, and "already registered" is no unthrottled oracle."""

from types import SimpleNamespace

import pytest
from eventsourcing.persistence import IntegrityError

from deploy.client import resident_id
from services.identity.domain.model import Identity as IdentityAggregate
from services.identity.domain.model import Reservation
from shared.events.payloads import ComplaintFiled
from shared.kit.inbox import Delivery
from tests.unit.identity.conftest import Identity

DAY = 24 * 60 * 60
AGENCIES = ("91330100716105852F", "91110000600037341L")


@pytest.fixture
def identity(tmp_path) -> Identity:
    return Identity(tmp_path, review_mode="manual")


def code_of(response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


def holder_body(identity: Identity, auth: dict, number: str) -> dict:
    return {"role": "holder", "holder": identity.individual(auth, number)}


def agent_body(identity: Identity, auth: dict, number: str, agency: str = AGENCIES[0]) -> dict:
    return {
        "role": "agent",
        "holder": identity.individual(auth, number),
        "agent": identity.enterprise(auth, agency),
        "authorization_document": identity.upload(auth, b"authorisation"),
        "authorization": {"scope": ["trademark"], "valid_from": "2024-01-01"},
    }


def submit(identity: Identity, auth: dict, body: dict):
    return identity.http.post("/v1/identities", json=body, headers=auth)


def account_of(identity: Identity, auth: dict) -> str:
    return identity.http.get("/v1/me", headers=auth).json()["account_id"]


def review(identity: Identity, auth: dict, identity_id: str, outcome: str, serial: int = 1) -> None:
    """A complaint names the identity, so it waits for a reviewer (manual mode), who decides it."""
    filed = ComplaintFiled(
        complaint_id=f"c0ffee00-0000-0000-0000-{serial:012d}",
        account_id=account_of(identity, auth),
        identity_id=identity_id,
        right_id="r",
        right_type="trademark",
        infringement_type="counterfeit_goods",
        targets=[],
        description="d",
        evidence=[],
        requested_action="takedown",
        filed_at="2026-06-01T00:00:00Z",
    )
    identity.service.handler(None, Delivery(None, SimpleNamespace(id=f"event-{serial}"), filed))
    reviewer = identity.token("reviewer-1", ("reviewer",))
    [task] = [
        t
        for t in identity.http.get("/v1/reviews", headers=reviewer).json()
        if t["material_id"] == identity_id
    ]
    reasons = (
        []
        if outcome == "approved"
        else [{"code": "NAME_MISMATCH", "message": "not the name on the card"}]
    )
    decided = identity.http.post(
        f"/v1/reviews/{task['review_id']}/decision",
        headers=reviewer,
        json={"outcome": outcome, "reasons": reasons},
    )
    assert decided.status_code == 200, decided.text


def test_an_account_has_at_most_three_identities_awaiting_review(identity):
    agency = identity.with_email("13800138501")
    for serial in (501, 502, 503):
        assert (
            submit(identity, agency, agent_body(identity, agency, resident_id(serial))).status_code
            == 201
        )
    fourth = submit(identity, agency, agent_body(identity, agency, resident_id(504)))
    assert code_of(fourth) == (409, "TOO_MANY_PENDING_IDENTITIES")
    assert fourth.json()["error"]["details"] == {"limit": 3}
    first = identity.http.get("/v1/identities", headers=agency).json()[0]["identity_id"]
    review(identity, agency, first, "approved")  # decided: no longer pending, so one more may wait
    assert (
        submit(identity, agency, agent_body(identity, agency, resident_id(504))).status_code == 201
    )


def test_a_rejected_identity_releases_its_number_to_another_account(identity):
    squatter, owner = identity.with_email("13800138505"), identity.with_email("13800138506")
    squatted = submit(identity, squatter, holder_body(identity, squatter, resident_id(505))).json()[
        "identity_id"
    ]
    assert code_of(submit(identity, owner, holder_body(identity, owner, resident_id(505)))) == (
        409,
        "DOCUMENT_ALREADY_REGISTERED",
    )

    review(identity, squatter, squatted, "rejected")

    assert (
        submit(identity, owner, holder_body(identity, owner, resident_id(505))).status_code == 201
    )
    again = identity.http.put(
        f"/v1/identities/{squatted}",
        json=holder_body(identity, squatter, resident_id(505)),
        headers=squatter,
    )
    assert code_of(again) == (409, "DOCUMENT_ALREADY_REGISTERED")
    assert (
        identity.http.get(f"/v1/identities/{squatted}", headers=squatter).json()["status"]
        == "rejected"
    )


def test_an_identity_not_approved_within_the_reservation_ttl_lapses_and_its_owner_sees_why(
    identity,
):
    first, second = identity.with_email("13800138507"), identity.with_email("13800138508")
    lapsing = submit(identity, first, holder_body(identity, first, resident_id(507))).json()[
        "identity_id"
    ]
    identity.clock.advance(identity.settings.reservation_ttl.total_seconds() - 60)
    assert code_of(submit(identity, second, holder_body(identity, second, resident_id(507)))) == (
        409,
        "DOCUMENT_ALREADY_REGISTERED",
    )

    identity.clock.advance(120)  # past the TTL, and still not approved

    assert (
        submit(identity, second, holder_body(identity, second, resident_id(507))).status_code == 201
    )
    lapsed = identity.http.get(f"/v1/identities/{lapsing}", headers=first).json()
    assert lapsed["status"] == "rejected" and [r["code"] for r in lapsed["reasons"]] == [
        "RESERVATION_LAPSED"
    ]
    resubmitted = identity.http.put(
        f"/v1/identities/{lapsing}",
        json=holder_body(identity, first, resident_id(507)),
        headers=first,
    )
    assert code_of(resubmitted) == (409, "DOCUMENT_ALREADY_REGISTERED")


def test_an_approved_identity_keeps_its_number_past_the_ttl(identity):
    owner, other = identity.with_email("13800138509"), identity.with_email("13800138510")
    approved = submit(identity, owner, holder_body(identity, owner, resident_id(509))).json()[
        "identity_id"
    ]
    review(identity, owner, approved, "approved")
    identity.clock.advance(identity.settings.reservation_ttl.total_seconds() * 3)
    assert code_of(submit(identity, other, holder_body(identity, other, resident_id(509)))) == (
        409,
        "DOCUMENT_ALREADY_REGISTERED",
    )


def test_a_resubmission_after_rejection_reclaims_its_free_number(identity):
    owner, other = identity.with_email("13800138511"), identity.with_email("13800138512")
    identity_id = submit(identity, owner, holder_body(identity, owner, resident_id(511))).json()[
        "identity_id"
    ]
    review(identity, owner, identity_id, "rejected")
    identity.clock.advance(
        identity.settings.reservation_ttl.total_seconds() + 60
    )  # the first claim is long gone

    resubmitted = identity.http.put(
        f"/v1/identities/{identity_id}",
        json=holder_body(identity, owner, resident_id(511)),
        headers=owner,
    )

    assert resubmitted.status_code == 200 and resubmitted.json()["status"] == "submitted"
    assert code_of(submit(identity, other, holder_body(identity, other, resident_id(511)))) == (
        409,
        "DOCUMENT_ALREADY_REGISTERED",
    )


def test_two_accounts_racing_for_a_free_number_cannot_both_hold_it(identity, monkeypatch):
    first, second = identity.with_email("13800138513"), identity.with_email("13800138514")
    rejected = submit(identity, first, holder_body(identity, first, resident_id(513))).json()[
        "identity_id"
    ]
    review(identity, first, rejected, "rejected")  # the number is free
    racer = account_of(identity, first)
    person = identity.app.party("individual", "张三", "resident_id", resident_id(513), [])
    seen, racing = (
        identity.app.reservation_holder,
        [lambda: identity.app.resubmit_identity(racer, rejected, "holder", person, None, None)],
    )

    def holder_then_race(
        reservation, now
    ):  # `second` has read the free reservation; `first` claims it meanwhile
        found = seen(reservation, now)
        if racing:
            racing.pop()()
        return found

    monkeypatch.setattr(identity.app, "reservation_holder", holder_then_race)
    late = submit(identity, second, holder_body(identity, second, resident_id(513)))

    assert code_of(late) == (409, "DOCUMENT_ALREADY_REGISTERED")
    reservation = identity.app.repository.get(
        Reservation.create_id("document", person["fingerprint"])
    )
    assert reservation.account_id == racer
    assert [i["status"] for i in identity.http.get("/v1/identities", headers=second).json()] == []


def test_a_reservation_changes_hands_once_of_two_simultaneous_claims(identity):
    reservation = Reservation(
        kind="document", fingerprint="f" * 64, account_id="a", identity_id="i", at=0.0
    )
    identity.app.save(reservation)
    one, two = (identity.app.repository.get(reservation.id) for _ in range(2))
    one.claim(account_id="b", claims={"j": 1.0})
    two.claim(account_id="c", claims={"k": 1.0})
    identity.app.save(one)
    with pytest.raises(IntegrityError):
        identity.app.save(two)
    assert identity.app.repository.get(reservation.id).account_id == "b"


def test_a_holder_may_have_several_agencies_and_register_itself(identity):
    holder = resident_id(515)
    for phone, agency in zip(("13800138515", "13800138516"), AGENCIES, strict=True):
        auth = identity.with_email(phone)
        assert submit(identity, auth, agent_body(identity, auth, holder, agency)).status_code == 201
    himself = identity.with_email("13800138517")
    assert submit(identity, himself, holder_body(identity, himself, holder)).status_code == 201
    impostor = identity.with_email("13800138518")
    assert code_of(submit(identity, impostor, holder_body(identity, impostor, holder))) == (
        409,
        "DOCUMENT_ALREADY_REGISTERED",
    )
    posing = submit(
        identity, impostor, agent_body(identity, impostor, resident_id(518), AGENCIES[0])
    )
    assert code_of(posing) == (
        409,
        "DOCUMENT_ALREADY_REGISTERED",
    )  # an agency's own number stays its own


def test_the_same_holder_and_agent_pair_is_submitted_once_while_pending_or_approved(identity):
    agency, holder = identity.with_email("13800138519"), identity.with_email("13800138520")
    assert (
        submit(identity, agency, agent_body(identity, agency, resident_id(519))).status_code == 201
    )
    twice = submit(identity, agency, agent_body(identity, agency, resident_id(519)))
    assert code_of(twice) == (409, "IDENTITY_ALREADY_SUBMITTED")
    assert (
        submit(identity, agency, agent_body(identity, agency, resident_id(520))).status_code == 201
    )  # another holder

    own = submit(identity, holder, holder_body(identity, holder, resident_id(521))).json()[
        "identity_id"
    ]
    review(identity, holder, own, "approved")
    assert code_of(submit(identity, holder, holder_body(identity, holder, resident_id(521)))) == (
        409,
        "IDENTITY_ALREADY_SUBMITTED",
    )


def test_already_registered_is_answered_five_times_a_day_then_429(identity):
    owner, prober = identity.with_email("13800138522"), identity.with_email("13800138523")
    submit(identity, owner, holder_body(identity, owner, resident_id(522)))
    for _ in range(5):
        assert code_of(
            submit(identity, prober, holder_body(identity, prober, resident_id(522)))
        ) == (409, "DOCUMENT_ALREADY_REGISTERED")
    throttled = submit(identity, prober, holder_body(identity, prober, resident_id(522)))
    assert (
        code_of(throttled) == (429, "TOO_MANY_ATTEMPTS")
        and int(throttled.headers["Retry-After"]) > 0
    )
    assert (
        submit(identity, prober, holder_body(identity, prober, resident_id(524))).status_code == 201
    )  # free ones
    identity.clock.advance(DAY)
    assert code_of(submit(identity, prober, holder_body(identity, prober, resident_id(522)))) == (
        409,
        "DOCUMENT_ALREADY_REGISTERED",
    )


def test_a_holders_number_reserved_by_an_agency_before_this_change_is_free_for_the_holder(identity):
    """Older agent identities reserved the holder's number too (a Made event without claims):
    it does not count."""
    agency, holder = identity.with_email("13800138525"), identity.with_email("13800138526")
    agency_id = account_of(identity, agency)
    submit(identity, agency, agent_body(identity, agency, resident_id(525)))
    [old] = identity.app.identities(agency_id)
    assert isinstance(old, IdentityAggregate)
    identity.app.save(
        Reservation(kind="document", fingerprint=old.holder["fingerprint"], account_id=agency_id)
    )
    assert (
        submit(identity, holder, holder_body(identity, holder, resident_id(525))).status_code == 201
    )
