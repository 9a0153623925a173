"""Demo content for `manage.py seed_demo` (development only): what a newcomer sees in the first minute.

For the demo customer: an approved first round with remediation items, its second round submitted
and waiting in the review queue with evidence on a few controls, and a draft in progress. Everything
goes through the services a customer and a reviewer use (answers, evidence, submit, review,
remediation, next round), so revisions, the audit trail and the stored files are what real use
leaves. Each line of work is created once: a title already in the organization is left alone.
"""

import struct
import zlib
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from .models import Answer, Assessment, Organization, ResponsibilityModel, User
from .selectors.assessments import assessment_state
from .services import review, workflow
from .services.assessments import AnswerInput, answer_save, assessment_start
from .services.evidence import evidence_add_files, evidence_add_link
from .services.remediation import remediation_update
from .services.rounds import start_next_round

MODEL_SLUG = "yugabytedb-managed"
ROUNDS_TITLE = "Production cluster"
DRAFT_TITLE = "Reporting replica"

# Round 1: mostly in place, with the kinds of gap the product is about. Unlisted controls: "We do,
# fully" where the customer has a part, "Someone else does" where the provider or the cloud owns it.
ROUND_ONE = {
    "NET-ALLOW": ("provider", "We assumed Yugabyte locks the cluster down as part of the managed service."),
    "BCK-RPO": ("not_implemented", "Daily backups only; nobody has agreed a recovery point objective yet."),
    "AUTHN-SSO": ("partial", "SSO for the console; two break-glass accounts still sign in without MFA."),
    "LOG-EXPORT": ("unknown", "The platform team may forward logs; to be checked."),
    "AUTHZ-REVIEW": ("not_implemented", ""),
    "OPS-SANDBOX": ("not_applicable", ""),
}
JUSTIFICATIONS = {"OPS-SANDBOX": "We run no Sandbox clusters: every cluster is a paid production tier."}
# Round 2: what the team fixed since.
ROUND_TWO = {
    "AUTHN-SSO": ("implemented", "MFA is enforced for every console account, break-glass accounts included."),
    "BCK-RPO": ("partial", "Hourly backups on production; the retention policy waits for sign-off."),
    "LOG-EXPORT": ("implemented", "Audit logs go to the SIEM through the Datadog integration."),
}
DRAFT_ANSWERS = ("implemented", "partial", "implemented", "unknown", "provider", "implemented")


