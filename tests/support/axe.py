"""axe-core in a Playwright page: `run_axe(page)` returns its violations (an empty list is a pass).

Install once into the worktree: `npm install --no-save axe-core@4`. The page's CSP refuses
injected scripts, so open it in a context made with `bypass_csp=True`.
"""

from pathlib import Path

import pytest

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.1 A and AA, plus axe's best practices (landmarks, one h1, …).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def run_axe(page) -> list[dict]:
    """The violations axe finds in the page as it stands: [{id, impact, help, nodes}, …]."""
    if not AXE.exists():
        pytest.skip(f"{AXE} is missing: run `npm install --no-save axe-core@4`")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE.read_text())
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
                           TAGS)
    return result["violations"]


def describe(violations: list[dict]) -> str:
    """One line per violation and node, for an assertion message."""
    return "\n".join(f"{v['id']} ({v['impact']}): {v['help']} — {node['target']}"
                     for v in violations for node in v["nodes"])
