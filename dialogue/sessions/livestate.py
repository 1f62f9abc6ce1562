"""The live version of a session and the lock every change of its live state takes: a small leaf that the
areas whose changes are on the live screens (the schedule, the agenda, responses, the queue) use without
reaching up to the live area.

Every change takes the session row's lock first (``SELECT ... FOR UPDATE`` on PostgreSQL, the write lock on
SQLite): it is the one lock order of the package (session, then the rows inside it), so two people acting on one
session wait for each other instead of deadlocking. The version grows by one in the same transaction, and the
live area hears of it after the commit (``signals.live_state_changed``).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import lazyload

from ..core.after_commit import after_commit
from ..core.errors import NotFound
from ..extensions import db
from .models import DialogueSession
from .signals import live_state_changed


def lock_session(session_id: int) -> DialogueSession:
    """Takes the session row's lock for the rest of the transaction and returns the fresh row.

    SQLite has no row locks: a no-op UPDATE takes the database's write lock first, so two writers are serialised
    the same way.
    """
    if db.engine.dialect.name == "sqlite":
        db.session.execute(
            update(DialogueSession)
            .where(DialogueSession.id == session_id)
            .values(live_version=DialogueSession.live_version)
            .execution_options(synchronize_session=False)
        )
    session = db.session.scalar(
        select(DialogueSession)
        .where(DialogueSession.id == session_id)
        .with_for_update(of=DialogueSession)
        .options(lazyload("*"))  # hosts and invited units load only if a caller reads them
        .execution_options(populate_existing=True)
    )
    if session is None:
        raise NotFound(_l("Không tìm thấy buổi đối thoại."))
    return session


def bump_version(session: DialogueSession) -> int:
    """One more change of live state: the version grows by one; the live area is told after the commit."""
    session.live_version = (session.live_version or 0) + 1
    session_id = session.id
    after_commit(lambda: live_state_changed.send(None, session_id=session_id))
    return session.live_version


def state_changed(session_id: int) -> None:
    """Something the live screens show changed in this transaction: the version moves under the session's lock."""
    bump_version(lock_session(session_id))
