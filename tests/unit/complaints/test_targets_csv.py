"""Targets uploaded as CSV: a `url` column or the first column, UTF-8 with or without
BOM, rows numbered."""

import pytest

from services.complaints.domain.targets import InvalidTarget, parse_rows
from shared.events.targets_csv import UnreadableCsv, csv_rows

HOSTS = ("kwaixiaodian.com", "kuaishou.com")


def test_a_header_row_names_the_url_column_and_rows_keep_their_line_numbers():
    content = "\ufeffshop,URL\n甲,https://kuaishou.com/item/1234567\n\n乙,https://kuaishou.com/item/7654321\n"
    assert csv_rows(content.encode()) == [
        (2, "https://kuaishou.com/item/1234567"),
        (4, "https://kuaishou.com/item/7654321"),
    ]


def test_without_a_header_the_first_column_is_the_url():
    assert csv_rows(b"https://kuaishou.com/item/1234567,note\n") == [
        (1, "https://kuaishou.com/item/1234567")
    ]


def test_an_empty_file_has_no_rows():
    assert csv_rows(b"") == [] and csv_rows(b"url\n") == []


def test_a_file_that_is_not_utf8_is_unreadable():
    with pytest.raises(UnreadableCsv):
        csv_rows("url\nhttps://kuaishou.com/item/1234567".encode("gbk") + b"\xff\xfe")


def test_a_row_without_the_url_column_is_an_empty_target_named_by_its_row():
    rows = csv_rows(b"shop,url\nonly-shop\n")
    with pytest.raises(InvalidTarget) as invalid:
        parse_rows(rows, HOSTS)
    assert (invalid.value.row, invalid.value.why) == (2, "empty")
