"""Package layering (docs: dashboard/ = app, data and API; layouts/ = page builders; callbacks/ = thin wiring)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(path: Path) -> set[str]:
    """Absolute module names a file imports (``from a import b`` counts as ``a`` and ``a.b``)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _top_levels(path: Path) -> set[str]:
    return {name.split(".")[0] for name in imported_modules(path)}


def test_only_the_app_factory_imports_layouts_and_callbacks():
    offenders = sorted(
        p.name
        for p in (ROOT / "dashboard").glob("*.py")
        if p.name != "app.py" and _top_levels(p) & {"layouts", "callbacks"}
    )
    assert offenders == []


def test_layouts_and_callbacks_never_import_the_http_layer():
    files = [*(ROOT / "layouts").glob("*.py"), *(ROOT / "callbacks").glob("*.py")]
    assert files
    assert [p.name for p in files if "dashboard.api" in imported_modules(p)] == []


def test_import_scan_sees_imports():
    """The scan itself: the app factory does import layouts and callbacks."""
    assert {"layouts", "callbacks"} <= _top_levels(ROOT / "dashboard" / "app.py")
