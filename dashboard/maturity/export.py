"""Export an assessment as CSV or JSON, and re-import JSON (round trip).

Exports never contain tokens. JSON format ``wellbeing-maturity-assessment`` version 1:

    {"format": ..., "version": 1, "citation": ..., "assessment": {organisation, area_code,
     strategy, date, facilitator}, "participants": [{"name", "ratings": {criterion_id:
     {"rating", "evidence", "links"}}}], "consensus": {criterion_id: {...}},
     "summary": {hallmark_id: {"level_reached", "next_level", "next_steps": [criterion ids]}}}

CSV: one row per criterion and source (each participant, then "Consensus", then "Effective"),
long format, with the assessment details repeated on every row. Cells that a spreadsheet would
treat as formulae are prefixed with an apostrophe.
"""
from __future__ import annotations

import csv
import io
import json
from typing import Any

from dashboard.lazy_import import lazy
from dashboard.maturity.model import LEVELS, RATINGS, load_model
from dashboard.maturity.rules import agreement, overview
from dashboard.user_errors import UserInputError

# the persistence layer (SQLAlchemy) is imported on the first use, not at start-up
repo = lazy("dashboard.maturity.repository")

FORMAT = "wellbeing-maturity-assessment"
VERSION = 1
MAX_IMPORT_BYTES = 2_000_000


def to_dict(snapshot: dict) -> dict:
    model = load_model()
    eff = repo.effective_ratings(snapshot)
    a = snapshot["assessment"]
    return {
        "format": FORMAT,
        "version": VERSION,
        "citation": model.citation,
        "assessment": {k: a.get(k) for k in ("organisation", "area_code", "strategy", "date", "facilitator")},
        "participants": [{"name": p["name"], "ratings": {cid: p["ratings"][cid] for cid in model.criteria
                                                         if cid in p["ratings"]}}
                         for p in snapshot["participants"]],
        "consensus": {cid: snapshot["consensus"][cid] for cid in model.criteria if cid in snapshot["consensus"]},
        "summary": {row["hallmark"].id: {"level_reached": row["reached"], "next_level": row["next_level"],
                                         "next_steps": [c.id for c in row["next_steps"]]}
                    for row in overview(model, eff)},
    }


def to_json(snapshot: dict) -> str:
    return json.dumps(to_dict(snapshot), indent=2, ensure_ascii=False)


def _cell(v: Any) -> str:
    s = "" if v is None else str(v)
    return "'" + s if s[:1] in ("=", "+", "-", "@", "\t", "\r") else s


CSV_COLUMNS = ["organisation", "area_code", "strategy", "date", "facilitator", "hallmark", "hallmark_title",
               "level", "criterion_id", "criterion", "source", "rating", "rating_label", "evidence", "links",
               "agreement", "modal_share", "range"]


def to_csv(snapshot: dict) -> str:
    model = load_model()
    a = snapshot["assessment"]
    eff = repo.effective_ratings(snapshot)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(CSV_COLUMNS)
    head = [a.get("organisation"), a.get("area_code") or "", a.get("strategy"), a.get("date"), a.get("facilitator")]
    for h in model.hallmarks:
        for lv in LEVELS:
            for c in h.level_criteria(lv):
                indiv = [(p["ratings"].get(c.id) or {}) for p in snapshot["participants"]]
                ag = agreement(r.get("rating") for r in indiv)
                base = head + [h.id, h.title, model.level_labels[lv], c.id, c.text]
                tail = [ag.label, f"{ag.modal_share:.2f}" if ag.n else "", ag.range if ag.n else ""]
                rows = [(p["name"], r) for p, r in zip(snapshot["participants"], indiv)]
                rows.append(("Consensus", snapshot["consensus"].get(c.id) or {}))
                rows.append(("Effective", {"rating": eff.get(c.id)}))
                for source, r in rows:
                    rating = r.get("rating")
                    w.writerow([_cell(x) for x in base + [source, rating or "",
                                                         model.rating_labels.get(rating, "Not rated"),
                                                         r.get("evidence", ""), r.get("links", "")] + tail])
    return buf.getvalue()


