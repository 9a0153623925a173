"""Remediation items: the service's rules, the pages, the organization's list, exports, the PDF and reminders."""

import csv
import io
import json
import shutil
import subprocess
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from assessment.models import Assessment, AuditEvent, Organization, RemediationItem
from assessment.reports.export import export_csv, export_data
from assessment.reports.fingerprint import report_fingerprint
from assessment.reports.render import render_pdf
from assessment.selectors.assessments import assessment_state
from assessment.selectors.remediation import (
    assessment_entries,
    organization_entries,
    remediation_filters,
    remediation_list,
)
from assessment.services.assessments import assessment_start
from assessment.services.remediation import RemediationConflict, remediation_update
from assessment.services.workflow import assessment_submit
from tests.conftest import answer, answer_all, make_member

TODAY = timezone.localdate()


def submitted_assessment(user, model, title="Cloud DB", claim="not_implemented"):
    """Every control answered `claim` and submitted: the customer's controls are gaps."""
    a = assessment_start(user=user, model=model, deployment=model.deployments.get(key="private"), title=title)
    answer_all(a, user, claim)
    if claim != "implemented":
        answer(a, user, "PHYSICAL-DR", "implemented")  # one control in place: not a gap
    assessment_submit(assessment=a, actor=user)
    a.refresh_from_db()
    return a


@pytest.fixture
def submitted(user, cloud_model):
    return submitted_assessment(user, cloud_model)


@pytest.fixture
def gaps(submitted):
    return [item.control for item in assessment_state(submitted).gaps]


@pytest.fixture
def bob(org):
    return make_member("bob@acme.test", org, role="member")


def update(assessment, control, actor, base_version=None, **changes):
    current = RemediationItem.objects.filter(assessment=assessment, control=control).first()
    values = {"owner": None, "due": None, "status": "open", "note": "", "risk_reason": ""}
    if current:
        values = {
            "owner": current.owner,
            "due": current.due,
            "status": current.status,
            "note": current.note,
            "risk_reason": current.risk_reason,
        }
    values.update(changes)
    if base_version is None:
        base_version = current.version if current else 0
    return remediation_update(assessment=assessment, control=control, actor=actor, base_version=base_version, **values)


def events(assessment):
    return list(AuditEvent.objects.filter(assessment=assessment, kind=AuditEvent.Kind.REMEDIATION).order_by("id"))


# The service


def test_the_gaps_of_a_submitted_assessment_are_open_items_without_rows(submitted, gaps):
    entries = assessment_entries(assessment_state(submitted))
    assert [e.control_id for e in entries] == [c.control_id for c in gaps] and len(gaps) >= 3
    assert {(e.status, e.owner, e.due, e.note, e.version) for e in entries} == {("open", None, None, "", 0)}
    assert not RemediationItem.objects.exists()


def test_every_status_change_is_saved_and_audited(submitted, gaps, user, bob):
    control = gaps[0]
    revision = submitted.revision
    item = update(submitted, control, user, owner=bob, due=date(2027, 3, 31), note="Ask the DBA team")
    assert (item.version, item.owner, item.due, item.status, item.note) == (
        1,
        bob,
        date(2027, 3, 31),
        "open",
        "Ask the DBA team",
    )
    update(submitted, control, user, status="in_progress")
    update(submitted, control, bob, status="done")
    update(submitted, control, bob, status="risk_accepted", risk_reason="Compensating control in place")
    update(submitted, control, user, status="open")
    recorded = events(submitted)
    assert [(e.actor, e.control_id, e.before["status"], e.after["status"]) for e in recorded] == [
        (user, control.control_id, "open", "open"),
        (user, control.control_id, "open", "in_progress"),
        (bob, control.control_id, "in_progress", "done"),
        (bob, control.control_id, "done", "risk_accepted"),
        (user, control.control_id, "risk_accepted", "open"),
    ]
    assert recorded[0].before == {"owner": None, "due": None, "status": "open", "note": "", "risk_reason": ""}
    assert recorded[0].after == {
        "owner": "bob@acme.test",
        "due": "2027-03-31",
        "status": "open",
        "note": "Ask the DBA team",
        "risk_reason": "",
    }
    assert recorded[3].after["risk_reason"] == "Compensating control in place"
    submitted.refresh_from_db()
    assert submitted.revision == revision + 5
    assert RemediationItem.objects.get().version == 5


