"""The package's folders are its layers, and imports run downward only.

A request crosses them from the top: the controller (``_control``) starts the doors (``_doors``),
which hand requests to the wire (``_wire``: route, authenticate, fault), whose handlers
(``_operations``) call the service layer (``_service``), which keeps state in the core
(``_core``) with the pure engines (``_engines``) and the crypto (``_x509``) beside it, all
speaking AWS's vocabulary (``_aws``: errors, ARNs, the clock). A module may import its own
folder or any folder on a lower floor; never one on its own floor or above.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "pytest_iotcerts"
FLOORS = {
    "": 9,  # the public surface: __init__, __main__, plugin
    "_control": 8,
    "_doors": 7,
    "_wire": 6,
    "_operations": 5,
    "_service": 4,
    "_core": 3,
    "_engines": 2,
    "_x509": 2,
    "_aws": 1,
}


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(module: str, path: Path) -> set[str]:
    """The package modules ``module`` imports (lazy and type-checking imports included)."""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - (node.level - 1)]
            stem = [*base, *(node.module.split(".") if node.module else [])]
            for alias in node.names:
                candidate = ".".join([*stem, alias.name])
                targets.add(candidate if candidate in MODULES else ".".join(stem))
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("pytest_iotcerts"):
            targets.add(node.module.removeprefix("pytest_iotcerts").lstrip("."))
    return targets - {module}


PUBLIC = {"", "__main__", "plugin"}


def _folder(module: str) -> str:
    return "" if module in PUBLIC else module.split(".")[0]


EDGES = {(module, target) for module, path in MODULES.items() for target in _imports(module, path)}


def test_every_module_sits_in_a_layer_folder() -> None:
    assert {_folder(module) for module in MODULES} <= set(FLOORS)
    assert {m for m in MODULES if _folder(m) == ""} == PUBLIC


def test_imports_run_downward() -> None:
    upward = [
        f"{module} (floor {FLOORS[_folder(module)]}) imports {target} "
        f"(floor {FLOORS[_folder(target)]})"
        for module, target in sorted(EDGES)
        if _folder(module) != _folder(target) and FLOORS[_folder(target)] >= FLOORS[_folder(module)]
    ]
    assert upward == []


def test_no_import_circles() -> None:
    graph: dict[str, set[str]] = {}
    for module, target in EDGES:
        graph.setdefault(module, set()).add(target)
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            cycle = [*path[path.index(module) :], module]
            raise AssertionError("import circle: " + " -> ".join(cycle))
        if module in done:
            return
        for target in sorted(graph.get(module, ())):
            # a package's __init__ re-exporting its own modules is not a circle
            if not target.startswith(module + ".") and module != "":
                visit(target, [*path, module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])
