"""Moving an assessment to a newer version of its model: which version, and what would change.

A published version never changes; corrections ship as a new version. An open assessment may
move to the newest one: answers carry over by control id. Submitted and approved assessments
keep the version they were answered against.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from ..models import Answer, Assessment, Deployment, Ownership, ResponsibilityModel
from ..models.assessments import Claim
from ..models.catalog import Owner, version_key


def newer_version(assessment: Assessment) -> ResponsibilityModel | None:
    """The newest published version the assessment may move to, else None (one query).

    Only while its answers can change (draft, changes requested), and only when that version still
    has the assessment's deployment. If the newest version dropped the deployment, older ones are
    not offered instead: there is one version to move to, or none.
    """
    if assessment.status not in Assessment.EDITABLE_STATUSES:
        return None
    current = assessment.model
    candidates = (
        ResponsibilityModel.objects.published()
        .filter(slug=current.slug)
        .exclude(pk=current.pk)
        .annotate(
            has_deployment=Exists(
                Deployment.objects.filter(model=OuterRef("pk"), key=assessment.deployment.key),
            )
        )
    )
    newest = max(candidates, key=lambda m: version_key(m.version), default=None)
    if newest is None or version_key(newest.version) <= version_key(current.version) or not newest.has_deployment:
        return None
    return newest


def ownerships_in(model: ResponsibilityModel, deployment_key: str) -> dict[str, Ownership]:
    """Per control id, in model order, each control's ownership under a deployment (one query).

    Owner-none controls are included (they exist but are never asked), so a caller can tell a
    control that left the model from one that is no longer asked there.
    """
    ownerships = (
        Ownership.objects.filter(deployment__model=model, deployment__key=deployment_key)
        .select_related("control")
        .order_by("control__area__position", "control__position")
    )
    return {o.control.control_id: o for o in ownerships}


def asked(ownerships: dict[str, Ownership]) -> dict[str, Ownership]:
    return {cid: o for cid, o in ownerships.items() if o.owner != Owner.NONE}


@dataclass(frozen=True)
class ControlChange:
    """One control on the preview: what it was and what it becomes, in words."""

    control_id: str
    title: str
    before: str
    after: str
    answered: bool


@dataclass(frozen=True)
class UpgradePreview:
    current: ResponsibilityModel
    target: ResponsibilityModel
    added: tuple[ControlChange, ...]  # asked in the target, not asked before: wait unanswered
    removed: tuple[ControlChange, ...]  # gone from the target, or no longer asked for this deployment
    owner_changed: tuple[ControlChange, ...]  # answers carry over, flagged for a second look
    condition_changed: tuple[ControlChange, ...]  # when the control is asked differs
    carried_over: int  # answers that move to the target's controls
    dropped_ids: tuple[str, ...]  # answers of removed controls: deleted, their values stay in the activity log

    @property
    def dropped(self) -> int:
        return len(self.dropped_ids)

    @property
    def answers_summary(self) -> str:
        """The answers' fate in one sentence or two, for the page."""
        one_carried = self.carried_over == 1
        text = f"{_count(self.carried_over, 'answer')} {'carries' if one_carried else 'carry'} over."
        if self.dropped:
            ids = ", ".join(self.dropped_ids)
            one = self.dropped == 1
            text += (
                f" {_count(self.dropped, 'answer')} ({ids}) will be removed with {'its' if one else 'their'} "
                f"control{'' if one else 's'}; {'its' if one else 'their'} value{' stays' if one else 's stay'} "
                "in the assessment's activity log."
            )
        return text


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def condition_text(condition: dict | None) -> str:
    if not condition:
        return "Always asked"
    answers = " or ".join(f"“{Claim(a).label}”" if a in Claim.values else a for a in condition["answers"])
    return f"Asked only when {condition['control']} is answered {answers}"


def _same_condition(a: dict | None, b: dict | None) -> bool:
    if not a or not b:
        return not a and not b
    return a["control"] == b["control"] and set(a["answers"]) == set(b["answers"])


def upgrade_preview(assessment: Assessment, target: ResponsibilityModel) -> UpgradePreview:
    """What moving to `target` changes for the assessment's deployment: 3 queries, however many controls."""
    current, key = assessment.model, assessment.deployment.key
    old = asked(ownerships_in(current, key))
    in_target = ownerships_in(target, key)
    new = asked(in_target)
    answered = set(Answer.objects.filter(assessment=assessment).values_list("control__control_id", flat=True))
    added = tuple(
        ControlChange(cid, o.control.title, "", target.party_name(o.owner), False)
        for cid, o in new.items()
        if cid not in old
    )
    removed = tuple(
        ControlChange(
            cid,
            o.control.title,
            current.party_name(o.owner),
            "Not asked for this deployment" if cid in in_target else f"Not in version {target.version}",
            cid in answered,
        )
        for cid, o in old.items()
        if cid not in new
    )
    owner_changed, condition_changed = [], []
    for cid, o in new.items():
        before = old.get(cid)
        if before is None:
            continue
        if before.owner != o.owner:
            owner_changed.append(
                ControlChange(
                    cid, o.control.title, current.party_name(before.owner), target.party_name(o.owner), cid in answered
                )
            )
        if not _same_condition(before.control.condition, o.control.condition):
            condition_changed.append(
                ControlChange(
                    cid,
                    o.control.title,
                    condition_text(before.control.condition),
                    condition_text(o.control.condition),
                    cid in answered,
                )
            )
    # In old-model order; an answer to a control the old version did not ask either goes too.
    dropped = [c.control_id for c in removed if c.answered]
    dropped += sorted(answered - new.keys() - set(dropped))
    return UpgradePreview(
        current=current,
        target=target,
        added=added,
        removed=removed,
        owner_changed=tuple(owner_changed),
        condition_changed=tuple(condition_changed),
        carried_over=len(answered & new.keys()),
        dropped_ids=tuple(dropped),
    )
