"""What is refused at once, per right type: plain format errors with stable codes
(no review needed)."""

from datetime import date

import pytest

from services.rights.domain.admission import problems
from services.rights.domain.submission import Submission
from tests.unit.rights.materials import copyright, patent, trademark, with_details, without_document

TODAY = date(2026, 11, 28)


def codes(fields: dict) -> list[str]:
    return [p.code for p in problems(Submission.from_fields(fields), TODAY)]


@pytest.mark.parametrize(
    "fields",
    [
        trademark(),
        copyright(),
        patent("invention"),
        patent("utility_model"),
        patent("design"),
        copyright(registration_number="国作登字-2021-I-00012345", documents=[]),
    ],
)
def test_complete_rights_of_every_type_and_kind_are_admitted(fields):
    if fields["right_type"] == "copyright" and fields["registration_number"]:
        fields = fields | {
            "documents": [{"purpose": "registration_certificate", "media_type": "application/pdf"}]
        }
    assert codes(fields) == []


# trademarks


@pytest.mark.parametrize("classes", [[0], [46], [25, 25], [], ["25"], [True], None])
def test_a_nice_class_is_a_whole_number_from_1_to_45_given_once(classes):
    assert codes(with_details(trademark(), nice_classes=classes))[:1] == ["INVALID_NICE_CLASS"]


@pytest.mark.parametrize(
    "goods", [None, {"25": ["服装"]}, {"25": ["服装"], "35": []}, {"25": ["服装"], "35": [" "]}]
)
def test_every_nice_class_designates_its_goods(goods):
    assert codes(with_details(trademark(), designated_goods=goods)) == ["INVALID_DETAILS"]


def test_goods_outside_the_marks_classes_are_refused():
    goods = {"25": ["服装"], "35": ["广告"], "9": ["手机"]}
    assert codes(with_details(trademark(), designated_goods=goods)) == ["INVALID_NICE_CLASS"]


@pytest.mark.parametrize("number", ["", "12A45678", "123", "12345678901"])
def test_a_trademark_registration_number_is_4_to_10_digits(number):
    assert codes(trademark(registration_number=number)) == ["INVALID_REGISTRATION_NUMBER"]


def test_a_trademark_names_its_registrant_and_ends():
    assert codes(with_details(trademark(), registrant="")) == ["INVALID_DETAILS"]
    assert codes(trademark(valid_until=None)) == ["INVALID_DATES"]


@pytest.mark.parametrize("purpose", ["registration_certificate", "mark_image"])
def test_a_trademark_needs_its_certificate_and_the_image_of_the_mark(purpose):
    assert codes(without_document(trademark(), purpose)) == ["MISSING_DOCUMENT"]


def test_the_mark_image_is_an_image():
    fields = trademark()
    fields["documents"][1]["media_type"] = "application/pdf"
    assert codes(fields) == ["INVALID_DOCUMENT"]


def test_a_registrant_other_than_the_holder_needs_a_transfer_or_a_licence():
    fields = with_details(trademark(), registrant="快手品牌管理有限公司")
    assert codes(fields) == ["MISSING_DOCUMENT"]
    licence = {"purpose": "licence_contract", "media_type": "application/pdf"}
    assert codes(fields | {"documents": [*fields["documents"], licence]}) == []
    assert codes(with_details(trademark(), registrant=" 张 三 ")) == [], (
        "spacing does not make another party"
    )


def test_a_validity_period_may_not_end_before_it_starts():
    assert codes(trademark(valid_from="2030-01-01")) == ["INVALID_DATES"]


# copyrights


@pytest.mark.parametrize(
    "work_type", ["text", "fine_art", "photography", "audiovisual", "music", "software", "other"]
)
def test_a_copyright_is_of_a_known_work_type(work_type):
    assert codes(with_details(copyright(), work_type=work_type)) == []


def test_an_unknown_work_type_author_or_owner_is_refused():
    assert codes(with_details(copyright(), work_type="poem")) == ["INVALID_DETAILS"]
    assert codes(with_details(copyright(), author="", owner=None)) == [
        "INVALID_DETAILS",
        "INVALID_DETAILS",
    ]


@pytest.mark.parametrize(
    "dates",
    [
        {"completion_date": None},
        {"completion_date": "2021-13-01"},
        {"publication_date": "2021-04-01"},
        {"completion_date": "2027-01-01", "publication_date": None},
        {"publication_date": "yesterday"},
    ],
)
def test_a_work_is_completed_then_published_in_the_past(dates):
    assert codes(with_details(copyright(), **dates)) == ["INVALID_DATES"]


def test_a_registered_copyright_shows_its_certificate_an_unregistered_one_proof_of_authorship():
    registered = copyright(registration_number="2021SR0123456")
    assert codes(registered) == ["MISSING_DOCUMENT"], (
        "proof of authorship does not replace the certificate"
    )
    assert codes(without_document(copyright(), "proof_of_authorship")) == ["MISSING_DOCUMENT"]


def test_a_copyright_owned_by_another_needs_a_transfer_or_licence():
    assert codes(with_details(copyright(), owner="北京某某影业有限公司")) == ["MISSING_DOCUMENT"]


# patents


@pytest.mark.parametrize("number", ["ZL201811564288.0", "ZL2018115642.X", "CN-201811564288", ""])
def test_a_patent_number_must_pass_its_cnipa_check_digit(number):
    assert codes(patent(registration_number=number)) == ["INVALID_PATENT_NUMBER"]


def test_the_patent_numbers_kind_and_year_match_the_patent():
    assert codes(with_details(patent("invention"), patent_kind="design"))[:1] == [
        "INVALID_PATENT_NUMBER"
    ]
    assert codes(with_details(patent("invention"), application_date="2019-01-02")) == [
        "INVALID_PATENT_NUMBER"
    ]


def test_an_unknown_patent_kind_or_missing_patentee_is_refused():
    assert codes(with_details(patent(), patent_kind="plant_variety"))[0] == "INVALID_DETAILS"
    assert codes(with_details(patent(), patentee=" ")) == ["INVALID_DETAILS"]


@pytest.mark.parametrize(
    "dates",
    [{"application_date": None}, {"grant_date": "2018-01-01"}, {"grant_date": "2027-01-01"}],
)
def test_a_patent_is_applied_for_then_granted_before_today(dates):
    assert codes(with_details(patent(), **dates)) == ["INVALID_DATES"]


@pytest.mark.parametrize("kind", ["invention", "utility_model", "design"])
@pytest.mark.parametrize("purpose", ["patent_certificate", "annual_fee_receipt"])
def test_every_patent_shows_its_certificate_and_that_the_annual_fee_is_paid(kind, purpose):
    assert codes(without_document(patent(kind), purpose)) == ["MISSING_DOCUMENT"]


@pytest.mark.parametrize("kind", ["utility_model", "design"])
def test_utility_models_and_designs_need_a_patent_evaluation_report(kind):
    assert codes(without_document(patent(kind), "evaluation_report")) == ["MISSING_DOCUMENT"]


def test_an_invention_needs_no_evaluation_report():
    assert codes(patent("invention")) == []
