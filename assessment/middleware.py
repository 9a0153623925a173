"""Refuse requests no view can handle correctly, before any of them runs."""

from django.http import HttpRequest

from .views.errors import UnreadableRequest

# No control character belongs in a path. In query values only NUL is refused: PostgreSQL cannot
# even compare text holding one, so a lookup by it failed in the database (a 500) instead of
# matching nothing, while a tab pasted into a search box is harmless.
_NOT_IN_PATH = {chr(c) for c in range(32)} | {"\x7f"}
MESSAGE = "The address contains a control character (such as a NUL byte)."


class RequestSanityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if not _NOT_IN_PATH.isdisjoint(request.path_info):
            raise UnreadableRequest(MESSAGE)
        if any("\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()):
            raise UnreadableRequest(MESSAGE)
        return self.get_response(request)
