"""Target URLs must be listings on the marketplace (CONTRACT.md, Complaints)."""

import pytest

from services.complaints.domain.targets import MAX_TARGETS, InvalidTarget, parse_target, parse_targets

HOSTS = ("kwaixiaodian.com", "kuaishou.com")


@pytest.mark.parametrize(("url", "listing"), [
    ("https://www.kwaixiaodian.com/item/12345678", "12345678"),
    ("https://kuaishou.com/p?id=A1B2", "A1B2"),
    ("http://shop.kuaishou.com/detail?itemId=777&shopId=9", "777"),
    ("https://app.kwaixiaodian.com/a/123456/b/7654321", "7654321"),
])
def test_the_listing_id_comes_from_the_query_or_the_last_long_digit_run(url, listing):
    assert parse_target(url, HOSTS).listing_id == listing


@pytest.mark.parametrize("url", [
    "ftp://kuaishou.com/item/1234567", "https://evil.com/item/1234567", "https://kuaishou.com.evil.com/1234567",
    "https://kuaishou.com/item/12345", "not a url",
])
def test_a_url_off_the_marketplace_or_without_a_listing_is_refused(url):
    with pytest.raises(InvalidTarget):
        parse_target(url, HOSTS)


def test_duplicate_listings_are_merged():
    targets = parse_targets(["https://kuaishou.com/item/1234567", "https://www.kuaishou.com/x?id=1234567"], HOSTS)
    assert len(targets) == 1


def test_at_most_300_targets():
    urls = [f"https://kuaishou.com/item/{1000000 + i}" for i in range(MAX_TARGETS + 1)]
    assert len(parse_targets(urls[:-1], HOSTS)) == MAX_TARGETS
    with pytest.raises(ValueError):
        parse_targets(urls, HOSTS)
