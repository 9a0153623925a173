"""The results page of one assessment: scores, gaps to act on, and what the model says about the rest."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ..reports.context import understanding_sentence
from ..selectors.assessments import assessment_for, assessment_state
from ..selectors.remediation import remediation_by_control
from ..selectors.results import results_page
from ..selectors.rounds import since_previous


@login_required
@require_GET
def assessment_results(request: HttpRequest, pk) -> HttpResponse:
    """Scores per area, gaps by risk (filtered by `?area=` and `?risk=`), what is in place, who owns what."""
    assessment = assessment_for(request.user, pk)
    state = assessment_state(assessment)
    context = {
        "assessment": assessment,
        "state": state,
        "results": results_page(state, area=request.GET.get("area", ""), risk=request.GET.get("risk", "")),
        "understanding": understanding_sentence(state.evaluation, assessment.mode),
        "misjudged": state.items_for(state.evaluation.misjudged),
        "since": since_previous(state),
        "remediation": remediation_by_control(state),
    }
    return render(request, "assessment/assessment_results.html", context)
