"""Browser fixtures: Debian's headless Chromium driven by Playwright, one fresh context per
test, and screenshots of the pages under test-artifacts/screenshots/. Every context a test
opens is watched for Content Security Policy violations (Chromium reports each on the
console): a page that needs something the portal's CSP refuses fails its test, as it would be
broken for a real browser."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Locator,
    Page,
    sync_playwright,
)

from deploy.client import resident_id
from deploy.stack import REPO

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
FAILURES = REPO / "test-artifacts" / "failures"
PHONE_SIZE = {"width": 390, "height": 844}
_serial = itertools.count(random.randrange(500, 900) * 1000)
# also what the DOM says of a violation (e.g. one inside a frame): a script Playwright
# adds outside any CSP
REPORT_VIOLATIONS = """document.addEventListener("securitypolicyviolation", e => console.error(
    `Content Security Policy violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}`
    + ` on ${e.documentURI}`));"""


class CspWatch:
    """The CSP violations seen in each watched context; a test that provokes one on purpose takes
    its context's out (`expected`)."""

    def __init__(self) -> None:
        self.seen: dict[BrowserContext, list[str]] = {}

    def watch(self, context: BrowserContext) -> BrowserContext:
        found = self.seen.setdefault(context, [])
        context.add_init_script(REPORT_VIOLATIONS)

        def record(message: ConsoleMessage) -> None:
            if "Content Security Policy" in message.text:
                found.append(f"{message.page.url if message.page else '?'}: {message.text}")

        context.on("console", record)
        return context

    def expected(self, context: BrowserContext) -> list[str]:
        return self.seen.pop(context, [])

    def unexpected(self) -> list[str]:
        return [violation for found in self.seen.values() for violation in found]


@pytest.fixture
def csp() -> CspWatch:
    return CspWatch()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> pytest.TestReport:
    """A failed browser test says what each open page showed when it failed (address, title, the
    start of its text) and leaves a screenshot of each under test-artifacts/failures/."""
    report = yield
    browser = getattr(item, "funcargs", {}).get("browser")
    if call.when == "call" and report.failed and isinstance(browser, Browser):
        FAILURES.mkdir(parents=True, exist_ok=True)
        shown = []
        pages = [p for context in browser.contexts for p in context.pages]
        for number, page in enumerate(pages):
            try:
                path = FAILURES / f"{item.name}-{number}.png"
                page.screenshot(path=str(path), full_page=True)
                text = page.inner_text("body", timeout=2000)[:1500]
                shown.append(f"--- {page.url} ({page.title()!r}), {path.name}\n{text}")
            except Exception as exc:  # a page that went away says so instead
                shown.append(f"--- {page.url}: {exc!r}"[:500])
        report.sections.append(("pages when the test failed", "\n".join(shown)))
    return report


@pytest.fixture
def browser(csp: CspWatch) -> Iterator[Browser]:
    """Chromium for one test. Not session-wide: Playwright's sync API runs an event loop on this
    thread while it is started, and the platforms' readiness probes (asyncio.run) cannot run then,
    so the session-scoped platform fixtures must start while no Playwright is running. Each context
    it opens is CSP-watched; the test fails if any page violated the CSP."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        new_context = launched.new_context
        launched.new_context = lambda **options: csp.watch(new_context(**options))  # type: ignore[method-assign]
        yield launched
        launched.close()
    assert not csp.unexpected(), (
        "pages violated the portal's Content Security Policy:\n" + "\n".join(csp.unexpected())
    )


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser (no cookies) on a phone-sized screen."""
    context = browser.new_context(viewport=PHONE_SIZE, locale="zh-CN")
    context.set_default_timeout(15_000)
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture
def shoot() -> Callable[..., None]:
    """Save a full-page screenshot of what the page shows now, or of one part of it (`part`), once
    what it loads (images, embedded PDFs) has arrived."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def save(page: Page, name: str, part: Locator | None = None) -> None:
        page.wait_for_load_state("networkidle")
        if part is None:
            page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
        else:
            part.screenshot(path=str(SCREENSHOTS / f"{name}.png"))

    return save


class Person:
    """A new, valid person: a unique phone and email and a resident ID number with a
    correct check digit."""

    def __init__(self) -> None:
        n = next(_serial)
        self.phone = f"137{n:08d}"
        self.email = f"browser-{n}@example.com"
        self.id_number = resident_id(n, born=f"19{60 + n % 30:02d}0{1 + n % 9}1{n % 10}")
        self.password = "correct horse battery"


@pytest.fixture
def person() -> Person:
    return Person()
