"""Loading responsibility models from validated specs."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from ..modelfile import ModelSpec
from ..models import Area, Control, Deployment, Ownership, ResponsibilityModel
from ..selectors.catalog import model_spec


class ModelLoadRefused(Exception):
    """The spec is valid but may not be loaded (e.g. it would change a published version)."""


@dataclass(frozen=True)
class LoadResult:
    model: ResponsibilityModel | None
    created: bool
    message: str


@transaction.atomic
def model_load(*, spec: ModelSpec, publish: bool = False, dry_run: bool = False) -> LoadResult:
    """Create a model version from `spec`; a reload of identical content changes nothing.

    A published version is immutable: different content under its slug and version is refused.
    A draft version is replaced wholesale. With dry_run everything is rolled back.
    """
    name = f"{spec.slug} {spec.version}"
    existing = ResponsibilityModel.objects.select_for_update().filter(slug=spec.slug, version=spec.version).first()
    if existing and existing.content_hash != spec.content_hash and model_spec(existing) == spec:
        # Same content, hashed by an older release of the format (e.g. before "question" became
        # "statement"): store today's hash, so a published version stays loadable as it is.
        existing.content_hash = spec.content_hash
        existing.save(update_fields=["content_hash"])
    if existing and existing.content_hash == spec.content_hash:
        if publish and existing.status == ResponsibilityModel.Status.DRAFT:
            if not dry_run:
                _publish(existing)
            return LoadResult(existing, False, f"{name} is already loaded; published it.")
        return LoadResult(existing, False, f"{name} is already loaded with the same content; nothing to do.")
    if existing and existing.status != ResponsibilityModel.Status.DRAFT:
        raise ModelLoadRefused(
            f"{name} is {existing.status} and cannot change; bump the version "
            f'(e.g. version: "{_next_version(spec.version)}") to load new content.'
        )
    sid = transaction.savepoint()
    if existing:
        existing.delete()
    model = _create(spec)
    if publish:
        _publish(model)
    verb = "Would load" if dry_run else "Loaded"
    state = "published" if publish else "draft"
    message = f"{verb} {name} ({state}): {_count(len(spec.areas), 'area')}, {_count(len(spec.controls), 'control')}."
    if dry_run:
        transaction.savepoint_rollback(sid)
        return LoadResult(None, False, message)
    transaction.savepoint_commit(sid)
    return LoadResult(model, True, message)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _publish(model: ResponsibilityModel) -> None:
    model.status = ResponsibilityModel.Status.PUBLISHED
    model.published_at = timezone.now()
    model.save(update_fields=["status", "published_at"])


def _next_version(version: str) -> str:
    head, _, last = version.rpartition(".")
    return f"{head}.{int(last) + 1}" if last.isdigit() and head else f"{version}.1"


def _create(spec: ModelSpec) -> ResponsibilityModel:
    model = ResponsibilityModel(
        slug=spec.slug,
        version=spec.version,
        title=spec.title,
        description=spec.description,
        customer_name=spec.customer_name,
        provider_name=spec.provider_name,
        infrastructure_name=spec.infrastructure_name,
        content_hash=spec.content_hash,
    )
    model.full_clean()
    model.save()
    deployments = Deployment.objects.bulk_create(
        Deployment(model=model, key=d.key, name=d.name, description=d.description, position=i)
        for i, d in enumerate(spec.deployments)
    )
    by_key = {d.key: d for d in deployments}
    areas = Area.objects.bulk_create(
        Area(model=model, key=a.key, title=a.title, description=a.description, position=i)
        for i, a in enumerate(spec.areas)
    )
    controls, specs = [], []
    for area, area_spec in zip(areas, spec.areas, strict=True):
        for position, c in enumerate(area_spec.controls):
            control = Control(
                model=model,
                area=area,
                control_id=c.id,
                title=c.title,
                statement=c.statement,
                why=c.why,
                guidance=c.guidance.common,
                severity=c.severity,
                references=[[framework, list(ids)] for framework, ids in c.references],
                customer_part=c.customer_part.common,
                provider_part=c.provider_part.common,
                condition={"control": c.condition.control, "answers": list(c.condition.answers)}
                if c.condition
                else None,
                position=position,
            )
            controls.append(control)
            specs.append(c)
    Control.objects.bulk_create(controls)
    Ownership.objects.bulk_create(
        Ownership(
            control=control,
            deployment=by_key[key],
            owner=owner,
            partner=c.partner(key) or "",
            guidance=c.guidance.specific(key),
            customer_part=c.customer_part.specific(key),
            partner_part=c.provider_part.specific(key),
        )
        for control, c in zip(controls, specs, strict=True)
        for key, owner in c.owners
    )
    return model
