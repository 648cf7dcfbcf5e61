"""The language switch (Simplified Chinese by default, English on request, remembered) and the QR
sign-in that the marketplace app confirms while the page polls."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Person
from tests.conftest import Platform


def test_pages_are_in_chinese_until_english_is_chosen_and_the_choice_is_kept(
    platform: Platform, page: Page, shoot: Callable
) -> None:
    portal = platform.env["IPP_PORTAL_URL"]
    page.goto(f"{portal}/signin")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("heading", level=1)).to_have_text("登录")

    page.locator("#lang-switch").click()
    expect(page).to_have_url(f"{portal}/signin")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.get_by_label("Phone or email").fill("13000000000")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#e-password")).to_have_text("The login or password is wrong.")
    shoot(page, "11-sign-in-english")
    page.goto(f"{portal}/register")
    expect(page.get_by_role("heading", level=1)).to_have_text("Register")

    page.locator("#lang-switch").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("注册")


def test_the_qr_code_signs_in_the_page_that_shows_it_and_not_an_onlooker_who_copies_it(
    platform: Platform, browser: Browser, page: Page, person: Person, shoot: Callable
) -> None:
    portal = platform.env["IPP_PORTAL_URL"]
    app = platform.client()  # the marketplace app, already signed in
    app.register(person.phone, person.password)
    page.goto(f"{portal}/signin")
    page.get_by_role("link", name="扫码登录").click()
    image = page.get_by_role("img", name="登录二维码")
    expect(image).to_be_visible()
    page.wait_for_function(
        "() => document.getElementById('qr').complete && document.getElementById('qr').naturalWidth"
    )
    shoot(page, "00-sign-in-qr")
    ticket = str(image.get_attribute("src")).split("/")[2]
    assert ticket not in {
        c["value"] for c in page.context.cookies()
    }  # the cookie holds another secret

    # an onlooker copies the ticket (it is in the QR code) and polls for the session while the page
    # waits; its cookie holds the ticket, which is what used to collect the session
    page.route("**/qr/*/status", lambda route: route.abort())
    onlooker = browser.new_context()
    onlooker.add_cookies([{"name": "ipp_qr", "value": ticket, "url": portal}])
    app.call("POST", f"{app.urls.identity}/v1/qr-logins/{ticket}/confirm")
    for _ in range(3):
        polled = onlooker.request.get(f"{portal}/qr/{ticket}/status")
        assert polled.ok and polled.json()["status"] == "confirmed"
        assert "ipp_session" not in {c["name"] for c in onlooker.cookies()}
    onlooker.close()

    page.unroute("**/qr/*/status")
    expect(page).to_have_url(f"{portal}/email", timeout=15_000)  # signed in; no email bound yet
    expect(page.locator("#phone-masked")).not_to_contain_text(person.phone)
