"""On the platform in manual review mode (so nothing is decided behind the test's back): an agent's
identity with both parties, the reviewer console's material details, SMS-code sign-in, and
withdrawing a complaint that still waits for reviewers."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Browser, Page, expect

from tests.browser import pages
from tests.browser.conftest import Person
from tests.browser.test_reviewer_and_amendment import create_reviewer, holder_files_a_complaint
from tests.conftest import Platform

HOLDER_ONLY_LINKS = ("信息认证-身份认证", "新增权利认证", "我的权利认证", "投诉维权-我的投诉")


def masked_form(number: str) -> str:
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def test_an_agent_submits_an_identity_naming_both_parties(
    manual_platform: Platform, page: Page, person: Person, shoot: Callable
) -> None:
    portal = manual_platform.env["IPP_PORTAL_URL"]
    holder = Person()  # the right holder the agent acts for
    pages.register(page, portal, person.phone, person.password)
    pages.bind_email(page, person.email)
    expect(page).to_have_url(f"{portal}/identity")
    page.get_by_role("link", name="我是代理人").click()
    expect(page.locator("#fields-agent")).to_be_visible()

    holder_fields = page.locator("#fields-holder")
    holder_fields.get_by_label("姓名/名称").fill("钱七")
    holder_fields.get_by_label("证件号码").fill(holder.id_number)
    holder_fields.get_by_label("证件正面照片").set_input_files(pages.png("holder-front.png"))
    holder_fields.get_by_label("证件反面照片").set_input_files(pages.png("holder-back.png"))
    agent_fields = page.locator("#fields-agent")
    agent_fields.get_by_label("姓名/名称").fill("孙八")
    agent_fields.get_by_label("证件号码").fill(person.id_number)
    agent_fields.get_by_label("证件正面照片").set_input_files(pages.png("agent-front.png"))
    agent_fields.get_by_label("证件反面照片").set_input_files(pages.png("agent-back.png"))
    authorization = page.locator("#fields-authorization")
    authorization.get_by_label("授权委托书").set_input_files(
        {
            "name": "authorisation.pdf",
            "mimeType": "application/pdf",
            "buffer": pages.PDF + b"authorisation",
        }
    )
    authorization.get_by_label("全部权利类型").uncheck()
    authorization.get_by_label("商标权").check()
    authorization.get_by_label("授权起始日期").fill("2026-01-01")
    authorization.get_by_label("授权截止日期（可空）").fill("2028-12-31")
    shoot(page, "13-agent-identity-form")
    page.get_by_role("button", name="提交").click()

    expect(page.locator("#identity-card .status")).to_have_text("提交成功")
    expect(page.locator("#identity-role")).to_have_text("代理人")
    expect(page.locator("#party-holder")).to_contain_text("钱七")
    expect(page.locator("#party-agent")).to_contain_text("孙八")
    expect(page.locator("#party-holder .masked")).to_have_text(masked_form(holder.id_number))
    expect(page.locator("#party-agent .masked")).to_have_text(masked_form(person.id_number))
    expect(page.locator("#authorization")).to_contain_text("商标权")
    expect(page.locator("#authorization")).to_contain_text("2026-01-01")
    expect(page.locator("#authorization")).to_contain_text("2028-12-31")
    expect(page.locator("#authorization .documents")).to_contain_text("application/pdf")
    content = page.content()
    assert holder.id_number not in content and person.id_number not in content
    shoot(page, "14-agent-identity-submitted")


def test_an_agent_without_the_authorisation_is_told_next_to_the_field(
    manual_platform: Platform, page: Page, person: Person
) -> None:
    portal = manual_platform.env["IPP_PORTAL_URL"]
    pages.register(page, portal, person.phone, person.password)
    pages.bind_email(page, person.email)
    page.goto(f"{portal}/identity?role=agent")
    parties = (
        ("#fields-holder", "周九", Person().id_number),
        ("#fields-agent", "吴十", person.id_number),
    )
    for scope, name, number in parties:
        fields = page.locator(scope)
        fields.get_by_label("姓名/名称").fill(name)
        fields.get_by_label("证件号码").fill(number)
        fields.get_by_label("证件正面照片").set_input_files(pages.png("front.png"))
        fields.get_by_label("证件反面照片").set_input_files(pages.png("back.png"))
    page.locator("#f-authorization_document").evaluate("e => e.removeAttribute('required')")
    page.get_by_label("授权起始日期").fill("2026-01-01")
    page.get_by_role("button", name="提交").click()
    expect(page.locator("#e-authorization_document")).to_have_text("代理人须上传授权书。")
    expect(page.locator("#fields-agent")).to_be_visible()  # still the agent's form, names kept
    expect(page.locator("#fields-agent").get_by_label("姓名/名称")).to_have_value("吴十")


def test_the_console_shows_a_complaints_details_age_and_deadline(
    manual_platform: Platform, browser: Browser, page: Page, person: Person, shoot: Callable
) -> None:
    portal = manual_platform.env["IPP_PORTAL_URL"]
    right_id = holder_files_a_complaint(page, portal, person)
    expect(page).to_have_url(re.compile(r"/complaints/[0-9a-f-]{36}$"))
    complaint_id = page.url.rsplit("/", 1)[1]
    reviewer = Person()
    create_reviewer(manual_platform, reviewer.phone, reviewer.password)

    console = browser.new_context(
        viewport={"width": 1100, "height": 900}, locale="zh-CN"
    ).new_page()
    pages.sign_in(console, portal, reviewer.phone, reviewer.password)
    expect(console).to_have_url(f"{portal}/reviews")
    nav = console.locator("#main-nav")
    expect(nav.get_by_role("link", name="审核台")).to_be_visible()
    for name in HOLDER_ONLY_LINKS:
        expect(nav.get_by_role("link", name=name)).to_have_count(0)

    for queue, selector in (
        ("#queue-identity", f"[data-complaint-ids*='{complaint_id}']"),
        ("#queue-right", f"[data-material-id='{right_id}']"),
    ):
        pages.reload_until_present(console, f"{queue} {selector}")
        task = console.locator(f"{queue} {selector}")
        expect(task.locator(".task-age")).to_contain_text("分钟")
        expect(task.locator(".checks")).to_be_visible()
        task.get_by_role("button", name="提交审核结论").click()  # approve
        expect(console.locator(f"{queue} {selector}")).to_have_count(0)

    pages.reload_until(console, "#queue-complaint", complaint_id[:8])
    task = console.locator(f"#queue-complaint [data-material-id='{complaint_id}']")
    expect(task.locator(".complaint-description")).to_have_text(
        "这些商品假冒我们的注册商标，请下架。"
    )
    expect(task.locator(".complaint-targets")).to_contain_text(pages.LISTING.format(n=555666777))
    assert pages.image_shown(
        pages.previewed(task, "证据")
    )  # the evidence the complainant uploaded, shown
    expect(task.locator(".prior-reviews")).to_contain_text("身份审核: 通过")
    expect(task.locator(".prior-reviews")).to_contain_text("权利审核: 通过")
    expect(task.locator("[data-overdue]")).to_have_attribute("data-overdue", "false")
    expect(task.locator(".task-age")).to_contain_text("分钟")
    shoot(console, "16-reviewer-console-complaint")
    console.context.close()


def test_a_reviewer_signs_in_with_an_sms_code(manual_platform: Platform, page: Page) -> None:
    portal = manual_platform.env["IPP_PORTAL_URL"]
    reviewer = Person()
    create_reviewer(manual_platform, reviewer.phone, reviewer.password)
    page.goto(f"{portal}/signin")
    page.get_by_role("link", name="短信验证码登录").click()
    page.get_by_label("手机号").fill(reviewer.phone)
    page.get_by_role("button", name="获取验证码").click()
    expect(page.get_by_role("status")).to_contain_text("验证码已发送")
    page.get_by_label("短信验证码").fill("123456")
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.locator("#e-sms_code")).to_have_text("验证码错误或已过期。")
    page.get_by_label("短信验证码").fill("000000")
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page).to_have_url(f"{portal}/reviews")
    expect(page.get_by_role("heading", level=1)).to_have_text("审核台")


def test_a_holder_withdraws_a_complaint_still_waiting_for_reviewers(
    manual_platform: Platform, page: Page, person: Person, shoot: Callable
) -> None:
    portal = manual_platform.env["IPP_PORTAL_URL"]
    holder_files_a_complaint(page, portal, person)
    expect(page).to_have_url(re.compile(r"/complaints/[0-9a-f-]{36}$"))
    # once under review it waits for the identity and right reviewers: no review step
    # races the withdrawal
    pages.reload_until(page, "h1 + p .status", "审核中")
    page.get_by_role("button", name="撤回投诉").click()
    expect(page.locator("#form-error")).to_have_count(0)
    expect(page.locator("h1 + p .status")).to_have_text("已撤回")
    expect(page.locator("#timeline")).to_contain_text("投诉已撤回")
    expect(page.get_by_role("button", name="撤回投诉")).to_have_count(0)
    shoot(page, "15-complaint-withdrawn")
    page.get_by_role("link", name="投诉维权-我的投诉").click()
    expect(page.locator("#complaints tbody tr").first.locator(".status")).to_have_text("已撤回")
