"""Reading evidence: per control for a page, an organization's stored bytes, one file for its download."""

from collections import defaultdict

from django.db.models import Max, Q, Sum
from django.shortcuts import get_object_or_404

from ..models import Assessment, Evidence
from ..permissions import is_reviewer

# Who added it is shown by name: nothing else of the user is read.
_ROW_FIELDS = (
    *("id", "assessment_id", "control_id", "kind", "name", "description", "file", "size", "sha256"),
    *("content_type", "url", "added_by__name", "added_by__email", "added_at", "carried_from_round"),
)


def _rows(queryset):
    return queryset.select_related("added_by").only(*_ROW_FIELDS)


def evidence_by_control(assessment: Assessment) -> dict[int, list[Evidence]]:
    """Every evidence item of the assessment by control pk, oldest first: one query whatever its size."""
    by_control: dict[int, list[Evidence]] = defaultdict(list)
    for evidence in _rows(Evidence.objects.filter(assessment=assessment)).order_by("added_at", "id"):
        by_control[evidence.control_id].append(evidence)
    return dict(by_control)


def evidence_of_control(assessment: Assessment, control_id: int) -> list[Evidence]:
    """One control's evidence (the list an upload or a removal shows again)."""
    return list(_rows(Evidence.objects.filter(assessment=assessment, control_id=control_id)).order_by("added_at", "id"))


def organization_usage(organization_id: int) -> int:
    """Bytes the organization's evidence files take in storage: a file shared by several rounds counts once."""
    per_file = (
        Evidence.objects.filter(assessment__organization_id=organization_id, kind=Evidence.Kind.FILE)
        .values("file")
        .annotate(stored=Max("size"))
    )
    return per_file.aggregate(total=Sum("stored"))["total"] or 0


def evidence_for_download(user, assessment_pk, evidence_id) -> Evidence:
    """A file the user may read, else 404: members of the assessment's organization, and reviewers
    once it is submitted (as for its reports). Links, removed files and everyone else: 404."""
    membership = getattr(user, "membership", None) if user.is_authenticated else None
    readable = Q(assessment__organization_id=membership.organization_id) if membership else Q(pk__in=[])
    if is_reviewer(user):
        readable |= ~Q(assessment__status=Assessment.Status.DRAFT)
    queryset = Evidence.objects.filter(readable, kind=Evidence.Kind.FILE, assessment_id=assessment_pk)
    return get_object_or_404(queryset, pk=evidence_id)
