"""The automatic review of identity materials: parties, an agent's authorisation, its
scope and period."""

from datetime import date

from deploy.client import resident_id
from services.identity.adapters.publication import to_public
from services.identity.domain import authorization
from services.identity.domain.checks import complaint_checks, identity_checks
from services.identity.domain.model import Identity

DOC = {"blob_id": "0" * 64, "purpose": "x"}
TODAY = date(2026, 6, 1)


def person(number: str, document_type: str = "resident_id", images: int = 2) -> dict:
    return {
        "kind": "individual",
        "name": "张三",
        "document_type": document_type,
        "number": number,
        "masked": number[:3] + "***",
        "fingerprint": f"fp-{len(number)}-{number[-2:]}",
        "documents": [DOC] * images,
    }


def agency(code: str = "91330100716105852F") -> dict:
    return {
        "kind": "enterprise",
        "name": "代理公司",
        "document_type": "unified_social_credit_code",
        "number": code,
        "masked": code[:3] + "***",
        "fingerprint": "fp-agency",
        "documents": [DOC],
        "legal_representative": "李四",
    }


def agent_identity(
    scope=("trademark",), valid_from="2024-01-01", valid_until="2027-01-01", agent=None
) -> Identity:
    terms = {**DOC, "scope": list(scope), "valid_from": valid_from, "valid_until": valid_until}
    return Identity(
        account_id="a",
        role="agent",
        holder=person(resident_id(1)),
        agent=agent or agency(),
        authorization_document=terms,
    )


def failed(checks) -> set[str]:
    return {c.code for c in checks if not c.passed}


def test_a_valid_holder_passes_every_check():
    identity = Identity(
        account_id="a",
        role="holder",
        holder=person(resident_id(1)),
        agent=None,
        authorization_document=None,
    )
    assert failed(identity_checks(identity, TODAY)) == set()


def test_a_wrong_check_digit_and_an_impossible_birth_date_are_reasons():
    identity = Identity(
        account_id="a",
        role="holder",
        holder=person("110105199002300011"),
        agent=None,
        authorization_document=None,
    )
    assert {"RESIDENT_ID_CHECKSUM", "RESIDENT_ID_BIRTH_DATE"} <= failed(
        identity_checks(identity, TODAY)
    )


def test_a_permit_is_checked_for_its_shape_and_a_passport_for_its_photo_page():
    permit = Identity(
        account_id="a",
        role="holder",
        holder=person("H1234", "hk_macau_permit"),
        agent=None,
        authorization_document=None,
    )
    assert failed(identity_checks(permit, TODAY)) == {"DOCUMENT_NUMBER_FORMAT"}
    passport = Identity(
        account_id="a",
        role="holder",
        holder=person("E12345678", "passport", images=1),
        agent=None,
        authorization_document=None,
    )
    assert failed(identity_checks(passport, TODAY)) == set()


def test_an_agent_with_a_current_authorisation_passes():
    assert failed(identity_checks(agent_identity(), TODAY)) == set()


def test_an_expired_or_not_yet_valid_authorisation_is_rejected():
    assert "AUTHORIZATION_EXPIRED" in failed(
        identity_checks(agent_identity(valid_until="2026-05-31"), TODAY)
    )
    assert "AUTHORIZATION_NOT_YET_VALID" in failed(
        identity_checks(agent_identity(valid_from="2026-06-02"), TODAY)
    )
    assert "AUTHORIZATION_PERIOD" in failed(
        identity_checks(agent_identity(valid_from="2026-01-02", valid_until="2026-01-01"), TODAY)
    )


def test_an_authorisation_without_scope_or_document_is_rejected():
    assert "AUTHORIZATION_SCOPE" in failed(identity_checks(agent_identity(scope=()), TODAY))
    missing = Identity(
        account_id="a",
        role="agent",
        holder=person(resident_id(1)),
        agent=agency(),
        authorization_document=None,
    )
    assert "AUTHORIZATION_DOCUMENT" in failed(identity_checks(missing, TODAY))


def test_an_agent_cannot_be_its_own_right_holder():
    assert "AGENT_IS_NOT_HOLDER" in failed(
        identity_checks(agent_identity(agent=person(resident_id(1))), TODAY)
    )


def test_an_authorisation_covers_only_the_right_types_in_its_scope():
    assert authorization.covers(["all"], "patent") and authorization.covers(
        ["trademark"], "trademark"
    )
    assert not authorization.covers(["trademark", "copyright"], "patent")
    identity = agent_identity(scope=("trademark",))
    assert failed(complaint_checks(identity, "trademark", TODAY)) == set()
    assert failed(complaint_checks(identity, "patent", TODAY)) == {"AUTHORIZATION_SCOPE"}
    assert failed(
        complaint_checks(agent_identity(valid_until="2026-01-01"), "trademark", TODAY)
    ) == {"AUTHORIZATION_EXPIRED"}


def test_an_agents_identity_submitted_event_carries_both_parties_masked():
    identity = agent_identity()
    [event] = identity.collect_events()
    [public] = to_public(event)
    assert public.payload.role == "agent"
    assert public.payload.holder.kind == "individual" and public.payload.agent.kind == "enterprise"
    assert resident_id(1) not in public.payload.model_dump_json()
    assert public.payload.agent.document_number_masked == "913***"
