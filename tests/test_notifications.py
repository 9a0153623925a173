"""Emails: reviewers hear about submissions, the organization's members about decisions."""

import pytest
from django.conf import settings
from django.core import mail

from assessment.services import workflow
from tests.conftest import make_member, make_reviewer


@pytest.fixture
def in_review(complete, user, reviewer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        submitted = workflow.assessment_submit(assessment=complete, actor=user)
    mail.outbox.clear()
    return workflow.assessment_start_review(assessment=submitted, actor=reviewer)


def submit(assessment, user, capture):
    with capture(execute=True):
        return workflow.assessment_submit(assessment=assessment, actor=user)


def test_submission_emails_every_active_reviewer(complete, user, reviewer, django_capture_on_commit_callbacks):
    make_reviewer("second@provider.test")
    make_reviewer("former@provider.test", is_active=False)
    submit(complete, user, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == ["riley@provider.test", "second@provider.test"]


def test_submission_email_names_the_organization_and_title(
    complete, user, reviewer, django_capture_on_commit_callbacks
):
    submit(complete, user, django_capture_on_commit_callbacks)
    assert mail.outbox[0].subject == "Submitted for review: Acme Corp — Prod cluster"


def test_submission_email_links_to_the_review_page(complete, user, reviewer, django_capture_on_commit_callbacks):
    submit(complete, user, django_capture_on_commit_callbacks)
    link = f"{settings.SITE_URL}/admin/assessment/assessment/{complete.pk}/change/"
    assert f"Review it: {link}" in mail.outbox[0].body


def test_submission_email_is_plain_text(complete, user, reviewer, django_capture_on_commit_callbacks):
    submit(complete, user, django_capture_on_commit_callbacks)
    message = mail.outbox[0]
    assert (message.content_subtype, getattr(message, "alternatives", [])) == ("plain", [])


def test_submission_does_not_email_customers(complete, user, reviewer, django_capture_on_commit_callbacks):
    submit(complete, user, django_capture_on_commit_callbacks)
    assert user.email not in mail.outbox[0].to


def test_a_refused_submission_sends_nothing(assessment, user, reviewer, django_capture_on_commit_callbacks):
    with pytest.raises(workflow.TransitionRefused), django_capture_on_commit_callbacks(execute=True):
        workflow.assessment_submit(assessment=assessment, actor=user)  # nothing answered
    assert mail.outbox == []


def test_starting_a_review_sends_nothing(complete, user, reviewer, django_capture_on_commit_callbacks):
    submitted = submit(complete, user, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.assessment_start_review(assessment=submitted, actor=reviewer)
    assert mail.outbox == []


def test_approval_emails_the_organizations_members_only(
    in_review, org, user, reviewer, other_user, django_capture_on_commit_callbacks
):
    make_member("bob@acme.test", org, role="member")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.assessment_approve(assessment=in_review, actor=reviewer, message="Well done.")
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == ["alice@acme.test", "bob@acme.test"]


def test_approval_email_says_approved_and_links_to_the_assessment(
    in_review, reviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.assessment_approve(assessment=in_review, actor=reviewer, message="Well done.")
    message = mail.outbox[0]
    assert message.subject == "Review approved: Prod cluster"
    assert message.body == (
        "The review of “Prod cluster” is done: approved.\n\n"
        "Reviewer's message:\nWell done.\n\n"
        f"See it: {settings.SITE_URL}/assessments/{in_review.pk}/\n"
    )


def test_change_request_email_carries_the_message_and_link(in_review, reviewer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.assessment_request_changes(assessment=in_review, actor=reviewer, message="Restrict NET-ALLOW.")
    message = mail.outbox[0]
    assert message.subject == "Review changes requested: Prod cluster"
    assert "Reviewer's message:\nRestrict NET-ALLOW.\n" in message.body
    assert f"See it: {settings.SITE_URL}/assessments/{in_review.pk}/" in message.body


def test_a_refused_decision_sends_nothing(in_review, reviewer, django_capture_on_commit_callbacks):
    with pytest.raises(workflow.TransitionRefused), django_capture_on_commit_callbacks(execute=True):
        workflow.assessment_request_changes(assessment=in_review, actor=reviewer, message="")
    assert mail.outbox == []


def test_inactive_members_get_no_decision_email(in_review, org, reviewer, django_capture_on_commit_callbacks):
    former = make_member("former@acme.test", org, role="member")
    former.is_active = False
    former.save(update_fields=["is_active"])
    with django_capture_on_commit_callbacks(execute=True):
        workflow.assessment_approve(assessment=in_review, actor=reviewer)
    assert "former@acme.test" not in mail.outbox[0].to
