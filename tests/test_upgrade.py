"""Moving an assessment to a newer model version: the preview, the move, and who may make it."""

from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from assessment.modelfile import validate
from assessment.models import Answer, Assessment, AuditEvent, ControlReview, Organization
from assessment.models.catalog import version_key
from assessment.selectors.assessments import assessment_for
from assessment.selectors.upgrade import newer_version, upgrade_preview
from assessment.services.assessments import assessment_start
from assessment.services.catalog import model_load
from assessment.services.upgrade import assessment_upgrade
from tests.conftest import answer, make_member

SLUG = "upgrade-demo"


def control(cid, managed, *, self_hosted="customer", condition=None, title=None):
    data = {
        "id": cid,
        "title": title or f"{cid.title()} control",
        "statement": f"{cid} is taken care of.",
        "why": "It matters.",
        "guidance": "Do it.",
        "severity": "high",
        "owners": {"self-hosted": self_hosted, "managed": managed},
    }
    if "shared" in (self_hosted, managed):
        data |= {"customer_part": "Your half.", "provider_part": "Our half."}
    if condition:
        data["condition"] = condition
    return data


def spec(version, areas, *, deployments=("self-hosted", "managed"), slug=SLUG):
    return {
        "slug": slug,
        "version": version,
        "title": "Upgrade demo",
        "description": "A model with two versions.",
        "parties": {"customer": "Customer", "provider": "Yugabyte", "infrastructure": "Cloud provider"},
        "deployments": [{"key": key, "name": key.title()} for key in deployments],
        "areas": [{"key": key, "title": key.title(), "controls": controls} for key, controls in areas],
    }


V1_CONTROLS = [
    control("KEEP", "customer"),
    control("MOVE", "customer"),
    control("GONE", "customer"),
    control("HIDE", "shared"),
    control("COND", "customer", condition={"control": "KEEP", "answers": ["implemented"]}),
    control("LATE", "none"),
]
# 1.1: MOVE goes to the provider, GONE leaves the model, HIDE is no longer asked under managed,
# COND is asked on a partial answer too, LATE is now asked, NEW is new.
V2_CONTROLS = [
    control("KEEP", "customer"),
    control("MOVE", "provider"),
    control("HIDE", "none"),
    control("COND", "customer", condition={"control": "KEEP", "answers": ["implemented", "partial"]}),
    control("LATE", "customer"),
]


def load(data):
    return model_load(spec=validate(data), publish=True).model


@pytest.fixture
def v1(db):
    return load(spec("1.0", [("ops", V1_CONTROLS)]))


@pytest.fixture
def v2(v1):
    return load(spec("1.1", [("ops", V2_CONTROLS), ("data", [control("NEW", "customer")])]))


@pytest.fixture
def draft(user, v1):
    return assessment_start(user=user, model=v1, deployment=v1.deployments.get(key="managed"), title="Prod")


@pytest.fixture
def answered(draft, user):
    answer(draft, user, "KEEP", "unknown")
    answer(draft, user, "KEEP", "implemented", notes="Keys rotate monthly.")  # first answer stays "unknown"
    answer(draft, user, "MOVE", "partial", notes="Half done.")
    answer(draft, user, "GONE", "not_implemented", notes="On the roadmap.")
    answer(draft, user, "HIDE", "not_applicable", justification="We don't use it.")
    answer(draft, user, "COND", "implemented")
    return draft


def fetch(assessment, user):
    """As the views read it: scoped to the user, model and deployment joined."""
    return assessment_for(user, assessment.pk)


def ids(changes):
    return [c.control_id for c in changes]


# Which version


def test_versions_compare_by_number():
    assert version_key("1.10") > version_key("1.9") > version_key("1.1")
    assert version_key("2.0") > version_key("1.99")
    assert version_key("1.1") == version_key("1.1.0")
    assert version_key("1.1-beta") < version_key("1.1")


def test_newest_published_version_is_offered(draft, v1, v2):
    assert newer_version(draft) == v2
    load(spec("1.2", [("ops", V2_CONTROLS)]))
    model_load(spec=validate(spec("1.3", [("ops", V2_CONTROLS)])), publish=False)  # drafts are not offered
    assert newer_version(draft).version == "1.2"


