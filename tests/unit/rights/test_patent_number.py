"""The CNIPA patent number check digit: digits weighted 2,3,4,5,6,7,8,9,2,3,4,5,
sum mod 11, 10 is X.

Vectors: the standard's own example 200310102344.5, and granted patents as their holders publish
them: ZL201811564288.X (an invention; its check digit is X), ZL201510958772.0 (check digit 0),
ZL202322865413.3 (a utility model), ZL200510096239.4.
"""

import pytest

from services.rights.domain import patent_number

REAL = [
    "200310102344.5",
    "ZL201811564288.X",
    "ZL201510958772.0",
    "ZL202322865413.3",
    "ZL200510096239.4",
]


@pytest.mark.parametrize("number", REAL)
def test_real_patent_numbers_pass_their_check_digit(number):
    assert patent_number.is_valid(number)


def test_the_check_digit_is_the_weighted_sum_mod_11_with_x_for_10():
    # 2·2+0·3+0·4+3·5+1·6+0·7+1·8+0·9+2·2+3·3+4·4+4·5 = 82 = 7·11 + 5
    assert patent_number.check_digit("200310102344") == "5"
    assert patent_number.check_digit("201811564288") == "X"
    assert patent_number.check_digit("201510958772") == "0"


def test_the_issues_example_number_has_a_wrong_check_digit():
    # 2·2+0+2·4+0+1·6+0+1·8+2·9+3·2+4·3+5·4+6·5 = 112 = 10·11 + 2: the check digit is 2, not 7
    assert not patent_number.is_valid("ZL202010123456.7")
    assert patent_number.is_valid("ZL202010123456.2")


@pytest.mark.parametrize("number", ["ZL201811564288.0", "ZL201811564288.9", "ZL200310102344.4"])
def test_a_wrong_check_digit_fails(number):
    assert patent_number.parse(number) is not None and not patent_number.is_valid(number)


@pytest.mark.parametrize(
    "number", ["ZL2018115642881.X", "ZL20181156428.X", "ZL2018115A4288.X", "", "12345678"]
)
def test_a_number_of_the_wrong_shape_is_not_parsed(number):
    assert patent_number.parse(number) is None and not patent_number.is_valid(number)


def test_spacing_the_prefix_and_a_lowercase_x_are_tolerated():
    assert patent_number.is_valid("ZL 2018 1 1564288.x") and patent_number.is_valid("201811564288X")


def test_the_number_says_its_year_and_kind():
    invention, utility, pct = (
        patent_number.parse(n) for n in ("ZL201811564288.X", "ZL202322865413.3", "ZL201780012345.0")
    )
    assert (invention.year, invention.kind) == (2018, "invention")
    assert (utility.year, utility.kind) == (2023, "utility_model")
    assert pct.kind == "invention" and str(invention) == "ZL201811564288.X"
