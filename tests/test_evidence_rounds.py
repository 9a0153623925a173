"""The next round carries evidence over: same stored file, marked with the round it came from, by control id."""

import hashlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment.models import AuditEvent, Evidence
from assessment.models.evidence import evidence_path
from assessment.services import workflow
from assessment.services.assessments import assessment_start
from assessment.services.rounds import start_next_round
from tests.conftest import answer, answer_all
from tests.test_upgrade import V1_CONTROLS, V2_CONTROLS, control, load, spec


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def add_file(assessment, user, control_id: str, name: str, data: bytes, content_type="application/pdf") -> Evidence:
    """A stored file under a random name, as an upload leaves it (size and SHA-256 of the bytes)."""
    evidence = Evidence(
        assessment=assessment,
        control=assessment.model.controls.get(control_id=control_id),
        kind=Evidence.Kind.FILE,
        name=name,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        content_type=content_type,
        added_by=user,
    )
    evidence.file.name = default_storage.save(evidence_path(evidence, name), ContentFile(data))
    evidence.save()
    return evidence


def add_link(assessment, user, control_id: str, url: str) -> Evidence:
    return Evidence.objects.create(
        assessment=assessment,
        control=assessment.model.controls.get(control_id=control_id),
        kind=Evidence.Kind.LINK,
        name=url,
        url=url,
        description="Runbook",
        added_by=user,
    )


def rows(assessment) -> list[tuple]:
    return list(
        Evidence.objects.filter(assessment=assessment)
        .order_by("control__control_id", "name")
        .values_list("control__control_id", "name", "file", "sha256", "size", "url", "carried_from_round")
    )


@pytest.fixture
def round_one(assessment, user):
    answer_all(assessment, user)
    return assessment


def submit(assessment, user):
    return workflow.assessment_submit(assessment=assessment, actor=user)


def test_evidence_is_carried_sharing_the_stored_file(round_one, user):
    pdf = add_file(round_one, user, "NET-ALLOW", "firewall.pdf", b"%PDF-1.4 rules")
    add_link(round_one, user, "BCK-RPO", "https://wiki.example.com/backups")
    submit(round_one, user)

    new = start_next_round(assessment=round_one, actor=user)

    assert rows(new) == [
        ("BCK-RPO", "https://wiki.example.com/backups", "", "", None, "https://wiki.example.com/backups", 1),
        ("NET-ALLOW", "firewall.pdf", pdf.file.name, hashlib.sha256(b"%PDF-1.4 rules").hexdigest(), 14, "", 1),
    ]
    copy = Evidence.objects.get(assessment=new, name="firewall.pdf")
    assert copy.pk != pdf.pk
    assert copy.control.model_id == new.model_id
    assert (copy.added_by, copy.added_at, copy.content_type) == (user, pdf.added_at, "application/pdf")
    with copy.file.open("rb") as stored:
        assert stored.read() == b"%PDF-1.4 rules"
    # One file in storage for both rows: nothing was copied.
    assert len(default_storage.listdir(f"evidence/{round_one.organization_id}")[1]) == 1
    # The earlier round keeps its own rows, unmarked.
    assert rows(round_one) == [(*r[:-1], None) for r in rows(new)]
    event = new.events.get(kind=AuditEvent.Kind.ROUND)
    assert event.message.endswith("carried over; 2 evidence items to confirm")


def test_evidence_carried_and_never_confirmed_keeps_its_first_round(round_one, user):
    add_file(round_one, user, "NET-ALLOW", "rules.pdf", b"%PDF-1.4 a")
    round_two = start_next_round(assessment=submit(round_one, user), actor=user)
    add_file(round_two, user, "NET-ALLOW", "new.png", b"\x89PNG b", "image/png")
    confirmed = add_link(round_two, user, "BCK-RPO", "https://example.com/r1")
    confirmed.carried_from_round = None  # what confirming leaves
    confirmed.save()
    answer_all(round_two, user)

    round_three = start_next_round(assessment=submit(round_two, user), actor=user)

    assert {name: mark for _cid, name, *_rest, mark in rows(round_three)} == {
        "rules.pdf": 1,  # still unconfirmed since round 1
        "new.png": 2,
        "https://example.com/r1": 2,
    }


def test_nothing_is_carried_for_controls_the_new_version_no_longer_asks(user):
    v1 = load(spec("1.0", [("ops", V1_CONTROLS)]))
    first = assessment_start(user=user, model=v1, deployment=v1.deployments.get(key="managed"), title="Prod")
    for cid in ("KEEP", "MOVE", "GONE"):
        answer(first, user, cid, "implemented")
        add_file(first, user, cid, f"{cid.lower()}.txt", cid.encode(), "text/plain")
    answer(first, user, "HIDE", "not_applicable", justification="Not used")
    answer(first, user, "COND", "implemented")
    add_link(first, user, "HIDE", "https://example.com/hide")
    submit(first, user)
    v2 = load(spec("1.1", [("ops", V2_CONTROLS), ("data", [control("NEW", "customer")])]))

    new = start_next_round(assessment=first, actor=user)

    assert new.model == v2
    # GONE left the model, HIDE is no longer asked under managed: their evidence stays with round 1 only.
    assert [(cid, name, mark) for cid, name, *_rest, mark in rows(new)] == [
        ("KEEP", "keep.txt", 1),
        ("MOVE", "move.txt", 1),
    ]
    assert set(Evidence.objects.filter(assessment=new).values_list("control__model", flat=True)) == {v2.pk}
    assert Evidence.objects.filter(assessment=first).count() == 4


def queries_to_start(assessment, user) -> int:
    with CaptureQueriesContext(connection) as queries:
        start_next_round(assessment=assessment, actor=user)
    return len(queries)


def test_carrying_evidence_costs_the_same_queries_for_one_row_or_many(user, yb_model, managed):
    def submitted(title, files):
        assessment = assessment_start(user=user, model=yb_model, deployment=managed, title=title)
        answer_all(assessment, user)
        controls = [i.control.control_id for i in assessment.answers.select_related("control")][:files]
        for n, cid in enumerate(controls):
            add_file(assessment, user, cid, f"f{n}.pdf", b"%%PDF-1.4 %d" % n)
            add_link(assessment, user, cid, f"https://example.com/{n}")
        return submit(assessment, user)

    few, many = submitted("Few", 1), submitted("Many", 30)
    assert queries_to_start(few, user) == queries_to_start(many, user)
    assert Evidence.objects.filter(assessment__previous=many).count() == 60
