"""What the report says, built before the template: summary sentences, ownership matrix, method, fingerprint."""

from datetime import date

import pytest

from assessment import gap
from assessment.reports.context import (
    Party,
    matrix_cells,
    matrix_parties,
    method_rows,
    ownership_matrix,
    report_filename,
    summary_sentences,
)
from assessment.reports.export import export_data
from assessment.reports.fingerprint import report_fingerprint
from assessment.selectors.assessments import assessment_state
from assessment.services.assessments import assessment_start
from tests.conftest import answer

NO_GAPS = dict.fromkeys(gap.SEVERITIES, 0)
PARTIES = [Party("customer", "Customer"), Party("provider", "Yugabyte"), Party("infrastructure", "Cloud provider")]


def sentences(**overrides) -> list[str]:
    values = {
        "organization": "Acme",
        "deployment": "Managed",
        "overall": 62,
        "gap_counts": {"critical": 1, "high": 2, "medium": 0, "low": 1},
        "misattributed": 2,
        "area_scores": [("Encryption", 80), ("Backups", 40), ("Network", None)],
        "informational": 5,
        "unanswered": 0,
        "draft": False,
    }
    return summary_sentences(**{**values, **overrides})


def test_summary_states_the_figures():
    assert sentences() == [
        "Acme scores 62% on the security controls it owns under Managed, weighted by severity.",
        "The assessment found 4 gaps: 1 critical, 2 high and 1 low risk.",
        "2 controls are ones the organization believes someone else handles, although the model makes them "
        "the customer's.",
        "The weakest area is Backups (40%) and the strongest is Encryption (80%).",
        "5 controls handled by the provider or the cloud are listed as informational findings, not gaps.",
    ]


def test_summary_of_a_draft_mentions_unanswered_controls():
    assert (
        sentences(draft=True, unanswered=3)[-1]
        == "This is a draft with 3 unanswered controls, counted as not in place."
    )


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"overall": None, "gap_counts": NO_GAPS, "misattributed": 0, "area_scores": [], "informational": 0},
        {"gap_counts": NO_GAPS, "misattributed": 0, "area_scores": [("Only", 100)], "informational": 0},
        {"draft": True, "unanswered": 45, "informational": 0, "misattributed": 1},
    ],
)
def test_summary_has_three_to_five_sentences(overrides):
    assert 3 <= len(sentences(**overrides)) <= 5


def test_summary_without_a_score_says_so():
    first = sentences(overall=None)[0]
    assert first.startswith("Acme has no controls of its own to score under Managed")


@pytest.mark.parametrize(
    ("owner", "expected"),
    [
        ("customer", ("full", "", "")),
        ("provider", ("", "full", "")),
        ("infrastructure", ("", "", "full")),
        ("shared", ("part", "part", "")),
        ("none", ("", "", "")),
    ],
)
def test_matrix_cells(owner, expected):
    assert tuple(holds for _key, holds in matrix_cells(owner, PARTIES)) == expected


def test_matrix_merges_infrastructure_into_a_provider_of_the_same_name(cloud_model):
    parties = matrix_parties(cloud_model)
    assert [p.key for p in parties] == ["customer", "provider"]
    assert matrix_cells("infrastructure", parties) == (("customer", ""), ("provider", "full"))


def test_ownership_matrix_lists_every_control_of_the_deployment_by_area(user, yb_model):
    on_prem = yb_model.deployments.get(key="on-premises")
    assessment = assessment_start(user=user, model=yb_model, deployment=on_prem, title="DC")
    groups = ownership_matrix(assessment_state(assessment), matrix_parties(yb_model))
    rows = [row for group in groups for row in group.rows]
    assert len(rows) == yb_model.controls.count() == 45
    assert [g.area.key for g in groups] == list(yb_model.areas.order_by("position").values_list("key", flat=True))
    assert {row.owner for row in rows} == {"customer", "none"}  # on-premises: yours, or does not arise


def test_method_rows_are_the_design_table():
    assert method_rows() == [
        ("Customer or shared", ["Met", "Partly met", "Misattributed", "Unmet", "Unknown", "Not applicable"]),
        ("Provider or infrastructure", ["Overlap", "Overlap", "Inherited", "Awareness", "Awareness", "Not applicable"]),
    ]


def test_filename(assessment):
    assert report_filename(assessment, date(2026, 3, 9)) == "acme-corp-prod-cluster-2026-03-09.pdf"


def test_filename_falls_back_when_nothing_is_ascii(assessment):
    assessment.organization.name = "株式会社"
    assessment.title = "本番"
    assert report_filename(assessment, date(2026, 3, 9)) == "assessment-2026-03-09.pdf"


def _fingerprint(assessment) -> str:
    from assessment.models import Assessment

    fresh = Assessment.objects.select_related("model", "deployment", "organization").get(pk=assessment.pk)
    state = assessment_state(fresh)
    return report_fingerprint(state, export_data(state))


def test_fingerprint_is_stable_and_follows_every_change(assessment, user):
    first = _fingerprint(assessment)
    assert _fingerprint(assessment) == first
    answer(assessment, user, "NET-ALLOW", "implemented")
    second = _fingerprint(assessment)
    assert second != first
    answer(assessment, user, "NET-ALLOW", "implemented", notes="now with a note")
    assert _fingerprint(assessment) not in (first, second)
