"""On the platform in manual review mode: a squatter registers someone else's resident ID; the real
owner is refused, follows the refusal's link to a dispute with evidence, a reviewer upholds it in
the console beside the squatter's identity, and the owner's identity submission then goes through
(the squatter's is rejected)."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Browser, Page, expect

from tests.browser import pages
from tests.browser.conftest import Person
from tests.browser.test_reviewer_and_amendment import create_reviewer
from tests.conftest import Platform

STATEMENT = "该身份证是我本人的，号码 {number} 被他人冒用认证。附手持身份证照片和户口簿。"
DECISION = "手持证件照片与证件一致，证件号归申诉人所有。"


def test_a_real_owner_disputes_a_squatted_number_and_a_reviewer_gives_it_back(
    manual_platform: Platform, browser: Browser, page: Page, person: Person, shoot: Callable
) -> None:
    portal = manual_platform.env["IPP_PORTAL_URL"]
    squatter = Person()
    squatting = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN"
    ).new_page()
    pages.register(squatting, portal, squatter.phone, squatter.password)
    pages.bind_email(squatting, squatter.email)
    pages.submit_identity(squatting, "冒用者", person.id_number)  # the owner's number
    expect(squatting.locator("#identity-card .status")).to_have_text("提交成功")

    pages.register(page, portal, person.phone, person.password)
    pages.bind_email(page, person.email)
    pages.submit_identity(page, "王五", person.id_number)
    refusal = page.locator("#e-id_number")
    expect(refusal).to_contain_text("该证件已被认证")
    assert person.id_number not in page.content()
    refusal.get_by_role("link", name="这是您本人的证件？发起申诉").click()
    expect(page).to_have_url(f"{portal}/identities/disputes/new?document_type=resident_id")
    expect(page.get_by_label("证件类型")).to_have_value("resident_id")
    shoot(page, "17-dispute-form")
    pages.dispute_number(
        page,
        person.id_number,
        STATEMENT.format(number=person.id_number),
        ["holding-the-card.png", "household-register.png"],
    )
    expect(page).to_have_url(f"{portal}/identities/disputes?submitted=1")
    expect(page.locator("#disputes tbody tr").first.locator(".status")).to_have_text("待审核")
    assert person.id_number not in page.content()

    reviewer = Person()
    create_reviewer(manual_platform, reviewer.phone, reviewer.password)
    console = browser.new_context(
        viewport={"width": 1100, "height": 900}, locale="zh-CN"
    ).new_page()
    pages.sign_in(console, portal, reviewer.phone, reviewer.password)
    expect(console).to_have_url(f"{portal}/reviews")
    selector = "#queue-identity article[data-material-type='identity_dispute']"
    pages.reload_until_present(console, selector)
    task = console.locator(selector).first
    expect(task.locator(".dispute-statement")).to_contain_text("被他人冒用认证")
    expect(task).not_to_contain_text(
        person.id_number
    )  # the statement's number masked, like the parties'
    expect(task.locator(".holding-identity .party-name")).to_have_text("冒用者")
    assert pages.image_shown(pages.previewed(task, "申诉证据").first)
    assert pages.image_shown(pages.previewed(task.locator(".holding-identity"), "证件正面"))
    task.get_by_role("button", name="领取").click()
    expect(task).to_contain_text("已领取")
    task.get_by_label("支持申诉（释放证件号）").check()
    task.get_by_label("审核原因").select_option("OWNERSHIP_SHOWN")
    task.get_by_label("说明（申诉人可见）").fill(DECISION)
    shoot(console, "18-reviewer-console-dispute", task)
    task.get_by_role("button", name="提交审核结论").click()
    expect(console.locator(selector)).to_have_count(0)
    console.context.close()

    page.goto(f"{portal}/identities/disputes")
    pages.reload_until(page, "#disputes tbody tr .status", "申诉成立")
    expect(page.locator("#disputes tbody tr").first).to_contain_text(DECISION)
    page.goto(f"{portal}/identity")
    pages.submit_identity(page, "王五", person.id_number)
    expect(page.locator("#identity-card .status")).to_have_text("提交成功")
    expect(page.locator("#party-holder")).to_contain_text("王五")

    squatting.goto(f"{portal}/identity")
    expect(squatting.locator("#identity-card .status")).to_have_text("审核驳回")
    expect(squatting.locator("#identity-reasons")).to_contain_text("DOCUMENT_DISPUTED")
    squatting.context.close()
