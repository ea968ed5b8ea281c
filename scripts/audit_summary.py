"""Summarise pip-audit's JSON report (stdin) honestly; exit 1 on any known vulnerability.

pip-audit prints "No known vulnerabilities found" even when it could check nothing (no advisory
data reachable, every package skipped). The first line printed here says what actually happened.
"""
from __future__ import annotations

import json
import sys


def summarise(report: dict | None, error: str = "") -> tuple[list[str], int]:
    """(lines to print, exit code) for a pip-audit JSON report (None: pip-audit did not run)."""
    if report is None:
        return ([f"pip-audit: AUDIT NOT POSSIBLE here: pip-audit produced no report ({error or 'no output'}). "
                 "Nothing was checked; this is not a pass."], 0)
    deps = report.get("dependencies") or []
    skipped = [d for d in deps if d.get("skip_reason")]
    checked = [d for d in deps if not d.get("skip_reason")]
    vulnerable = [d for d in checked if d.get("vulns")]
    if vulnerable:
        lines = [f"pip-audit: {sum(len(d['vulns']) for d in vulnerable)} KNOWN VULNERABILITIES in "
                 f"{len(vulnerable)} of {len(checked)} packages checked:"]
        for d in vulnerable:
            for v in d["vulns"]:
                fix = ", ".join(v.get("fix_versions") or []) or "no fixed version listed"
                lines.append(f"  {d['name']} {d.get('version', '')}: {v.get('id', '?')} (fixed in {fix})")
        if skipped:
            lines.append(f"  ({len(skipped)} packages could not be checked)")
        return lines, 1
    if not checked:
        return ([f"pip-audit: AUDIT NOT POSSIBLE here: no advisory data was reachable, so none of the "
                 f"{len(deps)} packages was checked. This is not a pass.",
                 "  (pip-audit itself reports \"No known vulnerabilities found\", but it skipped every package.)"],
                0)
    lines = [f"pip-audit: no known vulnerabilities in the {len(checked)} packages checked."]
    if skipped:
        lines.append(f"  {len(skipped)} could not be checked: " + ", ".join(d["name"] for d in skipped))
    return lines, 0


def main() -> int:
    raw = sys.stdin.read()
    try:
        report = json.loads(raw) if raw.strip() else None
        error = "" if raw.strip() else (sys.argv[1] if len(sys.argv) > 1 else "")
    except ValueError:
        report, error = None, "unreadable output"
    lines, code = summarise(report, error)
    print("\n".join(lines))
    return code


if __name__ == "__main__":
    sys.exit(main())
