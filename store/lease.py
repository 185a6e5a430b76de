"""A named lease in the store, so that two refreshes never write at the same time.

``acquire`` inserts or takes over the row for a name in one transaction (compare-and-swap on
the previous holder); a lease is free when it has expired or when its holder was a process on
this machine that no longer exists (a refresh killed with SIGKILL leaves its row behind). The
holder renews it while it works (``renew``) and deletes it at the end (``release``).
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, and_, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from store.schema import leases

DEFAULT_TTL = timedelta(minutes=10)


class LeaseHeld(Exception):
    """Another holder has the lease; ``reason`` names it and says until when."""

    def __init__(self, name: str, holder: str, expires_at: datetime) -> None:
        self.reason = (
            f"another {name} is running ({holder}, lease until "
            f"{expires_at.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC)"
        )
        super().__init__(self.reason)
        self.holder = holder


class LeaseLost(Exception):
    """The lease was taken over (it had expired) while we still worked."""


@dataclass(frozen=True)
class Lease:
    name: str
    holder: str
    expires_at: datetime


def new_holder() -> str:
    """``host:pid:random``: unique, and tells which process holds it."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _holder_is_dead(holder: str) -> bool:
    """True only when the holder ran on this machine and its process is gone."""
    host, _, rest = holder.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname()[:40] or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def acquire(
    engine: Engine, name: str, holder: str | None = None, ttl: timedelta = DEFAULT_TTL
) -> Lease:
    """Take the lease ``name`` or raise ``LeaseHeld``."""
    holder = holder or new_holder()
    now = datetime.now(UTC)
    expires = now + ttl
    with engine.begin() as conn:
        row = conn.execute(
            select(leases.c.holder, leases.c.expires_at).where(leases.c.name == name)
        ).first()
        if row is None:
            try:
                with conn.begin_nested():
                    conn.execute(
                        insert(leases).values(
                            name=name, holder=holder, acquired_at=now, expires_at=expires
                        )
                    )
            except IntegrityError:
                row = conn.execute(
                    select(leases.c.holder, leases.c.expires_at).where(leases.c.name == name)
                ).one()
                raise LeaseHeld(name, row.holder, _utc(row.expires_at)) from None
            return Lease(name, holder, expires)
        if _utc(row.expires_at) > now and not _holder_is_dead(row.holder):
            raise LeaseHeld(name, row.holder, _utc(row.expires_at))
        taken = conn.execute(
            update(leases)
            .where(and_(leases.c.name == name, leases.c.holder == row.holder))
            .values(holder=holder, acquired_at=now, expires_at=expires)
        ).rowcount
        if taken != 1:
            raise LeaseHeld(name, "another process", expires)
    return Lease(name, holder, expires)


def renew(engine: Engine, lease: Lease, ttl: timedelta = DEFAULT_TTL) -> Lease:
    """Push the expiry forward; raise ``LeaseLost`` when someone else holds it now."""
    expires = datetime.now(UTC) + ttl
    with engine.begin() as conn:
        n = conn.execute(
            update(leases)
            .where(and_(leases.c.name == lease.name, leases.c.holder == lease.holder))
            .values(expires_at=expires)
        ).rowcount
    if n != 1:
        raise LeaseLost(f"the {lease.name} lease was taken over by another process")
    return Lease(lease.name, lease.holder, expires)


def release(engine: Engine, lease: Lease) -> None:
    with engine.begin() as conn:
        conn.execute(
            delete(leases).where(and_(leases.c.name == lease.name, leases.c.holder == lease.holder))
        )


def current(engine: Engine, name: str) -> Lease | None:
    with engine.connect() as conn:
        row = conn.execute(
            select(leases.c.holder, leases.c.expires_at).where(leases.c.name == name)
        ).first()
    return Lease(name, row.holder, _utc(row.expires_at)) if row else None
