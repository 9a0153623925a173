"""The demo content seed_demo creates: what a newcomer sees as the customer and as the reviewer, made once."""

import hashlib
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment.models import Answer, Assessment, AuditEvent, ControlReview, Evidence, RemediationItem, User
from assessment.selectors.assessments import assessment_state
from tests.conftest import load_fixture
from tests.test_admin import changelist_rows

Status = Assessment.Status


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.DEBUG = True  # pytest-django runs with DEBUG off
    settings.MEDIA_ROOT = tmp_path / "media"
    for name in ("yugabytedb-managed", "yugabytedb-managed-1.1"):  # what `make models` publishes
        load_fixture(name)
    return seed()


def rounds():
    first = Assessment.objects.get(title="Production cluster", round_number=1)
    return first, Assessment.objects.get(previous=first)


def counts() -> dict[str, int]:
    models = (Assessment, Answer, AuditEvent, ControlReview, Evidence, RemediationItem, User)
    return {model.__name__: model.objects.count() for model in models}


def test_the_demo_customer_has_a_draft_an_approved_round_and_its_next_round_in_review(demo):
    assert "Demo content: “Production cluster”: round 1 approved with a remediation plan" in demo
    customer = User.objects.get(email="customer@example.com")
    first, second = rounds()
    assert {
        (a.title, a.status, a.round_number)
        for a in Assessment.objects.filter(organization=customer.membership.organization)
    } == {
        ("Production cluster", Status.APPROVED, 1),
        ("Production cluster", Status.SUBMITTED, 2),
        ("Reporting replica", Status.DRAFT, 1),
    }
    # Round 1 went back once ("evidence missing" on the allow list) before it was approved.
    events = list(
        first.events.filter(kind=AuditEvent.Kind.TRANSITION)
        .order_by("at", "id")
        .values_list("after__status", flat=True)
    )
    assert events == ["submitted", "in_review", "changes_requested", "submitted", "in_review", "approved"]
    assert first.events.filter(kind=AuditEvent.Kind.EVIDENCE, message="Marked “evidence missing” on NET-ALLOW").exists()
    assert assessment_state(first).gaps and first.reviewer.email == "reviewer@example.com"
    plan = dict(first.remediation_items.values_list("control__control_id", "status"))
    assert plan == {"BCK-RPO": "in_progress", "AUTHN-SSO": "done", "AUTHZ-REVIEW": "open"}
    # The items not done carried into round 2; round 2 waits for a reviewer, nobody has picked it up.
    assert set(second.remediation_items.values_list("control__control_id", flat=True)) == {"BCK-RPO", "AUTHZ-REVIEW"}
    assert (second.reviewer, second.assignee, second.revision > 1) == (None, None, True)
    draft = Assessment.objects.get(title="Reporting replica")
    state = assessment_state(draft)
    assert 0 < state.evaluation.answered < state.evaluation.total


def test_round_two_has_real_evidence_files_and_a_link(demo):
    _first, second = rounds()
    evidence = {e.name: e for e in Evidence.objects.filter(assessment=second).select_related("control")}
    assert {name: (e.control.control_id, e.content_type, e.carried_from_round) for name, e in evidence.items()} == {
        "ip-allow-list.pdf": ("NET-ALLOW", "application/pdf", 1),
        "https://wiki.example.com/platform/backups": ("BCK-SCHED", "", 1),
        "mfa-required.png": ("AUTHN-SSO", "image/png", None),
        "backup-schedule.csv": ("BCK-RPO", "text/csv", None),
        "siem-forwarding.txt": ("LOG-EXPORT", "text/plain", None),
        "restore-test-2026-q3.pdf": ("BCK-TEST", "application/pdf", None),
        "https://wiki.example.com/platform/private-link": ("NET-PRIVLINK", "", None),
    }
    for e in evidence.values():
        if e.kind == Evidence.Kind.FILE:
            with e.file.open("rb") as stored:
                data = stored.read()
            assert (len(data), hashlib.sha256(data).hexdigest()) == (e.size, e.sha256)
            assert e.file.name.startswith(f"evidence/{second.organization_id}/") and e.name not in e.file.name


def test_the_customer_sees_the_rounds_results_and_pdf(demo, client):
    first, second = rounds()
    client.force_login(User.objects.get(email="customer@example.com"))
    dashboard = client.get("/assessments/").content.decode()
    assert "Production cluster" in dashboard and "Reporting replica" in dashboard
    assert "Round 2 of 2" in dashboard
    results = client.get(f"/assessments/{second.pk}/results/").content.decode()
    assert "Since round 1" in results
    pdf = client.get(f"/assessments/{first.pk}/report.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert client.get(f"/assessments/{first.pk}/remediation/").status_code == 200


def test_the_reviewer_finds_round_two_in_the_queue_with_its_evidence(demo, client):
    _first, second = rounds()
    client.force_login(User.objects.get(email="reviewer@example.com"))
    queue = changelist_rows(client.get("/admin/assessment/assessment/").content.decode())
    assert [row["title"] for row in queue] == ["Production cluster"]
    page = client.get(f"/admin/assessment/assessment/{second.pk}/change/").content.decode()
    assert "mfa-required.png" in page and "from round 1, not confirmed since" in page
    assert 'href="https://wiki.example.com/platform/private-link"' in page


def test_a_second_run_creates_nothing_and_is_quick(demo):
    before = counts()
    with CaptureQueriesContext(connection) as queries:
        again = seed()
    assert counts() == before
    assert "Demo content:" not in again and "customer  customer@example.com / demo-customer-2026" in again
    assert len(queries) <= 12  # `make run` seeds on every start: a few lookups, whatever was seeded


def test_without_the_models_only_the_accounts_are_made_and_it_says_why(db, settings):
    settings.DEBUG = True
    out = seed()
    assert "No published yugabytedb-managed model: load the models first (make models)" in out
    assert Assessment.objects.count() == 0 and User.objects.count() == 3


def test_no_demo_content_with_debug_off(db, settings):
    settings.DEBUG = False
    load_fixture("yugabytedb-managed")
    with pytest.raises(CommandError):
        seed()
    assert (Assessment.objects.count(), Evidence.objects.count()) == (0, 0)
