"""axe-core in a Playwright page: `run_axe(page)` returns its violations (an empty list is a
pass); `assert_no_axe_violations(page)` asserts there are none, listing them otherwise.

axe comes from npm into the project's node_modules (`npm install --no-save axe-core@4`; CI
does it). The page's context must be opened with `bypass_csp=True`: the strict CSP rightly
refuses the injected script. Without node_modules/axe-core the check skips, unless
REQUIRE_BROWSER or REQUIRE_AXE is set, when it fails.
"""

import os
from functools import cache
from pathlib import Path

import pytest

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.1 A and AA, plus axe's best practices (landmarks, one h1, …).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


@cache
def axe_source() -> str:
    if not AXE.exists():
        message = f"{AXE} is missing: run npm install --no-save axe-core@4"
        if os.environ.get("REQUIRE_BROWSER") or os.environ.get("REQUIRE_AXE"):
            pytest.fail(message)
        pytest.skip(message)
    return AXE.read_text()


def run_axe(page) -> list[dict]:
    """The violations axe finds in the page as it stands: [{id, impact, help, nodes}, …]."""
    source = axe_source()
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=source)
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
                           TAGS)
    return result["violations"]


axe_violations = run_axe


def describe(violations: list[dict]) -> str:
    """One line per violation and node, for an assertion message."""
    return "\n".join(f"{v['id']} ({v['impact']}): {v['help']} — {node['target']}"
                     for v in violations for node in v["nodes"])


def assert_no_axe_violations(page) -> None:
    violations = run_axe(page)
    assert not violations, f"{page.url}:\n{describe(violations)}"
