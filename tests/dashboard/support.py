"""Helpers for app-level tests: the text of a component tree, page modules as Dash loaded them."""
from __future__ import annotations

import importlib
import json
import sys


def text(component) -> str:
    """All text in a Dash component tree."""
    if component is None:
        return ""
    if isinstance(component, (str, int, float)):
        return str(component)
    if isinstance(component, (list, tuple)):
        return " ".join(text(c) for c in component)
    if isinstance(component, dict):
        return " ".join(text(v) for v in component.values())
    return text(getattr(component, "children", None))


def flat(component) -> str:
    """The whole component tree as JSON (props included)."""
    return json.dumps(component.to_plotly_json() if hasattr(component, "to_plotly_json") else component,
                      default=lambda o: o.to_plotly_json())


def find_by_id(component, cid):
    """The component with id `cid` in a layout tree (depth first), or None."""
    if getattr(component, "id", None) == cid:
        return component
    kids = getattr(component, "children", None)
    for k in kids if isinstance(kids, (list, tuple)) else [kids]:
        if hasattr(k, "to_plotly_json"):
            got = find_by_id(k, cid)
            if got is not None:
                return got
    return None


def components(node):
    """Every Dash component in a tree, depth first (the root included)."""
    if isinstance(node, (list, tuple)):
        for x in node:
            yield from components(x)
    elif node is not None and hasattr(node, "to_plotly_json"):
        yield node
        yield from components(getattr(node, "children", None))


def page_module(name: str):
    """The page module `dashboard/pages/<name>.py` as Dash imported it (Dash registers page modules
    as `pages.<name>`), imported by its package name only when Dash has not."""
    return sys.modules.get(f"pages.{name}") or importlib.import_module(f"dashboard.pages.{name}")


def page(path: str):
    """The page module registered for a path, as Dash loaded it (importing it again would
    register the page twice)."""
    import dash

    for p in dash.page_registry.values():
        if p.get("path") == path or p.get("path_template") == path:
            return sys.modules[p["module"]]
    raise KeyError(path)
