#!/usr/bin/env python3
"""Project rules ruff and mypy cannot know (after Zulip's tools/linter_lib/custom_check.py). Run by ``make lint``:

    python3 tools/custom_check.py [paths …]      (default: src/fupin)

Prints ``file:line: rule: message`` for each finding and exits 1 when there is any. Tests and migrations are
exempt (tests recount independently; migrations are frozen history). A line may opt out with a trailing
``# custom-check: allow <rule>`` comment that says why nearby.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "fupin"
# The one module each piece of knowledge lives in (relative to src/fupin).
TREE_MODULE = "core/tree.py"
SQL_MODULE = "core/sql.py"


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.rule}: {self.message}"


@dataclass(frozen=True)
class LineRule:
    name: str
    pattern: re.Pattern[str]
    message: str
    allowed_in: tuple[str, ...] = ()


LINE_RULES = (
    LineRule(
        "subtree-startswith",
        re.compile(r"code__startswith\b"),
        "narrow to a region with core.scoping.narrow_or_404(...).q(field) or core.tree.subtree_bounds "
        "(an indexed range), not __startswith",
    ),
    LineRule(
        "connection-vendor",
        re.compile(r"\.vendor\b"),
        "ask core.sql (is_postgres() or a dialect helper) instead of reading a connection's vendor",
        allowed_in=(SQL_MODULE,),
    ),
    LineRule(
        "level-table",
        # a level <-> code-length table or the list of code lengths written out
        re.compile(r"\b(?:1: 2, 2: 4|2: 1, 4: 2|0: 2, 2: 4|1: 0, 2: 2|2: 4, 4: 6|4: 6, 6: 9|6: 9, 9: 12|"
                   r"9: 4, 12: 5|2, 4, 6, 9)\b"),
        "the level <-> code-length table lives in core.tree (LENGTHS, LEVELS, NODE_LENGTHS, level_of, …)",
        allowed_in=(TREE_MODULE,),
    ),
    LineRule(
        "whole-country-range",
        re.compile(r"""["']9["']\s*\*\s*12\b|["']9{12}["']"""),
        "the whole country's code range is core.tree.subtree_bounds(\"\") (or Scope.bounds())",
        allowed_in=(TREE_MODULE,),
    ),
)


def _app_of(relative: str) -> str:
    """The app (first package under src/fupin) a file belongs to; "" for top-level modules."""
    parts = relative.split("/")
    return parts[0] if len(parts) > 1 else ""


def _exempt(relative: str) -> bool:
    parts = relative.split("/")
    return "tests" in parts or "migrations" in parts or parts[-1] in ("conftest.py", "testing.py")


def _private_imports(relative: str, text: str) -> Iterator[Finding]:
    """``from fupin.<other app>… import _name`` and ``<module of another app>._name``."""
    try:
        tree = ast.parse(text)
    except SyntaxError as exc:
        yield Finding(relative, exc.lineno or 1, "syntax", str(exc))
        return
    own = _app_of(relative)
    foreign_modules: set[str] = set()  # local names bound to modules of other apps
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            parts = node.module.split(".")
            if parts[0] != PACKAGE or len(parts) < 2 or parts[1] == own:
                continue
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    yield Finding(relative, node.lineno, "private-import",
                                  f"{alias.name} is private to {node.module}: make it public there or move it")
                elif alias.name[0].islower():  # a module (classes are capitalised; their _meta is Django's API)
                    foreign_modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == PACKAGE and len(parts) > 1 and parts[1] != own and alias.asname:
                    foreign_modules.add(alias.asname)
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in foreign_modules
                and node.attr.startswith("_") and not node.attr.startswith("__")):
            yield Finding(relative, node.lineno, "private-import",
                          f"{node.value.id}.{node.attr} is private to another app: make it public there or move it")


def check_text(relative: str, text: str) -> list[Finding]:
    """The findings in one file; ``relative`` is its path below src/fupin (e.g. ``registry/selectors.py``)."""
    if _exempt(relative):
        return []
    findings: list[Finding] = []
    for number, line in enumerate(text.splitlines(), start=1):
        code = line.split("#", 1)[0] if "custom-check: allow" in line else line
        for rule in LINE_RULES:
            if relative in rule.allowed_in:
                continue
            if rule.pattern.search(code) and f"custom-check: allow {rule.name}" not in line:
                findings.append(Finding(relative, number, rule.name, rule.message))
    findings.extend(_private_imports(relative, text))
    return findings


def check_paths(paths: list[Path]) -> list[Finding]:
    base = ROOT / "src" / PACKAGE
    files: list[Path] = []
    for p in paths:
        files.extend(sorted(p.rglob("*.py")) if p.is_dir() else [p])
    findings: list[Finding] = []
    for f in files:
        resolved = f.resolve()
        try:
            relative = resolved.relative_to(base).as_posix()
        except ValueError:
            continue  # not part of the package
        for finding in check_text(relative, resolved.read_text(encoding="utf-8")):
            findings.append(Finding(f"src/{PACKAGE}/{finding.path}", finding.line, finding.rule, finding.message))
    return findings


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or [ROOT / "src" / PACKAGE]
    findings = check_paths(paths)
    for finding in findings:
        print(finding)
    if findings:
        print(f"custom_check: {len(findings)} finding(s)", file=sys.stderr)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
