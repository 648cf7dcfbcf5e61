"""One shape for every service: the same slots, and the same file means the same thing everywhere.

domain/ (pure rules), application.py (the one application class), adapters/ (read_models.py holds
the read side's tables and queries), entrypoints/ (http.py, events.py, cli.py: the service's `ipp`
commands, each background loop in a module of its own) and main.py (bootstrap(settings) -> Service).
The portal has no application: the same slots, where they apply.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest

from shared.kit.store import ServiceApplication

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("identity", "rights", "complaints", "notifier")
SLOTS = ("domain", "adapters", "entrypoints")
REQUIRED = (
    "domain/errors.py",
    "adapters/read_models.py",
    "entrypoints/http.py",
    "application.py",
    "main.py",
)
COMMANDS = ("identity",)  # services with `ipp` commands of their own (`ipp reviewer`, `ipp keys`)


def files_of(service: str) -> list[str]:
    """The service's modules (relative to its package), without its migrations and
    packages' __init__.py."""
    package = ROOT / "services" / service
    return sorted(
        p.relative_to(package).as_posix()
        for p in package.rglob("*.py")
        if "migrations" not in p.relative_to(package).parts and p.name != "__init__.py"
    )


def in_a_slot(path: str, service: str) -> bool:
    parts = path.split("/")
    if len(parts) == 1:
        return parts[0] in ("__main__.py", "main.py") or (
            parts[0] == "application.py" and service != "portal"
        )
    return parts[0] in SLOTS


@pytest.mark.parametrize("service", [*SERVICES, "portal"])
def test_every_module_is_in_a_slot(service):
    files = files_of(service)
    assert "main.py" in files
    assert [f for f in files if not in_a_slot(f, service)] == []


@pytest.mark.parametrize(
    ("path", "service", "slotted"),
    [
        ("entrypoints/cli.py", "identity", True),
        ("entrypoints/cli.py", "portal", True),
        (
            "cli.py",
            "identity",
            False,
        ),  # a service's commands are an entrypoint, not a top-level module
        ("commands.py", "identity", False),
        ("helpers.py", "rights", False),
        ("application.py", "portal", False),
    ],
)
def test_a_stray_file_is_in_no_slot(path, service, slotted):
    assert in_a_slot(path, service) is slotted


@pytest.mark.parametrize("service", [*SERVICES, "portal"])
def test_a_service_with_commands_has_them_in_its_entrypoints_cli(service):
    cli = ROOT / "services" / service / "entrypoints" / "cli.py"
    assert cli.is_file() is (service in COMMANDS)


@pytest.mark.parametrize("service", COMMANDS)
def test_ipp_mounts_every_command_of_the_service(service):
    import typer
    from typer.main import get_command

    from services.cli import app

    own = importlib.import_module(f"services.{service}.entrypoints.cli").app
    assert isinstance(own, typer.Typer)

    def tree(command) -> dict:
        return {name: tree(sub) for name, sub in getattr(command, "commands", {}).items()}

    theirs, ours = tree(get_command(app)), tree(get_command(own))
    assert ours and {name: theirs.get(name) for name in ours} == ours


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_has_the_same_files(service):
    package = ROOT / "services" / service
    assert [f for f in REQUIRED if not (package / f).is_file()] == []


@pytest.mark.parametrize("service", SERVICES)
def test_the_application_is_one_class_on_the_kits_bases(service):
    path = ROOT / "services" / service / "application.py"
    classes = [
        node.name
        for node in ast.parse(path.read_text(), str(path)).body
        if isinstance(node, ast.ClassDef)
    ]
    assert len(classes) == 1, classes
    module = importlib.import_module(f"services.{service}.application")
    [application] = [
        c for _, c in inspect.getmembers(module, inspect.isclass) if c.__module__ == module.__name__
    ]
    assert application.__name__ == classes[0]
    assert application.__bases__ == (ServiceApplication,), (
        "no mixins: the application's methods are its own, and what it uses it holds"
    )
