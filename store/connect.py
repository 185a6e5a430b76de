"""Build an engine from one URL; migrate the schema (Alembic) on first use; read-only engines.

``connect(url)`` is the writer's engine: on first use in a process it brings the schema to the
newest migration (``store/migrations``, shipped as package data). A store created before the
migrations existed (by ``create_all``) is stamped at ``0001`` and upgraded from there.
``connect_read_only(url)`` is the engine queries use: SQLite opened with ``mode=ro`` (and
``query_only``), PostgreSQL sessions with ``default_transaction_read_only``; in WAL mode a
reader never blocks the writer.
"""

from __future__ import annotations

import threading
from functools import cache
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url

_ENGINES: dict[tuple[str, bool], Engine] = {}
_READ_ONLY: dict[str, Engine] = {}
_LOCK = threading.Lock()
FOUNDATION_REVISION = "0001"


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:" or parsed.database.startswith("file:"):
        return None
    return Path(parsed.database)


def normalise_url(url: str) -> str:
    """Accept a bare file path as a SQLite database, and plain ``postgresql://``."""
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001 - DBAPI connection
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _sqlite_read_pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001 - DBAPI connection
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA query_only=ON")
    cur.execute("PRAGMA cache_size=-65536")  # 64 MiB of page cache for scans and cross-tabs
    cur.close()


def _pg_read_only(dbapi_conn, _record) -> None:  # noqa: ANN001 - DBAPI connection
    cur = dbapi_conn.cursor()
    cur.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
    cur.execute("SET work_mem = '128MB'")  # cross-tabs hash and sort in memory
    cur.close()
    dbapi_conn.commit()


_FILE_IDS: dict[tuple[str, bool | str], tuple[int, int] | None] = {}


def _file_id(path: Path | None) -> tuple[int, int] | None:
    try:
        st = path.stat() if path is not None else None
    except OSError:
        return None
    return (st.st_dev, st.st_ino) if st else None


def connect(url: str, *, create: bool = True) -> Engine:
    """An engine for ``url`` (cached per process); migrates the schema on first use.

    A long-lived process (a Dask worker) keeps its engine between runs: if the SQLite file was
    deleted or replaced meanwhile, the cached engine's connections would write to the old,
    unlinked file and the rows would be lost, so the engine is rebuilt instead.
    """
    url = normalise_url(url)
    key = (url, create)
    path = sqlite_path(url)
    with _LOCK:
        if key in _ENGINES:
            if path is None or _file_id(path) == _FILE_IDS.get(key):
                return _ENGINES[key]
            _ENGINES.pop(key).dispose()
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        if make_url(url).get_backend_name() == "sqlite":
            engine = create_engine(url, connect_args={"timeout": 30})
            event.listen(engine, "connect", _sqlite_pragmas)
        else:
            engine = create_engine(url, pool_pre_ping=True)
        if create:
            migrate(engine)
        _ENGINES[key] = engine
        _FILE_IDS[key] = _file_id(path)
        return engine


def connect_read_only(url: str) -> Engine:
    """An engine that cannot write: for queries, cross-tabs, exports and reports.

    The schema is migrated first (through the writer's engine) so a fresh store is queryable.
    An in-memory SQLite database cannot be shared, so it gets the ordinary engine.
    """
    url = normalise_url(url)
    writer = connect(url)  # rebuilt, with the schema, if the file was replaced
    path = sqlite_path(url)
    with _LOCK:
        if url in _READ_ONLY:
            if path is None or _file_id(path) == _FILE_IDS.get((url, "ro")):
                return _READ_ONLY[url]
            _READ_ONLY.pop(url).dispose()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if path is None:
            return writer
        ro_url = f"sqlite:///file:{path.resolve()}?mode=ro&uri=true"
        engine = create_engine(ro_url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_read_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True)
        event.listen(engine, "connect", _pg_read_only)
    with _LOCK:
        _READ_ONLY[url] = engine
        _FILE_IDS[(url, "ro")] = _file_id(path)
    return engine


@cache
def _script_head() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory(_script_location()).get_current_head() or ""


@cache
def _script_location() -> str:
    """``store/migrations`` wherever the package is installed (package data)."""
    from importlib.resources import files

    return str(files("store") / "migrations")


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision``; a no-op (one small query) when it is already there."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":  # one migrator at a time per database
            conn.execute(text("SELECT pg_advisory_xact_lock(724242)"))
        if revision == "head" and current_revision(conn) == _script_head():
            return
        _upgrade(conn, revision)


def current_revision(conn: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def _upgrade(conn: Connection, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", _script_location())
    cfg.attributes["connection"] = conn
    tables = set(inspect(conn).get_table_names())
    if current_revision(conn) is None and "documents" in tables:
        command.stamp(cfg, FOUNDATION_REVISION)  # made by create_all before migrations
    command.upgrade(cfg, revision)


def dispose_all() -> None:
    with _LOCK:
        for engine in [*_ENGINES.values(), *_READ_ONLY.values()]:
            engine.dispose()
        _ENGINES.clear()
        _READ_ONLY.clear()
