"""The model version as an OSCAL catalog (a group per area, a control per control) and its profile."""

from ..selectors import catalog as catalog_selectors
from ..selectors.catalog import published_memo
from .ids import NS, line, metadata, model_uuid, prop, prose, token

PARTS = (("statement", "statement"), ("why", "why-it-matters"), ("guidance", "guidance"))


def model_modified(model):
    """A model version's documents change only with a new version: dated by its publication."""
    return model.published_at or model.created_at


def statement_id(control_id: str) -> str:
    """The id of a control's statement part: what findings target."""
    return f"{token(control_id)}_statement"


def catalog_document(model) -> dict:
    """`{"catalog": ...}`: every control of the model, whoever owns it (3 queries, none once memoized)."""
    return published_memo(model, "oscal-catalog", lambda: _catalog(model))


def _catalog(model) -> dict:
    groups = [
        {
            "id": token(area.key),
            "title": line(area.title),
            **({"parts": [{"name": "overview", "prose": area.description}]} if area.description.strip() else {}),
            "controls": [_control(control) for control in area.controls.all()],
        }
        for area in catalog_selectors.areas_with_controls(model)
    ]
    return {
        "catalog": {
            "uuid": model_uuid(model, "catalog"),
            "metadata": metadata(f"{model.title} v{model.version}", model_modified(model), model.version, {}, []),
            "groups": groups,
        }
    }


def _control(control) -> dict:
    tok = token(control.control_id)
    parts = [
        {
            "id": statement_id(control.control_id) if field == "statement" else f"{tok}_{field}",
            "name": name,
            **({"ns": NS} if name == "why-it-matters" else {}),
            "prose": prose(getattr(control, field)),
        }
        for field, name in PARTS
    ]
    props = [prop("severity", control.severity), *(prop("reference", ref) for ref in control.reference_list)]
    return {"id": tok, "title": line(control.title), "props": props, "parts": parts}


def profile_document(model) -> dict:
    """`{"profile": ...}`: all of `catalog.json`, the baseline every SSP of the model imports."""
    return {
        "profile": {
            "uuid": model_uuid(model, "profile"),
            "metadata": metadata(
                f"{model.title} v{model.version}: all controls", model_modified(model), model.version, {}, []
            ),
            "imports": [{"href": "catalog.json", "include-all": {}}],
        }
    }
