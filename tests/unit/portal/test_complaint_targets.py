"""Pasted URLs and a CSV file together: the file is read as the complaints API reads it (the
contract's format)."""

from __future__ import annotations

from services.portal.entrypoints.complaints import target_urls


def test_a_csv_with_a_url_column_adds_its_urls_and_not_its_header():
    csv = b"name,url\nshoe,https://mall.example/item/2\n,\nbag,https://mall.example/item/3\n"
    assert target_urls("https://mall.example/item/1\n", csv) == [
        "https://mall.example/item/1",
        "https://mall.example/item/2",
        "https://mall.example/item/3",
    ]


def test_a_file_that_is_no_utf8_csv_is_left_to_the_api_to_refuse():
    assert target_urls("https://mall.example/item/1", b"\xff\xfe\x00bad") is None
