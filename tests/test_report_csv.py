"""The CSV export: one row per control, the JSON export's fields, safe to open in a spreadsheet."""

import csv
import io
import re

import pytest

from assessment.reports.export import CONTROL_FIELDS, CSV_FIELDS, csv_cell, export_csv, export_data
from assessment.selectors.assessments import assessment_state
from tests.conftest import answer


@pytest.fixture
def logged_in(client, user):
    client.force_login(user)
    return client


def rows_of(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_one_row_per_control_with_the_json_fields(assessment, user):
    answer(assessment, user, "NET-ALLOW", "provider", notes="We thought Yugabyte did this")
    answer(assessment, user, "ENC-CMK", "not_applicable", justification="No customer-managed keys")
    state = assessment_state(assessment)
    text = export_csv(state)
    assert text.splitlines()[0] == (
        "id,title,area,severity,owner,partner,answer,first_answer,outcome,risk,notes,justification,"
        "remediation_owner,remediation_due,remediation_status"  # empty for a draft: tests/test_remediation.py
    )
    assert ("id", "title", *CONTROL_FIELDS[1:]) == CSV_FIELDS
    rows = rows_of(text)
    expected = export_data(state)["controls"]
    assert len(rows) == len(expected) == 45
    titles = dict(assessment.model.controls.values_list("control_id", "title"))
    for row, control in zip(rows, expected, strict=True):
        assert row.pop("title") == titles[control["id"]]
        assert [row.pop(name) for name in ("remediation_owner", "remediation_due", "remediation_status")] == [""] * 3
        assert row == {name: "" if control[name] is None else str(control[name]) for name in CONTROL_FIELDS}
    net = next(r for r in rows if r["id"] == "NET-ALLOW")
    assert (net["answer"], net["outcome"], net["risk"], net["notes"]) == (
        "provider",
        "misattributed",
        "critical",
        "We thought Yugabyte did this",
    )


def test_notes_with_commas_quotes_and_newlines_round_trip(assessment, user):
    notes = 'Line one, with "quotes"\nLine two; ünïcödé — 日本語'
    answer(assessment, user, "NET-ALLOW", "partial", notes=notes)
    rows = rows_of(export_csv(assessment_state(assessment)))
    assert next(r for r in rows if r["id"] == "NET-ALLOW")["notes"] == notes


@pytest.mark.parametrize("value", ['=HYPERLINK("http://evil")', "+1+2", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_formula_like_cells_are_neutralized(value):
    assert csv_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["plain", "", "1 = 1", None])
def test_other_cells_are_unchanged(value):
    assert csv_cell(value) == ("" if value is None else value)


def test_csv_download(logged_in, assessment):
    response = logged_in.get(f"/assessments/{assessment.pk}/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="acme-corp-prod-cluster-\d{4}-\d{2}-\d{2}\.csv"', response["Content-Disposition"]
    )
    assert len(rows_of(response.content.decode())) == 45
