"""The docs a newcomer copies from point at what exists: every relative link in README.md,
docs/*.md and tests/bench/README.md reaches a file (and, with `#anchor`, a heading GitHub
would anchor so), and every `service.…`/`training.…` name and `service/…` path a doc writes in
backticks is a module, a name defined at its top level, or a file. Fast: no imports, no corpus."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

from tests.conftest import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "tests/bench/README.md"]

# Code the docs describe as tried and reverted (docs/pages.md's stop entries name the commit).
REVERTED = {
    "training.regroup_fit",
    "training/regroup_fit.py",
    "service/regroup.py",
    "service/head_words.py",
    "service/lone_pairs.py",
}


def _prose(path: Path):
    """(line number, line) outside fenced code blocks."""
    fenced = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced:
            yield number, line


@cache
def _anchors(path: Path) -> frozenset[str]:
    """GitHub's heading anchors: lower case, punctuation but `-` and `_` dropped, spaces to `-`,
    a repeated heading numbered -1, -2…"""
    seen: dict[str, int] = {}
    anchors = set()
    for _, line in _prose(path):
        heading = re.match(r"#{1,6}\s+(.*?)\s*#*\s*$", line)
        if heading:
            slug = re.sub(r"[^\w\- ]", "", heading.group(1).lower()).replace(" ", "-")
            anchors.add(f"{slug}-{seen[slug]}" if slug in seen else slug)
            seen[slug] = seen.get(slug, 0) + 1
    return frozenset(anchors)


def _links():
    for doc in DOCS:
        for number, line in _prose(doc):
            # (a code span is no link: `![](images/p4_1.jpg)` shows markup a page may hold)
            for target in re.findall(r"\]\(([^)\s]+)\)", re.sub(r"`[^`]*`", "", line)):
                if not re.match(r"[a-z][a-z0-9+.-]*:", target):  # http:, mailto: …
                    yield pytest.param(doc, target, id=f"{doc.relative_to(ROOT)}:{number}:{target}")


@pytest.mark.parametrize(("doc", "target"), list(_links()))
def test_relative_link_resolves(doc: Path, target: str) -> None:
    path, _, anchor = target.partition("#")
    file = (doc.parent / path).resolve() if path else doc
    assert file.exists(), f"{target}: no such file {file}"
    if anchor and file.suffix == ".md":
        assert anchor in _anchors(file), f"{target}: no heading anchors as #{anchor} in {file.name}"


@cache
def _top_names(file: Path) -> frozenset[str]:
    """Names a module defines or imports at its top level (what `module.name` can reach)."""
    names: set[str] = set()
    for node in ast.parse(file.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return frozenset(names)


def _module_file(parts: list[str]) -> Path | None:
    base = ROOT.joinpath(*parts)
    for file in (base.with_suffix(".py"), base / "__init__.py"):
        if file.is_file():
            return file
    return None


def _dotted_problem(dotted: str) -> str | None:
    parts = dotted.split(".")
    for i in range(len(parts), 1, -1):  # the longest prefix that is a module
        file = _module_file(parts[:i])
        if file is not None:
            rest = parts[i:]
            if rest and rest[0] not in _top_names(file) and not _module_file(parts[: i + 1]):
                return f"{'.'.join(parts[:i])} defines no {rest[0]}"
            return None
    return f"no module {parts[0]}.{parts[1]}"


def _names():
    for doc in DOCS:
        for number, line in _prose(doc):
            for code in re.findall(r"`([^`]+)`", line):
                for dotted in re.findall(r"(?<![\w./])((?:service|training)(?:\.\w+)+)", code):
                    if not dotted.endswith((".py", ".md")):
                        yield pytest.param(dotted, id=f"{doc.relative_to(ROOT)}:{number}:{dotted}")
                for path in re.findall(
                    r"(?<![\w./])((?:service|training|tests)/[^\s`:,;()]*)", code
                ):
                    path = path.rstrip(".")
                    if re.search(r"[<>{}*…]", path):  # a pattern: bench_<section>.py
                        continue
                    yield pytest.param(path, id=f"{doc.relative_to(ROOT)}:{number}:{path}")


@pytest.mark.parametrize("name", list(_names()))
def test_named_code_exists(name: str) -> None:
    if name in REVERTED:
        return
    if "/" in name:
        assert (ROOT / name).exists() or (ROOT / name).with_suffix(".py").exists(), f"no {name}"
    else:
        assert _dotted_problem(name) is None, _dotted_problem(name)


def test_readme_layout_names_every_service_module() -> None:
    """README's Layout row for `service/` names each module of it, so a new one is placed."""
    row = next(
        line
        for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("| `service/` |")
    )
    named = set(re.findall(r"`(\w+)/?`", row))
    modules = {p.stem for p in (ROOT / "service").glob("*.py")} - {"__init__", "__main__"}
    packages = {p.name for p in (ROOT / "service").iterdir() if (p / "__init__.py").is_file()}
    assert (modules | packages) - named == set()


def test_every_curl_post_in_the_docs_says_its_body_is_json() -> None:
    """The server answers 415 to a body not labelled application/json, and curl's -d labels it
    a form: a POST example without the header would fail as printed (docs/http.md had one)."""
    bare = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8").replace("\\\n", " ")
        for line in text.splitlines():
            if (
                re.search(r"\bcurl\b.*-X POST", line)
                and "Content-Type: application/json" not in line
            ):
                bare.append(f"{doc.name}: {line.strip()[:80]}")
    assert bare == [], bare
