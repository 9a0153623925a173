"""Browser tests: Playwright drives the system's Chromium against pytest-django's live_server.

Skipped, with the reason shown, when no Chromium is found locally; CI sets REQUIRE_BROWSER=1 so a
missing browser fails the run instead.
"""

import contextlib
import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop; Django refuses ORM calls from one unless told it's fine.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    browser_items = [item for item in items if here in Path(item.fspath).parents]
    for item in browser_items:
        item.add_marker(pytest.mark.browser)
    if CHROMIUM or not browser_items:
        return
    if os.environ.get("REQUIRE_BROWSER"):
        raise pytest.UsageError("REQUIRE_BROWSER is set but no chromium binary is on PATH (or named by CHROMIUM).")
    skip = pytest.mark.skip(reason="browser tests need Chromium: install the 'chromium' package or set CHROMIUM")
    for item in browser_items:
        item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """Pages in contexts of their own (one per simulated person), closed cleanly after the test."""
    contexts = []

    def make():
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        for open_page in context.pages:
            settle(open_page)
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


def settle(page) -> None:
    """Let in-flight requests finish, so no server thread outlives the test and its database."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    with contextlib.suppress(PlaywrightTimeout):  # a page that never settles is closed anyway
        page.wait_for_load_state("networkidle", timeout=5_000)


def screenshot(page, name: str) -> Path:
    """Full-page screenshot under test-artifacts/screenshots/, for people to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def serious_violations(page) -> list[str]:
    """axe-core violations of impact serious or critical on the current page, as readable lines."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def login(page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


# The outermost elements whose right edge is past the window (not inside a box that clips or scrolls).
OVERFLOW_JS = """() => {
  const width = window.innerWidth;
  const clips = (el) => ['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(el).overflowX);
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + [...el.classList].slice(0, 3).map((c) => '.' + c).join('');
  const sticksOut = (el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.right > width + 0.5;
  };
  const found = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (!sticksOut(el)) continue;
    let parent = el.parentElement, inside = false;
    while (parent && parent !== document.body) {
      if (clips(parent) || sticksOut(parent)) { inside = true; break; }
      parent = parent.parentElement;
    }
    if (!inside) {
      const text = (el.innerText || '').trim().slice(0, 40);
      found.push(`${name(el)} right=${Math.round(el.getBoundingClientRect().right)} «${text}»`);
    }
  }
  // Text that runs past its own box (a long unbroken word) widens the page without any element sticking out.
  if (!found.length && document.documentElement.scrollWidth > width) {
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    for (let node = walker.nextNode(); node && found.length < 5; node = walker.nextNode()) {
      range.selectNodeContents(node);
      const right = range.getBoundingClientRect().right;
      if (right > width + 0.01) found.push(`text in ${name(node.parentElement)} right=${Math.round(right)} «${node.textContent.trim().slice(0, 40)}»`);
    }
  }
  return {document: document.documentElement.scrollWidth, window: width, culprits: found.slice(0, 5)};
}"""


def overflow(page) -> dict:
    """How wide the document is against the window, and what sticks out (for failure messages)."""
    return page.evaluate(OVERFLOW_JS)
