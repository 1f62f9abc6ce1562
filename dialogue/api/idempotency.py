"""Idempotency: the same key from the same person returns the first result instead of doing the work twice.

One mechanism for the API's ``Idempotency-Key`` header and for the hidden key of the pages' create forms.
The key row is claimed (committed) before the work runs, so a double click arriving while the first request is
still working waits for its answer instead of creating a second record.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from .models import IdempotencyKey

WAIT_SECONDS = 10.0


def _run_once(user_id: int, key: str | None, scope: str, work: Callable[[], tuple[int, Any]]) -> tuple[int, Any]:
    """Runs ``work`` (returning ``(status, json_body)``) once per ``(user_id, key)``.

    Without a key it simply runs. A failed run (an exception, or a status of 400 or more) frees the key, so a
    corrected retry can succeed.
    """
    if not key:
        return work()
    key = key[:200]
    db.session.rollback()  # start from a clean transaction: the claim must commit on its own
    try:
        db.session.add(IdempotencyKey(user_id=user_id, key=key, scope=scope))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return _wait_for_first(user_id, key, scope)
    try:
        status, body = work()
    except Exception:
        db.session.rollback()
        _release(user_id, key)
        raise
    if status >= 400:
        db.session.rollback()
        _release(user_id, key)
        return status, body
    row = db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key))
    if row is not None:
        row.status_code = status
        row.body = body
        db.session.commit()
    return status, body


def _release(user_id: int, key: str) -> None:
    db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key))
    db.session.commit()


def _wait_for_first(user_id: int, key: str, scope: str) -> tuple[int, Any]:
    from flask_babel import gettext as _

    from ..core.errors import Conflict

    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        row = db.session.scalar(
            select(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
        )
        if row is not None and row.scope != scope:
            raise Conflict(_("Khóa Idempotency-Key này đã được dùng cho một yêu cầu khác."))
        if row is not None and row.status_code is not None:
            return row.status_code, row.body
        if row is None:
            # The first attempt failed and let the key go: do the work now under the same key.
            db.session.rollback()
            raise _Retry()
        if time.monotonic() > deadline:
            raise Conflict(_("Yêu cầu giống hệt đang được xử lý. Xin thử lại sau giây lát."))
        db.session.rollback()  # see the other transaction's commit
        time.sleep(0.05)


class _Retry(Exception):
    pass


def run_once(user_id: int, key: str | None, scope: str, work: Callable[[], tuple[int, Any]]) -> tuple[int, Any]:
    """Runs ``work`` (returning ``(status, json_body)``) once per ``(user_id, key)``; see the module's doc."""
    try:
        return _run_once(user_id, key, scope, work)
    except _Retry:
        return _run_once(user_id, key, scope, work)
