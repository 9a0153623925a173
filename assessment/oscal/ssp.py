"""System security plans: the provider's published split for a deployment, and the customer's own.

The provider's SSP `export`s per control what it (or the infrastructure) has `provided` and what
remains the customer's `responsibilities`; the customer's SSP says per asked control what it has
`inherited` (pointing at a `provided-uuid`) and what it has `satisfied` (at a `responsibility-uuid`).
Both compute those uuids from the model version, the deployment and the control, so they match.
"""

from ..models.assessments import Claim
from ..models.catalog import Owner
from ..selectors.catalog import joined
from .catalog import model_modified
from .ids import (
    assessment_uuid,
    line,
    metadata,
    model_uuid,
    organization_uuid,
    party,
    prop,
    prose,
    token,
)

ROLES = {"customer": "Customer", "provider": "Provider", "infrastructure": "Infrastructure"}
PARTNERS = (Owner.PROVIDER, Owner.INFRASTRUCTURE)

# The customer's implementation of its part, from its answer (OSCAL has no "someone else does":
# that, "nobody does yet" and "we don't know" are all not in place yet, i.e. planned).
IMPLEMENTATION = {
    Claim.IMPLEMENTED: "implemented",
    Claim.PARTIAL: "partial",
    Claim.PROVIDER: "planned",
    Claim.NOT_IMPLEMENTED: "planned",
    Claim.UNKNOWN: "planned",
    Claim.NOT_APPLICABLE: "not-applicable",
}


def party_uuid(model, who: str) -> str:
    return model_uuid(model, "party", who)


def model_parties(model) -> list[dict]:
    return [
        party(party_uuid(model, Owner.PROVIDER), model.provider_name),
        party(party_uuid(model, Owner.INFRASTRUCTURE), model.infrastructure_name),
    ]


def service_uuid(model, deployment) -> str:
    """The provider's service under a deployment: "this system" of the provider's SSP."""
    return model_uuid(model, deployment.key, "component", "service")


def provided_uuid(model, deployment, control_id: str) -> str:
    return model_uuid(model, deployment.key, control_id, "provided")


def responsibility_uuid(model, deployment, control_id: str) -> str:
    return model_uuid(model, deployment.key, control_id, "responsibility")


def holder(ownership) -> str | None:
    """Who provides something of the control: the owner, the partner of a shared one, else nobody."""
    if ownership.owner in PARTNERS:
        return ownership.owner
    if ownership.owner == Owner.SHARED:
        return ownership.partner or Owner.PROVIDER
    return None


def customer_has_part(ownership) -> bool:
    return ownership.owner in (Owner.CUSTOMER, Owner.SHARED)


def _parts(ownership) -> tuple[str, str, str]:
    control = ownership.control
    return (
        joined(control.customer_part, ownership.customer_part),
        joined(control.provider_part, ownership.partner_part),
        joined(control.guidance, ownership.guidance),
    )


def _system(system_id: str, name: str, description: str, boundary: str) -> dict:
    return {
        "system-ids": [{"identifier-type": "https://ietf.org/rfc/rfc4122", "id": system_id}],
        "system-name": line(name),
        "description": prose(description),
        "system-information": {
            "information-types": [{"title": "Data held in the service", "description": prose(boundary)}]
        },
        "status": {"state": "operational"},
        "authorization-boundary": {"description": prose(boundary)},
    }


def _user(uuid: str, role: str) -> dict:
    return {"uuid": uuid, "title": ROLES[role], "role-ids": [role]}


# The provider's SSP --------------------------------------------------------------------------------


