"""The bench's own database, never the developer's: recreated on every run.

On SQLite it is the file `var/bench/bench.sqlite3`; when DATABASE_URL names PostgreSQL it is the
database `srsa_bench` on that server (dropped and created again through the `postgres` database).
"""

import re
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from django.conf import settings

BENCH_DIR = Path(settings.BASE_DIR) / "var" / "bench"
SQLITE_FILE = BENCH_DIR / "bench.sqlite3"
POSTGRES_DATABASE = "srsa_bench"


def is_postgres(url: str) -> bool:
    return urlsplit(url).scheme in {"postgres", "postgresql", "pgsql"}


def server_url(url: str) -> str:
    """The server part of a PostgreSQL URL (credentials, host, port), without its database."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "", "", "")).rstrip("/")


def admin_sql(server: str, statement: str) -> list[tuple]:
    """One statement on the server's maintenance database, outside any transaction."""
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        cursor = conn.execute(statement)
        return cursor.fetchall() if cursor.description else []


def recreate_postgres(server: str, database: str) -> str:
    """Drop and create `database` on `server`; its URL."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", database):
        raise ValueError("the database name must be a plain lowercase identifier")
    admin_sql(server, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    admin_sql(server, f'CREATE DATABASE "{database}"')
    return f"{server}/{database}"


def recreate_bench_database(developer_url: str) -> str:
    """A fresh, empty bench database beside the developer's (same engine); its DATABASE_URL."""
    if is_postgres(developer_url):
        return recreate_postgres(server_url(developer_url), POSTGRES_DATABASE)
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{SQLITE_FILE}"
