"""axe-core in the browser tests: no serious or critical violation on any page we show."""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe

_axe = Axe()
BLOCKING = {"serious", "critical"}


def axe_violations(page: Any) -> list[dict[str, Any]]:
    results = _axe.run(page, options={"resultTypes": ["violations"]})
    return list(results.response["violations"])


def assert_accessible(page: Any) -> None:
    blocking = [v for v in axe_violations(page) if v.get("impact") in BLOCKING]
    described = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(node["target"]) for node in v["nodes"][:3])
        for v in blocking
    )
    assert not blocking, f"axe found serious or critical issues on {page.url}:\n{described}"
