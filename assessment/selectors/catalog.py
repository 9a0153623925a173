"""Reading responsibility models: lists, the matrix, single controls, specs for export."""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from ..modelfile import AreaSpec, ControlSpec, DeploymentSpec, ModelSpec
from ..models import Area, Control, Ownership, ResponsibilityModel


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
    owners: list[str]  # one per deployment, in deployment order


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
            by_deployment = {o.deployment_id: o.owner for o in control.ownerships.all()}
            rows.append(MatrixRow(control, [by_deployment.get(d.pk, "none") for d in deployments]))
        result.append(MatrixArea(area, rows))
    return result


def model_spec(model: ResponsibilityModel) -> ModelSpec:
    """Rebuild the file spec from the database (for export); loads back to the same content hash."""
    deployments = list(model.deployments.order_by("position"))
    areas = []
    for area in areas_with_controls(model):
        controls = []
        for c in area.controls.all():
            owner_of = {o.deployment.key: o.owner for o in c.ownerships.all()}
            controls.append(
                ControlSpec(
                    id=c.control_id,
                    title=c.title,
                    question=c.question,
                    why=c.why,
                    guidance=c.guidance,
                    severity=c.severity,
                    owners=tuple((d.key, owner_of[d.key]) for d in deployments),
                    references=tuple((fw, tuple(ids)) for fw, ids in c.references),
                    customer_part=c.customer_part,
                    provider_part=c.provider_part,
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