def provider_ssp(model, deployment, ownerships) -> dict:
    """`{"system-security-plan": ...}` of the provider for `deployment`; `ownerships`: its controls
    whose owner is not `none`, in model order (with `control` joined)."""
    service = service_uuid(model, deployment)
    requirements = [_provided_requirement(model, deployment, o, service) for o in ownerships]
    ssp = {
        "uuid": model_uuid(model, deployment.key, "provider-ssp"),
        "metadata": metadata(
            f"{model.title} v{model.version}, {deployment.name}: what {model.provider_name} provides",
            model_modified(model),
            model.version,
            ROLES,
            model_parties(model),
        ),
        "import-profile": {"href": "profile.json"},
        "system-characteristics": _system(
            model_uuid(model, deployment.key, "system"),
            f"{model.provider_name}: {deployment.name}",
            prose(deployment.description, model.description),
            f"The {deployment.name} deployment of {model.title}.",
        ),
        "system-implementation": {
            "users": [_user(model_uuid(model, deployment.key, "user", "customer"), "customer")],
            "components": [
                {
                    "uuid": service,
                    "type": "this-system",
                    "title": line(f"{model.provider_name}: {deployment.name}"),
                    "description": prose(deployment.description, model.description),
                    "status": {"state": "operational"},
                }
            ],
        },
        "control-implementation": {
            "description": prose(
                f"Per control, what {model.provider_name} or {model.infrastructure_name} provides under "
                f"{deployment.name} and what remains the customer's responsibility."
            ),
            "implemented-requirements": requirements,
        },
    }
    return {"system-security-plan": ssp}


def _provided_requirement(model, deployment, ownership, service: str) -> dict:
    cid = ownership.control.control_id
    customer, partner, guidance = _parts(ownership)
    export = {}
    provider = holder(ownership)
    if provider is not None:
        export["provided"] = [
            {
                "uuid": provided_uuid(model, deployment, cid),
                "description": prose(partner if ownership.owner == Owner.SHARED else partner or guidance),
                "responsible-roles": [{"role-id": provider}],
            }
        ]
    if customer_has_part(ownership):
        responsibility = {
            "uuid": responsibility_uuid(model, deployment, cid),
            "description": prose(customer if ownership.owner == Owner.SHARED else customer or guidance),
            "responsible-roles": [{"role-id": "customer"}],
        }
        if provider is not None:
            responsibility["provided-uuid"] = provided_uuid(model, deployment, cid)
        export["responsibilities"] = [responsibility]
    return {
        "uuid": model_uuid(model, deployment.key, cid, "requirement"),
        "control-id": token(cid),
        "by-components": [
            {
                "component-uuid": service,
                "uuid": model_uuid(model, deployment.key, cid, "by-component"),
                "description": prose(guidance, ownership.control.statement),
                "export": export,
            }
        ],
    }


# The customer's SSP --------------------------------------------------------------------------------


def customer_components(state) -> dict[str, str]:
    """Component uuids of the customer's SSP: this system, the provider's service, the infrastructure."""
    a = state.assessment
    return {
        Owner.CUSTOMER: assessment_uuid(a, "component", "this-system"),
        Owner.PROVIDER: assessment_uuid(a, "component", "provider"),
        Owner.INFRASTRUCTURE: assessment_uuid(a, "component", "infrastructure"),
    }


