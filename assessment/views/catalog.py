"""Public pages: the responsibility model library, matrices, controls and exports."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from ..modelfile import to_json, to_yaml
from ..oscal import catalog as oscal_catalog
from ..oscal.ids import dump
from ..oscal.ssp import provider_ssp
from ..reports import xlsx
from ..selectors import catalog
from ..selectors.assessments import applicable_ownerships, condition_text


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Landing page: what the product does and where to start."""
    return render(request, "home.html", {"models": catalog.published_models()})


@require_GET
def model_list(request: HttpRequest) -> HttpResponse:
    """The published responsibility models."""
    return render(request, "models/model_list.html", {"models": catalog.published_models()})


@require_GET
def model_detail(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    """The responsibility matrix, optionally narrowed to one deployment and one area."""
    model = catalog.published_model(slug, version)
    deployments = list(model.deployments.order_by("position"))
    areas = list(model.areas.order_by("position"))
    deployment_key = request.GET.get("deployment") or ""
    area_key = request.GET.get("area") or ""
    shown = [d for d in deployments if d.key == deployment_key] or deployments
    if area_key not in {a.key for a in areas}:
        area_key = ""
    context = {
        "model": model,
        "deployments": deployments,
        "shown_deployments": shown,
        "areas": areas,
        "deployment_key": deployment_key if len(shown) == 1 else "",
        "area_key": area_key,
        "matrix": catalog.matrix(model, shown, area_key or None),
    }
    return render(request, "models/model_detail.html", context)


@require_GET
def control_detail(request: HttpRequest, slug: str, version: str, control_id: str) -> HttpResponse:
    """One control: statement, why, guidance, owner per deployment (with what only it reads), references."""
    model = catalog.published_model(slug, version)
    control = get_object_or_404(model.controls.select_related("area"), control_id=control_id)
    context = {"model": model, "control": control, "rows": catalog.control_rows(model, control)}
    if control.condition:
        titles = dict(model.controls.filter(control_id=control.condition["control"]).values_list("control_id", "title"))
        context["condition_text"] = condition_text(control.condition, titles)
    return render(request, "models/control_detail.html", context)


@require_GET
def model_export(request: HttpRequest, slug: str, version: str, fmt: str) -> HttpResponse:
    """The model in the file format: loading it back reproduces the same model. XLSX: one deployment, CAIQ layout."""
    model = catalog.published_model(slug, version)
    if fmt == "xlsx":
        return model_caiq(request, model)
    if fmt == "oscal.json":  # export.oscal.json: this route's `<str:fmt>` takes the dot too
        return model_oscal(request, model)
    spec = catalog.model_spec(model)
    if fmt == "yaml":
        body, content_type = to_yaml(spec), "application/yaml; charset=utf-8"
    elif fmt == "json":
        body, content_type = to_json(spec), "application/json; charset=utf-8"
    else:
        raise Http404("Unknown export format.")
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{model.slug}-{model.version}.{fmt}"'
    return response


def chosen_deployment(request: HttpRequest, model, what: str):
    """(`?deployment=<key>` of the model, None), or (None, a 400 page that names the keys)."""
    deployments = list(model.deployments.order_by("position"))
    key = request.GET.get("deployment") or ""
    deployment = next((d for d in deployments if d.key == key), None)
    if deployment is not None:
        return deployment, None
    keys = ", ".join(d.key for d in deployments)
    said = f"“{key[:60]}” is not a deployment of this model" if key else "Choose a deployment"
    message = f"{said}: the {what} export is for one deployment. Add ?deployment= with one of: {keys}."
    return None, render(request, "400.html", {"message": message}, status=400)


def model_caiq(request: HttpRequest, model) -> HttpResponse:
    """`?deployment=<key>`: the model as that deployment's customers see it, in the CSA CAIQ v4 layout."""
    deployment, refused = chosen_deployment(request, model, "CAIQ")
    if refused:
        return refused
    response = HttpResponse(xlsx.caiq_workbook(model, deployment), content_type=xlsx.CONTENT_TYPE)
    filename = f"{model.slug}-{model.version}-{deployment.key}-caiq.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def model_oscal(request: HttpRequest, model) -> HttpResponse:
    """`?deployment=<key>`: the provider's OSCAL SSP for it, as a provider would publish it (the same
    document as `provider-ssp.json` of an assessment's package); it imports `profile.json` beside it."""
    deployment, refused = chosen_deployment(request, model, "OSCAL")
    if refused:
        return refused
    document = provider_ssp(model, deployment, applicable_ownerships([deployment.pk]))
    filename = f"{model.slug}-{model.version}-{deployment.key}-ssp.json"
    return oscal_response(document, filename)


@require_GET
def model_oscal_catalog(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    """The model version as an OSCAL catalog."""
    model = catalog.published_model(slug, version)
    return oscal_response(oscal_catalog.catalog_document(model), f"{model.slug}-{model.version}-catalog.json")


@require_GET
def model_oscal_profile(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    """The OSCAL profile that includes all of the catalog (what SSPs of the model import)."""
    model = catalog.published_model(slug, version)
    return oscal_response(oscal_catalog.profile_document(model), f"{model.slug}-{model.version}-profile.json")


def oscal_response(document: dict, filename: str) -> HttpResponse:
    response = HttpResponse(dump(document), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(False, filename)
    return response
