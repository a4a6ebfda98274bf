"""Typed readers for settings that come from the environment."""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from exc


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


# Options of `runserver` that take a value as the next word.
_RUNSERVER_VALUE_OPTIONS = {"--settings", "--pythonpath", "-v", "--verbosity"}


def served_site_url(argv: list[str]) -> str | None:
    """The address `manage.py runserver [addr:]port` serves, or None for any other command.

    Links in emails follow it when SITE_URL is unset, so `make run PORT=8041` sends
    links to port 8041. An address of every interface (0.0.0.0, ::) cannot be linked
    to and becomes 127.0.0.1; anyone serving other machines sets SITE_URL."""
    if len(argv) < 2 or argv[1] != "runserver":
        return None
    words = iter(argv[2:])
    addrport = ""
    for word in words:
        if word in _RUNSERVER_VALUE_OPTIONS:
            next(words, None)
        elif not word.startswith("-"):
            addrport = word
            break
    host, port = "127.0.0.1", "8000"
    if addrport.isdigit():
        port = addrport
    elif addrport.startswith("["):  # [::1]:8000
        bracketed, _, rest = addrport.partition("]")
        host = f"{bracketed}]"
        port = rest.lstrip(":") or port
    elif addrport:
        host, _, given_port = addrport.rpartition(":")
        host, port = (host or addrport, given_port) if given_port.isdigit() else (addrport, port)
    if host in {"0.0.0.0", "0", "[::]"}:  # noqa: S104 (a listening address, not a link)
        host = "127.0.0.1"
    return f"http://{host}:{port}"
