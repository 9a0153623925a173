"""The walk-through as a form service: progress, the error summary of a failed page save, and
check your answers with a declaration and a confirmation before the answers lock."""

import pytest

from assessment.models import Answer, Assessment, AuditEvent
from assessment.services import workflow
from tests.conftest import answer, make_member


@pytest.fixture
def logged_in(client, user):
    client.force_login(user)
    return client


def url(assessment, tail=""):
    return f"/assessments/{assessment.pk}/{tail}"


# Progress


def test_area_page_says_which_area_of_how_many_and_how_much_is_answered(logged_in, assessment, user):
    answer(assessment, user, "NET-ALLOW", "implemented")
    answer(assessment, user, "ENC-TLS-VERIFY", "implemented")
    areas = list(assessment.model.areas.order_by("position"))
    network = next(a for a in areas if a.key == "network")
    html = logged_in.get(url(assessment, "areas/network/")).content.decode()
    position = areas.index(network) + 1
    asked = len(logged_in.get(url(assessment, "export.json")).json()["controls"])
    assert f"Area {position} of {len(areas)} · 2 of {asked} answered" in html
    assert f'<progress class="walk-bar" value="2" max="{asked}"' in html


def test_step_list_counts_each_area_ticks_complete_ones_and_does_not_number_the_review(logged_in, assessment, user):
    network = assessment.model.areas.get(key="network")
    network_ids = list(
        network.controls.filter(ownerships__deployment=assessment.deployment)
        .exclude(ownerships__owner="none")
        .values_list("control_id", flat=True)
    )
    for cid in network_ids:
        answer(assessment, user, cid, "implemented")
    html = logged_in.get(url(assessment, "areas/network/")).content.decode()
    n = len(network_ids)
    assert f'✓</span> {n}/{n}<span class="visually-hidden"> answered, complete</span>' in html
    assert "0/" in html  # other areas not started
    # The review is a separate, unnumbered list after the areas.
    numbered, rest = html.split("list-group-numbered", 1)[1].split("</ol>", 1)
    assert "Check answers and submit" not in numbered
    assert "Check answers and submit" in rest


# Failed page save (no JavaScript)


