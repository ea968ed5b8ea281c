"""Real Dash callback requests for the maturity pages, as the browser sends them (used to drive
the app over HTTP: Flask's test client, or live gunicorn instances)."""
from __future__ import annotations

AUTOSAVE_OUTPUT = ('..{"crit":["ALL"],"type":"mm-status"}.children...mm-sync.data...mm-retry.disabled'
                   '...mm-save-banner.children..')


def _pid(kind: str, cid: str) -> dict:
    return {"crit": cid, "type": kind}


def autosave_body(token: str, form: dict, state: dict | None = None, output: str = AUTOSAVE_OUTPUT) -> dict:
    """The participant page's autosave callback for ``form`` = {criterion_id: rating}."""
    cids = list(form)
    return {
        "output": output,
        "outputs": [[{"id": _pid("mm-status", c), "property": "children"} for c in cids],
                    {"id": "mm-sync", "property": "data"}, {"id": "mm-retry", "property": "disabled"},
                    {"id": "mm-save-banner", "property": "children"}],
        "inputs": [[{"id": _pid("mm-rate", c), "property": "value", "value": form[c]} for c in cids],
                   [{"id": _pid("mm-ev", c), "property": "n_blur", "value": None} for c in cids],
                   [{"id": _pid("mm-links", c), "property": "n_blur", "value": None} for c in cids],
                   {"id": "mm-retry", "property": "n_intervals", "value": None}],
        "state": [[{"id": _pid("mm-ev", c), "property": "value", "value": ""} for c in cids],
                  [{"id": _pid("mm-links", c), "property": "value", "value": ""} for c in cids],
                  [{"id": _pid("mm-rate", c), "property": "id", "value": _pid("mm-rate", c)} for c in cids],
                  {"id": "mm-sync", "property": "data", "value": state or {"saved": {}, "rejected": {}}},
                  {"id": "mm-ptoken", "property": "data", "value": token}],
        "changedPropIds": [f'{{"crit":"{cids[0]}","type":"mm-rate"}}.value'] if cids else [],
    }


def saved(response_json: dict, cid: str) -> bool:
    """Whether the autosave response reports ``cid`` as saved."""
    key = f'{{"crit":"{cid}","type":"mm-status"}}'
    status = (response_json.get("response", {}).get(key) or {}).get("children")
    return isinstance(status, str) and status.startswith("Saved at")
