"""pa11y over every page of the access table that a person can open: HTML_CodeSniffer's
WCAG 2 AA rules and axe-core (with WCAG 2.2's target size), in Debian's Chromium, with no
error on any page.

Each row's page is opened as the first member of the cast who gets it (anonymous first,
then staff), with that member's session; downloads, feeds and other non-HTML answers are
left out, as are rows that answer a POST. pa11y comes from the npm registry
(tests/a11y/package-lock.json), installed here on first use with its own browser
download skipped.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse, translate_url

from apps.organisations.models import Organisation

from ..conftest import CHROMIUM, STRICT
from ..test_url_access import ACCESS, make_world

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

A11Y = Path(__file__).resolve().parents[1] / "a11y"
# A page with known faults (an image without alt, a field without a label, faint text):
# both runners must report it, or the run is checking nothing.
CONTROL = (A11Y / "control.html").as_uri()
# Pages with a layout of their own: the kiosk and its easy read (staff nearby are their
# help), the printable poster, and the widget other sites embed.
OWN_LAYOUT = {
    "waysin:kiosk",
    "waysin:kiosk_easy",
    "waysin:kiosk_exit",
    "posters:page",
    "feeds:widget",
}
# Pages also checked at their Welsh address: the public way in and the author's own.
IN_WELSH = {"home", "stories:tell", "stories:detail", "stories:author", "stories:list"}
# Who opens each page: the public first, then the least powerful member who may.
OPENERS = (
    "anonymous",
    "reader",
    "responder",
    "super_user",
    "other_org_responder",
    "moderator",
    "platform_admin",
)


def _install_pa11y() -> tuple[str, str]:
    """The paths of node and npm, with pa11y installed beside this test."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not (node and npm):
        message = "Node.js and npm are needed for pa11y (Debian: apt-get install nodejs npm)."
        if STRICT:
            pytest.fail(message)
        pytest.skip(message)
    installed = A11Y / "node_modules" / ".package-lock.json"
    lock = A11Y / "package-lock.json"
    if installed.exists() and installed.stat().st_mtime >= lock.stat().st_mtime:
        return node, npm
    environment = {**os.environ, "PUPPETEER_SKIP_DOWNLOAD": "1"}
    subprocess.run(  # noqa: S603 (our own lock file)
        [npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"],
        cwd=A11Y,
        env=environment,
        check=True,
        timeout=600,
    )
    return node, npm


def _jobs(base: str, client_as: Any, world: dict[str, Any]) -> list[dict[str, Any]]:
    jobs = []
    only = set(filter(None, os.environ.get("PA11Y_ONLY", "").split(",")))
    for name, rule in sorted(ACCESS.items()):
        if rule.method != "get" or (only and name not in only):
            continue
        opener = next((m for m in OPENERS if rule.expected.get(m) == 200), None)
        if opener is None:
            continue
        client = client_as(opener)
        path = reverse(name, kwargs=rule.kwargs(world))
        response = client.get(path)
        if response.streaming:
            b"".join(response.streaming_content)
        kind = response.get("Content-Type", "")
        if response.status_code != 200 or not kind.startswith("text/html"):
            continue
        help_link = reverse("pages:page", kwargs={"slug": "contact"})
        if name not in OWN_LAYOUT:
            # WCAG 3.2.6 consistent help: the same footer, with its contact link, throughout.
            assert f'href="{help_link}"' in response.content.decode(), f"{name}: no help link"
        cookies = [{"name": key, "value": morsel.value} for key, morsel in client.cookies.items()]
        jobs.append({"url": base + path, "cookies": cookies, "name": name, "as": opener})
        if name in IN_WELSH:
            welsh = translate_url(path, "cy")
            assert welsh.startswith("/cy/"), welsh
            jobs.append({"url": base + welsh, "cookies": cookies, "name": name, "as": opener})
    return jobs


def test_no_page_has_a_pa11y_or_axe_error(
    live_server: Any, client_as: Any, org: Organisation, other_org: Organisation
) -> None:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is needed at {CHROMIUM}") if STRICT else pytest.skip("no Chromium")
    node, _npm = _install_pa11y()
    jobs = _jobs(live_server.url, client_as, make_world(org, other_org))
    assert len(jobs) > 60 or os.environ.get("PA11Y_ONLY"), (
        f"only {len(jobs)} pages to check: the access table was not read"
    )
    run = subprocess.run(  # noqa: S603 (our own script, our own pages)
        [node, str(A11Y / "run.mjs")],
        input=json.dumps([{"url": CONTROL, "cookies": []}, *jobs]),
        capture_output=True,
        text=True,
        env={**os.environ, "CHROMIUM_PATH": CHROMIUM},
        timeout=1500,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    results = json.loads(run.stdout)
    control = next(result for result in results if result["url"] == CONTROL)
    runners = {issue["runner"] for issue in control["issues"]}
    codes = {issue["code"] for issue in control["issues"]}
    assert runners == {"htmlcs", "axe"}, f"the control page's faults were not all found: {control}"
    assert "target-size" in codes, f"WCAG 2.2's target size was not checked: {control}"
    results = [result for result in results if result["url"] != CONTROL]
    assert len(results) == len(jobs)
    failing = [result for result in results if result["issues"]]
    described = "\n".join(
        f"{result['url']}\n"
        + "\n".join(
            f"  - [{issue['runner']}] {issue['code']}: {issue['message'][:120]}"
            f" at {issue['selector']}: {issue.get('context', '')[:160]}"
            for issue in result["issues"][:8]
        )
        for result in failing
    )
    assert not failing, f"{len(failing)} of {len(results)} pages have errors:\n{described}"
