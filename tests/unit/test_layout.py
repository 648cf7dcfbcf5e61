"""The house rules a newcomer relies on, read from the code's imports (module level, not `if
TYPE_CHECKING:`)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CODE = [
    p
    for top in ("services", "shared", "deploy")
    for p in (ROOT / top).rglob("*.py")
    if "migrations" not in p.parts
]
SERVICES = ("identity", "rights", "complaints", "notifier", "portal")
WEB = ("fastapi", "starlette", "uvicorn")


def module_of(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Every module `path` imports when it runs (imports inside functions count;
    type-checking ones do not)."""
    tree = ast.parse(path.read_text(), str(path))
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue
            if isinstance(child, ast.Import):
                found.update(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and not child.level:
                found.add(child.module)
                found.update(f"{child.module}.{alias.name}" for alias in child.names)
            visit(child)

    visit(tree)
    return found


IMPORTS = {module_of(p): imports(p) for p in CODE}
PATHS = {module_of(p): p.relative_to(ROOT).as_posix() for p in CODE}


def at_the_door(module: str) -> bool:
    return (
        ".entrypoints" in module
        or module == "shared.kit.http"
        or module.startswith("shared.kit.http.")
    )


def test_only_entrypoints_and_the_kits_http_side_speak_http():
    speaking = sorted(
        PATHS[m]
        for m, found in IMPORTS.items()
        if not at_the_door(m) and any(i.split(".")[0] in WEB for i in found)
    )
    assert speaking == []


def test_only_a_services_entrypoints_cli_speaks_typer():
    """A service's `ipp` commands are its entrypoints/cli.py; only services/cli.py composes them."""
    inside = [m for m in IMPORTS if m.split(".")[0] == "services" and m.split(".")[1:2] != ["cli"]]
    speaking = sorted(
        PATHS[m]
        for m in inside
        if not m.endswith(".entrypoints.cli")
        and any(i.split(".")[0] == "typer" for i in IMPORTS[m])
    )
    composing = sorted(PATHS[m] for m, found in IMPORTS.items() if "services.cli" in found)
    assert (speaking, composing) == ([], [])


def test_refusals_are_domain_errors_not_http_statuses():
    """ApiError(status, …) is gone: the application raises ServiceError kinds and
    each door maps them."""
    raising = sorted(
        PATHS[m] for m, found in IMPORTS.items() if any(i.endswith(".ApiError") for i in found)
    )
    raising += sorted(p.relative_to(ROOT).as_posix() for p in CODE if "ApiError(" in p.read_text())
    assert raising == []


def test_every_service_maps_each_of_its_refusals_to_a_status():
    import importlib
    import inspect

    from shared.kit.errors import ServiceError
    from shared.kit.http import STATUSES

    for service in ("identity", "rights", "complaints", "notifier"):
        errors = importlib.import_module(f"services.{service}.domain.errors")
        table = importlib.import_module(f"services.{service}.entrypoints.http").STATUSES
        named = {
            c
            for _, c in inspect.getmembers(errors, inspect.isclass)
            if issubclass(c, ServiceError) and c.__module__ == errors.__name__
        }
        assert named == set(table), service
        # each is one of the kit's kinds, so the same refusal has the same status at every
        # door (never a bare 400)
        assert [c for c in named if not any(kind in STATUSES for kind in c.__mro__)] == [], service


@pytest.mark.parametrize("top", ["shared", "deploy"])
def test_shared_code_and_deployment_name_no_service(top):
    naming = sorted(
        PATHS[m]
        for m, found in IMPORTS.items()
        if m.startswith(top + ".") and any(i.startswith("services.") for i in found)
    )
    assert naming == []


def test_no_service_imports_another():
    crossing = []
    for module, found in IMPORTS.items():
        parts = module.split(".")
        if parts[0] != "services" or len(parts) < 2 or parts[1] not in SERVICES:
            continue
        others = {
            i.split(".")[1] for i in found if i.startswith("services.") and len(i.split(".")) > 1
        }
        crossing += [
            (PATHS[module], other)
            for other in sorted(others - {parts[1], "cli"})
            if other in SERVICES
        ]
    assert crossing == []


def test_the_kit_has_no_circle():
    kit = {
        m: {i for i in found if i in IMPORTS and i.startswith("shared.kit") and i != m}
        for m, found in IMPORTS.items()
        if m.startswith("shared.kit")
    }
    # a package's submodule importing the package (`shared.kit.http.app` →
    # `shared.kit.http`) is no circle
    edges = {m: {i for i in to if not m.startswith(i + ".")} for m, to in kit.items()}
    circles: list[list[str]] = []
    done: set[str] = set()

    def walk(module: str, path: list[str]) -> None:
        for target in sorted(edges.get(module, ())):
            if target in path:
                circles.append([*path[path.index(target) :], target])
            elif target not in done:
                walk(target, [*path, target])
        done.add(module)

    for start in sorted(edges):
        if start not in done:
            walk(start, [start])
    assert circles == []
