"""The contract's enumerations are written once (shared/events/vocabulary.py): a copy elsewhere
drifts (the portal's copy of the kinds of work had 8 of the 15 the rights service takes)."""

from __future__ import annotations

import ast
from pathlib import Path

from shared.events import vocabulary

ROOT = Path(__file__).resolve().parents[2]
HOME = ROOT / "shared" / "events" / "vocabulary.py"
LISTS = {
    "right types": set(vocabulary.RIGHT_TYPES),
    "patent kinds": set(vocabulary.PATENT_KINDS),
    "work types": set(vocabulary.WORK_TYPES),
    **{
        f"{kind} infringement types": set(types)
        for kind, types in vocabulary.INFRINGEMENT_TYPES.items()
    },
}


def strings(node: ast.AST) -> set[str] | None:
    """The strings of a literal tuple, list, set or Literal[...]; None for anything else (a dict
    keyed by right type is a table of rules per type, not a copy of the list)."""
    if isinstance(node, ast.Subscript) and ast.unparse(node.value).endswith("Literal"):
        node = node.slice
    if (
        isinstance(node, (ast.Tuple, ast.List, ast.Set))
        and node.elts
        and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts)
    ):
        return {e.value for e in node.elts}
    return None


def test_no_module_declares_a_contract_enumeration_again():
    copies = []
    for path in [p for top in ("services", "shared", "deploy") for p in (ROOT / top).rglob("*.py")]:
        if path == HOME or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            found = strings(node)
            copies += [
                (path.relative_to(ROOT).as_posix(), node.lineno, name)
                for name, values in LISTS.items()
                if found in (values, values | {"all"})
            ]
    assert copies == []


def test_the_portal_names_every_kind_of_work_the_rights_service_takes():
    from services.portal.domain.i18n import TEXT

    assert all(f"work.{kind}" in TEXT for kind in vocabulary.WORK_TYPES)