def test_nothing_newer_once_on_the_newest(user, v2):
    on_newest = assessment_start(user=user, model=v2, deployment=v2.deployments.get(key="managed"), title="New")
    assert newer_version(on_newest) is None


def test_ten_is_newer_than_nine(user):
    v9 = load(spec("1.9", [("ops", V1_CONTROLS)]))
    v10 = load(spec("1.10", [("ops", V2_CONTROLS)]))
    on_nine = assessment_start(user=user, model=v9, deployment=v9.deployments.get(key="managed"), title="Nine")
    on_ten = assessment_start(user=user, model=v10, deployment=v10.deployments.get(key="managed"), title="Ten")
    assert newer_version(on_nine) == v10
    assert newer_version(on_ten) is None


def test_not_offered_when_the_new_version_dropped_the_deployment(draft, v1):
    only_self_hosted = control("KEEP", "customer") | {"owners": {"self-hosted": "customer"}}
    load(spec("1.1", [("ops", [only_self_hosted])], deployments=("self-hosted",)))
    assert newer_version(draft) is None


@pytest.mark.parametrize("status", ["submitted", "in_review", "approved"])
def test_not_offered_unless_answers_can_change(draft, v2, status):
    Assessment.objects.filter(pk=draft.pk).update(status=status)
    draft.refresh_from_db()
    assert newer_version(draft) is None


def test_offered_when_changes_were_requested(draft, v2):
    Assessment.objects.filter(pk=draft.pk).update(status="changes_requested")
    draft.refresh_from_db()
    assert newer_version(draft) == v2


# The preview


def test_preview_lists_exactly_what_changes(answered, user, v2):
    preview = upgrade_preview(fetch(answered, user), v2)
    assert [(c.control_id, c.after) for c in preview.added] == [("LATE", "Customer"), ("NEW", "Customer")]
    assert [(c.control_id, c.after, c.answered) for c in preview.removed] == [
        ("GONE", "Not in version 1.1", True),
        ("HIDE", "Not asked for this deployment", True),
    ]
    assert [(c.control_id, c.before, c.after) for c in preview.owner_changed] == [("MOVE", "Customer", "Yugabyte")]
    assert [(c.control_id, c.before, c.after) for c in preview.condition_changed] == [
        (
            "COND",
            "Asked only when KEEP is answered “We do, fully”",
            "Asked only when KEEP is answered “We do, fully” or “We do, partly”",
        )
    ]
    assert (preview.carried_over, preview.dropped, preview.dropped_ids) == (3, 2, ("GONE", "HIDE"))
    assert preview.answers_summary == (
        "3 answers carry over. 2 answers (GONE, HIDE) will be removed with their controls; "
        "their values stay in the assessment's activity log."
    )


def test_preview_is_for_the_assessments_deployment(user, v1, v2):
    self_hosted = assessment_start(user=user, model=v1, deployment=v1.deployments.get(key="self-hosted"), title="On")
    preview = upgrade_preview(fetch(self_hosted, user), v2)
    assert ids(preview.added) == ["NEW"]
    assert ids(preview.removed) == ["GONE"]
    assert ids(preview.owner_changed) == []  # MOVE and HIDE stay the customer's when self-hosted
    assert ids(preview.condition_changed) == ["COND"]
    assert (preview.carried_over, preview.dropped) == (0, 0)
    assert preview.answers_summary == "0 answers carry over."


def test_preview_queries_do_not_grow_with_controls_or_answers(django_assert_max_num_queries, user):
    def pair(slug, n):
        many = [control(f"C{i}", "customer") for i in range(n)]
        old = load(spec("1.0", [("ops", [*many, control("OUT", "customer")])], slug=slug))
        new = load(
            spec(
                "1.1",
                [("ops", [control(f"C{i}", "provider") for i in range(n)] + [control("IN", "shared")])],
                slug=slug,
            )
        )
        assessment = assessment_start(user=user, model=old, deployment=old.deployments.get(key="managed"), title=slug)
        for i in range(n):
            answer(assessment, user, f"C{i}", "implemented")
        return fetch(assessment, user), new

    small, small_target = pair("small", 1)
    large, large_target = pair("large", 12)
    with django_assert_max_num_queries(3):
        assert len(upgrade_preview(small, small_target).owner_changed) == 1
    with django_assert_max_num_queries(3):
        assert len(upgrade_preview(large, large_target).owner_changed) == 12


