"""Target URLs must be listings on the marketplace (CONTRACT.md, Complaints)."""

import pytest

from services.complaints.domain.targets import (
    MAX_TARGETS,
    InvalidTarget,
    parse_target,
    parse_targets,
)

HOSTS = ("kwaixiaodian.com", "kuaishou.com")


@pytest.mark.parametrize(
    ("url", "listing"),
    [
        ("https://www.kwaixiaodian.com/item/12345678", "12345678"),
        ("https://kuaishou.com/p?id=A1B2", "A1B2"),
        ("http://shop.kuaishou.com/detail?itemId=777&shopId=9", "777"),
        ("https://app.kwaixiaodian.com/a/123456/b/7654321", "7654321"),
    ],
)
def test_the_listing_id_comes_from_the_query_or_the_last_long_digit_run(url, listing):
    assert parse_target(url, HOSTS).listing_id == listing


@pytest.mark.parametrize(
    "url",
    [
        "ftp://kuaishou.com/item/1234567",
        "https://evil.com/item/1234567",
        "https://kuaishou.com.evil.com/1234567",
        "https://kuaishou.com/item/12345",
        "not a url",
    ],
)
def test_a_url_off_the_marketplace_or_without_a_listing_is_refused(url):
    with pytest.raises(InvalidTarget):
        parse_target(url, HOSTS)


def test_duplicate_listings_are_merged():
    targets = parse_targets(
        ["https://kuaishou.com/item/1234567", "https://www.kuaishou.com/x?id=1234567"], HOSTS
    )
    assert len(targets) == 1


def test_at_most_300_targets():
    urls = [f"https://kuaishou.com/item/{1000000 + i}" for i in range(MAX_TARGETS + 1)]
    assert len(parse_targets(urls[:-1], HOSTS)) == MAX_TARGETS
    with pytest.raises(ValueError):
        parse_targets(urls, HOSTS)


@pytest.mark.parametrize(
    ("url", "why"),
    [
        (
            "https://evil.example\\.kuaishou.com/item/1234567",
            "contains quotes or backslashes",
        ),  # a browser: evil.example
        ("https:\\\\evil.example/item/1234567", "contains quotes or backslashes"),
        ("https:\\\\kuaishou.com/item/1234567", "contains quotes or backslashes"),
        ("https://evil.example\\t.kuaishou.com/item/1234567", "contains quotes or backslashes"),
        (
            "https://evil.example\t.kuaishou.com/item/1234567",
            "contains spaces or control characters",
        ),
        (
            "https://evil.example\n.kuaishou.com/item/1234567",
            "contains spaces or control characters",
        ),
        (
            "https://kuaishou.com@evil.example/item/1234567",
            "contains a user name or password (user@)",
        ),
        ("https://user:pw@kuaishou.com/item/1234567", "contains a user name or password (user@)"),
        ("https://evil.example%2f.kuaishou.com/item/1234567", "has a percent-encoded host"),
        ("https://kuaishou%2Ecom/item/1234567", "has a percent-encoded host"),
        (
            "https://evil.example．kuaishou.com/item/1234567",
            "a browser reads its host as evil.example.kuaishou.com",
        ),
        ("https://kuaishou．com/item/1234567", "a browser reads its host as kuaishou.com"),
        ("https://ｋｕａｉｓｈｏｕ.com/item/1234567", "a browser reads its host as kuaishou.com"),
        (
            "https://kuaishou.com:8443/item/1234567",
            "names a port: marketplace listings use the default one",
        ),
        (
            "https://127.0.0.1/item/1234567",
            "has an IP address for a host, not the marketplace's name",
        ),
        ("https://0x7f.1/item/1234567", "has an IP address for a host, not the marketplace's name"),
        ("https://[::1]/item/1234567", "has an IP address for a host, not the marketplace's name"),
        (
            "https:kuaishou.com/item/1234567",
            "not an http(s) URL",
        ),  # a browser would open it; Python sees no host
        ("https:///kuaishou.com/item/1234567", "not an http(s) URL"),
    ],
)
def test_a_url_a_browser_could_read_differently_is_refused_with_its_reason(url, why):
    with pytest.raises(InvalidTarget) as invalid:
        parse_target(url, HOSTS)
    assert invalid.value.why == why


@pytest.mark.parametrize(
    ("url", "stored"),
    [
        ("HTTPS://KuaiShou.com:443/item/1234567#top", "https://kuaishou.com/item/1234567"),
        ("https://商店.kuaishou.com/item/1234567", "https://xn--czrs0t.kuaishou.com/item/1234567"),
        (
            "https://kuaishou.com/a/../item/1234567?q=商品",
            "https://kuaishou.com/item/1234567?q=商品",
        ),
        (
            "https://kuaishou.com/item/1234567?q=%E2%80%8B",
            "https://kuaishou.com/item/1234567?q=%E2%80%8B",
        ),
    ],
)
def test_what_is_stored_is_where_a_browser_goes(url, stored):
    from ada_url import URL

    target = parse_target(url, HOSTS)
    assert target.url == stored
    assert (
        URL(target.url).href == URL(url).href.split("#")[0]
    )  # a browser given the stored text goes there


@pytest.mark.parametrize(
    "url",
    [
        "https://kuaishou.com@evil.example/item/1234567",
        "https://evil.example%2f.kuaishou.com/item/1234567",
        "https://evil.example．kuaishou.com/item/1234567",
    ],
)
def test_filing_an_ambiguous_target_is_a_422_naming_the_row_and_the_reason(complaints, url):
    auth, right = complaints.holder(1)
    body = complaints.body(right, ["https://www.kwaixiaodian.com/item/10000001", url])

    response = complaints.http.post("/v1/complaints", json=body, headers=auth)

    assert (response.status_code, response.json()["error"]["code"]) == (422, "INVALID_TARGET")
    assert (
        response.json()["error"]["details"]["row"] == 2
        and response.json()["error"]["details"]["reason"]
    )
    assert complaints.http.get("/v1/complaints", headers=auth).json() == []
