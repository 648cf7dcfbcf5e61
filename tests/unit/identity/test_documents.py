"""Personal document numbers: check digits, birth dates, masking and fingerprints."""

import pytest

from services.identity.domain import documents


@pytest.mark.parametrize(
    "number", ["11010519491231002X", "11010519491231002x", "440524188001010014"]
)
def test_a_resident_id_with_a_correct_check_digit_passes(number):
    assert documents.resident_id_checksum_ok(number)


@pytest.mark.parametrize(
    "number", ["110105194912310021", "11010519491231002", "1101051949123100XX", ""]
)
def test_a_resident_id_with_a_wrong_check_digit_or_shape_fails(number):
    assert not documents.resident_id_checksum_ok(number)


def test_the_birth_date_must_be_a_real_past_date():
    assert documents.resident_id_birth_date("11010519491231002X").isoformat() == "1949-12-31"
    assert documents.resident_id_birth_date("110105194902300010") is None  # 30 February
    assert documents.resident_id_birth_date("110105299901010010") is None  # in the future


@pytest.mark.parametrize("code", ["91350100M000100Y43", "9111000071093123XX"[:17] + "0"])
def test_unified_social_credit_codes_follow_gb_32100(code):
    expected = code == "91350100M000100Y43"
    assert documents.credit_code_checksum_ok(code) is expected


def test_a_masked_number_keeps_only_its_ends():
    assert documents.mask("11010519491231002X") == "110***********002X"


def test_fingerprints_match_equal_numbers_and_depend_on_the_key():
    a = documents.fingerprint("11010519491231002x", b"k1")
    assert a == documents.fingerprint(" 11010519491231002X ", b"k1")
    assert a != documents.fingerprint("11010519491231002X", b"k2")
    assert "11010519491231002X" not in a


@pytest.mark.parametrize("code", ["91330100716105852F", "9144030071526726XG", "91110000802100433B"])
def test_published_credit_codes_pass_gb_32100(code):
    assert documents.credit_code_checksum_ok(code)


@pytest.mark.parametrize("code", ["91330100716105852G", "9144030071526726X", "91330100716105852I"])
def test_a_credit_code_with_a_wrong_check_character_or_shape_fails(code):
    assert not documents.credit_code_checksum_ok(code)


@pytest.mark.parametrize(
    ("document_type", "number"),
    [
        ("resident_id", "11010519491231002X"),
        ("hk_macau_permit", "H12345678"),
        ("hk_macau_permit", "M1234567890"),
        ("hk_macau_permit", "810000199001010018"),
        ("taiwan_permit", "12345678"),
        ("taiwan_permit", "1234567890B"),
        ("taiwan_permit", "830000199001010016"),
        ("passport", "E12345678"),
        ("passport", "EA1234567"),
        ("passport", "x1234567"),
    ],
)
def test_each_individual_document_type_accepts_its_own_shape(document_type, number):
    assert documents.format_ok(document_type, number)


@pytest.mark.parametrize(
    ("document_type", "number"),
    [
        ("resident_id", "1101051949123100"),
        ("hk_macau_permit", "A12345678"),
        ("hk_macau_permit", "H1234567"),
        ("taiwan_permit", "1234567"),
        ("taiwan_permit", "H12345678"),
        ("passport", "ABCDEFGH"),
        ("passport", "E1"),
        ("driving_licence", "E12345678"),
    ],
)
def test_a_number_of_the_wrong_shape_or_an_unknown_type_is_refused(document_type, number):
    assert not documents.format_ok(document_type, number)


def test_a_resident_id_checksum_detects_a_single_wrong_digit():
    assert documents.resident_id_checksum_ok("11010519491231002X")
    assert not documents.resident_id_checksum_ok("11010519491231003X")
