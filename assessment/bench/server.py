"""Gunicorn with production settings on a free port, for the bench and the load test.

Both start the app the way it is deployed (DEBUG off, a real secret key, static files collected
into a throwaway STATIC_ROOT) against a database of their own, and stop it as a process group.
"""

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from django.conf import settings


class ServerError(Exception):
    """Gunicorn, or a manage.py command run for it, did not come up; the message says where to look."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(database_url: str, static_root: Path, *, allowed_hosts: str = "127.0.0.1") -> dict[str, str]:
    """The environment of a production-like process: DEBUG off, plain HTTP on 127.0.0.1, our own database."""
    return {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50)[:50],
        "DJANGO_ALLOWED_HOSTS": allowed_hosts,
        "DATABASE_URL": database_url,
        "DATABASE_CONN_MAX_AGE": "60",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_COOKIES": "false",
        # A throwaway STATIC_ROOT (settings.py reads it), so the run leaves var/staticfiles alone.
        "DJANGO_STATIC_ROOT": str(static_root),
    }


def manage(env: dict[str, str], *arguments: str) -> str:
    """A manage.py command in a child process with `env`; its output, or ServerError with it."""
    result = subprocess.run(
        [sys.executable, "manage.py", *arguments], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True
    )
    if result.returncode:
        raise ServerError(f"manage.py {' '.join(arguments)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def start_gunicorn(env: dict[str, str], log_path: Path, *, workers: int, threads: int) -> tuple[subprocess.Popen, str]:
    """Gunicorn serving config.wsgi on a free port, once it answers the login page: (process, base URL)."""
    port = free_port()
    command = [
        sys.executable, "-m", "gunicorn", "config.wsgi",
        "--workers", str(workers), "--threads", str(threads),
        "--bind", f"127.0.0.1:{port}", "--graceful-timeout", "5",
        # As the README deploys it: idle connections kept 5 s, longer than a customer's pause between answers.
        "--keep-alive", "5",
        # The default control socket path is shared by every gunicorn of this user: don't take theirs.
        "--no-control-socket",
    ]  # fmt: skip
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = log_path.open("w")
    # A session of its own: Ctrl-C reaches only the caller, whose finally stops gunicorn in order.
    process = subprocess.Popen(
        command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    log.close()
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerError(f"gunicorn exited with status {process.returncode}; see {log_path}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base_url}/accounts/login/", timeout=5).status_code == 200:
                return process, base_url
        time.sleep(0.3)
    stop(process)
    raise ServerError(f"gunicorn did not answer within 30 s; see {log_path}")


def start_task_worker(env: dict[str, str], log_path: Path, *, append: bool = False) -> subprocess.Popen | None:
    """`manage.py db_worker` when background tasks queue in the database (production runs one); else None."""
    backend = getattr(settings, "TASKS", {}).get("default", {}).get("BACKEND", "")
    if env.get("TASKS_BACKEND", backend) != "django_tasks_db.DatabaseBackend":
        return None
    log = log_path.open("a" if append else "w")
    process = subprocess.Popen(
        # Niced, as the README advises beside web servers: a render must not take CPU from a request.
        ["nice", "-n", "10", sys.executable, "manage.py", "db_worker"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    log.close()
    return process


def stop(process: subprocess.Popen) -> None:
    """SIGTERM to gunicorn's process group (master and workers); SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
