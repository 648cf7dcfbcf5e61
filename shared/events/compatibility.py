"""Backward compatibility of JSON Schemas: what a consumer of the committed
schema would trip over."""

from __future__ import annotations


def _resolve(schema: dict, root: dict) -> dict:
    ref = schema.get("$ref")
    if ref and ref.startswith("#/$defs/"):
        return root.get("$defs", {})[ref.split("/")[-1]]
    return schema


def breaking_changes(
    old: dict, new: dict, path: str = "", old_root: dict | None = None, new_root: dict | None = None
) -> list[str]:
    """Removed or retyped properties and newly required ones; added optional properties are fine."""
    old_root, new_root = old_root or old, new_root or new
    old, new = _resolve(old, old_root), _resolve(new, new_root)
    problems = []
    if old.get("type") != new.get("type"):
        problems.append(f"{path or '/'}: type {old.get('type')} became {new.get('type')}")
    if old.get("enum") and not set(old["enum"]) <= set(new.get("enum", old["enum"])):
        problems.append(f"{path}: enum values removed")
    if "const" in old and old.get("const") != new.get("const"):
        problems.append(f"{path}: const changed")
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    for name, old_prop in old_props.items():
        if name not in new_props:
            problems.append(f"{path}/{name}: removed")
        else:
            problems += breaking_changes(
                old_prop, new_props[name], f"{path}/{name}", old_root, new_root
            )
    for name in set(new.get("required", ())) - set(old.get("required", ())):
        problems.append(f"{path}/{name}: newly required")
    for key in ("anyOf", "items"):
        if key in old and key in new and key == "items":
            problems += breaking_changes(old[key], new[key], f"{path}[]", old_root, new_root)
        elif key in old and key in new and len(old[key]) == len(new[key]):
            for i, (o, n) in enumerate(zip(old[key], new[key], strict=True)):
                problems += breaking_changes(o, n, f"{path}|{i}", old_root, new_root)
    return problems
