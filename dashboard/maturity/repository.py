"""Use cases for maturity self-assessments, on top of `db`.

Privacy model: an assessment is reachable only through unguessable tokens
(``secrets.token_urlsafe(24)``: 192 bits): a *join* token (shared with participants; opening
it lets a person join and receive their own participant token), a *participant* token (rate
individually) and a *facilitator* token (moderate, export, compare repeat assessments). Nothing
here lists assessments without a token. Repeat assessments belong to a *series*: a new repeat is
started from a facilitator page and shares that assessment's private series token; comparison is
only offered to holders of a facilitator token in the series.

Concurrency: ratings are upserted on (participant, criterion) and consensus on
(assessment, criterion), writing only the fields that changed, so simultaneous saves by several
participants, or of different fields, never overwrite one another.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import re
import secrets
import unicodedata
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from dashboard.maturity import db
from dashboard.maturity.db import Assessment, Consensus, Participant, Rating
from dashboard.maturity.model import RATINGS, load_model
from dashboard.maturity.tokens import valid_token  # noqa: F401 - part of this module's interface
from dashboard.user_errors import UserInputError

UNSET: Any = object()
_AREA_RE = re.compile(r"^[EKNSW]\d{8}$")
_FIELDS = ("rating", "evidence", "links")
_LIMITS = {"evidence": db.MAX_NOTE, "links": db.MAX_LINKS}



def new_token() -> str:
    return secrets.token_urlsafe(24)


def clean_text(value: Any, limit: int, multiline: bool = False) -> str:
    """Normalise user text: str, no control characters, trimmed, truncated to ``limit``."""
    if value is None:
        return ""
    s = unicodedata.normalize("NFC", str(value))
    allowed = "\n\t" if multiline else ""
    s = "".join(ch for ch in s if ch in allowed or unicodedata.category(ch)[0] != "C")
    s = s.replace("\r", "")
    if not multiline:
        s = " ".join(s.split())
    return s.strip()[:limit]


_LABELS = {"evidence": "Evidence notes", "links": "Evidence links"}


def bounded_text(value: Any, limit: int, what: str, multiline: bool = False) -> str:
    """Like `clean_text`, but text longer than ``limit`` is rejected (UserInputError), never cut."""
    if value is not None and not isinstance(value, (str, int, float)):
        raise UserInputError(f"{what} must be text.")
    raw = "" if value is None else str(value)
    if len(raw) > 4 * limit + 1000:  # obviously too long: do not even normalise it
        raise UserInputError(f"{what}: too long, at most {limit} characters allowed.")
    s = clean_text(raw, len(raw) + 1, multiline=multiline)
    if len(s) > limit:
        raise UserInputError(f"{what}: too long, at most {limit} characters allowed (this has {len(s)}).")
    return s


def clean_area_code(code: Any) -> str | None:
    s = clean_text(code, 16).upper()
    return s if _AREA_RE.match(s) else None


def parse_date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        raise UserInputError("Enter the date as YYYY-MM-DD.") from exc


def safe_links(links: str) -> list[tuple[str, bool]]:
    """Split stored links (one per line) into (text, is_safe_href) pairs (see `links`)."""
    from dashboard.maturity.links import safe_links as _safe

    return _safe(links)


# --------------------------------------------------------------------------- create / join

def _new_assessment(organisation: str, area_code: str | None, strategy: str, assessment_date: Any,
                    facilitator: str, series_token: str | None) -> Assessment:
    """A validated, not yet stored Assessment with fresh tokens (raises UserInputError)."""
    code = clean_area_code(area_code) if area_code else None
    org = bounded_text(organisation, db.MAX_NAME, "The organisation name") or (code or "")
    if not org:
        raise UserInputError("Choose a local authority or type the name of your organisation or area.")
    return Assessment(
        join_token=new_token(), facilitator_token=new_token(),
        series_token=series_token if valid_token(series_token) else new_token(),
        organisation=org, area_code=code, strategy=bounded_text(strategy, db.MAX_NAME, "The strategy name"),
        assessment_date=parse_date(assessment_date) or dt.date.today(),
        facilitator=bounded_text(facilitator, db.MAX_PERSON, "The facilitator name"),
    )


def _tokens(a: Assessment) -> dict:
    return {"id": a.id, "join_token": a.join_token, "facilitator_token": a.facilitator_token,
            "series_token": a.series_token}


def create_assessment(organisation: str, area_code: str | None = None, strategy: str = "",
                      assessment_date: Any = None, facilitator: str = "",
                      series_token: str | None = None, url: str | None = None) -> dict:
    """Create an assessment; returns its tokens. Organisation (or an area code) is required."""
    db.ensure_ready(url)
    a = _new_assessment(organisation, area_code, strategy, assessment_date, facilitator, series_token)
    with db.session_scope(write=True, url=url) as s:
        s.add(a)
        s.flush()
        return _tokens(a)


def create_filled(details: dict, participants: list[tuple[str, dict]], consensus: dict,
                  url: str | None = None) -> dict:
    """Create a whole assessment (details, participants with their ratings, consensus) in ONE
    transaction with bulk inserts: a failure or a killed process leaves nothing behind, and the
    number of statements does not grow with the number of ratings.

    ``participants``: [(name, {criterion_id: {"rating", "evidence", "links"}})];
    ``consensus``: {criterion_id: {...}}. Values must already be validated (see `export`).
    """
    from sqlalchemy import insert

    criteria = load_model().criteria
    if len(participants) > db.MAX_PARTICIPANTS:
        raise UserInputError("Too many participants.")
    names = []
    for name, ratings in participants:
        person = bounded_text(name, db.MAX_PERSON, "A participant name")
        if not person:
            raise UserInputError("Every participant needs a name.")
        if any(cid not in criteria for cid in ratings):
            raise UserInputError("Unknown criterion in participant ratings.")
        names.append(person)
    if any(cid not in criteria for cid in consensus):
        raise UserInputError("Unknown criterion in consensus.")
    db.ensure_ready(url)
    a = _new_assessment(details.get("organisation") or "", details.get("area_code"),
                        details.get("strategy") or "", details.get("date"), details.get("facilitator") or "",
                        None)
    now = db.utcnow()
    with db.session_scope(write=True, url=url) as s:
        s.add(a)
        s.flush()
        people = [{"assessment_id": a.id, "token": new_token(), "name": n, "created_at": now} for n in names]
        ids = []
        if people:
            s.execute(insert(Participant), people)  # one executemany, on every backend
            rows = s.execute(select(Participant.token, Participant.id).where(Participant.assessment_id == a.id))
            by_token = {tok: pid for tok, pid in rows}
            ids = [by_token[p["token"]] for p in people]
        rows = [{"assessment_id": a.id, "participant_id": pid, "criterion_id": cid, "updated_at": now,
                 **_stored(f)}
                for pid, (_, ratings) in zip(ids, participants) for cid, f in ratings.items()]
        if rows:
            s.execute(insert(Rating), rows)
        cons = [{"assessment_id": a.id, "criterion_id": cid, "updated_at": now, **_stored(f)}
                for cid, f in consensus.items()]
        if cons:
            s.execute(insert(Consensus), cons)
        return _tokens(a)


def _stored(fields: dict) -> dict:
    return {"rating": fields.get("rating") or None, "evidence": fields.get("evidence") or "",
            "links": fields.get("links") or ""}


def resolve(token: Any, url: str | None = None) -> dict | None:
    """What a token opens: {'kind': 'join'|'participant'|'facilitator', ...} or None."""
    if not valid_token(token):
        return None
    db.ensure_ready(url)
    with db.session_scope(url=url) as s:
        a = s.scalar(select(Assessment).where(Assessment.join_token == token))
        if a is not None:
            return {"kind": "join", "assessment": _assessment_dict(a)}
        a = s.scalar(select(Assessment).where(Assessment.facilitator_token == token))
        if a is not None:
            return {"kind": "facilitator", "assessment": _assessment_dict(a)}
        p = s.scalar(select(Participant).where(Participant.token == token))
        if p is not None:
            return {"kind": "participant", "assessment": _assessment_dict(p.assessment),
                    "participant": {"id": p.id, "name": p.name}}
    return None


def join(join_token: str, name: str, url: str | None = None) -> str:
    """Add a participant to the assessment behind ``join_token``; returns their own token."""
    if not valid_token(join_token):
        raise UserInputError("This joining link is not valid.")
    person = bounded_text(name, db.MAX_PERSON, "Your name")
    if not person:
        raise UserInputError("Enter your name or initials so the facilitator can tell ratings apart.")
    db.ensure_ready(url)
    with db.session_scope(write=True, url=url) as s:
        a = s.scalar(select(Assessment).where(Assessment.join_token == join_token))
        if a is None:
            raise UserInputError("Assessment not found.")
        if len(a.participants) >= db.MAX_PARTICIPANTS:
            raise UserInputError("This assessment already has the maximum number of participants.")
        p = Participant(assessment_id=a.id, token=new_token(), name=person)
        s.add(p)
        s.flush()
        return p.token


# --------------------------------------------------------------------------- saving

def _clean_fields(rating=UNSET, evidence=UNSET, links=UNSET) -> dict:
    values = {}
    if rating is not UNSET:
        if rating not in (None, "") and (not isinstance(rating, str) or rating not in RATINGS):
            raise UserInputError("Unknown rating.")
        values["rating"] = rating or None
    for name, val in (("evidence", evidence), ("links", links)):
        if val is not UNSET:
            values[name] = bounded_text(val, _LIMITS[name], _LABELS[name], multiline=True)
    if not values:
        raise UserInputError("Nothing to save.")
    return values


def _upsert(session, model, keys: dict, values: dict, conflict: list[str]) -> None:
    """INSERT ... ON CONFLICT (keys) DO UPDATE SET only ``values`` (atomic in one statement)."""
    now = db.utcnow()
    values = {**values, "updated_at": now}
    row = {"rating": None, "evidence": "", "links": "", **keys, **values}
    dialect = session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        if dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.postgresql import insert
        stmt = insert(model).values(**row).on_conflict_do_update(index_elements=conflict, set_=values)
        session.execute(stmt)
        return
    # Generic fallback for other databases: update, else insert, retrying a lost race once.
    for _ in range(2):
        obj = session.scalar(select(model).filter_by(**{k: keys[k] for k in conflict}).with_for_update())
        if obj is not None:
            for k, v in values.items():
                setattr(obj, k, v)
            session.flush()
            return
        try:
            with session.begin_nested():
                session.add(model(**row))
            return
        except IntegrityError:
            continue
    raise RuntimeError("could not save")


@contextlib.contextmanager
def _by_token(what, column, token: Any, url: str | None, write: bool = False):
    """A session and the row (of `what`) whose `column` is `token`: None for an unknown token, and
    for a malformed one, which never reaches the database (its session is None too)."""
    if not valid_token(token):
        yield None, None
        return
    db.ensure_ready(url)
    with db.session_scope(write=write, url=url) as s:
        yield s, s.scalar(select(what).where(column == token))


def _check_criterion(criterion_id: str) -> None:
    if criterion_id not in load_model().criteria:
        raise UserInputError("Unknown criterion.")


def save_rating(participant_token: str, criterion_id: str, rating=UNSET, evidence=UNSET,
                links=UNSET, url: str | None = None) -> dt.datetime:
    """Upsert one participant's rating/evidence/links for one criterion; only given fields change."""
    _check_criterion(criterion_id)
    values = _clean_fields(rating, evidence, links)
    with _by_token(Participant, Participant.token, participant_token, url, write=True) as (s, p):
        if p is None:
            raise UserInputError("Assessment not found.")
        _upsert(s, Rating, {"assessment_id": p.assessment_id, "participant_id": p.id,
                            "criterion_id": criterion_id}, values, ["participant_id", "criterion_id"])
    return dt.datetime.now()


