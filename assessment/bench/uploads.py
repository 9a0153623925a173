"""A 25 MB evidence upload through gunicorn: the worker's peak resident memory may grow by less than 10 MB.

The upload streams from a file on disk (httpx reads it in chunks), and the app streams it to a
temporary file and on to storage: a worker that read it whole would grow by at least its size.
Peak resident memory (`VmHWM` in /proc) of the one worker, after a small upload has warmed every
code path, against the same after the large one.
"""

import tempfile
from pathlib import Path

from django.conf import settings

from ..models import Evidence
from ..selectors.assessments import asked_controls
from .report import Figure, Goal, figure, skipped
from .server import start_gunicorn, stop
from .throughput import log_in

LABEL = "25 MB evidence upload: growth of the web worker's peak memory"
GOAL = Goal("<=", 10, " MB")
PROC = Path("/proc")


def _kib(pid: int, field: str) -> int:
    for line in (PROC / str(pid) / "status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} for process {pid}")


def _worker(master: int) -> int:
    children = (PROC / str(master) / "task" / str(master) / "children").read_text().split()
    if len(children) != 1:
        raise RuntimeError(f"expected one gunicorn worker, found {children}")
    return int(children[0])


def _pdf(path: Path, size: int) -> None:
    """A file of exactly `size` bytes that starts as a PDF does (what the type check reads)."""
    head, tail = b"%PDF-1.7\n", b"\n%%EOF\n"
    with path.open("wb") as out:
        out.write(head)
        left = size - len(head) - len(tail)
        block = b"0" * (1 << 20)
        while left > 0:
            out.write(block[: min(left, len(block))])
            left -= len(block)
        out.write(tail)


def upload_figure(env: dict, log_path: Path, email: str, assessment) -> Figure:
    """`email`: a member of the organization of `assessment`, a draft; the file goes to its first control."""
    if not PROC.joinpath("self", "status").exists():
        return skipped("upload_memory", LABEL, GOAL, "needs /proc (Linux) to read the worker's memory")
    process, base_url = start_gunicorn(env, log_path, workers=1, threads=1)
    try:
        client = log_in(base_url, email)
        worker = _worker(process.pid)
        control_id = asked_controls(assessment).ownerships[0].control.control_id
        url = f"/assessments/{assessment.pk}/controls/{control_id}/evidence/"
        with tempfile.TemporaryDirectory(prefix="srsa-bench-upload-") as folder:

            def upload(name: str, size: int) -> None:
                path = Path(folder) / name
                _pdf(path, size)
                with path.open("rb") as stream:
                    response = client.post(
                        url,
                        files={"files": (name, stream, "application/pdf")},
                        data={"description": "bench"},
                        headers={"Accept": "application/json", "X-CSRFToken": client.cookies.get("csrftoken", "")},
                        timeout=120,
                    )
                if response.status_code != 200 or not response.json().get("ok"):
                    raise RuntimeError(f"uploading {name} answered {response.status_code}: {response.text[:300]}")

            upload("warm-up.pdf", 1 << 20)
            before = _kib(worker, "VmHWM")
            size = settings.EVIDENCE_MAX_FILE_SIZE
            upload("large.pdf", size)
            after = _kib(worker, "VmHWM")
        stored = Evidence.objects.filter(assessment=assessment, name="large.pdf").values_list("size", flat=True)
        if list(stored) != [size]:
            raise RuntimeError(f"the large upload was not stored whole: {list(stored)}")
    finally:
        stop(process)
    growth = (after - before) / 1024
    return figure(
        "upload_memory",
        LABEL,
        GOAL,
        round(growth, 1),
        shown=f"{growth:.1f} MB",
        note=f"peak RSS {before / 1024:.0f} MB after a 1 MB upload, {after / 1024:.0f} MB after {size / 2**20:.0f} MB",
        before_kib=before,
        after_kib=after,
    )
