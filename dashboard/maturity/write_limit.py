"""Which requests count against the maturity write limit, and whose budget they use.

A workshop is twenty people behind one office address (or one reverse proxy), so the budget is
per *participant* (or facilitator, or joining link), read from the token the page sends with
its callback, not per client address. Requests without a token (creating or importing an
assessment) use the client address. The request body is parsed as JSON, so escapes
(``\\u006dm-``) or padding cannot hide a maturity callback; a body that is not a JSON object is
counted against the address (Dash rejects it anyway).
"""
from __future__ import annotations

import json
from typing import Any

from dashboard.maturity.tokens import valid_token

CALLBACK_PATH = "/_dash-update-component"
# dcc.Store ids that carry the page's own token
TOKEN_STORES = ("mm-ptoken", "mm-ftoken", "mm-join-token")


# Callbacks that write, by the outputs Dash dispatches them on: autosave (participant, consensus),
# creating, importing, joining, starting a repeat. Reads (the facilitator's live check, filters,
# grids, downloads) are not counted. A new writing callback must be added here.
WRITE_OUTPUTS = ("mm-sync.data", "mm-csync.data", "mm-create-result.children", "mm-import-result.children",
                 "mm-join-result.children", "mm-repeat-result.children")


def _is_maturity_write(output: Any) -> bool:
    return isinstance(output, str) and any(w in output for w in WRITE_OUTPUTS)


def _token(items: Any) -> str | None:
    """The first page token among a callback's inputs/state (lists may nest for ALL wildcards)."""
    stack = [items]
    while stack:
        x = stack.pop()
        if isinstance(x, list):
            stack.extend(reversed(x))
        elif isinstance(x, dict) and x.get("id") in TOKEN_STORES and x.get("property") == "data":
            if valid_token(x.get("value")):
                return x["value"]
    return None


def key_for(method: str, path: str, body: bytes, client: str) -> str | None:
    """The rate-limit key of a maturity write, or None when the request is not one."""
    if method != "POST":
        return None
    if path == "/maturity" or path.startswith("/maturity/"):
        return f"addr:{client}"
    if path != CALLBACK_PATH:
        return None
    try:
        payload = json.loads(body or b"")
    except (ValueError, UnicodeDecodeError):
        return f"addr:{client}"
    if not isinstance(payload, dict):
        return f"addr:{client}"
    if not _is_maturity_write(payload.get("output")):
        return None
    token = _token([payload.get("state"), payload.get("inputs")])
    return f"token:{token}" if token else f"addr:{client}"