def save_consensus(facilitator_token: str, criterion_id: str, rating=UNSET, evidence=UNSET,
                   links=UNSET, url: str | None = None) -> dt.datetime:
    """Upsert the moderated consensus for one criterion (facilitator only)."""
    _check_criterion(criterion_id)
    values = _clean_fields(rating, evidence, links)
    with _by_token(Assessment, Assessment.facilitator_token, facilitator_token, url, write=True) as (s, a):
        if a is None:
            raise UserInputError("Assessment not found.")
        _upsert(s, Consensus, {"assessment_id": a.id, "criterion_id": criterion_id}, values,
                ["assessment_id", "criterion_id"])
    return dt.datetime.now()


# --------------------------------------------------------------------------- reading

def _assessment_dict(a: Assessment) -> dict:
    return {"id": a.id, "organisation": a.organisation, "area_code": a.area_code,
            "strategy": a.strategy, "date": a.assessment_date.isoformat() if a.assessment_date else "",
            "facilitator": a.facilitator, "created_at": a.created_at.isoformat(timespec="seconds")}


def _fields(obj) -> dict:
    return {"rating": obj.rating, "evidence": obj.evidence or "", "links": obj.links or ""}


def _snapshot(s, a: Assessment) -> dict:
    parts = list(s.scalars(select(Participant).where(Participant.assessment_id == a.id).order_by(Participant.id)))
    ratings: dict[int, dict] = {p.id: {} for p in parts}
    for r in s.scalars(select(Rating).where(Rating.assessment_id == a.id)):
        ratings.setdefault(r.participant_id, {})[r.criterion_id] = _fields(r)
    consensus = {c.criterion_id: _fields(c)
                 for c in s.scalars(select(Consensus).where(Consensus.assessment_id == a.id))}
    return {
        "assessment": _assessment_dict(a),
        "participants": [{"id": p.id, "name": p.name, "ratings": ratings.get(p.id, {})} for p in parts],
        "consensus": consensus,
    }


