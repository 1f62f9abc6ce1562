"""Work that must happen only once the transaction has committed (e-mails and live events), and undoing what was
done outside the database for a transaction that did not commit (a file already written).

A service calls ``after_commit(fn)``; ``fn`` runs after the next successful commit of the session and is
dropped on rollback, so nothing announces a change that did not happen. ``after_rollback(fn)`` is the mirror:
``fn`` runs if the transaction ends without a commit (a rollback, or the request's session closed after an
error), and is dropped on commit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

log = logging.getLogger(__name__)
_COMMIT_KEY = "after_commit_callbacks"
_ROLLBACK_KEY = "after_rollback_callbacks"


def after_commit(callback: Callable[[], None]) -> None:
    from ..extensions import db

    db.session().info.setdefault(_COMMIT_KEY, []).append(callback)


def after_rollback(callback: Callable[[], None]) -> None:
    from ..extensions import db

    db.session().info.setdefault(_ROLLBACK_KEY, []).append(callback)


def _settle(session: Session, run: str, drop: str) -> None:
    """The outermost transaction has ended: the callbacks under ``run`` run, those under ``drop`` are dropped."""
    session.info.pop(drop, None)
    for callback in session.info.pop(run, []):
        try:
            callback()
        except Exception:  # an e-mail or a broadcast failing must not undo what was committed
            log.exception("%s callback failed", run)


# SQLAlchemy sends after_commit and after_rollback for a savepoint (``begin_nested``) too: only the outermost
# transaction's end counts here.


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if not session.in_nested_transaction():
        _settle(session, run=_COMMIT_KEY, drop=_ROLLBACK_KEY)


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    if not session.in_nested_transaction():
        _settle(session, run=_ROLLBACK_KEY, drop=_COMMIT_KEY)


@event.listens_for(Session, "after_transaction_end")
def _ended_without_commit(session: Session, transaction: SessionTransaction) -> None:
    """A session closed with its transaction still open (the request ended on an error) ends it without a
    rollback event: what was waiting for the rollback runs here."""
    if transaction.parent is None and not transaction.nested:
        _settle(session, run=_ROLLBACK_KEY, drop=_COMMIT_KEY)
