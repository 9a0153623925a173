"""Refuse requests no view can handle correctly, before any of them runs."""

from django.http import HttpRequest

from .views.errors import UnreadableRequest

# NUL and the other C0 controls never belong in a URL; PostgreSQL cannot even compare text with
# a NUL in it, so a lookup by such a value fails inside the database (a 500) instead of a 404.
_FORBIDDEN = {chr(c) for c in range(32)} | {"\x7f"}


class RequestSanityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if not _FORBIDDEN.isdisjoint(request.path_info):
            raise UnreadableRequest("The address contains a control character (such as a NUL byte).")
        for key, values in request.GET.lists():
            if not _FORBIDDEN.isdisjoint(key) or any(not _FORBIDDEN.isdisjoint(v) for v in values):
                raise UnreadableRequest("The address contains a control character (such as a NUL byte).")
        return self.get_response(request)
