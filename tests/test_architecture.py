"""Layering rules, checked on the import statements of every module (function-level imports included).

- ``synth`` (private side, engine) imports nothing of the web app, nor Dash, Plotly or Flask.
- ``dashboard`` imports ``layouts`` and ``callbacks`` in one place only: the app factory.
- ``callbacks`` and ``layouts`` never reach into the HTTP layer (``dashboard.api``).
- ``layouts`` are page builders: they do not import ``callbacks``.
- The data-owner console (``console``) is private: neither ``synth`` nor the public dashboard (``dashboard``,
  ``layouts``, ``callbacks``) imports it; the public app mounts none of its routes and never opens a file of
  the private workspace (checked on a running app below).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("synth", "dashboard", "layouts", "callbacks", "console")

#: (importing modules' prefix, imported prefix, modules allowed to break the rule)
RULES = [
    ("synth", "dashboard", ()),
    ("synth", "layouts", ()),
    ("synth", "callbacks", ()),
    ("synth", "dash", ()),
    ("synth", "plotly", ()),
    ("synth", "flask", ()),
    ("synth", "console", ()),
    ("dashboard", "console", ()),
    ("layouts", "console", ()),
    ("callbacks", "console", ()),
    ("dashboard", "layouts", ("dashboard.app",)),
    ("dashboard", "callbacks", ("dashboard.app",)),
    ("callbacks", "dashboard.api", ()),
    ("layouts", "dashboard.api", ()),
    ("layouts", "callbacks", ()),
]


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(source: str, module: str, is_package: bool = False) -> set[str]:
    """Every module a source imports, absolute (``from . import x`` resolved against ``module``)."""
    found: set[str] = set()
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def matches(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def violations(modules: dict[str, set[str]]) -> list[str]:
    out = []
    for module, imported in sorted(modules.items()):
        for source, target, allowed in RULES:
            if matches(module, source) and module not in allowed:
                out += [f"{module} imports {name}" for name in sorted(imported) if matches(name, target)]
    return out


def project_modules() -> dict[str, set[str]]:
    modules = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            name = module_name(path)
            modules[name] = imports_of(path.read_text(encoding="utf-8"), name, path.name == "__init__.py")
    return modules


def test_the_project_follows_the_layering_rules():
    modules = project_modules()
    assert "dashboard.app" in modules and "synth.refresh" in modules
    assert violations(modules) == []


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        ("synth.refresh", "from dashboard.store import Release", ["synth.refresh imports dashboard"]),
        ("synth.refresh", "def f():\n    import plotly.express as px", ["synth.refresh imports plotly.express"]),
        ("dashboard.views", "from layouts import ids", ["dashboard.views imports layouts"]),
        ("dashboard.app", "from layouts import ids", []),
        ("callbacks.data", "from dashboard.api import ApiError", ["callbacks.data imports dashboard.api"]),
        ("callbacks.data", "from dashboard import api", ["callbacks.data imports dashboard.api"]),
        ("callbacks.data", "from ..dashboard import api", ["callbacks.data imports dashboard.api"]),
        ("callbacks.data", "from dashboard import query", []),
        ("layouts.about", "from callbacks import data", ["layouts.about imports callbacks"]),
        ("dashboard.app", "from console.app import create_app", ["dashboard.app imports console"]),
        ("callbacks.shell", "def f():\n    from console import runs", ["callbacks.shell imports console"]),
        ("console.views", "from dashboard.evaluation import evaluation_tables", []),
    ],
)
def test_the_checker_catches_violations(module, source, expected):
    found = violations({module: imports_of(source, module)})
    if expected:
        assert any(v.startswith(expected[0]) for v in found), found
    else:
        assert found == []


#: Run in a fresh interpreter: the public app, built and exercised with an audit hook on every file opened.
PUBLIC_PROCESS = """
import os, sys
from pathlib import Path
opened = []
def hook(event, args):
    if event == "open" and args and isinstance(args[0], (str, bytes, Path)):
        opened.append(str(args[0]))
sys.addaudithook(hook)
from dashboard.app import create_app
from dashboard.config import Settings
from tests.dashboard.release_factory import build_release
data, private = Path(sys.argv[1]), Path(sys.argv[2]).resolve()
build_release(data)
app = create_app(Settings(data_dir=data))
client = app.server.test_client()
urls = ("/", "/explore", "/data", "/about", "/_dash-layout", "/login", "/console")
statuses = [client.get(url).status_code for url in urls]
routes = sorted(rule.rule for rule in app.server.url_map.iter_rules())
print(repr({
    "console_loaded": sorted(m for m in sys.modules if m == "console" or m.startswith("console.")),
    "private_opened": [p for p in opened if str(private) in os.path.abspath(p)],
    "release_files_opened": sum(str(data.resolve()) in os.path.realpath(p) for p in opened),
    "statuses": statuses,
    "console_routes": [r for r in routes if r.startswith(("/login", "/logout", "/console"))],
}))
"""


def test_the_public_app_never_loads_the_console_nor_reads_the_private_workspace(tmp_path):
    import ast as _ast
    import os
    import subprocess
    import sys

    private = tmp_path / "private"
    (private / "console").mkdir(parents=True)
    (private / "console" / "accounts.json").write_text('{"users": {}}')
    env = {**os.environ, "SHOWCASE_PRIVATE_DIR": str(private), "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-c", PUBLIC_PROCESS, str(tmp_path / "data"), str(private)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    found = _ast.literal_eval(proc.stdout.strip().splitlines()[-1])
    assert found["console_loaded"] == [] and found["private_opened"] == [] and found["console_routes"] == []
    assert found["release_files_opened"] > 0  # the hook does see the app's reads
    assert found["statuses"][:5] == [200] * 5 and found["statuses"][5:] == [404, 404]
