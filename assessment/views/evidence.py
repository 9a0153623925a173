"""Evidence on a control: add files or a link, remove, confirm, download.

Without JavaScript each post returns to the control on its area page with a message; the page's
script (`static/js/evidence.js`) asks for JSON instead and replaces the control's list with `html`.
Uploads stream to disk through `uploads.EvidenceUploadHandler`, set before the body is read: the
view is exempt from the CSRF middleware (which would read the body first) and checks the token
itself once the handler is in place, as Django's documentation describes.
"""

from urllib.parse import quote

from csp.decorators import csp_replace
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from .. import cards
from ..models import Control
from ..selectors.assessments import assessment_for
from ..selectors.evidence import evidence_for_download, evidence_of_control
from ..services import evidence as service
from ..services.assessments import AssessmentLocked
from ..uploads import EvidenceUploadHandler

UNREADABLE = "This upload could not be read. Reload the page and try again."
SIGNED_OUT = "Your session has expired. Log in again in another tab, then retry."


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _control(assessment, control_id: str) -> Control:
    control = Control.objects.select_related("area").filter(model_id=assessment.model_id, control_id=control_id).first()
    if control is None:
        raise Http404("This control is not part of this assessment.")
    return control


def _answer(
    request, assessment, control, *, ok: bool, message: str, status: int = 200, reopen: bool = False
) -> HttpResponse:
    """JSON for the page's script (with the control's list rendered again), else back to the control;
    `reopen`: with its "Add evidence" panel open (a refused upload, to try again from there)."""
    if _wants_json(request):
        assessment.refresh_from_db(fields=["status"])
        rows = evidence_of_control(assessment, control.pk)
        html = cards.evidence_items(rows, cards.EvidenceLinks(assessment), assessment.is_editable)
        return JsonResponse({"ok": ok, "message": message, "html": html}, status=status)
    (messages.success if ok else messages.error)(request, message)
    url = reverse("assessment_area", args=[assessment.pk, control.area.key])
    query = f"?add={quote(control.control_id)}" if reopen else ""
    return redirect(f"{url}{query}#ev-{control.control_id}")


def _signed_out(request: HttpRequest) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"ok": False, "message": SIGNED_OUT}, status=401)
    return redirect(f"{reverse('login')}?next={request.path}")


@csrf_exempt
@require_POST
def evidence_add(request: HttpRequest, pk, control_id: str) -> HttpResponse:
    """Files (`files`, several) or a link (`url`), each with an optional `description`."""
    if not request.user.is_authenticated:
        return _signed_out(request)
    assessment = assessment_for(request.user, pk)  # another organization (or a reviewer): 404 before any upload
    control = _control(assessment, control_id)
    handler = EvidenceUploadHandler(request)
    request.upload_handlers = [handler]
    try:
        request.POST, request.FILES  # noqa: B018 (read the body now, through the handler)
    except (RequestDataTooBig, TooManyFieldsSent, SuspiciousOperation, MultiPartParserError, UnreadablePostError):
        return _answer(request, assessment, control, ok=False, message=UNREADABLE, status=400, reopen=True)
    if handler.refusal:
        # Stopped while streaming: nothing was stored, and nothing changes, so no CSRF token is needed to say so.
        return _answer(request, assessment, control, ok=False, message=handler.refusal, status=413, reopen=True)
    return _evidence_add(request, assessment, control)


@csrf_protect
def _evidence_add(request: HttpRequest, assessment, control) -> HttpResponse:
    description = request.POST.get("description", "")
    files = request.FILES.getlist("files")
    try:
        if files or "url" not in request.POST:
            added = service.evidence_add_files(request.user, assessment.pk, control.control_id, files, description)
            message = _added(added)
        else:
            service.evidence_add_link(request.user, assessment.pk, control.control_id, request.POST["url"], description)
            message = "Added the link."
    except service.EvidenceRefused as refused:
        return _answer(
            request, assessment, control, ok=False, message=refused.message, status=refused.status, reopen=True
        )
    except AssessmentLocked as locked:
        return _answer(request, assessment, control, ok=False, message=str(locked), status=409)
    return _answer(request, assessment, control, ok=True, message=message)


def _added(rows) -> str:
    if len(rows) == 1:
        return f"Added “{rows[0].name}”."
    return f"Added {len(rows)} files."


@require_POST
def evidence_remove(request: HttpRequest, pk, evidence_id) -> HttpResponse:
    return _change(request, pk, evidence_id, service.evidence_remove, "Removed “{name}”.")


@require_POST
def evidence_confirm(request: HttpRequest, pk, evidence_id) -> HttpResponse:
    return _change(request, pk, evidence_id, service.evidence_confirm, "Kept “{name}” as still current.")


def _change(request: HttpRequest, pk, evidence_id, change, done: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return _signed_out(request)
    assessment = assessment_for(request.user, pk)
    try:
        evidence = change(request.user, assessment.pk, evidence_id)
    except AssessmentLocked as locked:
        evidence = _scoped_item(assessment, evidence_id)
        return _answer(
            request,
            assessment,
            _control(assessment, evidence.control.control_id),
            ok=False,
            message=str(locked),
            status=409,
        )
    control = _control(assessment, evidence.control.control_id)
    return _answer(request, assessment, control, ok=True, message=done.format(name=evidence.name))


def _scoped_item(assessment, evidence_id):
    evidence = assessment.evidence.select_related("control").filter(pk=evidence_id).first()
    if evidence is None:
        raise Http404("No such evidence.")
    return evidence


@login_required
@require_GET
@csp_replace({"default-src": ["'none'"], "img-src": None, "base-uri": None, "form-action": None, "sandbox": True})
def evidence_download(request: HttpRequest, pk, evidence_id) -> HttpResponse:
    """The file, as an attachment of its stored type, to members and (once submitted) reviewers; 404 otherwise."""
    evidence = evidence_for_download(request.user, pk, evidence_id)
    try:
        stored = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404("This file is no longer stored.") from None
    response = FileResponse(stored, content_type=evidence.content_type or "application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(True, evidence.name)
    response["Content-Length"] = str(evidence.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
