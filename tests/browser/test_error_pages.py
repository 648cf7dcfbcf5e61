"""Against the real services, in Chromium: a forged session cookie goes back to sign-in,
signing in returns to the page that was asked for, and a complaint that is not the account's is
the "not found" page."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.browser.conftest import Person
from tests.conftest import Platform


def test_a_forged_session_signs_in_again_and_returns_to_a_page_that_is_not_found(
    platform: Platform, page: Page, person: Person, shoot: Callable
) -> None:
    portal = platform.env["IPP_PORTAL_URL"]
    platform.client().register(person.phone, person.password)
    page.goto(f"{portal}/signin")  # the browser's session id and CSRF cookie
    page.context.add_cookies(
        [
            {
                "name": "ipp_session",
                "value": "forged.eyJyb2xlcyI6WyJob2xkZXIiXX0.token",
                "url": portal,
            }
        ]
    )
    # nobody's: the complaints service answers as for someone else's
    wanted = f"/complaints/{uuid.uuid4()}"

    page.goto(f"{portal}{wanted}")
    expect(page).to_have_url(f"{portal}/signin?next=%2Fcomplaints%2F{wanted.rsplit('/', 1)[1]}")
    assert not [
        c for c in page.context.cookies() if c["name"] == "ipp_session"
    ]  # the forged one is gone

    page.get_by_label("手机号或邮箱").fill(
        person.phone
    )  # on the sign-in page the portal sent the browser to
    page.get_by_label("密码").fill(person.password)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{portal}{wanted}")
    expect(page.get_by_role("heading", level=1)).to_have_text("页面不存在")
    expect(page.locator("#error-back")).to_have_attribute("href", "/complaints")
    shoot(page, "40-not-found")