def test_accepting_a_risk_needs_a_reason(submitted, gaps, user):
    with pytest.raises(ValidationError) as caught:
        update(submitted, gaps[0], user, status="risk_accepted", risk_reason="   ")
    assert caught.value.message_dict == {"risk_reason": ["Say why the risk is accepted."]}
    assert not RemediationItem.objects.exists() and not events(submitted)


def test_accepting_a_risk_records_who_and_when_and_leaving_it_clears_them(submitted, gaps, user, bob):
    before = timezone.now()
    item = update(submitted, gaps[0], bob, status="risk_accepted", risk_reason="Low exposure")
    assert item.accepted_by == bob and before <= item.accepted_at <= timezone.now()
    accepted_at = item.accepted_at
    item = update(submitted, gaps[0], user, risk_reason="Low exposure, reviewed yearly")
    assert (item.accepted_by, item.accepted_at) == (bob, accepted_at)  # still the same acceptance
    item = update(submitted, gaps[0], user, status="in_progress")
    assert (item.accepted_by, item.accepted_at, item.risk_reason) == (None, None, "")


def test_the_owner_must_be_a_member_of_the_organization(submitted, gaps, user, other_user):
    with pytest.raises(ValidationError) as caught:
        update(submitted, gaps[0], user, owner=other_user)
    assert caught.value.message_dict == {"owner": ["Choose a member of your organization as the owner."]}
    assert not RemediationItem.objects.exists()


def test_only_members_change_items(submitted, gaps, other_user, reviewer):
    for actor in (other_user, reviewer):
        with pytest.raises(PermissionDenied):
            update(submitted, gaps[0], actor, status="done")
    assert not RemediationItem.objects.exists() and not events(submitted)


def test_a_stale_version_is_refused_with_the_current_values(submitted, gaps, user, bob):
    update(submitted, gaps[0], user, note="First")
    update(submitted, gaps[0], bob, note="Bob's", status="in_progress")
    with pytest.raises(RemediationConflict) as caught:
        update(submitted, gaps[0], user, base_version=1, note="Mine")
    assert (caught.value.current.note, caught.value.current.version) == ("Bob's", 2)
    assert str(caught.value).startswith("Bob changed this item while you were editing.")
    assert RemediationItem.objects.get().note == "Bob's"
    assert len(events(submitted)) == 2


def test_a_first_save_against_a_row_created_meanwhile_is_a_conflict(submitted, gaps, user, bob):
    update(submitted, gaps[0], bob, note="Bob first")
    with pytest.raises(RemediationConflict):
        update(submitted, gaps[0], user, base_version=0, note="Mine")
    # A retry of what is already stored is no conflict and records nothing.
    assert update(submitted, gaps[0], user, base_version=0, note="Bob first").version == 1
    assert len(events(submitted)) == 1


def test_drafts_and_controls_that_are_not_gaps_are_refused(user, cloud_model):
    draft = assessment_start(
        user=user, model=cloud_model, deployment=cloud_model.deployments.get(key="private"), title="D"
    )
    answer_all(draft, user, "not_implemented")
    gap = assessment_state(draft).gaps[0].control
    with pytest.raises(ValidationError) as caught:
        update(draft, gap, user, status="done")
    assert caught.value.messages == ["Submit the assessment first: remediation starts once it is submitted."]
    met = submitted_assessment(user, cloud_model, title="All in place", claim="implemented")
    control = assessment_state(met).items[0].control
    with pytest.raises(ValidationError) as caught:
        update(met, control, user, status="done")
    assert caught.value.messages == [
        f"{control.control_id} is not a gap of this assessment, so it has nothing to remediate."
    ]
    assert not RemediationItem.objects.exists()


@pytest.mark.parametrize(
    ("due", "message"),
    [
        ("31/03/2027", "Enter the due date as a real date, for example 2027-03-31."),
        ("2027-02-30", "Enter the due date as a real date, for example 2027-03-31."),
        ("0202-01-01", "Enter a due date between 2000 and 2099."),
    ],
)
def test_bad_dates_are_a_clear_error(submitted, gaps, user, due, message):
    with pytest.raises(ValidationError) as caught:
        update(submitted, gaps[0], user, due=due)
    assert caught.value.message_dict == {"due": [message]}


