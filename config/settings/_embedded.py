"""Use the embedded PostgreSQL server unless DATABASE_URL names another one."""

from __future__ import annotations

from typing import Any

from config import embedded_db


def database(current: dict[str, Any], database_url: str) -> dict[str, Any]:
    if database_url:
        return current
    conn = embedded_db.start()
    return {
        **current,
        "NAME": embedded_db.DATABASE_NAME,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": conn.socket_dir,
        "PORT": str(conn.port),
    }
