"""Helpers for tests that run part of the product in another process (a Celery worker, a
second server process) against the same PostgreSQL database and a real Redis.

Redis: MOTCUA_TEST_REDIS_URL (default redis://127.0.0.1:6379/11, a database number the
development machine leaves to these tests); each test uses keys and queues of its own and
deletes them, never the whole database.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[3]
REDIS_URL = os.environ.get("MOTCUA_TEST_REDIS_URL", "redis://127.0.0.1:6379/11")


def redis_unreachable() -> str | None:
    """Why Redis cannot be used here, or None when it answers."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=1, socket_connect_timeout=1).ping()
    except Exception as exc:  # noqa: BLE001 - any failure means: skip, saying why
        return f"Redis at {REDIS_URL} unreachable ({exc}); set MOTCUA_TEST_REDIS_URL"
    return None


_WHY_NOT = redis_unreachable()
needs_redis = pytest.mark.skipif(_WHY_NOT is not None, reason=str(_WHY_NOT))


def shared_database_url() -> str | None:
    """The test database as a DATABASE_URL another process can open, or None (pytest's
    in-memory SQLite database lives in this process only)."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        if connection.is_in_memory_db():
            return None
        return f"sqlite:///{s['NAME']}"
    auth = quote(s.get("USER") or "", safe="")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"], safe="")
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or "5432"
    return f"postgres://{auth}@{host}:{port}/{s['NAME']}"


SQLITE_IN_MEMORY = (
    "the other process cannot open pytest's in-memory SQLite database: "
    "run on PostgreSQL (make test-postgres, or DATABASE_URL=postgres://…)"
)


def process_env(**extra: str) -> dict[str, str]:
    """This process's environment for a child that imports motcua from this checkout."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.setdefault("MOTCUA_SECRET_KEY", "x" * 50)
    env.update(extra)
    return env


PYTHON = sys.executable
