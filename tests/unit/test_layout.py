"""The house layout, checked: routers are thin and never import each other; models live in
app/schemas/; the OpenAPI document names its components after their classes."""

import ast
import json
import re
from pathlib import Path

from app.cli import openapi_text

ROUTERS = Path("app/routers")
MAX_HANDLER_LINES = 25


def _modules(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.py") if p.name != "__init__.py")


def test_no_router_imports_another_router() -> None:
    for path in _modules(ROUTERS):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("app.routers"), (path, node.module)


def test_every_handler_is_under_25_lines_and_routers_define_no_models() -> None:
    sizes = {}
    for path in _modules(ROUTERS):
        tree = ast.parse(path.read_text())
        for node in tree.body:
            assert not isinstance(node, ast.ClassDef), f"{path}: {node.name} belongs in app/schemas"
            if isinstance(node, ast.AsyncFunctionDef | ast.FunctionDef):
                assert node.end_lineno is not None
                sizes[f"{path.name}:{node.name}"] = node.end_lineno - node.lineno + 1
    assert len(sizes) >= 10
    largest = max(sizes, key=sizes.__getitem__)
    assert sizes[largest] < MAX_HANDLER_LINES, (largest, sizes[largest])


def test_component_names_are_class_names_and_unique() -> None:
    spec = json.loads(openapi_text())
    names = list(spec["components"]["schemas"])
    assert len(names) == len(set(names))
    for name in names:
        assert re.fullmatch(r"[A-Z][A-Za-z0-9]+", name), name  # no app__module__Class


def test_ruff_format_decides_every_line() -> None:
    """No line is packed past the formatter (its skip or off comments)."""
    marker = re.compile(r"#\s*fmt:\s*(skip|off)")
    packed = [
        f"{path}:{number}"
        for folder in ("app", "bench", "migrations", "tests")
        for path in Path(folder).rglob("*.py")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if marker.search(line) and "marker = re.compile" not in line
    ]
    assert packed == []
