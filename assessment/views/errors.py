"""The 400 page: a request we could not read, said plainly (HTML, or JSON for the autosave script)."""

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

JSON_ROUTES = {"answer_autosave"}  # endpoints whose callers read JSON, whatever they say they accept
GENERIC = "Your browser sent a request we could not read. Go back, reload the page and try again."


class UnreadableRequest(BadRequest):
    """Refused before any view ran; the message is safe to show to the person who sent it."""


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Unlike Django's default, this does not run the CSRF check again.

    That check reads the body, so a body that could not be decoded (a form declared as latin-1,
    say) raised the same error again while the 400 page rendered, and the user got a 500.
    """
    message = str(exception) if isinstance(exception, UnreadableRequest) else GENERIC
    match = getattr(request, "resolver_match", None)
    if "application/json" in request.headers.get("Accept", "") or (match and match.url_name in JSON_ROUTES):
        return JsonResponse({"ok": False, "message": f"Not saved — {message[0].lower()}{message[1:]}"}, status=400)
    return HttpResponse(render_to_string("400.html", {"message": message}, request=request), status=400)