def test_failed_page_save_lists_each_problem_with_its_control_and_says_what_is_kept(logged_in, assessment, user):
    answer(assessment, user, "NET-ALLOW", "partial")  # saved earlier by autosave
    stored = Answer.objects.get(control__control_id="NET-ALLOW")
    response = logged_in.post(
        url(assessment, "areas/network/"),
        {
            "NET-ALLOW-claim": "implemented",
            "NET-ALLOW-version": str(stored.version),
            "NET-PRIVATE-claim": "not_applicable",
            "NET-PRIVATE-version": "0",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem with an answer on this page" in html
    assert (
        "None of the changes on this page were saved. The 1 answer saved earlier (marked “Last saved”) is kept as it was."
        in html
    )
    title = assessment.model.controls.get(control_id="NET-PRIVATE").title
    assert (
        f'<a href="#id_NET-PRIVATE-justification"><span class="text-nowrap font-monospace">NET-PRIVATE</span> '
        f"{title}: Explain why this control does not apply to you.</a>" in html
    )
    assert 'id="id_NET-PRIVATE-justification"' in html  # the link's target exists
    assert 'class="alert alert-danger error-summary" role="alert" tabindex="-1" data-error-summary autofocus' in html
    stored.refresh_from_db()
    assert stored.claim == "partial"  # all or nothing: the valid change was not saved either
    assert Answer.objects.count() == 1


def test_failed_page_save_links_a_missing_answer_to_its_first_radio_and_a_conflict_to_its_card(
    logged_in, assessment, user
):
    response = logged_in.post(
        url(assessment, "areas/network/"),
        {
            "NET-PRIVATE-notes": "typed, no answer",
            "NET-PRIVATE-version": "0",
            "NET-REVIEW-justification": "also typed",
            "NET-REVIEW-version": "0",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "There are problems with answers on this page" in html
    assert 'href="#id_NET-PRIVATE-claim_0"' in html and 'id="id_NET-PRIVATE-claim_0"' in html
    assert html.count("Choose an answer so your notes can be saved.</a>") == 2
    assert "typed, no answer" in html and "also typed" in html  # nothing typed is lost

    answer(assessment, user, "NET-ALLOW", "partial", notes="theirs")
    response = logged_in.post(
        url(assessment, "areas/network/"),
        {"NET-ALLOW-claim": "implemented", "NET-ALLOW-version": "0"},  # stale: someone else saved meanwhile
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem with an answer on this page" in html
    assert '<a href="#c-NET-ALLOW">' in html and 'id="c-NET-ALLOW"' in html


def test_area_page_without_problems_has_no_error_summary(logged_in, assessment):
    assert "error-summary" not in logged_in.get(url(assessment, "areas/network/")).content.decode()


# Check your answers


def test_check_answers_lists_every_answer_with_notes_justification_and_a_change_link(logged_in, assessment, user):
    answer(assessment, user, "NET-ALLOW", "implemented", notes="<b>allow-list</b> on every cluster")
    answer(assessment, user, "NET-PRIVATE", "not_applicable", justification="No VPC\nat all")
    html = logged_in.get(url(assessment, "review/")).content.decode()
    assert "Check your answers before submitting" in html
    assert "&lt;b&gt;allow-list&lt;/b&gt; on every cluster" in html
    assert "No VPC<br>at all" in html
    change = (
        f'href="/assessments/{assessment.pk}/areas/network/#c-NET-ALLOW">Change<span class="visually-hidden"> NET-ALLOW'
    )
    assert change in html
    assert f'href="/assessments/{assessment.pk}/areas/network/#c-NET-PRIVLINK">Answer<span' in html
    assert "Not answered" in html


def test_gaps_on_the_check_page_link_to_their_controls(logged_in, assessment, user):
    answer(assessment, user, "NET-ALLOW", "not_implemented")
    html = logged_in.get(url(assessment, "review/")).content.decode()
    gaps = html.split('class="list-unstyled small mb-0 gap-links"', 1)[1].split("</ul>", 1)[0]
    assert f'<a href="/assessments/{assessment.pk}/areas/network/#c-NET-ALLOW">' in gaps
    assert "— Unmet" in gaps


def test_declaration_names_the_person_and_is_needed_before_the_confirmation(logged_in, complete, user):
    html = logged_in.get(url(complete, "review/")).content.decode()
    declaration = workflow.declaration_text(user, complete)
    assert user.email in declaration and complete.organization.name in declaration
    assert declaration in html
    response = logged_in.post(url(complete, "submit/"), {})
    assert response.status_code == 400
    assert "Tick the declaration to confirm the answers are accurate, then submit." in response.content.decode()
    assert 'href="#id_declare"' in response.content.decode()
    complete.refresh_from_db()
    assert complete.status == Assessment.Status.DRAFT


def test_ticked_declaration_asks_for_confirmation_and_locks_nothing_yet(logged_in, complete):
    response = logged_in.post(url(complete, "submit/"), {"declare": "on"})
    html = response.content.decode()
    assert response.status_code == 200
    assert f"Submit “{complete.title}” for review?" in html
    assert "Yes, submit and lock the answers" in html
    assert 'name="confirm" value="on"' in html
    complete.refresh_from_db()
    assert complete.status == Assessment.Status.DRAFT
    assert not AuditEvent.objects.filter(assessment=complete, kind=AuditEvent.Kind.TRANSITION).exists()


def test_confirming_submits_and_keeps_the_declaration(logged_in, complete, user):
    response = logged_in.post(url(complete, "submit/"), {"declare": "on", "confirm": "on"})
    assert response.status_code == 302 and response["Location"] == url(complete, "results/")
    complete.refresh_from_db()
    assert complete.status == Assessment.Status.SUBMITTED
    assert complete.submitted_by == user
    assert complete.declaration == workflow.declaration_text(user, complete)
    html = logged_in.get(url(complete, "review/")).content.decode()
    assert complete.declaration in html
    assert "Change<span" not in html  # locked: nothing to change


def test_a_retried_confirmation_lands_on_the_results_and_submits_once(logged_in, complete):
    """A double click, or a retry after the connection dropped once the first confirmation had committed."""
    logged_in.post(url(complete, "submit/"), {"declare": "on", "confirm": "on"})
    response = logged_in.post(url(complete, "submit/"), {"declare": "on", "confirm": "on"}, follow=True)
    assert response.redirect_chain[-1][0] == url(complete, "results/")
    assert "This assessment was already submitted for review (" in response.content.decode()
    assert "Answers are locked." in response.content.decode()
    transitions = AuditEvent.objects.filter(assessment=complete, kind=AuditEvent.Kind.TRANSITION)
    assert transitions.count() == 1


def test_confirming_an_incomplete_assessment_is_refused_with_the_reason(logged_in, assessment, user):
    answer(assessment, user, "NET-ALLOW", "implemented")
    response = logged_in.post(url(assessment, "submit/"), {"declare": "on", "confirm": "on"}, follow=True)
    assert "Answer every control before submitting" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.DRAFT and assessment.declaration == ""


def test_another_member_declares_in_their_own_name(client, complete, org):
    colleague = make_member("sam@acme.test", org, role="member")
    colleague.name = "Sam Lee"
    colleague.save()
    client.force_login(colleague)
    client.post(url(complete, "submit/"), {"declare": "on", "confirm": "on"})
    complete.refresh_from_db()
    assert complete.declaration.startswith("Sam Lee (sam@acme.test) declares, on behalf of")


@pytest.fixture
def sent_back(complete, user, reviewer):
    workflow.assessment_submit(assessment=complete, actor=user)
    workflow.assessment_start_review(assessment=complete, actor=reviewer)
    for cid, comment in (("NET-ALLOW", "Name the allow-listed ranges."), ("ENC-TLS-VERIFY", "Which TLS version?")):
        workflow.control_review_save(
            assessment=complete,
            control=complete.model.controls.get(control_id=cid),
            actor=reviewer,
            verdict="needs_work",
            comment=comment,
        )
    workflow.assessment_request_changes(assessment=complete, actor=reviewer, message="Two things.")
    complete.refresh_from_db()
    return complete


def test_resubmission_shows_which_flagged_controls_changed_and_says_resubmit(logged_in, sent_back, user):
    answer(sent_back, user, "NET-ALLOW", "implemented", notes="10.0.0.0/8 only")
    html = logged_in.get(url(sent_back, "review/")).content.decode()
    flagged = html.split('id="flagged-title"', 1)[1].split("</section>", 1)[0]
    assert "What the reviewer asked you to change" in html
    rows = {row.split('font-monospace">', 1)[1].split("<", 1)[0]: row for row in flagged.split("<li")[1:]}
    assert "Changed</span>" in rows["NET-ALLOW"]
    assert "Not changed yet</span>" in rows["ENC-TLS-VERIFY"]
    assert "Name the allow-listed ranges." in flagged
    assert ">Resubmit</button>" in html
    confirm = logged_in.post(url(sent_back, "submit/"), {"declare": "on"}).content.decode()
    assert "Yes, resubmit and lock the answers" in confirm