def test_text_is_bounded(submitted, gaps, user):
    with pytest.raises(ValidationError) as caught:
        update(submitted, gaps[0], user, note="x" * 5001)
    assert caught.value.message_dict == {"note": ["The note can be at most 5,000 characters (you have 5,001)."]}


def test_a_changed_item_changes_the_report_fingerprint(submitted, gaps, user):
    def fingerprint():
        a = Assessment.objects.get(pk=submitted.pk)
        state = assessment_state(a)
        return report_fingerprint(state, export_data(state))

    first = fingerprint()
    update(submitted, gaps[0], user, status="in_progress")
    assert fingerprint() != first


# Lists, filters, sorting, overdue


def test_sorted_by_risk_then_due_date_and_overdue(submitted, gaps, user, bob):
    by_id = {e.control_id: e for e in assessment_entries(assessment_state(submitted))}
    risks = [by_id[c.control_id].risk for c in gaps]
    shared = next(r for r in risks if risks.count(r) >= 3)
    same_risk = [c for c in gaps if by_id[c.control_id].risk == shared]
    late, soon = same_risk[0], same_risk[1]
    update(submitted, late, user, due=TODAY - timedelta(days=1), owner=bob)
    update(submitted, soon, user, due=TODAY + timedelta(days=3))
    entries = assessment_entries(assessment_state(submitted))
    listing = remediation_list(entries, remediation_filters([user, bob]))
    order = [e.control_id for e in listing.entries]
    from assessment import gap as gap_engine

    assert [gap_engine.SEVERITIES.index(e.risk) for e in listing.entries] == sorted(
        gap_engine.SEVERITIES.index(e.risk) for e in listing.entries
    )
    same = [cid for cid in order if cid in {c.control_id for c in same_risk}]
    assert same[:2] == [late.control_id, soon.control_id]  # dated first, earliest first; undated last
    assert listing.overdue == 1
    overdue = remediation_list(entries, remediation_filters([user, bob], due="overdue")).entries
    assert [e.control_id for e in overdue] == [late.control_id]
    update(submitted, late, user, status="done")
    entries = assessment_entries(assessment_state(submitted))
    assert remediation_list(entries, remediation_filters([user, bob], due="overdue")).entries == []


def test_filters_by_owner_status_risk_and_due(submitted, gaps, user, bob):
    update(submitted, gaps[0], user, owner=bob, status="in_progress", due=TODAY + timedelta(days=14))
    update(submitted, gaps[1], user, due=TODAY + timedelta(days=15))
    entries = assessment_entries(assessment_state(submitted))
    members = [user, bob]

    def ids(**filters):
        return {e.control_id for e in remediation_list(entries, remediation_filters(members, **filters)).entries}

    everything = {c.control_id for c in gaps}
    assert ids() == everything
    assert ids(owner=str(bob.pk)) == {gaps[0].control_id}
    assert ids(owner="unassigned") == everything - {gaps[0].control_id}
    assert ids(status="in_progress") == {gaps[0].control_id}
    assert ids(due="14") == {gaps[0].control_id}
    assert ids(due="none") == everything - {gaps[0].control_id, gaps[1].control_id}
    risk = entries[0].risk
    assert ids(risk=risk) == {e.control_id for e in entries if e.risk == risk}
    # A value that names nothing is ignored, never an error.
    assert ids(owner="99999", status="bogus", risk="huge", due="soon") == everything


def test_the_organization_list_spans_latest_submitted_assessments(user, cloud_model, org):
    first = submitted_assessment(user, cloud_model, title="Alpha")
    second = submitted_assessment(user, cloud_model, title="Beta")
    superseded = submitted_assessment(user, cloud_model, title="Old round")
    superseded_next = submitted_assessment(user, cloud_model, title="New round")
    Assessment.objects.filter(pk=superseded_next.pk).update(previous=superseded)
    draft = assessment_start(
        user=user, model=cloud_model, deployment=cloud_model.deployments.get(key="private"), title="D"
    )
    answer_all(draft, user, "not_implemented")
    other = Organization.objects.create(name="Elsewhere")
    submitted_assessment(make_member("zed@else.test", other), cloud_model, title="Not ours")
    titles = {e.assessment.title for e in organization_entries(org)}
    assert titles == {"Alpha", "Beta", "New round"}
    per = len(assessment_state(first).gaps)
    assert len(organization_entries(org)) == 3 * per
    assert second.title == "Beta"


