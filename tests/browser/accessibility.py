"""axe-core in a Playwright page: the WCAG 2.1 A and AA rules, and a readable failure.

axe-core comes from the npm registry, not from this repository: CI installs it with
`npm install --no-save --prefix .ci/node axe-core@~4.10` (see `.ci/run`), and the same
command works locally. AXE_CORE_JS names another copy of `axe.min.js`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
INSTALLED = ROOT / ".ci" / "node" / "node_modules" / "axe-core" / "axe.min.js"
INSTALL_HINT = "npm install --no-save --prefix .ci/node axe-core@~4.10"
# WCAG 2.0 and 2.1, levels A and AA: what the README promises, nothing stricter.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_core_path() -> Path | None:
    """Where axe.min.js is: AXE_CORE_JS if set, else the copy `.ci/run` installs."""
    configured = os.environ.get("AXE_CORE_JS")
    path = Path(configured) if configured else INSTALLED
    return path if path.is_file() else None


@dataclass(frozen=True)
class Axe:
    """Runs axe-core on whatever page it is given."""

    source: str

    def violations(self, page: Any) -> list[dict[str, Any]]:
        """axe's violations of the page as it is now, in axe's own result format.

        The source is evaluated through the DevTools protocol, which the page's Content
        Security Policy does not govern, so the page is checked with its real headers.
        """
        if not page.evaluate("typeof window.axe === 'object'"):
            page.evaluate(self.source)
        result: list[dict[str, Any]] = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
            ".then(r => r.violations)",
            WCAG_TAGS,
        )
        return result


def report(url: str, violations: list[dict[str, Any]]) -> str:
    """One block per page: each rule broken, why, and the elements that break it."""
    lines = [f"{url}: {len(violations)} rule(s) violated"]
    for rule in violations:
        lines.append(f"  [{rule['impact']}] {rule['id']}: {rule['help']} ({rule['helpUrl']})")
        for node in rule["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            summary = " ".join(str(node.get("failureSummary") or "").split())
            lines.append(f"    - {target}: {summary}")
    return "\n".join(lines)