def customer_ssp(state) -> dict:
    """`{"system-security-plan": ...}` of the customer's system: one implemented requirement per asked control."""
    a = state.assessment
    model, deployment = a.model, a.deployment
    components = customer_components(state)
    authorization = assessment_uuid(a, "leveraged-authorization")
    organization = party(organization_uuid(a.organization), a.organization.name)
    external = prop("implementation-point", "external", ns=False)
    ssp = {
        "uuid": assessment_uuid(a, "ssp"),
        "metadata": metadata(
            f"{a.title}: system security plan",
            a.updated_at,
            str(a.revision),
            ROLES,
            [organization, *model_parties(model)],
        ),
        "import-profile": {"href": "profile.json"},
        "system-characteristics": _system(str(a.pk), a.title, a.scope or a.title, a.scope or a.title),
        "system-implementation": {
            "leveraged-authorizations": [
                {
                    "uuid": authorization,
                    "title": line(f"{model.provider_name}: {deployment.name} ({model.title} v{model.version})"),
                    "party-uuid": party_uuid(model, Owner.PROVIDER),
                    "date-authorized": model_modified(model).date().isoformat(),
                }
            ],
            "users": [_user(assessment_uuid(a, "user", "customer"), "customer")],
            "components": [
                {
                    "uuid": components[Owner.CUSTOMER],
                    "type": "this-system",
                    "title": line(a.title),
                    "description": prose(a.scope, a.title),
                    "status": {"state": "operational"},
                },
                {
                    "uuid": components[Owner.PROVIDER],
                    "type": "leveraged-system",
                    "title": line(f"{model.provider_name}: {deployment.name}"),
                    "description": prose(deployment.description, model.description),
                    "props": [
                        prop("leveraged-authorization-uuid", authorization, ns=False),
                        external,
                        prop("inherited-uuid", service_uuid(model, deployment), ns=False),
                    ],
                    "status": {"state": "operational"},
                },
                {
                    "uuid": components[Owner.INFRASTRUCTURE],
                    "type": "service",
                    "title": line(model.infrastructure_name),
                    "description": prose(
                        f"The infrastructure under {model.provider_name}: {model.infrastructure_name}."
                    ),
                    "props": [external],
                    "status": {"state": "operational"},
                },
            ],
        },
        "control-implementation": {
            "description": prose(
                f"What {a.organization.name} inherits from {model.provider_name} or {model.infrastructure_name} "
                f"and what it satisfies itself, per asked control of {deployment.name}, with its answers."
            ),
            "implemented-requirements": [_customer_requirement(state, item, components) for item in state.items],
        },
    }
    return {"system-security-plan": ssp}


def origination(ownership) -> list[str]:
    """Where the control's implementation comes from, in OSCAL's `control-origination` values."""
    values = []
    if customer_has_part(ownership):
        values.append("system-specific")
    if holder(ownership) is not None:
        values.append("inherited")
    return values


def _customer_requirement(state, item, components: dict) -> dict:
    a = state.assessment
    model, deployment = a.model, a.deployment
    cid = item.control.control_id
    ownership, answer = item.ownership, item.answer
    by_components = []
    provider = holder(ownership)
    if provider is not None:
        by_components.append(
            {
                "component-uuid": components[provider],
                "uuid": assessment_uuid(a, cid, "inherited-by"),
                "description": prose(item.partner_part or item.guidance),
                "inherited": [
                    {
                        "uuid": assessment_uuid(a, cid, "inherited"),
                        "provided-uuid": provided_uuid(model, deployment, cid),
                        "description": prose(item.partner_part or item.guidance),
                    }
                ],
            }
        )
    # The customer's own entry carries its answer, whoever owns the control: the answer is the finding.
    claim = Claim(answer.claim) if answer else None
    own = {
        "component-uuid": components[Owner.CUSTOMER],
        "uuid": assessment_uuid(a, cid, "this-system-by"),
        "description": prose(
            f"Answer: {claim.label}." if claim else "Not answered yet.", answer.notes if answer else ""
        ),
        "implementation-status": {"state": IMPLEMENTATION[claim] if claim else "planned"},
    }
    if claim:
        own["props"] = [prop("answer", claim.value)]
    if claim == Claim.NOT_APPLICABLE and answer.justification.strip():
        own["implementation-status"]["remarks"] = prose(answer.justification)
    if customer_has_part(ownership):
        own["satisfied"] = [
            {
                "uuid": assessment_uuid(a, cid, "satisfied"),
                "responsibility-uuid": responsibility_uuid(model, deployment, cid),
                "description": prose(item.customer_part or item.guidance),
            }
        ]
    by_components.append(own)
    return {
        "uuid": assessment_uuid(a, cid, "requirement"),
        "control-id": token(cid),
        "props": [prop("control-origination", value, ns=False) for value in origination(ownership)],
        "by-components": by_components,
    }