def test_the_organization_list_makes_a_fixed_number_of_queries(user, cloud_model, org, django_assert_num_queries):
    a = submitted_assessment(user, cloud_model, title="One")
    update(a, assessment_state(a).gaps[0].control, user, status="done")
    gaps = len(assessment_state(a).gaps)
    with django_assert_num_queries(4):
        assert len(organization_entries(org)) == gaps
    for n in range(3):
        b = submitted_assessment(user, cloud_model, title=f"More {n}")
        update(b, assessment_state(b).gaps[0].control, user, status="in_progress")
    with django_assert_num_queries(4):
        assert len(organization_entries(org)) == 4 * gaps


# Export, CSV, PDF


def test_the_export_lists_one_item_per_gap_in_gap_order(submitted, gaps, user, bob):
    update(submitted, gaps[1], user, owner=bob, due=date(2027, 1, 15), status="in_progress", note="Rotate keys")
    data = export_data(assessment_state(Assessment.objects.get(pk=submitted.pk)))
    expected = [{"control": c.control_id, "owner": None, "due": None, "status": "open", "note": ""} for c in gaps]
    expected[1] = {
        "control": gaps[1].control_id,
        "owner": "bob@acme.test",
        "due": "2027-01-15",
        "status": "in_progress",
        "note": "Rotate keys",
    }
    assert data["remediation"] == expected
    gap_ids = [c["id"] for c in data["controls"] if c["outcome"] in ("unmet", "partial", "misattributed", "unknown")]
    assert sorted(gap_ids) == sorted(c.control_id for c in gaps)


def test_a_draft_exports_no_remediation(user, cloud_model):
    draft = assessment_start(
        user=user, model=cloud_model, deployment=cloud_model.deployments.get(key="private"), title="D"
    )
    answer(draft, user, "DATA-ACCESS", "not_implemented")
    data = export_data(assessment_state(draft))
    assert data["remediation"] == []
    rows = list(csv.DictReader(io.StringIO(export_csv(assessment_state(draft)))))
    assert {(r["remediation_owner"], r["remediation_due"], r["remediation_status"]) for r in rows} == {("", "", "")}


def test_the_csv_has_owner_due_and_status_columns_for_gaps(submitted, gaps, user, bob):
    update(submitted, gaps[0], user, owner=bob, due=date(2027, 6, 1), status="in_progress")
    text = export_csv(assessment_state(submitted))
    assert text.splitlines()[0].endswith(",justification,remediation_owner,remediation_due,remediation_status")
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(text))}
    gap_ids = {c.control_id for c in gaps}
    assert (rows[gaps[0].control_id]["remediation_owner"], rows[gaps[0].control_id]["remediation_due"]) == (
        "bob@acme.test",
        "2027-06-01",
    )
    assert rows[gaps[0].control_id]["remediation_status"] == "in_progress"
    assert {rows[cid]["remediation_status"] for cid in gap_ids - {gaps[0].control_id}} == {"open"}
    others = [r for cid, r in rows.items() if cid not in gap_ids]
    assert others and {(r["remediation_owner"], r["remediation_status"]) for r in others} == {("", "")}


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed")
def test_the_pdf_plan_shows_owner_due_and_status(submitted, gaps, user, bob, tmp_path):
    update(submitted, gaps[0], user, owner=bob, due=TODAY - timedelta(days=2), status="in_progress")
    update(submitted, gaps[1], user, status="risk_accepted", risk_reason="Covered by the vendor contract")
    pdf = render_pdf(assessment_state(Assessment.objects.get(pk=submitted.pk))).pdf
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    plan = text[text.rindex("Remediation plan") : text.rindex("Appendix")]
    assert all(head in plan for head in ("Owner: ", "Due: ", "Status: "))
    for words in ("Bob", f"{TODAY - timedelta(days=2):%-d %b}", "In progress", "Overdue"):
        assert words in plan, words
    assert "Nobody" in plan and "Open" in plan and "Risk accepted: Covered by the" in plan
    attached = json.loads(json.dumps(export_data(assessment_state(submitted))))
    assert attached["remediation"][0]["owner"] == "bob@acme.test"


