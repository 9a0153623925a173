"""Moving an assessment to a newer version of its model: the preview, then the move."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ..selectors.assessments import assessment_for
from ..selectors.upgrade import newer_version, upgrade_preview
from ..services import upgrade as services


@login_required
@require_http_methods(["GET", "POST"])
def assessment_upgrade(request: HttpRequest, pk) -> HttpResponse:
    """GET: what moving to the newest version changes. POST: move."""
    assessment = assessment_for(request.user, pk)
    target = newer_version(assessment)
    if target is None:
        # Also the answer to a second post of the form: the move is done, there is nothing newer.
        raise Http404("There is no newer version to move this assessment to.")
    if request.method == "POST":
        try:
            services.assessment_upgrade(assessment=assessment, target=target, user=request.user)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(
                request,
                f"Moved to version {target.version}. Answer the new controls, and look again at those marked "
                "“owner changed”.",
            )
        return redirect("assessment_detail", pk=assessment.pk)
    context = {
        "assessment": assessment,
        "preview": upgrade_preview(assessment, target),
        "heading": f"Move to version {target.version}",
    }
    return render(request, "assessment/assessment_upgrade.html", context)
