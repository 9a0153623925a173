"""The OSCAL package of an assessment (issue 15, part 1).

Each document is validated against NIST's published OSCAL 1.2.1 JSON schema (tests/schemas/) and
with compliance-trestle's pydantic models of OSCAL 1.2.1 (a maintained binding; extra keys are
refused), plus the rules such models leave out: every finding target has a
status, every uuid a document references resolves in the package, roles and parties are declared,
imports name files in the zip, and the same revision always gives the same bytes.
"""

import io
import json
import re
import zipfile
from datetime import UTC, date, timedelta
from urllib.parse import urljoin

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from trestle.oscal import assessment_plan, assessment_results, catalog, poam, profile, ssp

from assessment import gap
from assessment.models import Ownership
from assessment.oscal.ids import NS
from assessment.services import workflow
from assessment.services.assessments import assessment_start
from tests.conftest import answer, answer_all, make_member
from tests.oscal_schema import schema_errors
from tests.test_remediation import update

MODELS = {
    "catalog.json": ("catalog", catalog.Catalog),
    "profile.json": ("profile", profile.Profile),
    "provider-ssp.json": ("system-security-plan", ssp.SystemSecurityPlan),
    "ssp.json": ("system-security-plan", ssp.SystemSecurityPlan),
    "assessment-plan.json": ("assessment-plan", assessment_plan.AssessmentPlan),
    "assessment-results.json": ("assessment-results", assessment_results.AssessmentResults),
    "poam.json": ("plan-of-action-and-milestones", poam.PlanOfActionAndMilestones),
}
SATISFIED = {"met", "inherited", "overlap", "awareness", "not_applicable"}
# (owner kind, claim) for each outcome of DESIGN §4
CASES = {
    "met": ("customer", "implemented"),
    "partial": ("customer", "partial"),
    "misattributed": ("customer", "provider"),
    "unmet": ("customer", "not_implemented"),
    "unknown": ("customer", "unknown"),
    "not_applicable": ("customer", "not_applicable"),
    "inherited": ("provider", "provider"),
    "overlap": ("provider", "implemented"),
    "awareness": ("provider", "not_implemented"),
}


@pytest.fixture
def logged_in(client, user):
    client.force_login(user)
    return client


def url(assessment) -> str:
    return f"/assessments/{assessment.pk}/export.oscal.zip"


def package(response) -> dict[str, dict]:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as z:
        return {name: json.loads(z.read(name)) for name in z.namelist()}


def root(docs, name):
    return docs[name][MODELS[name][0]]


