"""A realistic, fully answered sample assessment, for the report benchmark and for looking at the report.

Everything goes through the services (answers, submit, review), exactly as a customer and a
reviewer would produce it. Callers run it inside a transaction they roll back, or clean up.
"""

from django.contrib.auth.models import Group, Permission

from ..models import Assessment, Membership, Organization, ResponsibilityModel, User
from ..selectors.assessments import assessment_state
from ..services import workflow
from ..services.assessments import AnswerInput, answer_save, assessment_start

# Mostly in place, with every kind of gap and finding in between, in a fixed pattern.
CLAIM_PATTERN = (
    "implemented",
    "implemented",
    "partial",
    "implemented",
    "provider",
    "implemented",
    "not_implemented",
    "implemented",
    "unknown",
    "implemented",
    "not_applicable",
    "implemented",
)
NOTES = (
    "Checked in the cluster settings on the last quarterly review; the runbook is in the platform wiki.",
    "Covered by the platform team's Terraform module; changes go through pull requests with two approvals.",
    "Only production is covered so far. Staging and the analytics replica still use the defaults, and the "
    "migration is planned for next quarter once the new network design is approved.",
    "",
    "We assumed Yugabyte handles this as part of the managed service.",
    "",
)
REVIEW_COMMENTS = {
    "provider": "Under the managed service this one stays with you: please configure it and attach evidence.",
    "unknown": "Please find out who owns this today and update the answer.",
    "partial": "Which clusters are still missing? A date for the rest would help.",
}


def sample_assessment(
    *,
    model: ResponsibilityModel,
    deployment_key: str = "managed",
    status: str = Assessment.Status.IN_REVIEW,
    organization_name: str = "Sample Customer Ltd",
    title: str = "Production clusters",
    email_prefix: str = "sample",
) -> Assessment:
    """Create an organization, a member and a reviewer, and an assessment with every control answered.

    `status` is how far it gets: draft, submitted, in_review (with reviewer comments), approved or
    changes_requested.
    """
    organization = Organization.objects.create(name=organization_name)
    member = User.objects.create_user(f"{email_prefix}-member@example.invalid", None, name="Sam Sample")
    Membership.objects.create(user=member, organization=organization, role=Membership.Role.OWNER)
    assessment = assessment_start(
        user=member,
        model=model,
        deployment=model.deployments.get(key=deployment_key),
        title=title,
        scope="eu-west-1 production and disaster-recovery clusters, and the reporting replica.",
    )
    # Answering can make conditional controls asked: answer until every asked control has an answer.
    answered: set[str] = set()
    index = 0
    while pending := [
        item
        for item in assessment_state(assessment).items
        if item.result is not None and item.control.control_id not in answered
    ]:
        for item in pending:
            claim = CLAIM_PATTERN[index % len(CLAIM_PATTERN)]
            answer_save(
                assessment=assessment,
                control=item.control,
                user=member,
                data=AnswerInput(
                    claim=claim,
                    notes=NOTES[index % len(NOTES)],
                    justification="No such component in this deployment: we do not use it."
                    if claim == "not_applicable"
                    else "",
                ),
                base_version=0,
            )
            answered.add(item.control.control_id)
            index += 1
    if status == Assessment.Status.DRAFT:
        return Assessment.objects.get(pk=assessment.pk)
    assessment = workflow.assessment_submit(assessment=assessment, actor=member)
    if status == Assessment.Status.SUBMITTED:
        return assessment
    reviewer = User.objects.create_user(
        f"{email_prefix}-reviewer@example.invalid", None, name="Riley Reviewer", is_staff=True
    )
    # The data migration's group, or (after a test database flush removed it) just the permissions reviewing needs.
    group = Group.objects.filter(name=workflow.REVIEWERS_GROUP).first()
    if group is not None:
        reviewer.groups.add(group)
    else:
        reviewer.user_permissions.add(
            *Permission.objects.filter(
                content_type__app_label="assessment",
                codename__in=["change_assessment", "add_controlreview", "change_controlreview"],
            )
        )
    reviewer = User.objects.get(pk=reviewer.pk)  # fresh permission cache
    assessment = workflow.assessment_start_review(assessment=assessment, actor=reviewer)
    for item in assessment_state(assessment).items:
        claim = item.answer.claim
        if claim in REVIEW_COMMENTS:
            workflow.control_review_save(
                assessment=assessment,
                control=item.control,
                actor=reviewer,
                # Approval is refused while a control still "needs work".
                verdict="accepted" if status == Assessment.Status.APPROVED else "needs_work",
                comment=REVIEW_COMMENTS[claim],
            )
        elif claim == "not_applicable":
            workflow.control_review_save(
                assessment=assessment, control=item.control, actor=reviewer, verdict="accepted", comment=""
            )
    if status == Assessment.Status.APPROVED:
        return workflow.assessment_approve(
            assessment=assessment, actor=reviewer, message="Approved. Close the high-risk gaps within 90 days."
        )
    if status == Assessment.Status.CHANGES_REQUESTED:
        return workflow.assessment_request_changes(
            assessment=assessment,
            actor=reviewer,
            message="Please revisit the controls marked as needing work, especially backups and network exposure.",
        )
    return Assessment.objects.get(pk=assessment.pk)