def _fields(raw: Any) -> dict:
    if not isinstance(raw, dict):
        raise UserInputError("Each rating must be an object.")
    rating = raw.get("rating")
    if rating not in (None, "") and rating not in RATINGS:
        raise UserInputError(f"Unknown rating {str(rating)[:20]!r}.")
    # lengths are checked here, before anything is written, so a bad file creates nothing
    return {"rating": rating or None,
            "evidence": repo.bounded_text(raw.get("evidence", "") or "", repo.db.MAX_NOTE, "Evidence notes", True),
            "links": repo.bounded_text(raw.get("links", "") or "", repo.db.MAX_LINKS, "Evidence links", True)}


def import_json(data: str | bytes | dict, url: str | None = None) -> dict:
    """Create a new assessment from an exported JSON document; returns its tokens.

    Validates everything before writing; unknown criterion ids are rejected. New tokens are
    issued (tokens are never exported) and the import starts a new private series. Everything is
    written in one transaction (`repository.create_filled`): all or nothing.
    """
    if isinstance(data, (str, bytes)):
        if len(data) > MAX_IMPORT_BYTES:
            raise UserInputError("The file is too large to import.")
        try:
            data = json.loads(data)
        except (ValueError, UnicodeDecodeError) as exc:
            raise UserInputError("The file is not valid JSON.") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise UserInputError("This is not an exported maturity assessment.")
    if data.get("version") != VERSION:
        raise UserInputError("Unsupported export version.")
    criteria = load_model().criteria
    a = data.get("assessment") or {}
    if not isinstance(a, dict):
        raise UserInputError("The assessment details are missing.")
    parts = data.get("participants") or []
    if not isinstance(parts, list) or len(parts) > repo.db.MAX_PARTICIPANTS:
        raise UserInputError("Too many participants, or participants are not a list.")
    clean_parts = []
    for p in parts:
        if not isinstance(p, dict) or not repo.bounded_text(p.get("name"), repo.db.MAX_PERSON, "A participant name"):
            raise UserInputError("Every participant needs a name.")
        ratings = p.get("ratings") or {}
        if not isinstance(ratings, dict) or any(cid not in criteria for cid in ratings):
            raise UserInputError("Unknown criterion in participant ratings.")
        clean_parts.append((p["name"], {cid: _fields(v) for cid, v in ratings.items()}))
    consensus = data.get("consensus") or {}
    if not isinstance(consensus, dict) or any(cid not in criteria for cid in consensus):
        raise UserInputError("Unknown criterion in consensus.")
    consensus = {cid: _fields(v) for cid, v in consensus.items()}
    for key, limit in (("organisation", repo.db.MAX_NAME), ("strategy", repo.db.MAX_NAME),
                       ("facilitator", repo.db.MAX_PERSON)):
        repo.bounded_text(a.get(key) if isinstance(a, dict) else None, limit, f"The {key}")
    details = {k: a.get(k) for k in ("organisation", "area_code", "strategy", "date", "facilitator")}
    return repo.create_filled(details, clean_parts, consensus, url=url)


def register_routes(server) -> None:
    """Add GET /maturity/export/<facilitator_token>.<csv|json> to the Flask ``server``."""
    from flask import Response, abort

    def _export(token: str, fmt: str):
        try:
            snap = repo.facilitator_view(token)
        except Exception:  # never a traceback
            snap = None
        if snap is None or fmt not in ("csv", "json"):
            abort(404)
        body = to_csv(snap) if fmt == "csv" else to_json(snap)
        mime = "text/csv" if fmt == "csv" else "application/json"
        resp = Response(body, mimetype=f"{mime}; charset=utf-8")
        resp.headers["Content-Disposition"] = f'attachment; filename="{filename(snap, fmt)}"'
        resp.headers["Cache-Control"] = "no-store"
        resp.headers["Referrer-Policy"] = "no-referrer"
        return resp

    if "maturity_export" in server.view_functions:
        return
    server.add_url_rule("/maturity/export/<token>.<fmt>", "maturity_export", _export)

    @server.after_request
    def _maturity_privacy_headers(resp):
        # Assessment links carry secret tokens: never leak them via Referer, never index them.
        from flask import request

        if request.path == "/maturity" or request.path.startswith("/maturity/"):
            resp.headers.setdefault("Referrer-Policy", "no-referrer")
            resp.headers.setdefault("X-Robots-Tag", "noindex, nofollow")
        return resp


def filename(snapshot: dict, ext: str) -> str:
    import re

    a = snapshot["assessment"]
    stem = re.sub(r"[^A-Za-z0-9]+", "-", f"maturity-{a.get('organisation', '')}-{a.get('date', '')}").strip("-")
    return f"{stem[:80]}.{ext}"
