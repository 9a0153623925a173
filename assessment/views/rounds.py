"""Starting the next round of an assessment: what carries over, then the new draft."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ..selectors.assessments import assessment_for
from ..selectors.rounds import next_round_preview
from ..services import rounds as services


@login_required
@require_http_methods(["GET", "POST"])
def assessment_next_round(request: HttpRequest, pk) -> HttpResponse:
    """GET: what the next round carries over (or why it can't start). POST: start it."""
    assessment = assessment_for(request.user, pk)
    if request.method == "POST":
        try:
            new = services.start_next_round(assessment=assessment, actor=request.user)
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return redirect("assessment_next_round", pk=assessment.pk)
        messages.success(
            request,
            f"Round {new.round_number} started. Your answers from round {assessment.round_number} are filled in: "
            "check each area, confirm the controls marked “changed since last round”, then submit.",
        )
        return redirect("assessment_detail", pk=new.pk)
    preview = next_round_preview(assessment)
    context = {"assessment": assessment, "preview": preview, "heading": f"Start round {preview.number}"}
    return render(request, "assessment/assessment_next_round.html", context)
