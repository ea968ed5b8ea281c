"""SQLAlchemy 2 models, engines and sessions for maturity self-assessments, plus `migrate()`.

- URL from `dashboard.config.database_url()` (``DATABASE_URL``), default SQLite file
  ``instance/assessments.sqlite`` (its folder is created).
- SQLite: WAL journal, 30 s busy timeout (``MATURITY_SQLITE_BUSY_TIMEOUT``), foreign keys on. Write sessions start with
  ``BEGIN IMMEDIATE`` so two writers queue on the busy timeout instead of failing on a lock
  upgrade; read sessions use a plain deferred ``BEGIN`` (WAL readers never block writers).
- PostgreSQL (``postgresql+psycopg://...``) for deployments with several app instances; its
  connection pool is sized by `pool_settings()` (``DB_POOL_SIZE`` ...).
- `migrate()` runs ``alembic upgrade head`` programmatically. It is idempotent and safe when two
  processes start at once: an exclusive file lock (SQLite) or a session advisory lock
  (PostgreSQL) serialises the upgrade, and the second process then finds the schema at head.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import os
import threading
from pathlib import Path

from sqlalchemy import (Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint,
                        create_engine, event, text)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship, sessionmaker

from dashboard import config

# Input limits (also enforced in the UI with maxLength).
MAX_NAME = 200
MAX_PERSON = 120
MAX_NOTE = 4000
MAX_LINKS = 2000
MAX_PARTICIPANTS = 200
TOKEN_LEN = 64
# How long a SQLite writer waits for another writer's lock before giving up (seconds);
# MATURITY_SQLITE_BUSY_TIMEOUT overrides it (tests use a short one to simulate a locked database).
BUSY_TIMEOUT_S = 30.0


def busy_timeout() -> float:
    try:
        return float(os.environ.get("MATURITY_SQLITE_BUSY_TIMEOUT", BUSY_TIMEOUT_S))
    except ValueError:
        return BUSY_TIMEOUT_S


# Connection pool per process (PostgreSQL). Every request holds at most one connection while it
# runs, so a process needs as many as it serves requests at once: gunicorn's threads per worker,
# or every participant of a workshop on a threaded development server. The defaults (20 + 20)
# keep 20+ simultaneous participants on one process working; the total over all workers and
# instances (workers x (size + overflow)) must stay below the server's max_connections.
POOL_DEFAULTS = {"pool_size": 20, "max_overflow": 20, "pool_timeout": 30.0, "pool_recycle": 1800}
_POOL_ENV = {"pool_size": "DB_POOL_SIZE", "max_overflow": "DB_MAX_OVERFLOW", "pool_timeout": "DB_POOL_TIMEOUT",
             "pool_recycle": "DB_POOL_RECYCLE"}


def pool_settings() -> dict:
    """SQLAlchemy pool arguments from DB_POOL_SIZE, DB_MAX_OVERFLOW, DB_POOL_TIMEOUT (s) and
    DB_POOL_RECYCLE (s), with pre-ping so a connection dropped by the server is replaced silently."""
    out: dict = {"pool_pre_ping": True}
    for key, default in POOL_DEFAULTS.items():
        raw = os.environ.get(_POOL_ENV[key], "")
        try:
            value = type(default)(raw) if raw else default
        except ValueError:
            value = default
        out[key] = value if value >= 0 else default
    out["pool_size"] = max(1, out["pool_size"])
    return out


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class Assessment(Base):
    __tablename__ = "mm_assessment"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    join_token: Mapped[str] = mapped_column(String(TOKEN_LEN), unique=True, nullable=False)
    facilitator_token: Mapped[str] = mapped_column(String(TOKEN_LEN), unique=True, nullable=False)
    series_token: Mapped[str] = mapped_column(String(TOKEN_LEN), index=True, nullable=False)
    organisation: Mapped[str] = mapped_column(String(MAX_NAME), nullable=False)
    area_code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    strategy: Mapped[str] = mapped_column(String(MAX_NAME), nullable=False, default="")
    assessment_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    facilitator: Mapped[str] = mapped_column(String(MAX_PERSON), nullable=False, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    participants: Mapped[list["Participant"]] = relationship(back_populates="assessment",
                                                             order_by="Participant.id")


class Participant(Base):
    __tablename__ = "mm_participant"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("mm_assessment.id", ondelete="CASCADE"),
                                               index=True, nullable=False)
    token: Mapped[str] = mapped_column(String(TOKEN_LEN), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(MAX_PERSON), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    assessment: Mapped[Assessment] = relationship(back_populates="participants")


class _RatedCriterion:
    """The columns a participant's rating and the facilitator's consensus share."""
    criterion_id: Mapped[str] = mapped_column(String(16), nullable=False)
    rating: Mapped[str | None] = mapped_column(String(16), nullable=True)
    evidence: Mapped[str] = mapped_column(Text, nullable=False, default="")
    links: Mapped[str] = mapped_column(Text, nullable=False, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


class Rating(_RatedCriterion, Base):
    """One participant's rating of one criterion; unique on (participant, criterion)."""
    __tablename__ = "mm_rating"
    __table_args__ = (UniqueConstraint("participant_id", "criterion_id", name="uq_mm_rating_pc"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("mm_assessment.id", ondelete="CASCADE"),
                                               index=True, nullable=False)
    participant_id: Mapped[int] = mapped_column(ForeignKey("mm_participant.id", ondelete="CASCADE"),
                                                nullable=False)


class Consensus(_RatedCriterion, Base):
    """The facilitator's moderated rating of one criterion; unique on (assessment, criterion)."""
    __tablename__ = "mm_consensus"
    __table_args__ = (UniqueConstraint("assessment_id", "criterion_id", name="uq_mm_consensus_ac"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("mm_assessment.id", ondelete="CASCADE"),
                                               nullable=False)


# --------------------------------------------------------------------------- engines

_LOCK = threading.RLock()
_ENGINES: dict[tuple[str, bool], Engine] = {}
_MIGRATED: set[str] = set()


def current_url() -> str:
    return config.database_url()


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_path(url: str) -> Path | None:
    db = make_url(url).database
    if not db or db == ":memory:" or db.startswith("file:"):
        return None
    return Path(db)


def _build_engine(url: str, immediate: bool) -> Engine:
    if is_sqlite(url):
        path = _sqlite_path(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        timeout = busy_timeout()
        engine = create_engine(url, connect_args={"timeout": timeout, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record):  # pragma: no cover - trivial
            dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn):  # pragma: no cover - trivial
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    # connect_timeout: an unreachable server fails a save within seconds (the page then keeps
    # the answer and retries) instead of hanging the request.
    args = {"connect_timeout": 5} if make_url(url).get_backend_name() == "postgresql" else {}
    return create_engine(url, connect_args=args, **pool_settings())


def get_engine(url: str | None = None, write: bool = True) -> Engine:
    """Cached engine per (url, write). Write engines on SQLite start transactions IMMEDIATE."""
    url = url or current_url()
    key = (url, write if is_sqlite(url) else True)
    with _LOCK:
        if key not in _ENGINES:
            _ENGINES[key] = _build_engine(url, key[1])
        return _ENGINES[key]


@contextlib.contextmanager
def session_scope(write: bool = False, url: str | None = None):
    """A transactional session: commits on success, rolls back on error."""
    factory = sessionmaker(bind=get_engine(url, write=write), expire_on_commit=False)
    session: Session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def dispose_all() -> None:
    with _LOCK:
        for eng in _ENGINES.values():
            eng.dispose()
        _ENGINES.clear()
        _MIGRATED.clear()


# --------------------------------------------------------------------------- migrations

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
_PG_LOCK_KEY = 7_391_204_551  # arbitrary, fixed advisory-lock key for our migrations


def alembic_config(url: str):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


@contextlib.contextmanager
def _file_lock(path: Path):
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def migrate(url: str | None = None) -> None:
    """Run ``alembic upgrade head`` on the database (idempotent, multi-process safe)."""
    from alembic import command

    url = url or current_url()
    with _LOCK:
        if url in _MIGRATED:
            return
        cfg = alembic_config(url)
        engine = get_engine(url, write=True)
        if is_sqlite(url):
            path = _sqlite_path(url)
            lock = _file_lock(path.with_name(path.name + ".migrate.lock")) if path else contextlib.nullcontext()
            with lock, engine.connect() as conn:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
                conn.commit()
        else:
            with engine.connect() as conn:
                conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _PG_LOCK_KEY})
                conn.commit()
                try:
                    cfg.attributes["connection"] = conn
                    command.upgrade(cfg, "head")
                    conn.commit()
                finally:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _PG_LOCK_KEY})
                    conn.commit()
        _MIGRATED.add(url)


def ensure_ready(url: str | None = None) -> None:
    """Cheap guard used by the repository: migrate once per process and URL."""
    url = url or current_url()
    if url not in _MIGRATED:
        migrate(url)
