"""The only way the PDF renderer reads anything: the app's own static files, from disk.

WeasyPrint's default fetcher follows any URL it meets (http, ftp, `file://`, redirects). A report
holds text typed by customers and reviewers; that text is escaped, but defence in depth says the
renderer must not be able to reach the network or the file system even if markup got through. So
the report is rendered against a base URL that exists nowhere (`REPORT_BASE_URL`) and this fetcher
answers only `<REPORT_BASE_URL><STATIC_URL>...` with a file the staticfiles finders locate inside
the app's static directories. Everything else raises `FetchRefused`, which WeasyPrint logs and
skips: no request is made, no other file is opened, and there is nothing to redirect.
"""

import mimetypes
from functools import cache
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from weasyprint.urls import URLFetcher, URLFetcherResponse

# `.invalid` is reserved (RFC 2606): this origin can never resolve, even by mistake.
REPORT_BASE_URL = "https://report.invalid/"


class FetchRefused(ValueError):
    """The report asked for something that is not one of the app's static files."""


class StaticFilesFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves the app's static files and refuses everything else."""

    def __init__(self) -> None:
        # No protocol allowed and no redirects, so even the inherited opener could do nothing.
        super().__init__(allowed_protocols=(), allow_redirects=False)

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        path = static_file_for(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})


def static_file_for(url: str) -> Path:
    """The file on disk behind a report static URL; `FetchRefused` for any other URL."""
    parts = urlsplit(url)
    base = urlsplit(REPORT_BASE_URL)
    if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
        raise FetchRefused(f"the report may only load the app's static files, not {url[:200]!r}")
    prefix = urlsplit(settings.STATIC_URL).path
    if not parts.path.startswith(prefix):
        raise FetchRefused(f"not a static file: {url[:200]!r}")
    name = unquote(parts.path[len(prefix) :])
    pure = PurePosixPath(name)
    if not name or "\\" in name or "\x00" in name or pure.is_absolute() or ".." in pure.parts:
        raise FetchRefused(f"not a static file name: {name[:200]!r}")
    name = _unhashed_names().get(name, name)
    found = finders.find(name)
    if not found:
        raise FetchRefused(f"no such static file: {name[:200]!r}")
    path = Path(found).resolve()
    # A symlink in a static directory must not lead out of it.
    if not any(path.is_relative_to(root) for root in _static_roots()) or not path.is_file():
        raise FetchRefused(f"static file outside the static directories: {name[:200]!r}")
    return path


@cache
def _static_roots() -> tuple[Path, ...]:
    """The directories the staticfiles finders search (STATICFILES_DIRS and apps' static/)."""
    roots = []
    for finder in finders.get_finders():
        for _prefix, root in getattr(finder, "locations", ()):
            roots.append(Path(root).resolve())
        for storage in getattr(finder, "storages", {}).values():
            if getattr(storage, "location", None):
                roots.append(Path(storage.location).resolve())
    return tuple(roots)


@cache
def _unhashed_names() -> dict[str, str]:
    """With a manifest storage `{% static %}` gives `css/x.1a2b.css`; map it back to `css/x.css`."""
    hashed = getattr(staticfiles_storage, "hashed_files", None) or {}
    return {value: key for key, value in hashed.items()}