# Pages and permissions


@pytest.fixture
def member_client(client, user):
    client.force_login(user)
    return client


def post_item(client, assessment, control, **fields):
    prefix = f"r-{control.control_id}"
    data = {"owner": "", "due": "", "status": "open", "note": "", "risk_reason": "", "version": "0"} | fields
    return client.post(
        f"/assessments/{assessment.pk}/remediation/{control.control_id}/", {f"{prefix}-{k}": v for k, v in data.items()}
    )


def test_members_see_and_save_items(member_client, submitted, gaps, bob):
    page = member_client.get(f"/assessments/{submitted.pk}/remediation/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'id="r-{gaps[0].control_id}"' in html and "Change this item" in html
    response = post_item(member_client, submitted, gaps[0], owner=str(bob.pk), due="2027-03-31", status="in_progress")
    assert response.status_code == 302
    assert response.url == f"/assessments/{submitted.pk}/remediation/#r-{gaps[0].control_id}"
    item = RemediationItem.objects.get()
    assert (item.owner, item.due, item.status) == (bob, date(2027, 3, 31), "in_progress")
    page = member_client.get(response.url)
    assert f"Saved {gaps[0].control_id}: {gaps[0].title}." in page.content.decode()


def test_a_refused_save_shows_an_error_summary_and_saves_nothing(member_client, submitted, gaps):
    response = post_item(member_client, submitted, gaps[0], status="risk_accepted", due="not a date")
    assert response.status_code == 400
    html = response.content.decode()
    assert "There are problems with this item" in html and "Your change was not saved." in html
    assert f'href="#id_r-{gaps[0].control_id}-risk_reason"' in html
    assert "Say why the risk is accepted." in html
    assert "Enter the due date as a real date, for example 2027-03-31." in html
    assert 'aria-invalid="true"' in html
    assert not RemediationItem.objects.exists()


def test_a_stale_save_is_a_409_showing_the_current_values(member_client, submitted, gaps, bob):
    update(submitted, gaps[0], bob, note="Bob's note")
    response = post_item(member_client, submitted, gaps[0], note="Mine", version="0")
    assert response.status_code == 409
    html = response.content.decode()
    assert "Bob changed this item while you were editing." in html and "Bob&#x27;s note" in html
    assert RemediationItem.objects.get().note == "Bob's note"


def test_an_owner_from_elsewhere_is_refused_by_the_form(member_client, submitted, gaps, other_user):
    response = post_item(member_client, submitted, gaps[0], owner=str(other_user.pk))
    assert response.status_code == 400
    assert "Choose a member of your organization as the owner." in response.content.decode()
    assert not RemediationItem.objects.exists()


def test_reviewers_read_but_cannot_post(client, reviewer, submitted, gaps):
    client.force_login(reviewer)
    page = client.get(f"/assessments/{submitted.pk}/remediation/")
    assert page.status_code == 200
    html = page.content.decode()
    assert gaps[0].control_id in html and f'remediation/{gaps[0].control_id}/"' not in html
    assert "only members of Acme Corp can change it" in html
    client.raise_request_exception = False
    assert post_item(client, submitted, gaps[0], status="done").status_code == 403
    assert not RemediationItem.objects.exists()


def test_other_organizations_get_404(submitted, gaps, other_user):
    outsider = Client(raise_request_exception=False)
    outsider.force_login(other_user)
    assert outsider.get(f"/assessments/{submitted.pk}/remediation/").status_code == 404
    assert post_item(outsider, submitted, gaps[0], status="done").status_code == 404
    assert not RemediationItem.objects.exists()


def test_a_draft_has_no_items_to_post(member_client, user, cloud_model):
    draft = assessment_start(
        user=user, model=cloud_model, deployment=cloud_model.deployments.get(key="private"), title="D"
    )
    answer_all(draft, user, "not_implemented")
    page = member_client.get(f"/assessments/{draft.pk}/remediation/")
    assert "Remediation starts once the assessment is submitted" in page.content.decode()
    control = assessment_state(draft).gaps[0].control
    assert post_item(member_client, draft, control, status="done").status_code == 404
    assert not RemediationItem.objects.exists()


def test_the_organization_page_filters_and_marks_overdue(member_client, submitted, gaps, user, bob):
    update(submitted, gaps[0], user, owner=bob, due=TODAY - timedelta(days=5))
    html = member_client.get("/remediation/").content.decode()
    assert "What's left to do" in html and html.count('class="remediation-row') == len(gaps)
    assert html.count("remediation-row is-overdue") == 1 and ">Overdue<" in html
    html = member_client.get("/remediation/", {"owner": str(bob.pk)}).content.decode()
    assert html.count('class="remediation-row') == 1 and "Showing 1 of" in html


def test_the_organization_page_is_for_members(client, reviewer):
    client.force_login(reviewer)
    assert client.get("/remediation/").status_code == 404


def test_the_results_page_shows_each_gaps_item(member_client, submitted, gaps, user, bob):
    update(submitted, gaps[0], user, owner=bob, due=TODAY - timedelta(days=1), status="in_progress")
    html = member_client.get(f"/assessments/{submitted.pk}/results/").content.decode()
    assert html.count("gap-remediation") == len(gaps)
    assert "owner: Bob" in html and "remediation-overdue" in html
    assert f'href="/assessments/{submitted.pk}/remediation/#r-{gaps[0].control_id}"' in html


def test_the_activity_log_lists_remediation_changes(member_client, submitted, gaps, user):
    update(submitted, gaps[0], user, status="in_progress")
    html = member_client.get(f"/assessments/{submitted.pk}/activity/").content.decode()
    assert "Remediation changed" in html


# Reminders


def test_reminders_go_to_owners_with_items_due_or_overdue(user, bob, org, cloud_model):
    a = submitted_assessment(user, cloud_model, title="Payments")
    g = [item.control for item in assessment_state(a).gaps]
    carol = make_member("carol@acme.test", org, role="member")
    make_member("dave@acme.test", org, role="member")  # owns nothing
    update(a, g[0], user, owner=bob, due=TODAY - timedelta(days=3))  # overdue
    update(a, g[1], user, owner=bob, due=TODAY + timedelta(days=10))  # due soon
    update(a, g[2], user, owner=bob, due=TODAY + timedelta(days=30))  # later: not listed
    update(a, g[3], user, owner=carol, due=TODAY - timedelta(days=1), status="done")  # done: not listed
    update(a, g[4], user, owner=user, due=TODAY + timedelta(days=14))
    mail.outbox.clear()
    call_command("send_remediation_reminders", stdout=io.StringIO())
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@acme.test", "bob@acme.test"]
    bobs = next(m for m in mail.outbox if m.to == ["bob@acme.test"])
    assert bobs.subject == "Remediation: 2 items for you to close"
    assert "Overdue:" in bobs.body and "Due in the next 14 days:" in bobs.body
    assert g[0].control_id in bobs.body and g[1].control_id in bobs.body and g[2].control_id not in bobs.body
    assert "“Payments”" in bobs.body and g[0].title in bobs.body
    assert f"http://127.0.0.1:8000/assessments/{a.pk}/remediation/#r-{g[0].control_id}" in bobs.body
    assert bobs.body.index(g[0].control_id) < bobs.body.index("Due in the next 14 days:")


def test_reminders_dry_run_sends_nothing(user, bob, submitted, gaps):
    update(submitted, gaps[0], user, owner=bob, due=TODAY)
    mail.outbox.clear()
    out = io.StringIO()
    call_command("send_remediation_reminders", "--dry-run", stdout=out)
    assert mail.outbox == []
    assert "To: bob@acme.test" in out.getvalue() and gaps[0].control_id in out.getvalue()


def test_activity_shows_remediation_statuses_in_words(db):
    from assessment.models import AuditEvent

    assert AuditEvent.value_label("status", "in_progress") == "In progress"
    assert AuditEvent.value_label("status", "risk_accepted") == "Risk accepted"
    assert AuditEvent.value_label("status", "in_review") == "In review"
