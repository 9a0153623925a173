"""Reading responsibility models: lists, the matrix, single controls, specs for export."""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from ..modelfile import AreaSpec, ConditionSpec, ControlSpec, DeploymentSpec, ModelSpec, Texts
from ..models import Area, Control, Deployment, Ownership, ResponsibilityModel

# What pages read of a published model version, kept per process: a published version never
# changes (corrections are a new version). The key's creation time keeps a test database that
# reuses ids from ever matching another model's rows; drafts are never kept (they can be replaced).
_PUBLISHED: dict[tuple, object] = {}
PUBLISHED_MEMO_SIZE = 256  # entries; cleared when full


def published_memo(model: ResponsibilityModel, what: str, load, *key):
    """`load()`, once per process for a published model version (and `key`), every time for a draft."""
    if model.status == ResponsibilityModel.Status.DRAFT:
        return load()
    memo_key = (what, model.pk, model.created_at, model.content_hash, *key)
    value = _PUBLISHED.get(memo_key)
    if value is None:
        value = load()
        if len(_PUBLISHED) >= PUBLISHED_MEMO_SIZE:
            _PUBLISHED.clear()
        _PUBLISHED[memo_key] = value
    return value


def model_areas(model: ResponsibilityModel) -> list[Area]:
    """The model's areas in order (no query once memoized)."""
    return published_memo(model, "areas", lambda: list(model.areas.order_by("position")))


def published_models() -> QuerySet[ResponsibilityModel]:
    return ResponsibilityModel.objects.published().annotate(
        area_count=Count("areas", distinct=True), control_count=Count("controls", distinct=True)
    )


def published_model(slug: str, version: str) -> ResponsibilityModel:
    """The published (or retired, still citable) version, else 404. Drafts are not public."""
    return get_object_or_404(
        ResponsibilityModel.objects.exclude(status=ResponsibilityModel.Status.DRAFT),
        slug=slug,
        version=version,
    )


@dataclass(frozen=True)
class MatrixRow:
    control: Control
    owners: list[tuple[str, str]]  # (owner, label) per deployment, in deployment order


@dataclass(frozen=True)
class MatrixArea:
    area: Area
    rows: list[MatrixRow]


def areas_with_controls(model: ResponsibilityModel) -> list[Area]:
    """Areas in order, each with `.controls.all()` and each control's ownerships prefetched: 3 queries."""
    ownerships = Ownership.objects.select_related("deployment")
    controls = Control.objects.order_by("position").prefetch_related(Prefetch("ownerships", queryset=ownerships))
    return list(model.areas.order_by("position").prefetch_related(Prefetch("controls", queryset=controls)))


def matrix(model: ResponsibilityModel, deployments, area_key: str | None = None) -> list[MatrixArea]:
    result = []
    for area in areas_with_controls(model):
        if area_key and area.key != area_key:
            continue
        rows = []
        for control in area.controls.all():
            by_deployment = {o.deployment_id: o for o in control.ownerships.all()}
            cells = []
            for d in deployments:
                o = by_deployment.get(d.pk)
                owner, partner = (o.owner, o.partner) if o else ("none", "")
                cells.append((owner, model.owner_label(owner, partner)))
            rows.append(MatrixRow(control, cells))
        result.append(MatrixArea(area, rows))
    return result


@dataclass(frozen=True)
class DeploymentChoice:
    """A deployment offered on the start page, with how much of the model it leaves to the customer."""

    deployment: Deployment
    owned: int  # controls the customer owns or shares under this deployment
    applies: int  # controls that arise under it at all (owner not "none")

    @property
    def summary(self) -> str:
        return f"You own {self.owned} of {self.applies} control{'' if self.applies == 1 else 's'} here"


@dataclass(frozen=True)
class DeploymentGroup:
    model: ResponsibilityModel
    choices: list[DeploymentChoice]


