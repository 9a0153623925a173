"""Public pages in Chromium: they render, the matrix reads right, and axe finds nothing serious."""

import pytest

from tests.browser.conftest import screenshot, serious_violations
from tests.conftest import load_fixture

PAGES = [
    ("home", "/"),
    ("models", "/models/"),
    ("matrix-yb", "/models/yugabytedb-managed/1.0/"),
    ("matrix-cloud", "/models/cloud-division-of-responsibility/1.0/"),
    ("control", "/models/yugabytedb-managed/1.0/controls/NET-ALLOW/"),
    ("not-found", "/models/no-such-model/9.9/"),
]


@pytest.fixture
def models(transactional_db):
    return load_fixture("yugabytedb-managed"), load_fixture("cloud-division-of-responsibility")


@pytest.mark.parametrize(("name", "path"), PAGES)
def test_public_page_has_no_serious_accessibility_violations(page, models, name, path):
    page.goto(path)
    screenshot(page, f"public-{name}")
    assert serious_violations(page) == []


def test_matrix_filter_by_deployment_and_area(page, models):
    page.goto("/models/yugabytedb-managed/1.0/")
    page.get_by_label("Deployment").select_option(label="YugabyteDB Managed")
    page.get_by_label("Area").select_option(label="Network exposure")
    page.get_by_role("button", name="Filter").click()
    headers = page.locator("table.matrix thead th").all_inner_texts()
    assert headers == ["Control", "YugabyteDB Managed"]
    assert page.locator("table.matrix tbody .area-row").all_inner_texts() == ["Network exposure"]
    row = page.get_by_role("row", name="IP allow lists NET-ALLOW")
    assert row.get_by_role("cell").inner_text().strip() == "Customer"


def test_skip_link_moves_focus_to_content(page, models):
    page.goto("/models/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
