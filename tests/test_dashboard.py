"""The dashboard: one primary action per assessment, the rest in a menu, one call to action when empty."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest

from assessment.services import workflow
from assessment.services.assessments import assessment_start
from tests.conftest import answer, answer_all
from tests.htmltable import table_rows


@dataclass
class Control:
    """A link or button of a row, as a screen reader names it (visually hidden text included)."""

    tag: str
    attrs: dict
    text: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return " ".join("".join(self.text).split())

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()


class _Actions(HTMLParser):
    """The links and buttons of each row of the dashboard table, and whether each sits in the menu."""

    def __init__(self):
        super().__init__()
        self.rows: list[list[tuple[bool, Control]]] = []
        self.in_table = self.in_menu = False
        self.open: Control | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "table" and "assessment-rows" in classes:
            self.in_table = True
        elif self.in_table and tag == "tr":
            self.rows.append([])
        elif self.in_table and tag == "ul" and "dropdown-menu" in classes:
            self.in_menu = True
        elif self.in_table and self.rows and tag in ("a", "button"):
            self.open = Control(tag, attrs)
            self.rows[-1].append((self.in_menu, self.open))

    def handle_endtag(self, tag):
        if tag == "table":
            self.in_table = False
        elif tag == "ul":
            self.in_menu = False
        elif tag in ("a", "button"):
            self.open = None

    def handle_data(self, data):
        if self.open is not None:
            self.open.text.append(data)


def row_actions(html: str) -> list[dict]:
    """Per row: the primary buttons, the menu's toggle and the menu's items, by name."""
    parser = _Actions()
    parser.feed(html)
    result = []
    for row in parser.rows[1:]:  # after the header row
        result.append(
            {
                "primary": [c.name for _, c in row if "btn-primary" in c.classes],
                "toggle": [c.name for _, c in row if "dropdown-toggle" in c.classes],
                "menu": [c.name for in_menu, c in row if in_menu],
                "controls": [c for _, c in row],
            }
        )
    return result


@pytest.fixture
def logged_in(client, user):
    client.force_login(user)
    return client


def dashboard(client) -> str:
    response = client.get("/assessments/")
    assert response.status_code == 200
    return response.content.decode()


def start(user, model, title: str):
    return assessment_start(user=user, model=model, deployment=model.deployments.get(key="managed"), title=title)


# Empty


def test_the_empty_dashboard_has_one_call_to_action(logged_in):
    html = dashboard(logged_in)
    assert "No assessments yet" in html
    assert html.count('href="/assessments/new/"') == 1
    assert "Start your first assessment" in html
    assert "Start an assessment" not in html


def test_a_dashboard_with_assessments_offers_to_start_another_at_the_top(logged_in, assessment):
    html = dashboard(logged_in)
    assert html.count('href="/assessments/new/"') == 1
    assert ">Start an assessment</a>" in html
    assert "No assessments yet" not in html


# One primary action per row, the rest in a menu


def test_a_draft_without_answers_continues_and_has_results_csv_and_delete_in_its_menu(logged_in, assessment):
    (row,) = row_actions(dashboard(logged_in))
    assert row == {
        **row,
        "primary": ["Continue Prod cluster"],
        "toggle": ["More actions for Prod cluster"],
        "menu": ["Results of Prod cluster", "CSV export of Prod cluster", "Delete draft Prod cluster"],
    }


def test_the_reports_are_in_the_menu_once_something_is_answered(logged_in, assessment, user):
    answer(assessment, user, "NET-ALLOW", "implemented")
    (row,) = row_actions(dashboard(logged_in))
    assert row["menu"] == [
        "Results of Prod cluster",
        "PDF report of Prod cluster",
        "HTML report of Prod cluster",
        "CSV export of Prod cluster",
        "Delete draft Prod cluster",
    ]
    by_name = {c.name: c.attrs for c in row["controls"]}
    assert by_name["Continue Prod cluster"]["href"] == f"/assessments/{assessment.pk}/"
    assert by_name["Results of Prod cluster"]["href"] == f"/assessments/{assessment.pk}/results/"
    assert by_name["PDF report of Prod cluster"] == {
        "class": "dropdown-item",
        "href": f"/assessments/{assessment.pk}/report.pdf",
        "data-report-pdf": None,
    }
    assert by_name["HTML report of Prod cluster"]["href"] == f"/assessments/{assessment.pk}/report/"
    assert by_name["CSV export of Prod cluster"]["href"] == f"/assessments/{assessment.pk}/export.csv"
    assert by_name["Delete draft Prod cluster"]["href"] == f"/assessments/{assessment.pk}/delete/"


def test_only_pdf_links_carry_the_pdf_marker(logged_in, assessment, user):
    answer(assessment, user, "NET-ALLOW", "implemented")
    (row,) = row_actions(dashboard(logged_in))
    marked = [c.attrs["href"] for c in row["controls"] if "data-report-pdf" in c.attrs]
    assert marked == [f"/assessments/{assessment.pk}/report.pdf"]


def test_a_submitted_assessment_opens_its_results_and_cannot_be_deleted(logged_in, complete, user):
    workflow.assessment_submit(assessment=complete, actor=user)
    (row,) = row_actions(dashboard(logged_in))
    assert row["primary"] == ["Results of Prod cluster"]
    assert row["menu"] == ["PDF report of Prod cluster", "HTML report of Prod cluster", "CSV export of Prod cluster"]


def test_changes_requested_continues_but_is_no_draft_to_delete(logged_in, complete, user, reviewer):
    submitted = workflow.assessment_submit(assessment=complete, actor=user)
    in_review = workflow.assessment_start_review(assessment=submitted, actor=reviewer)
    workflow.assessment_request_changes(assessment=in_review, actor=reviewer, message="Look again at backups.")
    (row,) = row_actions(dashboard(logged_in))
    assert row["primary"] == ["Continue Prod cluster"]
    assert "Delete draft Prod cluster" not in row["menu"]
    assert "Results of Prod cluster" in row["menu"]


def test_every_row_has_exactly_one_primary_action_and_one_menu(logged_in, user, yb_model):
    drafts = [start(user, yb_model, f"Draft {i}") for i in range(3)]
    answer_all(drafts[0], user)
    workflow.assessment_submit(assessment=drafts[0], actor=user)
    rows = row_actions(dashboard(logged_in))
    assert [(len(r["primary"]), len(r["toggle"])) for r in rows] == [(1, 1)] * 3


def test_the_dashboard_no_longer_lists_report_buttons_in_the_row(logged_in, assessment, user):
    answer(assessment, user, "NET-ALLOW", "implemented")
    html = dashboard(logged_in)
    assert "report-buttons" not in html
    assert 'class="btn btn-sm btn-outline-secondary" href=' not in html  # no row of outlined buttons


def test_titles_are_escaped_in_the_row_and_its_menu(logged_in, user, yb_model):
    start(user, yb_model, "<b>Bold</b> & co")
    html = dashboard(logged_in)
    assert "<b>Bold</b>" not in html
    assert 'More<span class="visually-hidden"> actions for &lt;b&gt;Bold&lt;/b&gt; &amp; co</span>' in html


# On phones each row is a card: every cell but the title and the actions is labelled for it


def test_each_cell_is_labelled_for_the_card_layout(logged_in, assessment, user):
    answer(assessment, user, "NET-ALLOW", "implemented")
    html = dashboard(logged_in)
    assert 'class="table align-middle table-stack assessment-rows"' in html
    for label in ("Status", "Progress", "Score", "Last change"):
        assert html.count(f'data-label="{label}"') == 1
    title, status, progress = table_rows(html, "assessment-rows")[1][:3]
    assert (title, status, progress) == ("Prod cluster YugabyteDB Managed v1.0 · YugabyteDB Managed", "Draft", "1 / 45")
