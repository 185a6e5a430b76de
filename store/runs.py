"""The store's own record of refresh runs (Prefect's records may be lost with its server)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Engine, insert, select, update

from store.schema import runs
from store.write import now


def start_run(engine: Engine, *, sources: list[str], flow_run_id: str | None = None,
              model_version: str | None = None, pipeline_version: str | None = None) -> str:
    run_id = uuid.uuid4().hex
    with engine.begin() as conn:
        conn.execute(
            insert(runs).values(
                run_id=run_id,
                started_at=now(),
                status="running",
                flow_run_id=flow_run_id,
                sources=sources,
                model_version=model_version,
                pipeline_version=pipeline_version,
            )
        )
    return run_id


def finish_run(engine: Engine, run_id: str, *, counts: dict[str, Any],
               label_counts: dict[str, Any], status: str = "completed") -> None:
    with engine.begin() as conn:
        conn.execute(
            update(runs)
            .where(runs.c.run_id == run_id)
            .values(finished_at=now(), status=status, counts=counts, label_counts=label_counts)
        )


def list_runs(engine: Engine, limit: int = 50) -> list[dict[str, Any]]:
    """Runs, newest first, as plain dicts."""
    with engine.connect() as conn:
        rows = conn.execute(select(runs).order_by(runs.c.started_at.desc()).limit(limit)).all()
    return [dict(r._mapping) for r in rows]