# The move


def test_answers_carry_over_and_changed_owners_are_flagged(answered, user, v2):
    before = {a.control.control_id: a for a in answered.answers.select_related("control")}
    moved = assessment_upgrade(assessment=answered, target=v2, user=user)
    assert moved.model == v2
    assert moved.deployment == v2.deployments.get(key="managed")
    after = {a.control.control_id: a for a in Answer.objects.filter(assessment=moved).select_related("control")}
    assert sorted(after) == ["COND", "KEEP", "MOVE"]
    for cid, now in after.items():
        was = before[cid]
        assert now.control.model == v2
        assert (now.claim, now.notes, now.justification, now.first_answer, now.version, now.updated_by) == (
            was.claim,
            was.notes,
            was.justification,
            was.first_answer,
            was.version,
            was.updated_by,
        )
    assert after["KEEP"].first_answer == "unknown" and after["KEEP"].version == 2
    assert {cid for cid, a in after.items() if a.owner_changed} == {"MOVE"}


def test_removed_answers_are_deleted_with_an_event_each(answered, user, v2):
    revision = Assessment.objects.get(pk=answered.pk).revision
    assessment_upgrade(assessment=answered, target=v2, user=user)
    events = AuditEvent.objects.filter(assessment=answered, kind=AuditEvent.Kind.ANSWER, after__isnull=True)
    assert sorted((e.control_id, e.before["claim"], e.message, e.actor) for e in events) == [
        ("GONE", "not_implemented", "Removed in version 1.1", user),
        ("HIDE", "not_applicable", "Removed in version 1.1", user),
    ]
    gone = events.get(control_id="GONE")
    assert gone.before == {"claim": "not_implemented", "notes": "On the roadmap.", "justification": ""}
    assert events.get(control_id="HIDE").before["justification"] == "We don't use it."
    move = AuditEvent.objects.get(assessment=answered, kind=AuditEvent.Kind.VERSION)
    assert (move.before, move.after, move.message) == (
        {"model_version": "1.0"},
        {"model_version": "1.1"},
        "Moved from version 1.0 to 1.1",
    )
    # One bump per event: a cached report of the old version no longer matches.
    assert Assessment.objects.get(pk=answered.pk).revision == revision + 3


def test_old_version_keeps_no_reference_from_the_assessment(answered, user, v1, v2):
    assessment_upgrade(assessment=answered, target=v2, user=user)
    assert not Answer.objects.filter(control__model=v1).exists()
    v1.controls.all().delete()  # nothing PROTECTs them any more


def test_reviews_are_moved_or_removed_with_their_controls(answered, user, reviewer, v2):
    for cid in ("KEEP", "GONE"):
        ControlReview.objects.create(
            assessment=answered,
            control=answered.model.controls.get(control_id=cid),
            verdict="needs_work",
            comment=f"Look at {cid}.",
            reviewer=reviewer,
        )
    Assessment.objects.filter(pk=answered.pk).update(status="changes_requested")
    assessment_upgrade(assessment=answered, target=v2, user=user)
    reviews = list(ControlReview.objects.filter(assessment=answered).select_related("control__model"))
    assert [(r.control.control_id, r.control.model, r.comment) for r in reviews] == [("KEEP", v2, "Look at KEEP.")]
    event = AuditEvent.objects.get(assessment=answered, kind=AuditEvent.Kind.REVIEW, control_id="GONE")
    assert (event.before, event.after) == ({"verdict": "needs_work", "comment": "Look at GONE."}, None)


@pytest.mark.parametrize("status", ["submitted", "approved"])
def test_submitted_and_approved_keep_their_version(answered, user, v1, v2, status):
    Assessment.objects.filter(pk=answered.pk).update(status=status)
    with pytest.raises(ValidationError) as info:
        assessment_upgrade(assessment=answered, target=v2, user=user)
    assert info.value.messages == [f"This assessment is {status}; it keeps version 1.0."]
    assert Assessment.objects.get(pk=answered.pk).model == v1
    assert Answer.objects.filter(assessment=answered, control__model=v1).count() == 5


