"""Who may do what: the role checks the services and selectors share."""

from .models import Assessment, User


def is_reviewer(user: User) -> bool:
    """The provider's reviewers: staff with the right to review assessments (the Reviewers group)."""
    return bool(
        user.is_authenticated and user.is_active and user.is_staff and user.has_perm("assessment.change_assessment")
    )


def is_member(user: User, assessment: Assessment) -> bool:
    membership = getattr(user, "membership", None)
    return membership is not None and membership.organization_id == assessment.organization_id
