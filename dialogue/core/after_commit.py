"""Work that must happen only once the transaction has committed: e-mails and live events.

A service calls ``after_commit(fn)``; ``fn`` runs after the next successful commit of the session and is
dropped on rollback, so nothing announces a change that did not happen.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
_KEY = "after_commit_callbacks"


def after_commit(callback: Callable[[], None]) -> None:
    from ..extensions import db

    db.session().info.setdefault(_KEY, []).append(callback)


@event.listens_for(Session, "after_commit")
def _run_callbacks(session: Session) -> None:
    callbacks = session.info.pop(_KEY, [])
    for callback in callbacks:
        try:
            callback()
        except Exception:  # an e-mail or a broadcast failing must not undo what was committed
            log.exception("after-commit callback failed")


@event.listens_for(Session, "after_rollback")
def _drop_callbacks(session: Session) -> None:
    session.info.pop(_KEY, None)
