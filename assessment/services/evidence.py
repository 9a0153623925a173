"""Writes to evidence: add files or a link to a control, remove an item, confirm a carried one.

Only members of the assessment's organization, only while it is editable (as for answers). Each
change is an audit event and bumps the revision. Adding files is all or nothing: the files are
checked (size, type from the content), hashed and stored first, outside the lock, then the limits
are checked again under the organization's lock and the rows written; if anything fails, the
files stored for this request are deleted again, so no row and no file is left half-made.
"""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404

from .. import filetypes
from ..models import Assessment, AuditEvent, Evidence, Organization, Ownership, User
from ..models.evidence import evidence_path
from ..ratelimit import allow
from ..selectors.evidence import organization_usage
from ..uploads import too_large
from ..validators import NOT_SINGLE_LINE
from .assessments import AssessmentLocked
from .audit import record_change

MAX_DESCRIPTION = 300
MAX_URL = 2000
CHUNK = 64 * 1024
RATE_LIMITED = "You have added a lot of evidence in the last hour. Wait a while, then try again."


class EvidenceRefused(Exception):
    """Nothing was added or changed; the message says why, `status` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass
class _Checked:
    upload: object  # a Django UploadedFile (or File), open for reading
    name: str
    filetype: filetypes.FileType
    size: int
    sha256: str
    stored: str = ""


def limits_text() -> str:
    """The limits as stated next to each control."""
    return (
        f"Up to {settings.EVIDENCE_MAX_FILES_PER_CONTROL} files of {filetypes.file_size(settings.EVIDENCE_MAX_FILE_SIZE)}"
        f" each: {filetypes.ACCEPTED}."
    )


def evidence_add_files(user: User, assessment_pk, control_id: str, files, description: str = "") -> list[Evidence]:
    """Add files to one control; returns the new rows. Raises EvidenceRefused (nothing stored), 404, AssessmentLocked."""
    assessment, control = _target(user, assessment_pk, control_id)
    description = _description(description)
    files = list(files)
    if not files:
        raise EvidenceRefused("Choose one or more files to add.")
    if len(files) > settings.EVIDENCE_MAX_FILES_PER_CONTROL:
        raise EvidenceRefused(f"Add at most {settings.EVIDENCE_MAX_FILES_PER_CONTROL} files at a time.", 413)
    _rate_limit(user, len(files))
    checked = [_check(upload) for upload in files]
    storage = Evidence._meta.get_field("file").storage
    try:
        for item in checked:
            item.upload.seek(0)
            item.stored = storage.save(evidence_path(Evidence(assessment=assessment), item.name), item.upload)
        with transaction.atomic():
            assessment = _lock(user, assessment.pk)
            _require_room(assessment, control, checked)
            rows = []
            for item in checked:
                evidence = Evidence.objects.create(
                    assessment=assessment,
                    control=control,
                    kind=Evidence.Kind.FILE,
                    name=item.name,
                    description=description,
                    file=item.stored,
                    size=item.size,
                    sha256=item.sha256,
                    content_type=item.filetype.content_type,
                    added_by=user,
                )
                _record(
                    assessment,
                    user,
                    control,
                    f"Added “{item.name}” ({filetypes.file_size(item.size)})",
                    after={"evidence": item.name, "description": description},
                )
                rows.append(evidence)
    except BaseException:
        for item in checked:
            if item.stored:
                storage.delete(item.stored)  # random names, never referenced by another row
        raise
    return rows


def evidence_add_link(user: User, assessment_pk, control_id: str, url: str, description: str = "") -> Evidence:
    """Add a link (http or https, never fetched) to one control."""
    assessment, control = _target(user, assessment_pk, control_id)
    description = _description(description)
    url = _url(url)
    _rate_limit(user, 1)
    with transaction.atomic():
        assessment = _lock(user, assessment.pk)
        links = Evidence.objects.filter(assessment=assessment, control=control, kind=Evidence.Kind.LINK).count()
        if links >= settings.EVIDENCE_MAX_FILES_PER_CONTROL:
            raise EvidenceRefused(
                f"This control already has {links} links, the most it can have. Remove one to add another."
            )
        evidence = Evidence.objects.create(
            assessment=assessment,
            control=control,
            kind=Evidence.Kind.LINK,
            name=url[:200],
            description=description,
            url=url,
            added_by=user,
        )
        _record(
            assessment,
            user,
            control,
            f"Added the link {url[:200]}",
            after={"evidence": url, "description": description},
        )
    return evidence


@transaction.atomic
def evidence_remove(user: User, assessment_pk, evidence_id) -> Evidence:
    """Remove an item (the audit trail keeps that it was there); its file goes once no round refers to it."""
    assessment = _lock(user, assessment_pk)
    evidence = _item(assessment, evidence_id)
    evidence.delete()  # its file goes after the commit (signals.release_evidence_file)
    _record(
        assessment,
        user,
        evidence.control,
        f"Removed “{evidence.name}”",
        before={"evidence": evidence.url or evidence.name, "description": evidence.description},
    )
    return evidence


@transaction.atomic
def evidence_confirm(user: User, assessment_pk, evidence_id) -> Evidence:
    """A carried-over item still holds for this round: it is no longer marked "from round N"."""
    assessment = _lock(user, assessment_pk)
    evidence = _item(assessment, evidence_id)
    if evidence.carried_from_round is not None:
        evidence.carried_from_round = None
        evidence.save(update_fields=["carried_from_round"])
        _record(assessment, user, evidence.control, f"Confirmed “{evidence.name}” is still current")
    return evidence


def release_stored_file(name: str) -> bool:
    """Delete a stored evidence file unless a row still refers to it (rows carried into a next round
    share their predecessor's file). Returns whether it was deleted."""
    if not name or Evidence.objects.filter(file=name).exists():
        return False
    Evidence._meta.get_field("file").storage.delete(name)
    return True


# Checks


def _target(user: User, assessment_pk, control_id: str):
    """The user's organization's assessment (404 otherwise: reviewers included) and an asked control of it."""
    assessment = get_object_or_404(Assessment.objects.for_user(user), pk=assessment_pk)
    _require_editable(assessment)
    ownership = (
        Ownership.objects.select_related("control")
        .filter(deployment_id=assessment.deployment_id, control__control_id=control_id)
        .exclude(owner="none")
        .first()
    )
    if ownership is None:
        raise Http404("This control is not part of this assessment.")
    return assessment, ownership.control


def _lock(user: User, assessment_pk) -> Assessment:
    """Lock the assessment (scoped to the user's organization) and check it can still change."""
    assessment = get_object_or_404(Assessment.objects.for_user(user).select_for_update(of=("self",)), pk=assessment_pk)
    _require_editable(assessment)
    return assessment


def _require_editable(assessment: Assessment) -> None:
    if not assessment.is_editable:
        raise AssessmentLocked(
            f"This assessment is {assessment.get_status_display().lower()}; its evidence can't be changed now."
        )


def _item(assessment: Assessment, evidence_id) -> Evidence:
    return get_object_or_404(Evidence.objects.select_related("control"), assessment=assessment, pk=evidence_id)


def _description(text: str) -> str:
    text = " ".join(NOT_SINGLE_LINE.sub(" ", text or "").split())
    if len(text) > MAX_DESCRIPTION:
        raise EvidenceRefused(f"The description can be at most {MAX_DESCRIPTION} characters (you have {len(text):,}).")
    return text


def _url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        raise EvidenceRefused("Enter the address of the link, starting with https:// or http://.")
    if len(url) > MAX_URL:
        raise EvidenceRefused(f"The link can be at most {MAX_URL:,} characters (it has {len(url):,}).")
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise EvidenceRefused("Enter a full web address starting with https:// or http://.") from None
    return url


def _rate_limit(user: User, count: int) -> None:
    limits = settings.RATE_LIMITS["evidence_upload"]
    for _ in range(count):
        if not allow("evidence-upload", str(user.pk), **limits):
            raise EvidenceRefused(RATE_LIMITED, 429)


def _check(upload) -> _Checked:
    """Size, type (from the content) and SHA-256 of one upload, in constant memory."""
    raw_name = getattr(upload, "name", "") or ""
    name = filetypes.clean_name(raw_name)
    if upload.size is not None and upload.size > settings.EVIDENCE_MAX_FILE_SIZE:
        raise EvidenceRefused(too_large(name), 413)
    try:
        filetype = filetypes.detect(upload, name)
    except filetypes.Refused as refused:
        raise EvidenceRefused(str(refused), 415) from None
    digest, size = hashlib.sha256(), 0
    upload.seek(0)
    while chunk := upload.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    if size > settings.EVIDENCE_MAX_FILE_SIZE:
        raise EvidenceRefused(too_large(name), 413)
    return _Checked(upload, filetypes.name_for(name, filetype), filetype, size, digest.hexdigest())


def _require_room(assessment: Assessment, control, checked: list[_Checked]) -> None:
    """The per-control and per-organization limits, under the organization's lock (uploads to two
    assessments of one organization at once must not both pass the quota)."""
    Organization.objects.select_for_update().filter(pk=assessment.organization_id).first()
    present = Evidence.objects.filter(assessment=assessment, control=control, kind=Evidence.Kind.FILE).count()
    most = settings.EVIDENCE_MAX_FILES_PER_CONTROL
    if present + len(checked) > most:
        room = most - present
        can = f"you can add {room} more" if room else "remove one to add another"
        raise EvidenceRefused(
            f"This control has {present} file{'' if present == 1 else 's'} already, and at most {most} are "
            f"allowed: {can}."
        )
    used, adding = organization_usage(assessment.organization_id), sum(c.size for c in checked)
    quota = settings.EVIDENCE_ORGANIZATION_QUOTA
    if used + adding > quota:
        size = filetypes.file_size
        raise EvidenceRefused(
            f"Your organization's evidence storage is full: {size(used)} of {size(quota)} is used, and "
            f"{'this file needs' if len(checked) == 1 else 'these files need'} {size(adding)}. "
            "Remove evidence you no longer need, then try again.",
            413,
        )


def _record(assessment, user, control, message: str, *, before=None, after=None) -> AuditEvent:
    return record_change(
        assessment,
        actor=user,
        kind=AuditEvent.Kind.EVIDENCE,
        control_id=control.control_id,
        before=before,
        after=after,
        message=message,
    )
