"""What a user does on the portal's pages, step by step, as a browser does it
(labels, not CSS paths)."""

from __future__ import annotations

import time

from playwright.sync_api import Locator, Page, expect

from deploy.client import PDF, PNG

LISTING = "https://www.kwaixiaodian.com/item?id={n}"


def png(name: str) -> dict:
    return {"name": name, "mimeType": "image/png", "buffer": PNG + name.encode()}


def register(page: Page, portal: str, phone: str, password: str) -> None:
    page.goto(f"{portal}/register")
    page.locator("#sms-code-form").get_by_label("手机号").fill(phone)
    page.get_by_role("button", name="获取验证码").click()
    expect(page.get_by_role("status")).to_contain_text("验证码已发送")
    page.get_by_label("短信验证码").fill("000000")
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="注册").click()
    expect(page).to_have_url(f"{portal}/email")


def sign_in(page: Page, portal: str, login: str, password: str) -> None:
    page.goto(f"{portal}/signin")
    page.get_by_label("手机号或邮箱").fill(login)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def bind_email(page: Page, email: str) -> None:
    page.get_by_label("邮箱", exact=True).fill(email)
    page.get_by_role("button", name="获取验证码").click()
    expect(page.get_by_role("status")).to_contain_text("验证码已发送")
    page.get_by_label("邮箱验证码").fill("000000")
    page.get_by_role("button", name="绑定").click()


def submit_identity(page: Page, name: str, id_number: str) -> None:
    page.get_by_label("姓名/名称").fill(name)
    page.get_by_label("证件号码").fill(id_number)
    page.get_by_label("证件正面照片").set_input_files(png("front.png"))
    page.get_by_label("证件反面照片").set_input_files(png("back.png"))
    page.get_by_role("button", name="提交").click()


def dispute_number(page: Page, id_number: str, statement: str, evidence: list[str]) -> None:
    """On the dispute form (证件号申诉): the number again (it is never carried in the link), why it
    is the disputer's, and the evidence files, chosen at once."""
    page.get_by_label("证件号码").fill(id_number)
    page.get_by_label("申诉说明").fill(statement)
    page.get_by_label("证据材料").set_input_files([png(name) for name in evidence])
    page.get_by_role("button", name="提交申诉").click()


def add_trademark(
    page: Page, portal: str, title: str, holder: str, nice_classes: str = "25, 35"
) -> None:
    page.goto(f"{portal}/rights/new")
    page.get_by_label("权利名称").fill(title)
    page.get_by_label("注册号/登记号").fill("12345678")
    page.get_by_label("权利人名称").fill(holder)
    page.get_by_label("有效期起").fill("2020-01-01")
    page.get_by_label("有效期至（可空）").fill("2034-12-31")
    page.get_by_label("注册人").fill(holder)
    page.get_by_label("尼斯分类").fill(nice_classes)
    page.get_by_label("指定商品/服务").fill(
        "\n".join(f"{c.strip()}: 服装, 鞋" for c in nice_classes.split(","))
    )
    page.get_by_label("商标图样").set_input_files(png("mark.png"))
    page.get_by_label("权利证书").set_input_files(
        {"name": "certificate.pdf", "mimeType": "application/pdf", "buffer": PDF + title.encode()}
    )
    page.get_by_role("button", name="提交").click()


def file_complaint(page: Page, targets: list[str]) -> None:
    page.get_by_label("侵权链接（每行一个）").fill("\n".join(targets))
    page.get_by_label("投诉说明").fill("这些商品假冒我们的注册商标，请下架。")
    page.get_by_label("证据材料").set_input_files(png("evidence.png"))
    page.get_by_role("button", name="发起投诉").click()


def reload_until(page: Page, selector: str, text: str, timeout: float = 90.0) -> None:
    """Reload the page until `selector` shows `text` (the platform decides asynchronously)."""
    deadline = time.monotonic() + timeout
    while text not in (page.locator(selector).first.text_content() or ""):
        assert time.monotonic() < deadline, f"{selector} never showed {text!r}"
        time.sleep(0.5)
        page.reload()


def reload_until_present(page: Page, selector: str, timeout: float = 90.0) -> None:
    """Reload the page until an element matches `selector`."""
    deadline = time.monotonic() + timeout
    while page.locator(selector).count() == 0:
        assert time.monotonic() < deadline, f"{selector} never appeared"
        time.sleep(0.5)
        page.reload()


def previewed(task: Locator, purpose: str) -> Locator:
    """A document's preview in a reviewer console task, by its purpose's label."""
    return task.locator("figure.preview").filter(
        has=task.page.locator(".doc-purpose", has_text=purpose)
    )


def image_shown(where: Locator) -> bool:
    """The image in `where` is visible and decoded: the bytes uploaded came back
    through the portal."""
    where.scroll_into_view_if_needed()
    image = where.locator("img")
    expect(image).to_be_visible()
    width = image.evaluate("""img => img.complete ? img.naturalWidth : new Promise(done => {
        img.addEventListener("load", () => done(img.naturalWidth));
        img.addEventListener("error", () => done(-1)); })""")
    return width > 0