def test_only_members_may_move_it(answered, other_user, reviewer, v1, v2):
    for outsider in (other_user, reviewer):
        with pytest.raises(ValidationError) as info:
            assessment_upgrade(assessment=answered, target=v2, user=outsider)
        assert info.value.messages == ["Only members of the assessment's organization can move it to another version."]
    assert Assessment.objects.get(pk=answered.pk).model == v1


def test_only_to_the_newest_version(answered, user, v1, v2):
    load(spec("1.2", [("ops", V2_CONTROLS)]))
    with pytest.raises(ValidationError) as info:
        assessment_upgrade(assessment=answered, target=v2, user=user)
    assert info.value.messages == ["This assessment can't move to version 1.1 (the newest is 1.2); reload the page."]
    with pytest.raises(ValidationError):
        assessment_upgrade(assessment=answered, target=v1, user=user)  # not even to itself
    assert Assessment.objects.get(pk=answered.pk).model == v1


def test_moving_twice_is_refused(answered, user, v2):
    assessment_upgrade(assessment=answered, target=v2, user=user)
    with pytest.raises(ValidationError) as info:
        assessment_upgrade(assessment=answered, target=v2, user=user)
    assert info.value.messages == ["This assessment can't move to version 1.1; reload the page."]
    assert AuditEvent.objects.filter(assessment=answered, kind=AuditEvent.Kind.VERSION).count() == 1


def test_a_flag_from_an_earlier_move_stays(answered, user, v2):
    Answer.objects.filter(assessment=answered, control__control_id="KEEP").update(owner_changed=True)
    assessment_upgrade(assessment=answered, target=v2, user=user)
    assert Answer.objects.get(assessment=answered, control__control_id="KEEP").owner_changed


# The page


class _Lists(HTMLParser):
    """Text of each element with an id, by id: what a person reads in each list on the page."""

    def __init__(self):
        super().__init__()
        self.found: dict[str, list[str]] = {}
        self.current: str | None = None
        self.depth = 0
        self.item: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.current is None and (attrs.get("id") or "").startswith("upgrade-"):
            self.current, self.depth = attrs["id"], 0
            self.found[self.current] = []
            if tag == "p":
                self.item = []
        if self.current is not None:
            self.depth += 1
            if tag == "li":
                self.item = []

    def handle_endtag(self, tag):
        if self.current is None:
            return
        if tag in ("li", "p") and self.item is not None:
            self.found[self.current].append(" ".join("".join(self.item).split()))
            self.item = None
        self.depth -= 1
        if self.depth == 0:
            self.current = None

    def handle_data(self, data):
        if self.item is not None:
            self.item.append(data)


def lists(html: str) -> dict[str, list[str]]:
    parser = _Lists()
    parser.feed(html)
    return parser.found


@pytest.fixture
def logged_in(client, user):
    client.force_login(user)
    return client


def page(assessment):
    return f"/assessments/{assessment.pk}/upgrade/"


def test_page_shows_the_preview(logged_in, answered, v2):
    response = logged_in.get(page(answered))
    assert response.status_code == 200
    html = response.content.decode()
    assert lists(html) == {
        "upgrade-added": ["LATE Late control · Customer", "NEW New control · Customer"],
        "upgrade-removed": [
            "GONE Gone control · Not in version 1.1 answer removed",
            "HIDE Hide control · Not asked for this deployment answer removed",
        ],
        "upgrade-owner-changed": ["MOVE Move control: Customer → Yugabyte"],
        "upgrade-condition-changed": [
            "COND Cond control: Asked only when KEEP is answered “We do, fully” → "
            "Asked only when KEEP is answered “We do, fully” or “We do, partly”"
        ],
    }
    assert '<h1 class="h3 mb-1">Move to version 1.1</h1>' in html
    assert '<button class="btn btn-primary" type="submit">Move to version 1.1</button>' in html
    assert f'<a class="btn btn-link" href="/assessments/{answered.pk}/">Cancel</a>' in html
    assert "3 answers carry over. 2 answers (GONE, HIDE) will be removed with their controls" in html
    assert "New controls wait unanswered." in html


