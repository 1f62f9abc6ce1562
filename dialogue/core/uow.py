"""The unit of work: one transaction per entry point, committed or rolled back at its boundary, never inside.

Services change rows, write the audit entry and queue after-commit work (``core.after_commit``); they never commit
or roll back, so several of them compose into one change and a refusal anywhere leaves nothing behind. The
boundaries are:

- a page or API request (``register_request_boundary``): committed when the response is a success (below 400)
  and the work was not refused; rolled back otherwise. A race the database settles at the end (a deadlock, a
  unique key taken by a concurrent request) answers 409, never 500;
- a CLI command (``transactional``, applied to every command of the app's CLI modules by ``create_app``);
- a Socket.IO event (``live.socket``'s ``_live_event``) and a background job (``transaction()``).

A view that catches a refusal to show it beside the form calls ``core.web.refuse`` (which calls ``rollback_now``):
the page then reads the rows as they are, not as the refused work left them in memory.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from flask import Flask, Response
from sqlalchemy.exc import DBAPIError, IntegrityError

from ..extensions import db

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])

# SQLSTATEs of a transaction the database gave up on because another one got there first.
RACE_SQLSTATES = {"40001", "40P01"}  # serialization failure, deadlock detected


def is_race(exc: BaseException) -> bool:
    """A unique key taken meanwhile, a deadlock or a serialization failure: retrying would see the new state."""
    if isinstance(exc, IntegrityError):
        return True
    if isinstance(exc, DBAPIError):
        code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
        if code in RACE_SQLSTATES:
            return True
        message = str(exc.orig).lower()
        return "database is locked" in message  # SQLite's writer waited past its busy timeout
    return False


def commit() -> None:
    """Commits the entry point's transaction. Only boundaries call it."""
    db.session.commit()


def rollback_now() -> None:
    """Ends the transaction without keeping anything (a refusal shown on a page, a failed job)."""
    db.session.rollback()


@contextmanager
def transaction() -> Iterator[None]:
    """The boundary of a CLI command, a socket event or a job: commit if the block succeeds, else roll back."""
    try:
        yield
    except BaseException:
        db.session.rollback()
        raise
    else:
        db.session.commit()


def transactional(fn: F) -> F:
    """``fn`` runs as one unit of work (``transaction()``)."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        with transaction():
            return fn(*args, **kwargs)

    return run  # type: ignore[return-value]


def wrap_cli_commands(group: Any) -> None:
    """Every command under ``group`` (recursively) becomes a unit of work."""
    for command in getattr(group, "commands", {}).values():
        if getattr(command, "commands", None):
            wrap_cli_commands(command)
        elif command.callback is not None and not getattr(command.callback, "_unit_of_work", False):
            command.callback = transactional(command.callback)
            command.callback._unit_of_work = True  # type: ignore[attr-defined]


def register_request_boundary(app: Flask, race_response: Callable[[], Response]) -> None:
    """Commits each request that succeeded, rolls back the others. ``race_response`` makes the 409 answered when
    the commit itself loses a race."""

    @app.after_request
    def end_unit_of_work(response: Response) -> Response:
        if response.status_code >= 400:
            db.session.rollback()
            return response
        try:
            db.session.commit()
        except Exception as exc:
            db.session.rollback()
            if not is_race(exc):
                raise
            log.info("commit lost a race: %s", exc.__class__.__name__)
            return race_response()
        return response
