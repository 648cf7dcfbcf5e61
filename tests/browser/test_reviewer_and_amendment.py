"""On the platform in manual review mode: a reviewer rejects a right in the console, with a
reason code and a statement; the holder sees the reason in "我的权利认证" and amends the right,
which is submitted again."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable

from playwright.sync_api import Browser, Page, expect

from deploy.stack import REPO
from tests.browser import pages
from tests.browser.conftest import Person
from tests.conftest import Platform

STATEMENT = "证书图片模糊，无法辨认注册号，请重新上传清晰的商标注册证。"


def create_reviewer(platform: Platform, phone: str, password: str) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "services.cli",
            "reviewer",
            "create",
            "--phone",
            phone,
            "--password",
            password,
        ],
        env={**os.environ, **platform.env},
        cwd=REPO,
        check=True,
        capture_output=True,
        timeout=60,
    )


def holder_files_a_complaint(page: Page, portal: str, person: Person) -> str:
    """Through the pages: register … complaint; the right's id."""
    pages.register(page, portal, person.phone, person.password)
    pages.bind_email(page, person.email)
    pages.submit_identity(page, "王五", person.id_number)
    pages.add_trademark(page, portal, "山河好物", "王五")
    row = page.locator("#rights tbody tr").first
    right_id = row.get_attribute("data-right-id")
    row.get_by_role("link", name="投诉").click()
    pages.file_complaint(page, [pages.LISTING.format(n=555666777)])
    return str(right_id)


def reviewer_sees_the_materials(console: Page, person: Person) -> None:
    """What the reviewer decides on: the identity's parties (number masked) with the card photos
    shown, and the right's fields with its mark image shown and its certificate one click away;
    each task's deadline."""
    identity = console.locator("#queue-identity article").first
    expect(identity.locator(".party-name")).to_have_text("王五")
    expect(identity).not_to_contain_text(person.id_number)
    expect(identity).to_contain_text(person.id_number[:3])
    for side in ("证件正面", "证件反面"):
        assert pages.image_shown(pages.previewed(identity, side))
    expect(identity.locator(".task-deadline")).to_have_attribute(
        "datetime", re.compile(r"^\d{4}-\d\d-\d\dT")
    )

    right = console.locator("#queue-right article").first
    expect(right.locator(".right-title")).to_have_text("山河好物")
    expect(right.locator(".right-holder")).to_have_text("王五")
    expect(right.locator(".identity-holder")).to_contain_text(
        "王五"
    )  # the holder the identity proves
    assert pages.image_shown(pages.previewed(right, "商标图样"))
    certificate = pages.previewed(right, "注册证").locator("a.open-document").get_attribute("href")
    opened = console.request.get(console.url.split("/reviews")[0] + str(certificate))
    assert opened.ok and opened.headers["content-type"] == "application/pdf"
    assert opened.body().startswith(pages.PDF)


def test_a_reviewer_rejects_a_right_and_the_holder_amends_it(
    manual_platform: Platform, browser: Browser, page: Page, person: Person, shoot: Callable
) -> None:
    portal = manual_platform.env["IPP_PORTAL_URL"]
    right_id = holder_files_a_complaint(page, portal, person)
    reviewer = Person()
    create_reviewer(manual_platform, reviewer.phone, reviewer.password)

    console = browser.new_context(
        viewport={"width": 1100, "height": 900}, locale="zh-CN"
    ).new_page()
    pages.sign_in(console, portal, reviewer.phone, reviewer.password)
    expect(console).to_have_url(f"{portal}/reviews")
    task = console.locator(f"#queue-right [data-material-id='{right_id}']")
    pages.reload_until(console, "#queue-right", right_id[:8])
    task.get_by_role("button", name="领取").click()
    expect(task).to_contain_text("已领取")
    task.get_by_label("驳回", exact=True).check()
    task.get_by_label("驳回原因").select_option("CERTIFICATE_ILLEGIBLE")
    task.get_by_label("说明（申诉人可见）").fill(STATEMENT)
    reviewer_sees_the_materials(console, person)
    shoot(console, "09-reviewer-console", task)
    task.get_by_role("button", name="提交审核结论").click()
    expect(console.locator(f"#queue-right [data-material-id='{right_id}']")).to_have_count(0)
    console.context.close()

    page.goto(f"{portal}/rights")
    pages.reload_until(page, f"[data-right-id='{right_id}'] .status", "审核驳回")
    page.locator(f"[data-right-id='{right_id}']").get_by_role("link", name="编辑").click()
    expect(page.locator("#right-reasons")).to_contain_text(STATEMENT)
    expect(page.locator("#right-reasons")).to_contain_text("CERTIFICATE_ILLEGIBLE")
    shoot(page, "10-right-rejected-amend")
    page.get_by_label("权利名称").fill("山河好物（修订）")
    page.get_by_label("权利证书").set_input_files(
        {
            "name": "clear.pdf",
            "mimeType": "application/pdf",
            "buffer": pages.PDF + b"a legible certificate",
        }
    )
    page.get_by_role("button", name="重新提交").click()

    expect(page).to_have_url(f"{portal}/rights")
    row = page.locator(f"[data-right-id='{right_id}']")
    expect(row).to_contain_text("山河好物（修订）")
    expect(row.locator(".status")).to_have_text("提交成功")
    page.goto(f"{portal}/rights/{right_id}")
    expect(page.locator("#right-card")).to_contain_text("版本 2")
    expect(page.locator("#right-form")).to_have_count(
        0
    )  # submitted again: locked until the next review


def test_a_holder_cannot_open_the_reviewer_console(
    manual_platform: Platform, page: Page, person: Person
) -> None:
    portal = manual_platform.env["IPP_PORTAL_URL"]
    pages.register(page, portal, person.phone, person.password)
    page.goto(f"{portal}/reviews")
    expect(page.get_by_role("alert")).to_have_text("您没有权限执行此操作。")