def participant_view(participant_token: str, url: str | None = None) -> dict | None:
    """The assessment's details and this participant's own ratings (not other people's)."""
    with _by_token(Participant, Participant.token, participant_token, url) as (s, p):
        if p is None:
            return None
        own = {r.criterion_id: _fields(r) for r in s.scalars(select(Rating).where(Rating.participant_id == p.id))}
        return {"assessment": _assessment_dict(p.assessment),
                "participant": {"id": p.id, "name": p.name}, "ratings": own}


def facilitator_view(facilitator_token: str, url: str | None = None) -> dict | None:
    """Whole assessment (participants, individual ratings, consensus) plus its join token."""
    with _by_token(Assessment, Assessment.facilitator_token, facilitator_token, url) as (s, a):
        if a is None:
            return None
        snap = _snapshot(s, a)
        snap["join_token"] = a.join_token
        return snap


def version_stamp(facilitator_token: str, url: str | None = None) -> str | None:
    """A short string that changes whenever anyone joins or saves anything in this assessment
    (counts and latest update times of participants, ratings and consensus). One cheap query, so
    the facilitator page can poll it and re-render only on a change. None for an unknown token."""
    from sqlalchemy import func

    with _by_token(Assessment.id, Assessment.facilitator_token, facilitator_token, url) as (s, aid):
        if aid is None:
            return None
        cols = [select(agg).where(model.assessment_id == aid).scalar_subquery()
                for model, aggs in ((Participant, (func.count(Participant.id), func.max(Participant.id))),
                                    (Rating, (func.count(Rating.id), func.max(Rating.updated_at))),
                                    (Consensus, (func.count(Consensus.id), func.max(Consensus.updated_at))))
                for agg in aggs]
        row = s.execute(select(*cols)).one()
        return "|".join("" if v is None else str(v) for v in row)


