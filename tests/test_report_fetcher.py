"""The report's URL fetcher: the app's static files from disk, and nothing else (no network, no files, no redirects)."""

import http.server
import io
import threading
from pathlib import Path

import pytest
from pypdf import PdfReader

from assessment.reports.fetcher import REPORT_BASE_URL, FetchRefused, StaticFilesFetcher, static_file_for
from assessment.reports.render import html_to_pdf

STATIC = Path(__file__).resolve().parent.parent / "static"


@pytest.fixture
def http_server():
    """A local HTTP server that records every request it gets (and redirects, to tempt a fetcher)."""
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requests
    server.shutdown()
    server.server_close()
    thread.join()


def _pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_network_urls_are_never_requested(http_server):
    origin, requests = http_server
    html = f"""<!doctype html><html lang="en"><head><title>t</title>
      <link rel="stylesheet" href="{origin}/style.css">
      <style>@import url("{origin}/import.css"); body {{ background: url("{origin}/bg.png") }}
        @font-face {{ font-family: X; src: url("{origin}/font.woff") }}</style>
      <link rel="attachment" href="{origin}/attachment.txt">
      </head><body><p>Hello</p><img src="{origin}/image.png" alt="i">
      <svg width="10" height="10"><image href="{origin}/svg.png" width="10" height="10"/></svg>
      <object data="{origin}/object.svg"></object><embed src="{origin}/embed.svg"></body></html>"""
    pdf = html_to_pdf(html)
    assert requests == []
    assert "Hello" in _pdf_text(pdf)
    assert PdfReader(io.BytesIO(pdf)).attachments == {}


def test_local_files_are_never_read():
    html = """<!doctype html><html lang="en"><head><title>t</title>
      <link rel="stylesheet" href="file:///etc/passwd"><link rel="attachment" href="file:///etc/passwd">
      </head><body><p>Hello</p><img src="file:///etc/passwd" alt="x"><object data="file:///etc/passwd"></object>
      <img src="/static/../../../../etc/passwd" alt="x"><img src="/etc/passwd" alt="x"></body></html>"""
    pdf = html_to_pdf(html)
    assert "root:" not in _pdf_text(pdf)
    assert PdfReader(io.BytesIO(pdf)).attachments == {}


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:9/x.png",
        "https://example.com/static/css/report.css",  # the right path on another origin
        "data:text/plain,hello",
        f"{REPORT_BASE_URL}etc/passwd",  # not under STATIC_URL
        f"{REPORT_BASE_URL}static/../../etc/passwd",
        f"{REPORT_BASE_URL}static/%2e%2e/%2e%2e/etc/passwd",
        f"{REPORT_BASE_URL}static/%2Fetc%2Fpasswd",
        f"{REPORT_BASE_URL}static/..%5C..%5Cetc%5Cpasswd",
        f"{REPORT_BASE_URL}static/",
        f"{REPORT_BASE_URL}static/no-such-file.css",
    ],
)
def test_refuses_anything_but_a_static_file(url):
    with pytest.raises(FetchRefused):
        StaticFilesFetcher().fetch(url)


def test_serves_the_apps_static_files_from_disk():
    response = StaticFilesFetcher().fetch(f"{REPORT_BASE_URL}static/css/report.css")
    assert response.read() == (STATIC / "css" / "report.css").read_bytes()
    assert response.content_type == "text/css"
    assert static_file_for(f"{REPORT_BASE_URL}static/favicon.svg") == (STATIC / "favicon.svg").resolve()


def _page_stream_length(src: str) -> int:
    pdf = html_to_pdf(
        f'<!doctype html><html lang="en"><head><title>t</title></head><body><img src="{src}" alt="Logo"></body></html>'
    )
    return len(PdfReader(io.BytesIO(pdf)).pages[0].get_contents().get_data())


def test_static_images_render():
    # The SVG logo is drawn as vector paths; a refused image leaves the page (nearly) empty.
    assert _page_stream_length("/static/favicon.svg") > _page_stream_length("/static/missing.svg") + 100
