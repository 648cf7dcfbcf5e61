"""What the automatic review checks of a right, with the reason codes a complainant is shown."""

from datetime import date
from types import SimpleNamespace

import pytest

from services.rights.domain.checks import right_checks
from services.rights.domain.patent import statutory_end
from tests.unit.rights.materials import copyright, patent, trademark, with_details, without_document

TODAY = date(2026, 11, 28)


def failed(fields: dict, today: date = TODAY) -> list[str]:
    return [c.code for c in right_checks(SimpleNamespace(**fields), today, "张三") if not c.passed]


@pytest.mark.parametrize(
    "fields",
    [trademark(), copyright(), patent("invention"), patent("utility_model"), patent("design")],
)
def test_complete_rights_in_force_pass_every_check(fields):
    assert failed(fields) == []


def test_a_right_is_checked_against_today():
    assert failed(trademark(valid_until="2026-11-27")) == ["RIGHT_EXPIRED"]
    assert failed(trademark(valid_until="2026-11-28")) == [], "the last day is still in force"
    assert failed(trademark(valid_from="2026-11-29")) == ["RIGHT_NOT_YET_VALID"]
    assert failed(trademark(valid_from="2030-01-01")) == ["VALIDITY_PERIOD", "RIGHT_NOT_YET_VALID"]


def test_the_review_weighs_the_evidence_not_the_mark_image():
    assert failed(without_document(trademark(), "mark_image")) == []
    assert failed(without_document(trademark(), "registration_certificate")) == [
        "REQUIRED_DOCUMENTS"
    ]


@pytest.mark.parametrize("kind", ["utility_model", "design"])
def test_a_utility_model_or_design_without_its_evaluation_report_is_rejected(kind):
    assert failed(without_document(patent(kind), "evaluation_report")) == ["REQUIRED_DOCUMENTS"]


def test_a_patent_without_proof_of_the_annual_fee_is_rejected():
    assert failed(without_document(patent(), "annual_fee_receipt")) == ["REQUIRED_DOCUMENTS"]


def test_a_holder_other_than_the_named_party_is_rejected_without_a_transfer_or_licence():
    assert failed(with_details(patent(), patentee="某某科技有限公司")) == ["REQUIRED_DOCUMENTS"]
    assert failed(with_details(copyright(), owner="某某影业")) == ["REQUIRED_DOCUMENTS"]


def test_nice_classes_and_the_patent_check_digit_are_checked_again():
    assert failed(with_details(trademark(), nice_classes=[46])) == ["NICE_CLASSES"]
    assert failed(patent(registration_number="ZL201811564288.1")) == ["PATENT_NUMBER_CHECK_DIGIT"]


@pytest.mark.parametrize(
    ("kind", "applied", "ends"),
    [
        ("invention", date(2018, 12, 20), date(2038, 12, 20)),
        ("utility_model", date(2023, 10, 23), date(2033, 10, 23)),
        ("design", date(2023, 3, 1), date(2038, 3, 1)),
        (
            "design",
            date(2021, 5, 31),
            date(2031, 5, 31),
        ),  # applied before the 2021 amendment: 10 years
        ("utility_model", date(2020, 2, 29), date(2030, 2, 28)),  # no 29 February in 2030
    ],
)
def test_the_statutory_term_of_each_patent_kind(kind, applied, ends):
    assert statutory_end(kind, applied) == ends


def test_a_patent_claimed_valid_past_its_statutory_term_is_rejected():
    utility = patent("utility_model")
    assert failed(utility | {"valid_until": "2033-10-23"}) == []
    assert failed(utility | {"valid_until": "2033-10-24"}) == ["PATENT_TERM"]


def test_a_right_stored_before_per_type_details_is_still_reviewed_without_error():
    legacy = trademark(details={"nice_classes": [25]}, documents=trademark()["documents"][:1])
    assert failed(legacy) == []
    assert failed(patent(details={})) == ["PATENT_TERM"], (
        "no kind, no application date: no term to claim"
    )


def test_each_complaint_asks_a_decided_right_to_be_in_force_that_day():
    from services.rights.domain.checks import complaint_checks

    def passes(status: str, valid_until: str | None) -> bool:
        [check] = complaint_checks(
            SimpleNamespace(**trademark(valid_until=valid_until), status=status), TODAY
        )
        return check.passed

    assert passes("approved", "2026-11-28") and passes("approved", None)
    assert not passes("approved", "2026-11-27") and not passes("expired", "2026-11-27")
    assert passes("submitted", "2020-01-01"), (
        "an undecided right's end is its own review's to judge"
    )