def deployment_choices(models: QuerySet[ResponsibilityModel]) -> list[DeploymentGroup]:
    """The deployments of `models`, grouped by model (by title, then in the file's order): 2 queries."""
    deployments = list(
        Deployment.objects.filter(model__in=models).select_related("model").order_by("model__title", "position")
    )
    counts = {
        row["deployment"]: row
        for row in Ownership.objects.filter(deployment__in=[d.pk for d in deployments])
        .exclude(owner="none")
        .order_by()
        .values("deployment")
        .annotate(applies=Count("pk"), owned=Count("pk", filter=Q(owner__in=("customer", "shared"))))
    }
    groups: dict[int, DeploymentGroup] = {}
    for d in deployments:
        row = counts.get(d.pk, {"owned": 0, "applies": 0})
        group = groups.setdefault(d.model_id, DeploymentGroup(d.model, []))
        group.choices.append(DeploymentChoice(d, row["owned"], row["applies"]))
    return list(groups.values())


def joined(common: str, specific: str) -> str:
    """What a deployment's customers read: the text every deployment shows, then their own."""
    return "\n\n".join(text for text in (common, specific) if text)


@dataclass(frozen=True)
class ControlRow:
    """One deployment's view of a control: owner, and the texts only its customers read."""

    deployment: object
    owner: str
    label: str
    guidance: str
    customer_part: str
    partner_part: str
    partner_name: str

    @property
    def has_text(self) -> bool:
        """Whether this deployment has words of its own to show (else the owner table says it all)."""
        return bool(self.guidance or self.customer_part or self.partner_part)


def control_rows(model: ResponsibilityModel, control: Control) -> list[ControlRow]:
    rows = []
    for o in control.ownerships.select_related("deployment").order_by("deployment__position"):
        shared = o.owner == "shared"
        rows.append(
            ControlRow(
                deployment=o.deployment,
                owner=o.owner,
                label=model.owner_label(o.owner, o.partner),
                guidance=o.guidance,
                customer_part=joined(control.customer_part, o.customer_part)
                if o.owner in ("customer", "shared")
                else "",
                partner_part=joined(control.provider_part, o.partner_part) if shared else "",
                partner_name=model.party_name(o.partner or "provider") if shared else "",
            )
        )
    return rows


def model_spec(model: ResponsibilityModel) -> ModelSpec:
    """Rebuild the file spec from the database (for export); loads back to the same content hash."""
    deployments = list(model.deployments.order_by("position"))
    areas = []
    for area in areas_with_controls(model):
        controls = []
        for c in area.controls.all():
            rows = {o.deployment.key: o for o in c.ownerships.all()}
            ordered = [rows[d.key] for d in deployments]

            def texts(common: str, field: str, ordered=ordered) -> Texts:
                return Texts(common, tuple((o.deployment.key, getattr(o, field)) for o in ordered if getattr(o, field)))

            condition = c.condition
            controls.append(
                ControlSpec(
                    id=c.control_id,
                    title=c.title,
                    statement=c.statement,
                    why=c.why,
                    guidance=texts(c.guidance, "guidance"),
                    severity=c.severity,
                    owners=tuple((o.deployment.key, o.owner) for o in ordered),
                    references=tuple((fw, tuple(ids)) for fw, ids in c.references),
                    customer_part=texts(c.customer_part, "customer_part"),
                    provider_part=texts(c.provider_part, "partner_part"),
                    # Only partners a file can state: "provider" is the default, so it round-trips as absent.
                    partners=tuple((o.deployment.key, o.partner) for o in ordered if o.partner == "infrastructure"),
                    condition=ConditionSpec(condition["control"], tuple(condition["answers"])) if condition else None,
                )
            )
        areas.append(AreaSpec(key=area.key, title=area.title, description=area.description, controls=tuple(controls)))
    return ModelSpec(
        slug=model.slug,
        version=model.version,
        title=model.title,
        description=model.description,
        customer_name=model.customer_name,
        provider_name=model.provider_name,
        infrastructure_name=model.infrastructure_name,
        deployments=tuple(DeploymentSpec(d.key, d.name, d.description) for d in deployments),
        areas=tuple(areas),
    )