def pdf(lines: list[str]) -> bytes:
    """A one-page PDF showing `lines` in Helvetica: small, valid, made here rather than shipped."""

    def text(line: str) -> str:
        return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    content = "BT /F1 16 Tf 72 770 Td " + " 0 -24 Td ".join(f"({text(line)}) Tj" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        "/Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def png(width: int = 240, height: int = 120) -> bytes:
    """A PNG of a settings panel with its switch on: a stand-in for a console screenshot."""

    def colour(x: int, y: int) -> bytes:
        if y < 24:
            return b"\x1f\x3a\x5f"  # title bar
        if 56 <= y < 80 and 160 <= x < 208:
            return b"\x2e\x9e\x5b" if x < 190 or not 60 <= y < 76 else b"\xff\xff\xff"  # the switch, on
        if 60 <= y < 76 and 24 <= x < 136:
            return b"\xb0\xb8\xc4"  # the setting's label
        return b"\xf4\xf6\xf8"

    rows = b"".join(b"\x00" + b"".join(colour(x, y) for x in range(width)) for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


BACKUP_SCHEDULE_CSV = (
    b"cluster,schedule,retention_days,last_restore_test\n"
    b"prod-eu-west-1,hourly,14,2026-09-30\n"
    b"prod-eu-west-1-replica,daily,7,\n"
)
SIEM_NOTE_TXT = (
    b"Audit log forwarding\n\n"
    b"ysql_pgaudit is on for DDL and ROLE. The cluster's logs are exported through the Datadog\n"
    b"integration; the SIEM keeps them for 400 days and alerts on failed logins.\n"
)


def _answer(assessment: Assessment, user: User, control, claim: str, notes: str = "", justification: str = ""):
    current = Answer.objects.filter(assessment=assessment, control=control).only("version").first()
    return answer_save(
        assessment=assessment,
        control=control,
        user=user,
        data=AnswerInput(claim=claim, notes=notes, justification=justification),
        base_version=current.version if current else 0,
    )


def _answer_until_done(assessment: Assessment, user: User, plan: dict, areas: int | None = None) -> None:
    """Answer every asked control (of the first `areas` areas) per `plan`; answers can make conditional ones asked."""
    done: set[str] = set()
    while True:
        state = assessment_state(assessment)
        chosen = state.areas if areas is None else state.areas[:areas]
        pending = [i for area in chosen for i in area.items if i.control.control_id not in done and i.answer is None]
        if not pending:
            return
        for index, item in enumerate(pending):
            cid = item.control.control_id
            claim, notes = plan(item, index) if callable(plan) else plan.get(cid, (None, ""))
            if claim is None:
                claim = "implemented" if item.owner in ("customer", "shared") else "provider"
            _answer(assessment, user, item.control, claim, notes, JUSTIFICATIONS.get(cid, ""))
            done.add(cid)


def _control(assessment: Assessment, control_id: str):
    return assessment.model.controls.get(control_id=control_id)


def _files(user: User, assessment: Assessment, control_id: str, description: str, *files: tuple[str, bytes]):
    uploads = [SimpleUploadedFile(name, data) for name, data in files]
    return evidence_add_files(user, assessment.pk, control_id, uploads, description)


def _rounds(customer: User, reviewer: User, model: ResponsibilityModel) -> Assessment:
    """Round 1 approved after one request for changes, its plan under way, round 2 submitted with evidence."""
    first = assessment_start(
        user=customer,
        model=model,
        deployment=model.deployments.get(key="managed"),
        title=ROUNDS_TITLE,
        scope="The eu-west-1 production cluster and its read replica.",
    )
    _answer_until_done(first, customer, ROUND_ONE)
    evidence_add_link(
        customer, first.pk, "BCK-SCHED", "https://wiki.example.com/platform/backups", "Backup schedule in our runbook"
    )
    workflow.assessment_submit(assessment=first, actor=customer)

    review.review_apply(
        assessment=first,
        actor=reviewer,
        verdicts=[
            review.VerdictInput(
                _control(first, "NET-ALLOW"),
                "needs_work",
                "Under YugabyteDB Managed the allow list is yours to set. Please configure it and attach an export.",
                evidence_missing=True,
            ),
        ],
        decision=review.REQUEST_CHANGES,
        message="One control needs another look: the network allow list (NET-ALLOW).",
    )
    _answer(
        first,
        customer,
        _control(first, "NET-ALLOW"),
        "implemented",
        "Allow list set to our office and VPN ranges; exported from the console.",
    )
    _files(customer, first, "NET-ALLOW", "Console export of the IP allow list", ("ip-allow-list.pdf", ALLOW_LIST_PDF))
    workflow.assessment_submit(assessment=first, actor=customer)
    review.review_apply(
        assessment=first,
        actor=reviewer,
        verdicts=[
            review.VerdictInput(_control(first, "NET-ALLOW"), "accepted", "Thanks: the export shows the ranges."),
            review.VerdictInput(_control(first, "OPS-SANDBOX"), "accepted", ""),
        ],
        decision=review.APPROVE,
        message="Approved. Please close the backup and access review gaps before the next round.",
    )

    today = timezone.localdate()
    plan = (
        ("BCK-RPO", "in_progress", 30, "Hourly backups are on; the retention policy needs sign-off."),
        ("AUTHN-SSO", "done", -3, "MFA enforced for the break-glass accounts."),
        ("AUTHZ-REVIEW", "open", 60, "Quarterly access review, owned by the platform lead."),
    )
    for control_id, status, days, note in plan:
        remediation_update(
            assessment=first,
            control=_control(first, control_id),
            actor=customer,
            owner=customer,
            due=today + timedelta(days=days),
            status=status,
            note=note,
            risk_reason="",
            base_version=0,
        )

    second = start_next_round(assessment=first, actor=customer)
    for control_id, (claim, notes) in ROUND_TWO.items():
        _answer(second, customer, _control(second, control_id), claim, notes)
    _answer_until_done(second, customer, {})  # what the new answers (or a newer version) made asked
    _files(customer, second, "AUTHN-SSO", "Console security settings: MFA required", ("mfa-required.png", png()))
    _files(customer, second, "BCK-RPO", "Backup schedule per cluster", ("backup-schedule.csv", BACKUP_SCHEDULE_CSV))
    _files(customer, second, "LOG-EXPORT", "How audit logs reach the SIEM", ("siem-forwarding.txt", SIEM_NOTE_TXT))
    _files(customer, second, "BCK-TEST", "Last restore test", ("restore-test-2026-q3.pdf", RESTORE_TEST_PDF))
    evidence_add_link(
        customer, second.pk, "NET-PRIVLINK", "https://wiki.example.com/platform/private-link", "PrivateLink design"
    )
    return workflow.assessment_submit(assessment=second, actor=customer)


def _draft(customer: User, model: ResponsibilityModel) -> Assessment:
    """A first round on another deployment, its first two areas answered."""
    deployment = model.deployments.filter(key="iaas").first() or model.deployments.first()
    draft = assessment_start(
        user=customer,
        model=model,
        deployment=deployment,
        title=DRAFT_TITLE,
        scope="Self-managed YugabyteDB on our own cloud account, used for reporting.",
    )
    _answer_until_done(draft, customer, lambda item, index: (DRAFT_ANSWERS[index % len(DRAFT_ANSWERS)], ""), areas=2)
    return draft


ALLOW_LIST_PDF = pdf(
    [
        "IP allow list - prod-eu-west-1",
        "Exported from the YugabyteDB Managed console",
        "203.0.113.0/24   office",
        "198.51.100.16/28 VPN egress",
    ]
)
RESTORE_TEST_PDF = pdf(
    ["Restore test - 2026 Q3", "Backup of 2026-09-29 restored to a new cluster in 41 minutes.", "Row counts matched."]
)


def seed_content(organization: Organization, customer: User, reviewer: User) -> list[str]:
    """Create what is missing of the demo content; returns a line per thing created (none on a second run)."""
    model = ResponsibilityModel.objects.current().filter(slug=MODEL_SLUG).first()
    if model is None:
        return [f"No published {MODEL_SLUG} model: load the models first (make models), then run seed_demo again."]
    titles = set(Assessment.objects.filter(organization=organization).values_list("title", flat=True))
    created = []
    if ROUNDS_TITLE not in titles:
        _rounds(customer, reviewer, model)
        created.append(f"“{ROUNDS_TITLE}”: round 1 approved with a remediation plan, round 2 waiting for review")
    if DRAFT_TITLE not in titles:
        _draft(customer, model)
        created.append(f"“{DRAFT_TITLE}”: a draft in progress")
    return created
