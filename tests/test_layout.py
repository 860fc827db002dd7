"""The package's layout shows the pipeline: stages as subpackages, few modules at the top, no import circle."""

from __future__ import annotations

import ast
from pathlib import Path

import matchstage

PACKAGE = Path(matchstage.__file__).parent
STAGES = ("reading", "analysis", "ranking", "evaluation", "outputs")


def _module_name(path: Path) -> str:
    return ".".join(("matchstage", *path.relative_to(PACKAGE).with_suffix("").parts)).removesuffix(".__init__")


def _imports() -> dict[str, set[str]]:
    """Every matchstage module and the matchstage modules it imports, deferred and type-only imports included."""
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        imported: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("matchstage"):
                imported.add(node.module)
            elif isinstance(node, ast.Import):
                imported.update(a.name for a in node.names if a.name.startswith("matchstage"))
        graph[_module_name(path)] = imported
    return graph


def _circle(graph: dict[str, set[str]]) -> list[str]:
    """One import circle, as the modules along it, or [] (depth-first search, white/grey/black)."""
    state: dict[str, int] = {}
    trail: list[str] = []

    def visit(module: str) -> list[str]:
        state[module] = 1
        trail.append(module)
        for target in sorted(graph.get(module, ())):
            if target not in graph:
                continue
            if state.get(target) == 1:
                return trail[trail.index(target):] + [target]
            if target not in state and (found := visit(target)):
                return found
        trail.pop()
        state[module] = 2
        return []

    for module in sorted(graph):
        if module not in state and (found := visit(module)):
            return found
    return []


def test_at_most_eight_modules_at_the_top() -> None:
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= 8, top


def test_each_stage_says_what_it_takes_and_gives() -> None:
    for stage in STAGES:
        doc = ast.get_docstring(ast.parse((PACKAGE / stage / "__init__.py").read_text(encoding="utf-8")))
        assert doc and "takes" in doc and "gives" in doc, stage


def test_no_import_circle() -> None:
    assert _circle(_imports()) == []


def test_the_circle_finder_finds_one() -> None:
    assert _circle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_a_stage_imports_no_later_stage() -> None:
    later = []
    for module, imported in _imports().items():
        parts = module.split(".")
        if len(parts) < 3 or parts[1] not in STAGES:
            continue
        for target in imported:
            target_stage = target.split(".")[1] if target.count(".") else ""
            if target_stage in STAGES and STAGES.index(target_stage) > STAGES.index(parts[1]):
                later.append(f"{module} -> {target}")
    assert later == []