def test_page_says_none_for_empty_lists(logged_in, user, v1):
    load(spec("1.1", [("ops", V1_CONTROLS)]) | {"description": "Same controls, better words."})
    assessment = assessment_start(user=user, model=v1, deployment=v1.deployments.get(key="managed"), title="Same")
    html = logged_in.get(page(assessment)).content.decode()
    assert lists(html) == {
        "upgrade-added": ["None"],
        "upgrade-removed": ["None"],
        "upgrade-owner-changed": ["None"],
        "upgrade-condition-changed": ["None"],
    }
    assert "0 answers carry over." in html


def test_post_moves_and_a_second_post_is_a_404(logged_in, answered, v2):
    response = logged_in.post(page(answered))
    assert response.status_code == 302
    assert response.url == f"/assessments/{answered.pk}/"
    overview = logged_in.get(response.url).content.decode()
    assert "Moved to version 1.1." in overview
    assert Assessment.objects.get(pk=answered.pk).model == v2
    assert logged_in.post(page(answered)).status_code == 404
    assert logged_in.get(page(answered)).status_code == 404
    assert AuditEvent.objects.filter(assessment=answered, kind=AuditEvent.Kind.VERSION).count() == 1


@pytest.mark.parametrize("status", ["submitted", "approved"])
def test_page_is_404_for_a_submitted_assessment(logged_in, answered, v1, v2, status):
    Assessment.objects.filter(pk=answered.pk).update(status=status)
    assert logged_in.get(page(answered)).status_code == 404
    assert logged_in.post(page(answered)).status_code == 404
    assert Assessment.objects.get(pk=answered.pk).model == v1


def test_page_is_404_without_a_newer_version(logged_in, answered):
    assert logged_in.get(page(answered)).status_code == 404


def test_another_organization_gets_404(answered, v1, v2):
    outsider = make_member("mallory@evil.test", Organization.objects.create(name="Evil Inc"))
    client = Client()
    client.force_login(outsider)
    assert client.get(page(answered)).status_code == 404
    assert client.post(page(answered)).status_code == 404
    assert Assessment.objects.get(pk=answered.pk).model == v1


def test_login_required(client, answered, v2):
    response = client.get(page(answered))
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_other_methods_are_refused(logged_in, answered, v2):
    assert logged_in.put(page(answered)).status_code == 405


def test_the_form_needs_its_csrf_token(user, answered, v1, v2):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post(page(answered)).status_code == 403
    assert Assessment.objects.get(pk=answered.pk).model == v1


def test_evidence_moves_with_its_control_and_leaves_with_a_removed_one(
    answered, user, v2, settings, tmp_path, django_capture_on_commit_callbacks
):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from assessment.models import Evidence

    settings.MEDIA_ROOT = tmp_path

    def attach(cid, name, **fields):
        control = answered.model.controls.get(control_id=cid)
        if "url" in fields:
            return Evidence.objects.create(assessment=answered, control=control, name=name, kind="link", **fields)
        stored = default_storage.save(f"evidence/t/{name}", ContentFile(b"%PDF-1.7 bytes"))
        return Evidence.objects.create(
            assessment=answered, control=control, name=name, kind="file", file=stored, size=14, sha256="e" * 64
        )

    kept = attach("KEEP", "keys.pdf")
    gone = attach("GONE", "roadmap.pdf")
    attach("HIDE", "Wiki", url="https://wiki.example/hide")
    with django_capture_on_commit_callbacks(execute=True):
        assessment_upgrade(assessment=answered, target=v2, user=user)

    kept.refresh_from_db()
    assert kept.control == v2.controls.get(control_id="KEEP")
    assert default_storage.exists(kept.file.name)
    assert list(Evidence.objects.filter(assessment=answered).values_list("name", flat=True)) == ["keys.pdf"]
    assert not default_storage.exists(gone.file.name)  # no row refers to it any more
    removed = AuditEvent.objects.filter(assessment=answered, kind=AuditEvent.Kind.EVIDENCE).order_by("control_id")
    assert [(e.control_id, e.before, e.message) for e in removed] == [
        ("GONE", {"evidence": "roadmap.pdf", "description": ""}, "Removed in version 1.1"),
        ("HIDE", {"evidence": "https://wiki.example/hide", "description": ""}, "Removed in version 1.1"),
    ]
