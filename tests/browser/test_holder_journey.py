"""The seed's journey through the portal's pages, in Chromium, on the platform in auto review mode:
register, bind the email, identity, a trademark, a complaint, and the verdict "投诉成立"."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.browser import pages
from tests.browser.conftest import Person
from tests.conftest import Platform


def portal_of(platform: Platform) -> str:
    return platform.env["IPP_PORTAL_URL"]


def test_a_holder_files_a_complaint_through_the_pages_and_sees_it_upheld(
    platform: Platform, page: Page, person: Person, shoot: Callable
) -> None:
    portal = portal_of(platform)
    pages.register(page, portal, person.phone, person.password)
    expect(page.locator("#phone-masked")).not_to_contain_text(person.phone)
    shoot(page, "02-bind-email")
    pages.bind_email(page, person.email)

    expect(page).to_have_url(f"{portal}/identity")
    shoot(page, "03-identity-form")
    pages.submit_identity(page, "张三", person.id_number)
    expect(page.locator("#identity-card .status")).to_have_text("提交成功")
    assert person.id_number not in page.content()  # only the masked number is shown
    assert pages.image_shown(
        page.locator("#party-holder li", has_text="证件正面")
    )  # the upload, shown back
    shoot(page, "04-identity-submitted")

    pages.add_trademark(page, portal, "快手好物", "张三")
    expect(page).to_have_url(f"{portal}/rights")
    row = page.locator("#rights tbody tr").first
    expect(row).to_contain_text("快手好物")
    expect(row.locator(".status")).to_have_text("提交成功")
    shoot(page, "05-my-rights")

    row.get_by_role("link", name="投诉").click()
    shoot(page, "06-file-complaint")
    pages.file_complaint(
        page, [pages.LISTING.format(n=123456789), pages.LISTING.format(n=987654321)]
    )
    expect(page).to_have_url(re.compile(r"/complaints/[0-9a-f-]{36}$"))
    pages.reload_until(page, "h1 + p .status", "投诉成立")
    expect(page.locator("#reviews [data-material=identity]")).to_contain_text("通过")
    expect(page.locator("#reviews [data-material=right]")).to_contain_text("通过")
    expect(page.locator("#targets tbody tr")).to_have_count(2)
    expect(page.locator("#targets")).to_contain_text("下架")
    expect(page.locator("#timeline li").first).to_contain_text("投诉已提交")
    assert pages.image_shown(page.locator("#complaint-evidence li").first)
    shoot(page, "07-complaint-upheld")

    page.get_by_role("link", name="投诉维权-我的投诉").click()
    expect(page.locator("#complaints tbody tr").first.locator(".status")).to_have_text("投诉成立")
    shoot(page, "08-my-complaints")
    page.goto(f"{portal}/rights")
    expect(page.locator("#rights tbody tr").first.locator(".status")).to_have_text("审核通过")


def test_a_wrong_password_is_explained_next_to_the_field(
    platform: Platform, page: Page, person: Person, shoot: Callable
) -> None:
    portal = portal_of(platform)
    pages.register(page, portal, person.phone, person.password)
    page.context.clear_cookies()
    pages.sign_in(page, portal, person.phone, "not the password")
    expect(page.locator("#e-password")).to_have_text("账号或密码错误。")
    expect(page.get_by_label("密码")).to_have_attribute("aria-invalid", "true")
    shoot(page, "01-sign-in-error")


def test_a_listing_off_the_marketplace_is_refused_next_to_the_targets(
    platform: Platform, page: Page, person: Person
) -> None:
    portal = portal_of(platform)
    pages.register(page, portal, person.phone, person.password)
    pages.bind_email(page, person.email)
    pages.submit_identity(page, "李四", person.id_number)
    pages.add_trademark(page, portal, "好物优选", "李四")
    page.locator("#rights tbody tr").first.get_by_role("link", name="投诉").click()
    pages.file_complaint(page, ["https://example.com/item/12345678"])
    expect(page.locator("#e-targets")).to_contain_text("链接须为快手")


def test_targets_come_from_a_csv_file_and_a_bad_row_is_named(
    platform: Platform, page: Page, person: Person, shoot: Callable
) -> None:
    portal = portal_of(platform)
    pages.register(page, portal, person.phone, person.password)
    pages.bind_email(page, person.email)
    pages.submit_identity(page, "赵六", person.id_number)
    pages.add_trademark(page, portal, "赵氏好物", "赵六")
    page.locator("#rights tbody tr").first.get_by_role("link", name="投诉").click()
    bad = f"url\n{pages.LISTING.format(n=111222333)}\nhttps://example.com/item/12345678\n"
    page.get_by_label("或上传 CSV").set_input_files(
        {"name": "targets.csv", "mimeType": "text/csv", "buffer": bad.encode()}
    )
    page.get_by_role("button", name="发起投诉").click()
    expect(page.locator("#e-targets_csv")).to_contain_text("CSV 第 3 行")
    shoot(page, "12-complaint-csv-error")

    good = f"url\n{pages.LISTING.format(n=111222333)}\n{pages.LISTING.format(n=444555666)}\n"
    page.get_by_label("或上传 CSV").set_input_files(
        {"name": "targets.csv", "mimeType": "text/csv", "buffer": good.encode()}
    )
    page.get_by_role("button", name="发起投诉").click()
    expect(page).to_have_url(re.compile(r"/complaints/[0-9a-f-]{36}$"))
    expect(page.locator("#targets tbody tr")).to_have_count(2)
