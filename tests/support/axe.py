"""axe-core in a Playwright page: `assert_no_axe_violations(page)`.

axe comes from npm into the project's node_modules (`npm install --no-save axe-core@4`). The
page's context must be opened with `bypass_csp=True`: the strict CSP rightly refuses the
injected script. Without node_modules/axe-core the check skips, unless REQUIRE_BROWSER is set.
"""

import os
from functools import cache
from pathlib import Path

import pytest

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.1 A and AA, and axe's best practices (landmarks, one h1, …).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


@cache
def axe_source() -> str:
    if not AXE.exists():
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"REQUIRE_BROWSER is set but {AXE} is missing: "
                        "run npm install --no-save axe-core@4")
        pytest.skip(f"{AXE} is missing: run npm install --no-save axe-core@4")
    return AXE.read_text()


def axe_violations(page) -> list[dict]:
    page.add_script_tag(content=axe_source())
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
                           TAGS)
    return result["violations"]


def assert_no_axe_violations(page) -> None:
    violations = axe_violations(page)
    report = [f"{v['id']} ({v['impact']}): {v['help']} — "
              + "; ".join(node["target"][0] for node in v["nodes"][:3]) for v in violations]
    assert not violations, f"{page.url}:\n" + "\n".join(report)