def effective_ratings(snapshot: dict) -> dict:
    """criterion id -> effective rating (consensus, else the rating at least two participants
    all gave; see `rules.effective_rating`)."""
    from dashboard.maturity.rules import effective_rating

    out = {}
    for cid in load_model().criteria:
        cons = (snapshot["consensus"].get(cid) or {}).get("rating")
        indiv = [(p["ratings"].get(cid) or {}).get("rating") for p in snapshot["participants"]]
        out[cid] = effective_rating(cons, indiv)
    return out


def series_for_facilitator(facilitator_token: str, url: str | None = None) -> list[dict]:
    """All assessments in this assessment's series (same organisation, repeat assessments),
    oldest first, each with its facilitator token. Empty for an unknown token."""
    with _by_token(Assessment, Assessment.facilitator_token, facilitator_token, url) as (s, a):
        if a is None:
            return []
        rows = s.scalars(select(Assessment).where(Assessment.series_token == a.series_token)
                         .order_by(Assessment.assessment_date, Assessment.id))
        out = []
        for other in rows:
            snap = _snapshot(s, other)
            snap["facilitator_token"] = other.facilitator_token
            snap["current"] = other.id == a.id
            out.append(snap)
        return out


def start_repeat(facilitator_token: str, assessment_date: Any = None, strategy: str | None = None,
                 url: str | None = None) -> dict:
    """Start a repeat assessment of the same organisation in the same (private) series."""
    with _by_token(Assessment, Assessment.facilitator_token, facilitator_token, url) as (s, a):
        if a is None:
            raise UserInputError("Assessment not found.")
        org, code, strat, fac, series = a.organisation, a.area_code, a.strategy, a.facilitator, a.series_token
    return create_assessment(org, code, strategy if strategy else strat, assessment_date, fac,
                             series_token=series, url=url)
