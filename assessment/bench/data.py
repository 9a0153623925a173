"""The organizations, members and assessments the figures need, made through the services."""

from ..models import Assessment, Membership, Organization, ResponsibilityModel, User
from ..selectors.assessments import assessment_state
from ..services.assessments import AnswerInput, answer_save, assessment_start

DEPLOYMENT_KEY = "managed"
PASSWORD = "bench-password-2026"  # the members the throughput clients log in as
CLAIMS = ("implemented", "partial", "provider", "not_implemented", "unknown", "not_applicable")


def organization(name: str) -> Organization:
    return Organization.objects.create(name=name)


def member(organization: Organization, email: str, *, password: str | None = PASSWORD) -> User:
    user = User.objects.create_user(email, password, name=email.split("@")[0])
    Membership.objects.create(user=user, organization=organization, role=Membership.Role.OWNER)
    return User.objects.get(pk=user.pk)  # with its membership, as a request would load it


def answer_input(index: int) -> AnswerInput:
    claim = CLAIMS[index % len(CLAIMS)]
    justification = "No such component in this deployment." if claim == "not_applicable" else ""
    return AnswerInput(
        claim=claim, notes="Checked in the runbook." if index % 3 == 0 else "", justification=justification
    )


def half_answered(model: ResponsibilityModel, user: User, *, title: str) -> Assessment:
    """A blind draft of `user`'s organization with every other asked control answered."""
    assessment = assessment_start(
        user=user, model=model, deployment=model.deployments.get(key=DEPLOYMENT_KEY), title=title
    )
    asked = [item for item in assessment_state(assessment).items if item.asked]
    for index, item in enumerate(asked[::2]):
        answer_save(assessment=assessment, control=item.control, user=user, data=answer_input(index), base_version=0)
    return Assessment.objects.get(pk=assessment.pk)