def walk(value, key=None):
    """Every (key, value) pair in a JSON document, at any depth."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield k, v
            yield from walk(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from walk(v, key)


def values(document, key) -> list:
    return [v for k, v in walk(document) if k == key]


def result_of(docs):
    return root(docs, "assessment-results.json")["results"][0]


def hand_built(assessment, user) -> dict[str, str]:
    """One control per outcome of DESIGN §4, answered so; every other asked control met. Returns id → outcome."""
    from assessment.selectors.assessments import assessment_state

    answer_all(assessment, user)
    state = assessment_state(assessment)
    premises = {item.control.condition["control"] for item in state.items if item.control.condition}
    free = [i for i in state.items if not i.control.condition and i.control.control_id not in premises]
    chosen, used = {}, set()
    for outcome, (kind, claim) in CASES.items():
        owners = ("customer", "shared") if kind == "customer" else ("provider", "infrastructure")
        item = next(i for i in free if i.owner in owners and i.control.control_id not in used)
        used.add(item.control.control_id)
        answer(
            assessment,
            user,
            item.control.control_id,
            claim,
            justification="Only batch jobs" if claim == "not_applicable" else "",
        )
        assert gap.outcome_for(item.owner, claim) == outcome
        chosen[item.control.control_id] = outcome
    return chosen


def submitted_with_review_and_plan(assessment, user, reviewer):
    chosen = hand_built(assessment, user)
    workflow.assessment_submit(assessment=assessment, actor=user)
    workflow.assessment_start_review(assessment=assessment, actor=reviewer)
    by_outcome = {outcome: cid for cid, outcome in chosen.items()}
    model = assessment.model
    misattributed = model.controls.get(control_id=by_outcome["misattributed"])
    workflow.control_review_save(
        assessment=assessment, control=misattributed, actor=reviewer, verdict="needs_work", comment="Show the evidence"
    )
    due = date.today() + timedelta(days=30)
    update(assessment, misattributed, user, owner=user, due=due.isoformat(), status="in_progress")
    update(
        assessment,
        model.controls.get(control_id=by_outcome["unmet"]),
        user,
        status="risk_accepted",
        risk_reason="Low use",
    )
    update(assessment, model.controls.get(control_id=by_outcome["unknown"]), user, status="done")
    return chosen, due


def test_every_document_validates_with_trestle(logged_in, assessment, user, reviewer):
    submitted_with_review_and_plan(assessment, user, reviewer)
    docs = package(logged_in.get(url(assessment)))
    assert sorted(docs) == sorted(MODELS)
    for name, (key, model) in MODELS.items():
        assert list(docs[name]) == [key]
        assert docs[name][key]["metadata"]["oscal-version"] == "1.2.1"
        model.model_validate(docs[name][key])


def test_every_document_validates_against_nists_json_schema(logged_in, assessment, user, reviewer):
    submitted_with_review_and_plan(assessment, user, reviewer)
    docs = package(logged_in.get(url(assessment)))
    for name, document in docs.items():
        assert schema_errors(document) == [], name


def test_the_schema_check_catches_what_the_schema_requires(logged_in, assessment, user, reviewer):
    # The finding target's status is required by the schema, not by every library's models.
    submitted_with_review_and_plan(assessment, user, reviewer)
    results = package(logged_in.get(url(assessment)))["assessment-results.json"]
    target = results["assessment-results"]["results"][0]["findings"][0]["target"]
    del target["status"]
    target["target-id"] = "2 bad token"
    errors = schema_errors(results)
    assert any("'status' is a required property" in e for e in errors), errors
    assert any("'2 bad token' does not match" in e for e in errors), errors


def test_references_resolve_and_roles_and_parties_are_declared(logged_in, assessment, user, reviewer):
    submitted_with_review_and_plan(assessment, user, reviewer)
    docs = package(logged_in.get(url(assessment)))
    provider = root(docs, "provider-ssp.json")
    customer = root(docs, "ssp.json")
    provided = values(provider, "provided")
    responsibilities = values(provider, "responsibilities")
    provided_ids = {p["uuid"] for group in provided for p in group}
    responsibility_ids = {r["uuid"] for group in responsibilities for r in group}
    assert values(customer, "provided-uuid") and values(customer, "responsibility-uuid")
    assert set(values(customer, "provided-uuid")) <= provided_ids
    assert set(values(customer, "responsibility-uuid")) <= responsibility_ids
    assert {r["provided-uuid"] for group in responsibilities for r in group if "provided-uuid" in r} <= provided_ids
    for name in MODELS:
        doc = root(docs, name)
        meta = doc["metadata"]
        roles = {r["id"] for r in meta.get("roles", [])}
        assert set(values(doc, "role-id")) <= roles, name
        for ids in values(doc, "role-ids"):
            assert set(ids) <= roles, name
        parties = {p["uuid"] for p in meta.get("parties", [])}
        assert set(values(doc, "party-uuid")) | {a for a in values(doc, "actor-uuid")} <= parties, name
        components = {c["uuid"] for c in values(doc, "components") for c in c}
        assert set(values(doc, "component-uuid")) <= components, name
        for key, element in (
            ("observation-uuid", "observations"),
            ("risk-uuid", "risks"),
            ("finding-uuid", "findings"),
        ):
            declared = {e["uuid"] for group in values(doc, element) for e in group}
            assert set(values(doc, key)) <= declared, (name, key)
    # Imports name files of the package, relative.
    hrefs = [
        root(docs, "profile.json")["imports"][0]["href"],
        provider["import-profile"]["href"],
        customer["import-profile"]["href"],
        root(docs, "assessment-plan.json")["import-ssp"]["href"],
        root(docs, "assessment-results.json")["import-ap"]["href"],
        root(docs, "poam.json")["import-ssp"]["href"],
    ]
    assert hrefs == ["catalog.json", "profile.json", "profile.json", "ssp.json", "assessment-plan.json", "ssp.json"]
    # The customer's leveraged system is the provider's service.
    leveraged = next(c for c in customer["system-implementation"]["components"] if c["type"] == "leveraged-system")
    props = {p["name"]: p["value"] for p in leveraged["props"]}
    authorization = customer["system-implementation"]["leveraged-authorizations"][0]
    assert props["leveraged-authorization-uuid"] == authorization["uuid"]
    assert props["inherited-uuid"] == provider["system-implementation"]["components"][0]["uuid"]
    assert props["implementation-point"] == "external"


def test_a_finding_per_asked_control_with_the_gap_engines_outcome(logged_in, assessment, user, reviewer):
    chosen, _due = submitted_with_review_and_plan(assessment, user, reviewer)
    data = logged_in.get(f"/assessments/{assessment.pk}/export.json").json()
    docs = package(logged_in.get(url(assessment)))
    result = result_of(docs)
    findings = {f["target"]["target-id"].removesuffix("_statement"): f for f in result["findings"]}
    assert list(findings) == [c["id"] for c in data["controls"]]
    for control in data["controls"]:
        finding = findings[control["id"]]
        assert finding["target"]["type"] == "statement-id"
        state = "satisfied" if control["outcome"] in SATISFIED else "not-satisfied"
        assert finding["target"]["status"]["state"] == state
        assert finding["props"] == [{"name": "outcome", "ns": NS, "value": control["outcome"]}]
    assert {findings[cid]["props"][0]["value"] for cid in chosen} == set(CASES)
    for cid, outcome in chosen.items():
        assert findings[cid]["props"][0]["value"] == outcome
    na = findings[next(cid for cid, o in chosen.items() if o == "not_applicable")]
    assert na["target"]["status"] == {"state": "satisfied", "reason": "other"}
    assert na["remarks"] == "Only batch jobs"
    # One risk per gap, its level the gap's risk; one observation per answer and per verdict.
    gaps = [c for c in data["controls"] if c["outcome"] in gap.GAP_OUTCOMES]
    assert [r["title"].split(":")[0] for r in result["risks"]] == [c["id"] for c in gaps]
    assert [r["props"] for r in result["risks"]] == [
        [{"name": "risk-level", "ns": NS, "value": c["risk"]}] for c in gaps
    ]
    interviews = [o for o in result["observations"] if o["methods"] == ["INTERVIEW"]]
    verdicts = [o for o in result["observations"] if o["methods"] == ["EXAMINE"]]
    assert len(interviews) == len(data["controls"]) and len(verdicts) == 1
    assert verdicts[0]["description"] == "Verdict: Needs work.\n\nShow the evidence"
    organization = root(docs, "assessment-results.json")["metadata"]["parties"][0]
    assert organization["name"] == "Acme Corp"
    assert {o["origins"][0]["actors"][0]["actor-uuid"] for o in interviews} == {organization["uuid"]}
    assessment.refresh_from_db()
    assert result["start"] == assessment.created_at.astimezone(UTC).isoformat()
    assert result["end"] == assessment.submitted_at.astimezone(UTC).isoformat()


def test_ssp_follows_owner_partner_and_answer(logged_in, assessment, user, reviewer):
    chosen, _ = submitted_with_review_and_plan(assessment, user, reviewer)
    docs = package(logged_in.get(url(assessment)))
    customer = root(docs, "ssp.json")
    components = {c["type"]: c["uuid"] for c in customer["system-implementation"]["components"]}
    requirements = {r["control-id"]: r for r in customer["control-implementation"]["implemented-requirements"]}
    by_outcome = {outcome: cid for cid, outcome in chosen.items()}
    mine = requirements[by_outcome["partial"]]
    assert [p["value"] for p in mine["props"] if p["name"] == "control-origination"] in (
        ["system-specific"],
        ["system-specific", "inherited"],
    )
    own = next(b for b in mine["by-components"] if b["component-uuid"] == components["this-system"])
    assert own["implementation-status"] == {"state": "partial"}
    assert own["description"].startswith("Answer: We do, partly.")
    assert own["satisfied"]
    theirs = requirements[by_outcome["inherited"]]
    assert [p["value"] for p in theirs["props"]] == ["inherited"]
    assert any("inherited" in b for b in theirs["by-components"])
    assert next(b for b in theirs["by-components"] if "satisfied" not in b and "inherited" not in b)
    # The provider SSP: a requirement per control whose owner is not none, roles provider/infrastructure.
    provider = root(docs, "provider-ssp.json")
    owners = {
        o.control.control_id: o
        for o in assessment.deployment.ownerships.select_related("control").exclude(owner="none")
    }
    exported = {
        r["control-id"]: r["by-components"][0]["export"]
        for r in provider["control-implementation"]["implemented-requirements"]
    }
    assert set(exported) == set(owners)
    for cid, export in exported.items():
        o = owners[cid]
        assert ("provided" in export) == (o.owner != "customer")
        assert ("responsibilities" in export) == (o.owner in ("customer", "shared"))
        if "provided" in export:
            role = o.owner if o.owner != "shared" else (o.partner or "provider")
            assert export["provided"][0]["responsible-roles"] == [{"role-id": role}]


def test_poam_items_are_the_gaps_with_the_remediation(logged_in, assessment, user, reviewer):
    chosen, due = submitted_with_review_and_plan(assessment, user, reviewer)
    data = logged_in.get(f"/assessments/{assessment.pk}/export.json").json()
    docs = package(logged_in.get(url(assessment)))
    plan = root(docs, "poam.json")
    gaps = [c["id"] for c in data["controls"] if c["outcome"] in gap.GAP_OUTCOMES]
    # Worst first, as the gaps are listed everywhere.
    assert [item["title"].split(":")[0] for item in plan["poam-items"]] == [r["control"] for r in data["remediation"]]
    assert sorted(r["control"] for r in data["remediation"]) == sorted(gaps)
    risks = {r["uuid"]: r for r in plan["risks"]}
    findings = {f["uuid"]: f for f in plan["findings"]}
    results_findings = {f["uuid"] for f in result_of(docs)["findings"]}
    status = {"open": "open", "in_progress": "remediating", "done": "closed", "risk_accepted": "deviation-approved"}
    for item, row in zip(plan["poam-items"], data["remediation"], strict=True):
        risk = risks[item["related-risks"][0]["risk-uuid"]]
        finding = findings[item["related-findings"][0]["finding-uuid"]]
        assert finding["uuid"] in results_findings
        assert finding["title"] == item["title"] == risk["title"]
        assert risk["status"] == status[row["status"]]
        assert risk.get("deadline", "").split("T")[0] == (row["due"] or "")
        owner = [p["value"] for p in item.get("props", []) if p["name"] == "owner"]
        assert owner == ([row["owner"]] if row["owner"] else [])
    by_outcome = {outcome: cid for cid, outcome in chosen.items()}
    by_control = {i["title"].split(":")[0]: i for i in plan["poam-items"]}
    misattributed = by_control[by_outcome["misattributed"]]
    assert misattributed["props"] == [{"name": "owner", "ns": NS, "value": "alice@acme.test"}]
    assert risks[misattributed["related-risks"][0]["risk-uuid"]]["deadline"].startswith(due.isoformat())
    statuses = {r["title"].split(":")[0]: r["status"] for r in plan["risks"]}
    assert statuses[by_outcome["unmet"]] == "deviation-approved"
    assert statuses[by_outcome["unknown"]] == "closed"
    assert statuses[by_outcome["partial"]] == "open"


def test_same_revision_same_bytes_and_a_change_changes_them(logged_in, assessment, user):
    answer(assessment, user, "NET-ALLOW", "provider", notes="First")
    first = logged_in.get(url(assessment)).content
    assert logged_in.get(url(assessment)).content == first
    answer(assessment, user, "NET-ALLOW", "implemented", notes="First")
    changed = logged_in.get(url(assessment)).content
    assert changed != first
    assert logged_in.get(url(assessment)).content == changed


def test_download_name(logged_in, assessment):
    response = logged_in.get(url(assessment))
    assert response["Content-Disposition"].startswith('attachment; filename="acme-corp-prod-cluster-')
    assert response["Content-Disposition"].endswith('.oscal.zip"')


def test_access(client, assessment, user, other_user, reviewer):
    client.force_login(other_user)
    assert client.get(url(assessment)).status_code == 404
    client.force_login(reviewer)
    assert client.get(url(assessment)).status_code == 404  # a draft is not the reviewer's yet
    answer_all(assessment, user)
    workflow.assessment_submit(assessment=assessment, actor=user)
    docs = package(client.get(url(assessment)))
    assert result_of(docs)["end"]
    client.logout()
    assert client.get(url(assessment)).status_code == 302


def test_hostile_text_exports_fine(logged_in, assessment, user):
    hostile = 'He said "hi" </script> \\ \x01\x07\x1b \u202e' + "x" * 4970
    answer(assessment, user, "NET-ALLOW", "partial", notes=hostile)
    docs = package(logged_in.get(url(assessment)))
    for name, (key, model) in MODELS.items():
        model.model_validate(docs[name][key])
    observation = next(o for o in result_of(docs)["observations"] if o["title"].startswith("NET-ALLOW"))
    assert observation["description"] == "Answer: We do, partly.\n\n" + hostile.strip()


def test_query_count_does_not_grow_with_the_answers(logged_in, assessment, user, reviewer):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert logged_in.get(url(assessment)).status_code == 200
        return len(queries)

    answer(assessment, user, "NET-ALLOW", "implemented")
    count()  # fills the per-process memo of the published model
    few = count()
    answer_all(assessment, user, "partial")
    assert count() == few


def test_query_count_of_a_submitted_one_does_not_grow_with_the_gaps(logged_in, user, yb_model, managed, reviewer):
    small = assessment_start(user=user, model=yb_model, deployment=managed, title="Small", scope="")
    answer_all(small, user)
    answer(small, user, "NET-ALLOW", "unknown")
    workflow.assessment_submit(assessment=small, actor=user)
    large = assessment_start(user=user, model=yb_model, deployment=managed, title="Large", scope="")
    answer_all(large, user, "unknown")
    workflow.assessment_submit(assessment=large, actor=user)

    def count(a) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert logged_in.get(url(a)).status_code == 200
        return len(queries)

    count(small)
    assert count(large) == count(small)


def test_a_member_of_the_same_organization_reads_it(client, assessment, user, org):
    colleague = make_member("bob@acme.test", org, role="member")
    client.force_login(colleague)
    assert package(client.get(url(assessment)))


def test_results_page_and_reviewers_page_link_to_the_package(logged_in, client, reviewer, assessment, user):
    answer_all(assessment, user)
    results = logged_in.get(f"/assessments/{assessment.pk}/results/").content.decode()
    assert f'href="/assessments/{assessment.pk}/export.oscal.zip">OSCAL</a>' in results
    workflow.assessment_submit(assessment=assessment, actor=user)
    client.force_login(reviewer)
    review = client.get(f"/admin/assessment/assessment/{assessment.pk}/change/").content.decode()
    assert re.search(rf'<a href="/assessments/{assessment.pk}/export.oscal.zip"[^>]*>OSCAL</a>', review)


# The model's own documents (the provider's published split) ---------------------------------------


def test_model_documents_are_the_packages(logged_in, client, assessment, user):
    answer(assessment, user, "NET-ALLOW", "implemented")
    with zipfile.ZipFile(io.BytesIO(logged_in.get(url(assessment)).content)) as z:
        entries = {name: z.read(name) for name in z.namelist()}
    client.logout()  # published models are public
    model = assessment.model
    base = f"/models/{model.slug}/{model.version}/"
    ssp_url = f"{base}export.oscal.json?deployment={assessment.deployment.key}"
    for path, name in (
        (ssp_url, "provider-ssp.json"),
        (f"{base}profile.json", "profile.json"),
        (f"{base}catalog.json", "catalog.json"),
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["Content-Type"] == "application/json; charset=utf-8"
        assert response.content == entries[name], name
    # Relative imports resolve beside the document.
    provider = json.loads(client.get(ssp_url).content)["system-security-plan"]
    profile_url = urljoin(ssp_url, provider["import-profile"]["href"])
    profile_doc = json.loads(client.get(profile_url).content)["profile"]
    catalog_doc = client.get(urljoin(profile_url, profile_doc["imports"][0]["href"])).json()
    ssp.SystemSecurityPlan.model_validate(provider)
    profile.Profile.model_validate(profile_doc)
    catalog.Catalog.model_validate(catalog_doc["catalog"])
    assert schema_errors({"profile": profile_doc}) == schema_errors(catalog_doc) == []


@pytest.mark.parametrize("fixture", ["yb_model", "cloud_model"])
def test_provider_ssp_of_each_deployment_leaves_out_none(client, request, fixture):
    model = request.getfixturevalue(fixture)
    base = f"/models/{model.slug}/{model.version}/export.oscal.json"
    seen_roles = set()
    for deployment in model.deployments.all():
        published = client.get(f"{base}?deployment={deployment.key}").json()
        assert schema_errors(published) == []
        document = published["system-security-plan"]
        ssp.SystemSecurityPlan.model_validate(document)
        owners = dict(deployment.ownerships.values_list("control__control_id", "owner"))
        listed = [r["control-id"] for r in document["control-implementation"]["implemented-requirements"]]
        assert set(listed) == {cid for cid, owner in owners.items() if owner != "none"}
        roles = {r["id"] for r in document["metadata"]["roles"]}
        assert set(values(document, "role-id")) <= roles
        ownerships = {o.control.control_id: o for o in deployment.ownerships.select_related("control")}
        for requirement in document["control-implementation"]["implemented-requirements"]:
            o, export = ownerships[requirement["control-id"]], requirement["by-components"][0]["export"]
            expected = o.owner if o.owner != "shared" else (o.partner or "provider")
            if o.owner != "customer":
                assert export["provided"][0]["responsible-roles"] == [{"role-id": expected}]
                seen_roles.add(expected)
            assert ("responsibilities" in export) == (o.owner in ("customer", "shared"))
    holders = {
        o.owner if o.owner != "shared" else (o.partner or "provider")
        for o in Ownership.objects.filter(deployment__model=model).exclude(owner__in=("none", "customer"))
    }
    assert seen_roles == holders
    assert "provider" in holders


@pytest.mark.parametrize(
    ("query", "said"),
    [("", "Choose a deployment: the OSCAL export"), ("?deployment=nope", "“nope” is not a deployment of this model")],
)
def test_provider_ssp_needs_a_known_deployment(client, yb_model, query, said):
    response = client.get(f"/models/{yb_model.slug}/{yb_model.version}/export.oscal.json{query}")
    assert response.status_code == 400
    page = response.content.decode()
    assert said in page
    assert "managed" in page


def test_model_documents_of_an_unknown_version_are_404(client, yb_model):
    for tail in ("catalog.json", "profile.json", "export.oscal.json?deployment=managed"):
        assert client.get(f"/models/{yb_model.slug}/0.0.0-nope/{tail}").status_code == 404


def test_without_gaps_the_poam_says_there_is_nothing_to_do(logged_in, assessment, user):
    answer_all(assessment, user)
    workflow.assessment_submit(assessment=assessment, actor=user)
    docs = package(logged_in.get(url(assessment)))
    for name, (key, model) in MODELS.items():
        model.model_validate(docs[name][key])
    plan = root(docs, "poam.json")
    assert [item["title"] for item in plan["poam-items"]] == ["No gaps to remediate"]
    assert "risks" not in plan and "risks" not in result_of(docs)
    assert {f["target"]["status"]["state"] for f in result_of(docs)["findings"]} == {"satisfied"}


def test_the_model_page_links_each_deployments_provider_ssp(client, yb_model):
    page = client.get(yb_model.get_absolute_url()).content.decode()
    for d in yb_model.deployments.all():
        link = f'href="/models/{yb_model.slug}/{yb_model.version}/export.oscal.json?deployment={d.key}">'
        assert f'{link}<span class="visually-hidden">OSCAL provider SSP for </span>{d.name}</a>' in page
        assert (
            client.get(f"/models/{yb_model.slug}/{yb_model.version}/export.oscal.json?deployment={d.key}").status_code
            == 200
        )


def test_uuids_are_rfc_4122_version_5_of_the_element_path(assessment):
    import uuid

    from assessment.oscal.ids import ROOT, assessment_uuid, model_uuid, organization_uuid

    model = assessment.model
    assert assessment_uuid(assessment, "ssp", "é") == str(uuid.uuid5(ROOT, f"assessment/{assessment.pk}/ssp/é"))
    assert model_uuid(model, "catalog") == str(uuid.uuid5(ROOT, f"model/{model.slug}/{model.version}/catalog"))
    assert organization_uuid(assessment.organization) == str(
        uuid.uuid5(ROOT, f"organization/{assessment.organization.pk}")
    )


def test_observations_point_at_the_evidence_in_the_back_matter(logged_in, assessment, user, settings):
    from assessment.models import Evidence

    settings.SITE_URL = "https://app.example"
    answer(assessment, user, "ENC-CMK", "implemented", notes="KMS")
    cmk = assessment.model.controls.get(control_id="ENC-CMK")
    sha = "ab" * 32
    scan = Evidence.objects.create(
        assessment=assessment,
        control=cmk,
        kind="file",
        name="kms-policy.pdf",
        file="evidence/x/1",
        size=10,
        sha256=sha,
        content_type="application/pdf",
        description="Key policy",
        added_by=user,
    )
    tls = assessment.model.controls.get(control_id="ENC-TLS-VERIFY")  # evidence but no answer yet
    Evidence.objects.create(
        assessment=assessment,
        control=tls,
        kind="link",
        name="Runbook",
        url="https://wiki.example/tls",
        added_by=user,
    )
    docs = package(logged_in.get(url(assessment)))
    results = docs["assessment-results.json"]
    assert schema_errors(results) == []
    assessment_results.AssessmentResults.model_validate(results["assessment-results"])
    resources = {r["uuid"]: r for r in results["assessment-results"]["back-matter"]["resources"]}
    observations = {o["title"]: o for o in result_of(docs)["observations"]}
    (cmk_ref,) = observations["ENC-CMK: the customer's answer"]["relevant-evidence"]
    (tls_ref,) = observations["ENC-TLS-VERIFY: the customer's answer"]["relevant-evidence"]
    assert observations["ENC-TLS-VERIFY: the customer's answer"]["description"] == "Not answered yet."
    cmk_resource, tls_resource = resources[cmk_ref["href"][1:]], resources[tls_ref["href"][1:]]
    assert (cmk_ref["description"], cmk_resource["title"], cmk_resource["description"]) == (
        "kms-policy.pdf",
        "kms-policy.pdf",
        "Key policy",
    )
    assert cmk_resource["rlinks"] == [
        {
            "href": f"https://app.example/assessments/{assessment.pk}/evidence/{scan.pk}/",
            "media-type": "application/pdf",
            "hashes": [{"algorithm": "SHA-256", "value": sha}],
        }
    ]
    assert tls_resource["rlinks"] == [{"href": "https://wiki.example/tls"}] and tls_resource["title"] == "Runbook"


def test_a_verdict_that_says_evidence_is_missing_says_so(logged_in, assessment, user, reviewer):
    from assessment.models import ControlReview

    submitted_with_review_and_plan(assessment, user, reviewer)
    ControlReview.objects.filter(assessment=assessment, verdict="needs_work").update(evidence_missing=True)
    (verdict,) = [
        o for o in result_of(package(logged_in.get(url(assessment))))["observations"] if o["methods"] == ["EXAMINE"]
    ]
    assert verdict["description"] == "Verdict: Needs work.\n\nEvidence missing.\n\nShow the evidence"
    assert {"name": "evidence-missing", "ns": NS, "value": "true"} in verdict["props"]
