"""Idempotency: the same key from the same person returns the first result instead of doing the work twice.

One mechanism for the API's ``Idempotency-Key`` header and for the hidden key of the pages' create forms.

The key's row is written first in the request's own transaction, and the answer is stored in it before the
boundary commits the work, the key and the answer together (one commit). A second request with the same key
that arrives while the first is still working waits on the key's unique index until the first ends: if the first
committed, it gets the stored answer; if the first was refused or failed, nothing of it remains (not even the
key), and the second does the work itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model, db
from .errors import Conflict
from .models import CreatedAt
from .uow import rollback_now

MAX_KEY_LENGTH = 200


class IdempotencyKey(CreatedAt, Model):
    """The first answer to a create request, kept under the client's key so a retry gets the same answer."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_idempotency_keys_user_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    scope: Mapped[str] = mapped_column(String(200))
    status_code: Mapped[int | None] = mapped_column(Integer)
    body: Mapped[dict | None] = mapped_column(JSON)


def _stored(user_id: int, key: str, scope: str) -> tuple[int, Any] | None:
    row = db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key))
    if row is None:
        return None
    if row.scope != scope:
        raise Conflict(_("Khóa Idempotency-Key này đã được dùng cho một yêu cầu khác."), code="idempotency_key_reused")
    return row.status_code or 200, row.body


def run_once(user_id: int, key: str | None, scope: str, work: Callable[[], tuple[int, Any]]) -> tuple[int, Any]:
    """Runs ``work`` (returning ``(status, json_body)``) once per ``(user_id, key)``; see the module's doc.

    Without a key it simply runs. Call it first in the request's transaction: a lost race on the key rolls back
    what the transaction did before it.
    """
    if not key:
        return work()
    key = key[:MAX_KEY_LENGTH]
    stored = _stored(user_id, key, scope)
    if stored is not None:
        return stored
    claim = IdempotencyKey(user_id=user_id, key=key, scope=scope)
    db.session.add(claim)
    try:
        db.session.flush()  # waits here while another request holds the same key
    except IntegrityError:
        rollback_now()  # the other request committed first: its answer is stored
        stored = _stored(user_id, key, scope)
        if stored is None:  # it was removed again meanwhile (cannot happen today: keys are never deleted)
            raise Conflict(_("Yêu cầu giống hệt đang được xử lý. Xin thử lại sau giây lát.")) from None
        return stored
    status, body = work()
    if status < 400:
        claim.status_code = status
        claim.body = body
        db.session.flush()
    return status, body
